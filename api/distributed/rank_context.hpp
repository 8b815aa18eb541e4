#pragma once
// What a layer's kernels need to know about the data-parallel step they run in.
//
// rank_seed: Dropout's masks must differ from rank to rank (each rank drops units of its own
// samples) yet repeat from run to run: the seed drawn from the generator, which every rank keeps
// in step (shuffles), is mixed with the rank (splitmix64's finaliser). A plain process keeps
// the seed.
//
// step_fraction: the share of the global batch this rank holds in the current training step
// (1 in a plain process): the weight of its gradients in the sum over ranks, which synchronized
// BatchNormalization applies to the statistics' gradients it sums itself.

#include <cstdint>

#include "api/distributed/communicator.hpp"

namespace strata::detail {

inline std::uint64_t rank_seed(std::uint64_t seed) {
  if (!comm::active()) return seed;
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ull * (static_cast<std::uint64_t>(comm::rank()) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Set by DataParallel::begin_step.
double step_fraction();

}  // namespace strata::detail
