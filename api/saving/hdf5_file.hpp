#pragma once
// A small, hardened layer over the HDF5 C library for Keras's weight files (model.weights.h5
// inside a .keras zip, .weights.h5, the legacy .h5): H5Writer builds a file in memory, H5Reader
// reads one from memory. Both exist so the saving code never touches HDF5 ids, never sees
// HDF5's error-stack printing, and gets one clear, typed error naming the file, the object
// and what was wrong for every hostile or damaged file, instead of a crash or a huge allocation.
//
// Errors (every message starts with the display name, quoted):
//  - IOError: the bytes are not an HDF5 file, or are damaged: HDF5 itself fails on them
//    (truncated, a failing checksum; the message carries HDF5's own description, taken from its
//    error stack), or Strata's own checks find a structure that contradicts itself (below).
//  - ValueError: the file reads but holds something Strata refuses or the caller did not
//    expect: a missing group, dataset or path component; soft, external and user-defined links;
//    virtual datasets; external storage; filters other than deflate, shuffle and fletcher32;
//    deflate chunks that inflate past their size; attributes in dense or shared storage; a
//    shape or type that is not the expected one; sizes too large to hold. Also a bad argument
//    to the writer (data that does not fit the shape, a path that already exists).
//  - StateError: an H5Writer used after finish().
//
// Every call holds one process-wide mutex, turns off HDF5's automatic error printing and
// HDF5's filter-plugin loading while it runs, and restores both as they were afterwards, so a
// program's own HDF5 use keeps its settings.
//
// HDF5 1.10.8 (Debian 12's) trusts sizes it reads from the file in several places, so a damaged
// or hostile file makes it read past its buffers; the byte-flip test found each of these under
// AddressSanitizer. Strata keeps HDF5 away from them, checking against the file image it holds:
//  - variable-length strings: HDF5 copies a global-heap object without checking its index or
//    size. Strata takes each string's raw reference from HDF5 (a conversion function of its
//    own, to an opaque type) and reads the heap from the image itself.
//  - attribute messages: HDF5 copies an attribute's data for as many bytes as its dataspace and
//    datatype declare. Strata walks the object's header first and checks every attribute
//    message's parts against the message's size.
//  - contiguous data (how Keras and h5py store every dataset): HDF5's sieve buffer is the size
//    the layout records. Strata reads the bytes from the image itself and decodes them.
//  - compact data and chunks: HDF5 copies a whole dataset or chunk out of a smaller buffer when
//    the storage or the chunk index records less. Strata checks the compact size, and every
//    chunk's index entry through the reverse filter pipeline, before HDF5 reads.
// What remains is HDF5's parsing of object headers and B-trees itself; some damaged files also
// leave HDF5 holding memory it reports at exit ("infinite loop closing library", as h5dump does).
//
// Paths are '/'-separated, relative to the root ("" or "/" is the root); empty components
// ("a//b"), "." and ".." are refused. Each component is checked as it is walked: a component
// that does not exist is reported by name, and any link that is not a hard link is refused
// before HDF5 follows it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata::detail {

struct H5ImageView;  // what HDF5's file-image callbacks hand out (hdf5_file.cpp)

/// The element types Strata reads; `other` is anything else (integers other than int32/int64,
/// strings, compounds, non-IEEE floats).
enum class H5Type { float16, bfloat16, float32, float64, int32, int64, other };

/// "float16", "bfloat16", "float32", "float64", "int32", "int64" or "other", for messages.
std::string_view h5_type_name(H5Type type);

/// A dataset's declared shape ({} for a scalar) and element type.
struct H5DatasetInfo {
  std::vector<std::int64_t> shape;
  H5Type type;
};

/// Builds an HDF5 file in memory (the core driver with no backing store), laid out as h5py
/// lays one out with its defaults (contiguous datasets, the earliest file format, so HDF5 1.8
/// and every h5py read it). The earliest format is also the one whose image HDF5 1.10.8's
/// H5Fget_file_image gets right: with a version 2 superblock its checksum comes out stale.
class H5Writer {
 public:
  /// `display_name` is used in error messages only.
  explicit H5Writer(std::string display_name);
  ~H5Writer();
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;

