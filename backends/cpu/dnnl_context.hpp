#pragma once
// oneDNN plumbing for the cpu backend: one engine and stream, a cache of primitives keyed by
// (op, shapes, flags), and the wrapper that turns a oneDNN failure into strata::BackendError.
//
// Everything oneDNN is confined to backends/cpu/. Written against oneDNN 2.6 (op descriptors);
// the 3.x constructors differ (see /work/shared/reference/toolchain.md §1), and only the
// `make_*` helpers in dnnl_context.cpp and the op files build descriptors.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "strata/activation.hpp"
#include "strata/dtype.hpp"
#include "strata/error.hpp"

namespace strata::backends::cpu {

/// Runs `f` and rethrows a dnnl::error as BackendError naming `what`, the call that failed.
template <class F>
decltype(auto) dnnl_call(const char* what, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const dnnl::error& e) {
    throw BackendError(detail::concat("oneDNN call failed in ", what, ": ", e.what(), " (dnnl_status_t ",
                                      static_cast<int>(e.status), ")"));
  }
}

/// Identifies one cached primitive chain: the op, its shapes and flags, the thread count
/// (oneDNN bakes the number of threads into a primitive when it creates it) and the element types
/// of the tensors it binds, so that primitives of equal shapes and different dtypes never meet.
struct PrimKey {
  std::array<std::int64_t, 32> v{};
  /// dtype_word of the bound tensors' dtypes, in the op's own order; 0 means all F32.
  std::int64_t dtypes = 0;
  friend bool operator==(const PrimKey&, const PrimKey&) = default;
};

struct PrimKeyHash {
  std::size_t operator()(const PrimKey& k) const noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::int64_t x : k.v) {
      h ^= static_cast<std::uint64_t>(x) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    h ^= static_cast<std::uint64_t>(k.dtypes) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return static_cast<std::size_t>(h);
  }
};

/// PrimKey::dtypes of a primitive binding tensors of `dtypes` (at most 16), 4 bits each: equal
/// only for the same dtypes in the same order, and 0 for all F32.
std::int64_t dtype_word(std::initializer_list<DType> dtypes);

/// oneDNN's data type for `dtype`.
dnnl::memory::data_type dnnl_dt(DType dtype);

/// One or more primitives executed in order, with their argument maps built once. The
/// dnnl::memory objects in `slot` are handles shared with the argument maps, so pointing a slot
/// at a new buffer (`bind`) retargets every primitive that reads or writes it; a steady-state
/// call therefore creates nothing and allocates nothing.
struct CachedOp {
  static constexpr int kSlots = 10;
  std::array<dnnl::memory, kSlots> slot;
  /// Per-thread ops (split_k_dense): one primitive, stream and pair of memories per thread.
  std::vector<dnnl::memory> thread_slot;
  std::vector<dnnl::stream> thread_stream;
  std::vector<dnnl::memory> owned_buffers;
  std::vector<dnnl::primitive> prims;
  /// Owns the memory objects each primitive reads and writes.
  std::vector<std::unordered_map<int, dnnl::memory>> args;
  /// The same arguments as the C API takes them, built once: the C++ execute() would build this
  /// vector (a heap allocation) on every call.
  std::vector<std::vector<dnnl_exec_arg_t>> c_args;

  void bind(int s, const void* p) { slot[s].set_data_handle(const_cast<void*>(p)); }
};

/// Engine, stream and the primitive cache of one cpu backend.
class DnnlContext {
 public:
  DnnlContext();

  dnnl::engine& engine() { return engine_; }

  /// The cached op for `key`, built by `make(CachedOp&)` on first use. The caller holds the lock.
  /// `what` names the op in the BackendError a failed creation throws.
  template <class Make>
  CachedOp& get(const PrimKey& key, const char* what, Make&& make) {
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    CachedOp op;
    dnnl_call(what, [&] { make(op); });
    return cache_.emplace(key, std::move(op)).first->second;
  }

