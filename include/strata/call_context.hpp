#pragma once
/// @class strata::CallContext
/// CallContext: what one call of a layer keeps between its forward and its backward, and the
/// buffers it writes its outputs into. It belongs to the call, not to the layer, so a layer
/// called several times in one step (a shared layer, a layer applied to its own output) keeps
/// each call's tensors apart. The engine's tape pools contexts by the call's position in the
/// step, so from the second step of a shape on nothing is allocated.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "strata/dtype.hpp"
#include "strata/shape.hpp"
#include "strata/tensor.hpp"

namespace strata {

/// A layer's own per-call record beyond tensors and shapes (pooling keeps its window and the
/// backend's OpState here). Layers derive from it; see Layer::call_state<T>().
class CallState {
 public:
  virtual ~CallState() = default;
};

struct CallContext {
  /// Layer::buffer(slot, shape, dtype): outputs and scratch, reused while shape and dtype stay the same.
  /// A deque, so growing it keeps references from buffer() valid.
  std::deque<Tensor> buffers;
  /// Layer::save(slot, tensor) / saved(slot): what backward reads.
  std::array<Tensor, 12> saved;
  /// Layer::saved_shape(slot): shapes backward needs (the input's shape as received).
  std::array<Shape, 4> shapes;
  /// Layer::saved_flag(): one per-call choice (whether dropout applied a mask, whether batch
  /// normalisation used the batch's statistics).
  bool flag = false;
  /// Layer::call_dtype(): the dtype this call computes in.
  DType compute_dtype = DType::F32;
  /// Layer::compute_value(): the layer's variables cast to compute_dtype, by the variable's
  /// position among the layer's own variables (empty where no cast was needed).
  std::vector<Tensor> weight_casts;
  /// Bit i: weight_casts[i] was cast in this call (the first 64 variables; later ones are cast
  /// at every read).
  std::uint64_t weights_cast = 0;
  /// Autocast: input i cast to compute_dtype (where bit i of cast_mask is set).
  std::array<Tensor, 8> input_casts;
  /// Autocast: the dtype input i was received in.
  std::array<DType, 8> input_dtypes{};
  /// Autocast: input i's gradient cast back to input_dtypes[i] in backward.
  std::array<Tensor, 8> grad_casts;
  /// Autocast: bit i set when input i was cast.
  std::uint32_t cast_mask = 0;
  /// Layer::call_state<T>().
  std::unique_ptr<CallState> state;
  /// Who used this context last (the engine clears it when another layer takes it over).
  const void* owner = nullptr;

  /// Forgets what the last call saved (keeps the buffers' memory for reuse).
  void clear_saved() {
    for (auto& t : saved) t = Tensor();
    for (auto& s : shapes) s = Shape();
    flag = false;
  }
};

}  // namespace strata
