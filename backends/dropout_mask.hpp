#pragma once
// The dropout draw every backend shares, so masks agree bit for bit across backends and
// thread counts: a counter-based generator (splitmix64's finaliser over seed and index)
// needs no state and parallelises trivially.

#include <cstdint>

namespace strata::detail {

inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Uniform in [0, 1) with 24 random bits, a function of (seed, index) alone.
inline float counter_uniform(std::uint64_t seed, std::uint64_t index) {
  const std::uint64_t bits = mix64(seed + 0x9e3779b97f4a7c15ULL * (index + 1));
  return static_cast<float>(bits >> 40) * 0x1.0p-24f;
}

/// Whether element `index` survives dropout at `rate`.
inline bool dropout_keeps(std::uint64_t seed, std::uint64_t index, float rate) {
  return counter_uniform(seed, index) >= rate;
}

}  // namespace strata::detail
