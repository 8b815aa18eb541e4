#pragma once
/// @file
/// strata::bfloat16: the host element type of BF16 tensors (`from_host`, `to_host_as`), and the
/// one definition of the f32 <-> bf16 conversion that every backend's `cast` follows.

#include <bit>
#include <cstdint>

namespace strata {

/// A bfloat16 value: the upper 16 bits of an IEEE float32 (sign, 8 exponent bits, 7 mantissa
/// bits), as Keras's "bfloat16" and ml_dtypes.bfloat16 store it.
class bfloat16 {
 public:
  bfloat16() = default;
  /// `value` rounded to the nearest bfloat16, ties to even (overflow gives infinity). Infinities
  /// stay infinite; a NaN stays a NaN of the same sign (made quiet, so that dropping the low
  /// mantissa bits cannot turn it into an infinity).
  explicit bfloat16(float value) : bits_(round(std::bit_cast<std::uint32_t>(value))) {}
  /// The exact float32 value (every bfloat16 is one).
  explicit operator float() const { return std::bit_cast<float>(static_cast<std::uint32_t>(bits_) << 16); }

  /// The value whose bit pattern is `bits`.
  static bfloat16 from_bits(std::uint16_t bits) {
    bfloat16 out;
    out.bits_ = bits;
    return out;
  }
  /// The bit pattern.
  std::uint16_t bits() const { return bits_; }

 private:
  static std::uint16_t round(std::uint32_t u) {
    // Adding 0x7fff plus the lowest kept bit carries into the kept bits exactly when the dropped
    // half is above one half, or equal to it with the kept part odd.
    const std::uint32_t rounded = (u + 0x7fffU + ((u >> 16) & 1U)) >> 16;
    const std::uint32_t quiet_nan = (u >> 16) | 0x0040U;
    // A select, not a branch, so that loops converting arrays vectorise.
    return static_cast<std::uint16_t>((u & 0x7fffffffU) > 0x7f800000U ? quiet_nan : rounded);
  }

  std::uint16_t bits_ = 0;
};

static_assert(sizeof(bfloat16) == 2, "a BF16 tensor's host array is an array of bfloat16");

}  // namespace strata
