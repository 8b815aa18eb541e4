#pragma once
// Reader for the IDX format of the MNIST family (big-endian header, unsigned bytes), gzipped
// or not.

#include <cstdint>
#include <string>

#include <xtensor/xarray.hpp>

namespace strata::detail {

/// Reads an IDX file of unsigned bytes; throws IOError naming the file and the cause when it is
/// missing, a directory, empty, not IDX of unsigned bytes, damaged, shorter or longer than its
/// header declares. The declared size is checked against the file's before anything is allocated.
xt::xarray<std::uint8_t> read_idx_ubyte(const std::string& path);

}  // namespace strata::detail