  /// Appends the primitive of `pd` (created with `attr()`) to `op` with `args`, plus the
  /// scratchpad it asks for, owned by `op` so execution never allocates. Takes the base class
  /// so reorders (whose 2.6 primitive_desc derives only from primitive_desc_base) fit too.
  void add(CachedOp& op, const dnnl::primitive_desc_base& pd, std::unordered_map<int, dnnl::memory> args);

  /// Attributes every cached primitive starts from: a user-managed scratchpad.
  static dnnl::primitive_attr attr();

  /// Executes every primitive of `op` in order and waits for them; `what` names the op on failure.
  void run(CachedOp& op, const char* what);
  /// Executes primitive `i` of `op` on `stream` (per-thread ops); throws dnnl::error.
  static void run_one(CachedOp& op, std::size_t i, dnnl::stream& stream);

  /// Held by every op that binds and runs a cached primitive: cached memories are shared state.
  std::mutex& mutex() { return mutex_; }

  /// A memory object with no buffer of its own; `CachedOp::bind` points it at a tensor.
  dnnl::memory unbound(const dnnl::memory::desc& md) { return dnnl::memory(md, engine_, DNNL_MEMORY_NONE); }
  /// A memory object that owns its buffer (scratchpads).
  dnnl::memory owned(const dnnl::memory::desc& md) { return dnnl::memory(md, engine_); }

  std::size_t cached_ops() const { return cache_.size(); }

 private:
  dnnl::engine engine_;
  dnnl::stream stream_;
  std::mutex mutex_;
  std::unordered_map<PrimKey, CachedOp, PrimKeyHash> cache_;
};

/// Op identifiers, the first word of every PrimKey.
enum class OpId : std::int64_t {
  Dense = 1,
  DenseSplitK,
  Matmul,
  BatchMatmul,
  EltwiseForward,
  EltwiseBackward,
  Softmax,
  ConvForward,
  ConvBackwardData,
  ConvBackwardWeights,
  PoolForward,
  PoolBackward,
  BatchNormTraining,
  BatchNormInference,
  BatchNormBackward,
};

/// One oneDNN eltwise step: dst = scale * alg(src; alpha, beta).
struct EltwiseStep {
  dnnl::algorithm alg = dnnl::algorithm::eltwise_linear;
  float alpha = 1.f;
  float beta = 0.f;
};

/// The eltwise steps computing `act` in order (Selu = elu then a linear scale; Relu with a
/// max_value = relu then clip); empty for Linear. Softmax is not element-wise and Relu with a
/// threshold has no oneDNN form: check `fusable` first.
std::vector<EltwiseStep> eltwise_steps(const ActivationFunction& act);

/// Whether `act` can run as oneDNN eltwise steps (a post-op chain): everything but Softmax and
/// Relu with a nonzero threshold.
bool fusable(const ActivationFunction& act);

/// Whether oneDNN's eltwise form of `act` keeps NaN, as the Backend contract asks: not for Relu
/// and LeakyRelu without a slope or with a max_value (max / min, which drop NaN). Those are fused
/// only where the pre-activation is known finite; elsewhere they run as the backend's own loop.
bool keeps_nan(const ActivationFunction& act);

/// Relu with Keras's defaults (no negative slope, max_value or threshold).
inline bool plain_relu(const ActivationFunction& act) {
  return act.kind == ActivationKind::Relu && act.alpha == 0.f && act.threshold == 0.f &&
         act.max_value == std::numeric_limits<float>::infinity();
}

/// Keras's fixed SELU constants.
inline constexpr float kSeluAlpha = 1.67326324f;
inline constexpr float kSeluScale = 1.05070098f;

/// The bits of a float, for keys.
std::int64_t key_bits(float f);

/// Row-major descriptor of `dims` holding `dtype`.
dnnl::memory::desc plain_md(const dnnl::memory::dims& dims, DType dtype);
/// Descriptor with explicit strides (transposed views) holding `dtype`.
dnnl::memory::desc strided_md(const dnnl::memory::dims& dims, const dnnl::memory::dims& strides, DType dtype);

/// Threads the next oneDNN primitive will use; part of every key.
std::int64_t current_threads();

}  // namespace strata::backends::cpu
