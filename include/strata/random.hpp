#pragma once
/// @file
/// Seeding. `set_random_seed(n)` makes weight initialisation, shuffling and dropout repeat
/// exactly from run to run on the same backend and thread count.

#include <cstdint>
#include <random>

namespace strata {

/// Seeds weight initialisation, shuffling and dropout, as keras.utils.set_random_seed.
void set_random_seed(std::uint64_t seed);

namespace detail {
/// The process-wide generator behind initializers, shuffling and dropout seeds. Seeded from
/// std::random_device until set_random_seed is called.
std::mt19937_64& global_rng();
}  // namespace detail

}  // namespace strata
