#pragma once
// Reader for the IDX format of the MNIST family (big-endian header, unsigned bytes), gzipped
// or not.

#include <cstdint>
#include <string>

#include <xtensor/xarray.hpp>

namespace strata::detail {

/// Reads an IDX file of unsigned bytes; throws IOError naming the file when it is missing,
/// truncated or not IDX.
xt::xarray<std::uint8_t> read_idx_ubyte(const std::string& path);

}  // namespace strata::detail
