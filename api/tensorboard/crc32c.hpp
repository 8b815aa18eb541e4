#pragma once
// CRC-32C (Castagnoli), the checksum of TFRecord framing, and TFRecord's masked form of it.

#include <cstdint>
#include <span>

namespace strata::detail {

/// CRC-32C of `bytes`: reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF
/// (RFC 3720's iSCSI checksum; crc32c("123456789") = 0xE3069283).
std::uint32_t crc32c(std::span<const std::uint8_t> bytes);

/// TFRecord's masked CRC: rotate right by 15 bits and add 0xA282EAD8, so a CRC stored inside
/// checksummed data does not checksum to a fixed value.
inline std::uint32_t masked_crc32c(std::span<const std::uint8_t> bytes) {
  const std::uint32_t crc = crc32c(bytes);
  return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

}  // namespace strata::detail
