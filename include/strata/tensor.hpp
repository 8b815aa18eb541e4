#pragma once
/// Tensor: a handle to memory that one backend owns. Copies share the memory; a tensor is
/// never copied element by element behind the user's back.

#include <cstddef>
#include <memory>

#include "strata/dtype.hpp"
#include "strata/shape.hpp"

namespace strata {

class Backend;

/// A block of memory owned by a backend: host memory for reference and cpu, device memory for cuda.
class Storage {
 public:
  virtual ~Storage() = default;
  /// Address in the backend's own address space; only that backend may dereference it.
  virtual void* data() = 0;
  virtual std::size_t bytes() const = 0;
};

class Tensor {
 public:
  Tensor() = default;
  /// Allocates an uninitialised tensor on `backend`.
  Tensor(Backend& backend, Shape shape, DType dtype = DType::F32);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  std::int64_t size() const { return shape_.num_elements(); }
  std::size_t bytes() const;
  Backend& backend() const { return *backend_; }

  /// Backend-space address of the first element. Only backends dereference it.
  void* raw() const { return storage_->data(); }
  template <class T>
  T* data() const { return static_cast<T*>(raw()); }

  /// A tensor with another shape over the same memory (same number of elements).
  Tensor reshaped(const Shape& shape) const;

 private:
  Shape shape_;
  DType dtype_ = DType::F32;
  std::shared_ptr<Storage> storage_;
  Backend* backend_ = nullptr;
};

/// Makes `tensor` a tensor of `shape` on `backend`, allocating only when it is not one already:
/// how buffers that live across steps are kept without allocating in the hot loop.
Tensor& reuse_or_allocate(Tensor& tensor, Backend& backend, const Shape& shape);

}  // namespace strata
