#pragma once
/// @file
/// NumPy's .npy and .npz files, as `np.save`, `np.savez` and `np.load` write and read them.
///
///     xt::xarray<float> x = strata::data::load_npy("x_train.npy");
///     auto arrays = strata::data::load_npz("mnist.npz");  // {"x_train": ..., "y_train": ...}
///     strata::data::save_npz("out.npz", {{"x", x}, {"y", y}});
///
/// Reading: format versions 1.0, 2.0 and 3.0; dtypes float32, float64, int8 to int64, uint8 to
/// uint64 and bool, little or big endian; C or Fortran order; any rank (a 0-d array gives an
/// xarray of rank 0). Every value becomes a float32: a float64 rounds to the nearest float32 (a
/// finite one beyond float32's range is refused, not turned into an infinity), an integer must
/// be exact in float32 (|value| <= 2^24, or a multiple of a power of two beyond), bool becomes 0
/// or 1.
/// Writing: format 1.0, '<f4', C order, written atomically (see Model::save); save_npz stores its
/// entries (np.savez) or deflates them (`compress`, np.savez_compressed).
///
/// Errors, each naming the file (and for .npz the entry): IOError when the file cannot be read or
/// written, or is truncated (the header or the data shorter than declared); ValueError for a
/// file that is not .npy (the magic string), an unknown version, a header longer than 65535 bytes
/// or not the dictionary NumPy writes, a dtype Strata does not read (structured, object,
/// float16, complex, strings), data longer than the shape declares (with its byte offset), and
/// the first value that float32 cannot hold (with its index); the .npz errors of the zip reader.

#include <filesystem>
#include <map>
#include <string>

#include <xtensor/xarray.hpp>

namespace strata::data {

/// Reads a .npy file into a float array (see the file's documentation for what it accepts).
xt::xarray<float> load_npy(const std::filesystem::path& path);

/// Writes `array` as a .npy file (format 1.0, little-endian float32, C order).
void save_npy(const std::filesystem::path& path, const xt::xarray<float>& array);

/// Reads every array of a .npz file, keyed by its name without ".npy" (as `np.load(...)[name]`).
std::map<std::string, xt::xarray<float>> load_npz(const std::filesystem::path& path);

/// Writes `arrays` as a .npz file, one "<name>.npy" entry each; deflated when `compress`.
void save_npz(const std::filesystem::path& path, const std::map<std::string, xt::xarray<float>>& arrays,
              bool compress = false);

}  // namespace strata::data
