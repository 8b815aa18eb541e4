#include "strata/random.hpp"

namespace strata {

namespace detail {
std::mt19937_64& global_rng() {
  static std::mt19937_64 rng{std::random_device{}()};
  return rng;
}
}  // namespace detail

void set_random_seed(std::uint64_t seed) { detail::global_rng().seed(seed); }

}  // namespace strata
