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
  Tape* tape = nullptr;
  bool training = false;
  Layer* caller = nullptr;
  bool tracing = false;  // inside a symbolic call: nothing runs, shapes only
};

EngineState& engine_state();

/// Sets fields of the engine state for a scope and restores them at its end.
class EngineScope {
 public:
  EngineScope() : saved_(engine_state()) {}
  ~EngineScope() { engine_state() = saved_; }
  EngineScope(const EngineScope&) = delete;
  EngineScope& operator=(const EngineScope&) = delete;

 private:
  EngineState saved_;
};

}  // namespace strata::detail
