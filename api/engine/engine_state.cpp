#include "api/engine/engine_state.hpp"

namespace strata::detail {

EngineState& engine_state() {
  thread_local EngineState state;
  return state;
}

}  // namespace strata::detail
