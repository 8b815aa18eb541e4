#pragma once
/// @class strata::Tensor
/// Tensor: a handle to memory that one backend owns. Copies share the memory; a tensor is
/// never copied element by element behind the user's back.
///
/// A tensor is either concrete (memory on a backend) or symbolic: a shape with the batch axis
/// None and the graph node that produces it, as Keras's KerasTensor. `Input(...)` returns a
/// symbolic tensor, and a layer called on symbolic tensors records a node and returns one.
///
/// Either kind may carry a mask (Keras's `_keras_mask`): which steps of a sequence are real
/// data. Embedding(mask_zero) and Masking attach one; the layers that support masking pass it on
/// and the sequence layers read it (see Layer::compute_mask).

#include <cstddef>
#include <memory>

#include "strata/dtype.hpp"
#include "strata/shape.hpp"

namespace strata {

class Backend;
namespace detail {
struct GraphNode;
}

/// A block of memory owned by a backend: host memory for reference and cpu, device memory for cuda.
class Storage {
 public:
  virtual ~Storage() = default;
  /// Address in the backend's own address space; only that backend may dereference it.
  virtual void* data() = 0;
  /// The size of the memory in bytes.
  virtual std::size_t bytes() const = 0;
};

class Tensor {
 public:
  Tensor() = default;
  /// Allocates an uninitialised tensor on `backend`.
  Tensor(Backend& backend, Shape shape, DType dtype = DType::F32);

  /// A symbolic tensor of `shape` and `dtype` produced by output `index` of `node` (null: a
  /// placeholder that only carries a shape, as a layer's call returns while its output shape is
  /// traced).
  static Tensor symbolic(Shape shape, std::shared_ptr<const detail::GraphNode> node = nullptr, int index = 0,
                         DType dtype = DType::F32);

  /// Whether the tensor refers to memory (a default-constructed one does not).
  bool defined() const { return storage_ != nullptr; }
  /// Whether this is a symbolic tensor of a Functional graph (a shape and the node that makes it).
  bool symbolic() const { return symbolic_; }
  /// The node that produces a symbolic tensor (null for a placeholder or a concrete tensor).
  const std::shared_ptr<const detail::GraphNode>& node() const { return node_; }
  /// Which output of node() this is.
  int output_index() const { return output_index_; }
  /// The shape; a symbolic tensor's batch axis is None (-1).
  const Shape& shape() const { return shape_; }
  /// The element type.
  DType dtype() const { return dtype_; }
  /// The number of elements.
  std::int64_t size() const { return shape_.num_elements(); }
  /// The number of bytes its elements take.
  std::size_t bytes() const;
  /// The backend holding the memory; StateError for a symbolic or empty tensor.
  Backend& backend() const {
    if (backend_ == nullptr) throw_no_memory("backend()");
    return *backend_;
  }

  /// Backend-space address of the first element. Only backends dereference it.
  void* raw() const {
    if (storage_ == nullptr) throw_no_memory("raw()");
    return storage_->data();
  }
  template <class T>
  /// The elements as T* (host-visible memory only: the reference and cpu backends).
  T* data() const {
    return static_cast<T*>(raw());
  }

  /// A tensor with another shape over the same memory (same number of elements). The view has
  /// no mask: a mask describes the leading axes of the shape it came with.
  Tensor reshaped(const Shape& shape) const;

  /// The mask this tensor carries (null: none): float32 1 for a step that holds data and 0 for a
  /// masked one, of the tensor's shape without its last axis (batch, steps) for a sequence. A
  /// symbolic tensor's mask is symbolic. Shared, not copied: the layer that made it keeps it in
  /// its call's buffers, so attaching it allocates nothing from step to step.
  const std::shared_ptr<const Tensor>& mask() const { return mask_; }
  /// The same tensor (same memory and tape identity) carrying `mask` (null: none).
  Tensor with_mask(std::shared_ptr<const Tensor> mask) const {
    Tensor out = *this;
    out.mask_ = std::move(mask);
    return out;
  }

  /// The tape's identity of this tensor within one recorded step (see api/tape.hpp): slot
  /// `tape_slot` of the tape whose step counter was `tape_step` when the tensor was made.
  /// Set by the engine only; copies and reshaped views keep it.
  std::int32_t tape_slot = -1;
  /// The tape's step counter when the tensor was made (see tape_slot).
  std::uint32_t tape_step = 0;

 private:
  // Says that a symbolic tensor has only a shape (what a model's call() may do with it), or
  // that an empty tensor has nothing.
  [[noreturn]] void throw_no_memory(const char* what) const;

  Shape shape_;
  DType dtype_ = DType::F32;
  std::shared_ptr<Storage> storage_;
  Backend* backend_ = nullptr;
  bool symbolic_ = false;
  int output_index_ = 0;
  std::shared_ptr<const detail::GraphNode> node_;
  std::shared_ptr<const Tensor> mask_;
};

/// Makes `tensor` a tensor of `shape` and `dtype` on `backend`, allocating only when it is not
/// one already: how buffers that live across steps are kept without allocating in the hot loop.
Tensor& reuse_or_allocate(Tensor& tensor, Backend& backend, const Shape& shape, DType dtype = DType::F32);

}  // namespace strata
