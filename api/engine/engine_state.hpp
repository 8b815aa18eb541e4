#pragma once
// The engine's per-thread state while layers run: the tape recording the current model step,
// the training flag an enclosing call passes down, and the composite layer whose call is
// running (so the layers it calls become its sublayers, as Keras tracks attributes).

namespace strata {
class Layer;
}

namespace strata::detail {

class Tape;

struct EngineState {
  Tape* tape = nullptr;  // null: calls are not recorded (tracing shapes, inside a primitive)
  bool training = false;
  Layer* caller = nullptr;
};

EngineState& engine_state();

/// Makes `next` the engine state for a scope and restores the previous one at its end.
class EngineScope {
 public:
  explicit EngineScope(const EngineState& next) : saved_(engine_state()) { engine_state() = next; }
  ~EngineScope() { engine_state() = saved_; }
  EngineScope(const EngineScope&) = delete;
  EngineScope& operator=(const EngineScope&) = delete;

 private:
  EngineState saved_;
};

}  // namespace strata::detail