  /// Creates the group and any missing groups above it; an existing group is fine, an existing
  /// dataset at the path is a ValueError.
  void create_group(const std::string& path);
  /// A scalar variable-length UTF-8 string attribute, as h5py writes a Python str; an existing
  /// attribute of that name is replaced. A value holding a NUL byte is refused (ValueError).
  void write_string_attribute(const std::string& object_path, const std::string& name, const std::string& value);
  /// A 1-D array of fixed-length byte strings, as h5py writes np.array([b"a", b"bc"]) (Keras
  /// 2's layer_names and weight_names). An empty list is written as h5py writes `[]`: an empty
  /// float64 array. HDF5 keeps attributes in the object header, so a list over about 64 KiB
  /// fails (Keras 2 splits such lists into name0, name1, ... attributes; that is the caller's).
  void write_string_list_attribute(const std::string& object_path, const std::string& name,
                                   const std::vector<std::string>& values);
  /// A float32 dataset (little-endian IEEE); `shape` {} writes a scalar. Missing groups above it
  /// are created; ValueError when data.size() is not the shape's element count or the path exists.
  void write_float32(const std::string& dataset_path, const std::vector<std::int64_t>& shape,
                     std::span<const float> data);
  void write_int64_scalar(const std::string& dataset_path, std::int64_t value);
  void write_int32_scalar(const std::string& dataset_path, std::int32_t value);
  /// The file's bytes (H5Fget_file_image). The writer is done after it: any further call is a
  /// StateError.
  std::vector<std::byte> finish();

 private:
  void check_open() const;

  std::string name_;
  std::int64_t file_ = -1;  // hid_t, which is int64_t in HDF5 >= 1.10
};

/// Reads an HDF5 file held in memory, read-only.
class H5Reader {
 public:
  /// Copies `bytes` and opens the copy (the caller's buffer may go away afterwards).
  H5Reader(std::span<const std::byte> bytes, std::string display_name);
  /// Takes the buffer over without copying it (a file read from disk or a zip entry).
  H5Reader(std::vector<std::byte>&& bytes, std::string display_name);
  ~H5Reader();
  H5Reader(const H5Reader&) = delete;
  H5Reader& operator=(const H5Reader&) = delete;
  H5Reader(H5Reader&& other) noexcept;
  H5Reader& operator=(H5Reader&&) = delete;

  const std::string& display_name() const { return name_; }

  /// Whether the path exists and is a group (false when a component is missing or the last one
  /// is a dataset; a non-hard link on the way is still a ValueError).
  bool has_group(const std::string& path) const;
  /// Whether the path exists and is a dataset (as has_group).
  bool has_dataset(const std::string& path) const;
  /// The names of the links in a group, in the file's order: creation order when the group
  /// records it (h5py's track_order=True), else name order (h5py's default iteration order).
  /// A name holding '/' or equal to "." is refused (ValueError); so is a group of over a
  /// million links.
  std::vector<std::string> children(const std::string& group_path) const;
  /// For groups whose members are "0", "1", ..., "10": their names sorted as numbers. A name
  /// that is not a decimal number (or has a leading zero, a sign, or over 18 digits) is a
  /// ValueError.
  std::vector<std::string> children_numeric(const std::string& group_path) const;
  /// A scalar string attribute, variable- or fixed-length (a fixed-length one ends at its
  /// first NUL); nullopt when the object has no attribute of that name. ValueError when it is
  /// not a scalar string.
  std::optional<std::string> string_attribute(const std::string& object_path, const std::string& name) const;
  /// A 1-D array of fixed- or variable-length strings; an empty array of any type (h5py's `[]`
  /// is an empty float64 array) and a null dataspace give an empty list; nullopt when absent.
  std::optional<std::vector<std::string>> string_list_attribute(const std::string& object_path,
                                                                const std::string& name) const;
  /// The declared shape and type; reads no data, so any declared size is reported as it is.
  /// The storage checks of read_float (virtual, external, filters) apply.
  H5DatasetInfo dataset_info(const std::string& path) const;
  /// Reads a float dataset (float16, bfloat16, float32 or float64, converted to float; a
  /// bfloat16 dataset is a 2-byte unsigned integer or opaque dataset with the attribute
  /// dtype="bfloat16", as Keras 3 writes it through h5py and ml_dtypes) whose shape must equal
  /// `expected` exactly; checked before anything is allocated. Otherwise ValueError naming the
  /// file, the dataset, the expected and the found shape or type. Integer datasets are refused.
  /// float64 values beyond float's range become +-inf, as numpy's astype(float32) makes them.
  std::vector<float> read_float(const std::string& path, const std::vector<std::int64_t>& expected) const;
  /// A scalar (shape {}) int32 or int64 dataset, or a float one holding an integer exactly.
  std::int64_t read_int_scalar(const std::string& path) const;

 private:
  void open();

  std::string name_;
  std::vector<std::byte> image_;       // the file's bytes; HDF5 reads them in place
  std::unique_ptr<H5ImageView> view_;  // image_'s address and size, for HDF5's callbacks
  std::int64_t file_ = -1;             // hid_t
};

}  // namespace strata::detail
