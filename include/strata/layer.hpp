#pragma once
/// @class strata::Layer
/// Layer: Keras's contract in C++. The constructor stores configuration (Keras's argument
/// names and defaults); build() creates the weights on first use, so Dense(128) needs no input
/// size. A layer is called as Keras's are, `y = layer(x)`:
///  - on symbolic tensors (`Input(...)` and what layers return for them) the call records a
///    node of a Functional graph and returns a symbolic tensor;
///  - on concrete tensors it runs, and inside a model's step the engine's tape records the
///    call so backward can run in reverse.
///
/// Two kinds of layers, told apart by what they override:
///  - a *primitive* layer overrides forward() and backward_impl() (or the `_inputs` forms for
///    several inputs): the engine records one node per call and calls backward_impl with the
///    same call's context;
///  - a *composite* layer (and every Model) overrides call(): it composes other layers and
///    `strata::ops`, whose calls the tape records one by one, so it needs no backward.
///
/// Layers have identity: they cannot be copied (a copy would share weights under the same
/// name); they can be moved before they are used. A temporary layer called on a symbolic
/// tensor (`Dense(10)(x)`) is moved into the graph; a named one is referenced, so calling it
/// twice shares it.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "strata/call_context.hpp"
#include "strata/input_spec.hpp"
#include "strata/mixed_precision.hpp"
#include "strata/shape.hpp"
#include "strata/tensor.hpp"
#include "strata/variable.hpp"

namespace strata {

class Backend;
class Initializer;
class Regularizer;
namespace detail {
class Tape;
}

/// The options every layer takes beside its own: `Flatten({.name = "flat"})`,
/// `Dense(128, "relu", {.input_shape = {784}})`. `input_shape` (batch axis excluded; empty:
/// not given) is Keras's legacy argument: on the first layer of a Sequential it builds the
/// model at once, as an `Input` would. (A plain Shape rather than std::optional, so that a
/// braced `{784}` initialises it.)
struct LayerOptions {
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape`, batch axis excluded; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class Layer : public std::enable_shared_from_this<Layer> {
 public:
  /// Destroys the layer and its weights.
  virtual ~Layer() = default;
  /// Not copyable: a copy would share weights under the same name.
  Layer(const Layer&) = delete;
  /// Not copy-assignable, as a layer has identity.
  Layer& operator=(const Layer&) = delete;
  /// Moves a layer that has not been called yet (a temporary joining a graph).
  Layer(Layer&&) noexcept;
  /// Not move-assignable: graphs and models hold layers by address.
  Layer& operator=(Layer&&) = delete;

  /// "dense", "dense_1", ...: unique in the process unless given.
  const std::string& name() const { return name_; }
  /// Keras's class name ("Dense"), the registry key.
  virtual std::string class_name() const = 0;

  /// Whether the optimizer updates this layer's weights (Keras's `layer.trainable`).
  bool trainable() const { return trainable_; }
  /// Freezes (false) or unfreezes the layer's weights; a frozen BatchNormalization runs in inference mode.
  void set_trainable(bool trainable) { trainable_ = trainable; }

  /// Whether build() has created the weights.
  virtual bool built() const { return built_; }
  /// The shape the layer was built for, batch axis None (the first input's, for several).
  const Shape& build_input_shape() const;
  /// The shapes of every input the layer was built for.
  const std::vector<Shape>& build_input_shapes() const { return build_input_shapes_; }
  /// Checks `input_shape` against the input spec, then creates the weights (once).
  void build(const Shape& input_shape);
  /// The same for a layer of several inputs.
  void build(std::span<const Shape> input_shapes);
  /// Output shape for an input shape; the batch axis passes through.
  virtual Shape compute_output_shape(const Shape& input_shape) const;
  /// Output shape for several inputs (merge layers); one input: compute_output_shape.
  virtual Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const;
  /// The output shape for inputs of these shapes, building the layer if needed: what a
  /// primitive layer's compute_output_shape says, or a composite one's call traced on
  /// symbolic tensors.
  Shape output_shape_for(std::span<const Shape> input_shapes);
  /// Keras's `input_shape` argument, when it was given.
  const std::optional<Shape>& input_shape_arg() const { return input_shape_arg_; }

  /// Calls the layer on one tensor. `training` defaults to the enclosing call's (false at the
  /// top level), as Keras propagates it.
  Tensor operator()(const Tensor& x, std::optional<bool> training = std::nullopt) &;
  /// Calls the layer on several tensors (merge layers, multi-input models).
  Tensor operator()(std::span<const Tensor> inputs, std::optional<bool> training = std::nullopt) &;
  /// Calls the layer on a braced list of tensors: `Add()({a, b})`.
  Tensor operator()(std::initializer_list<Tensor> inputs, std::optional<bool> training = std::nullopt) &;

  /// From dL/dy of the last call made outside a model's step (the layer's own context):
  /// writes the weight gradients and returns dL/dx (undefined when need_input_grad is false).
  /// Inside a model, the tape calls backward for each recorded call instead.
  Tensor backward(const Tensor& dy, bool need_input_grad);

  /// Keras's order: the layer's own weights (trainable first, then non-trainable), then each
  /// sublayer's in turn, each variable once. trainable_weights() keeps those the optimizer
  /// trains (the variable and every layer above it trainable), in the same order.
  std::vector<Variable*> weights();
  /// The weights the optimizer trains, in weights() order.
  std::vector<Variable*> trainable_weights();
  /// The weights it does not train (frozen layers', BatchNormalization's moving statistics).
  std::vector<Variable*> non_trainable_weights();
  /// weights() of a const layer.
  std::vector<const Variable*> weights() const;
  /// Whether the optimizer would update any weight of this layer (allocates nothing).
  bool has_trainable_weights() const;
  /// The number of scalars in all weights, as Keras's count_params().
  std::int64_t count_params() const;
  /// This layer's own variables in creation order (not its sublayers'); the tape's view.
  const std::vector<std::shared_ptr<Variable>>& own_variables() const { return weights_; }
  /// The layers a composite layer calls, in the order of their first call (a Model: its layers).
  virtual std::vector<Layer*> sublayers() const { return children_; }

  /// Where Keras's weights files keep this layer's own variables (not its sublayers'): groups of
  /// (path below the layer's own path, "" for the layer's own; the variables in the file's
  /// order). Default: one group at the layer's path, the variables created trainable first, then
  /// the others. A recurrent layer keeps an empty group of its own and its variables in "cell";
  /// MultiHeadAttention keeps them in "key_dense", "output_dense", "query_dense", "value_dense".
  virtual std::vector<std::pair<std::string, std::vector<Variable*>>> saved_variable_groups();
  /// The sublayers Keras's weights files keep below this layer's path, each under the name the
  /// file uses (Keras's Python attribute name). Default: every sublayer under its layer name.
  virtual std::vector<std::pair<std::string, Layer*>> saved_children() const;

  /// How Keras's Functional config passes the inputs of one call of this layer on `count` inputs:
  /// each input's keyword argument, "" for a positional one. A keyword ending in "[]" is a list
  /// of the inputs that name it, in input order (RNN's "initial_state[]"). Default: every input
  /// positional.
  virtual std::vector<std::string> call_keywords(std::size_t count) const;
  /// Whether several positional inputs are separate arguments (MultiHeadAttention's query and
  /// value) rather than one list (merge layers; the default).
  virtual bool positional_inputs_separate() const { return false; }
  /// The keyword arguments of the layer's calls that are not tensors (MultiHeadAttention's
  /// use_causal_mask), as the JSON object Keras's Functional config writes beside the tensors.
  /// Default: none (an empty object).
  virtual nlohmann::json call_arguments() const;
  /// Takes a call's keyword arguments as a Keras Functional config writes them (tensors
  /// included, as keras tensors) before the call is made, so the layer knows what its inputs
  /// are (MultiHeadAttention: whether a key and an attention mask follow the value). ValueError
  /// for an argument the layer cannot honour. Default: nothing to take.
  virtual void set_call_arguments(const nlohmann::json& kwargs);

  /// Keras's `layer.activity_regularizer`, which every layer has (null: none). Inside a model's
  /// step, each call adds the regularizer's penalty on the call's output, divided by the batch
  /// size (its first axis), to the loss, and in training its gradient to the output's gradient.
  const std::shared_ptr<const Regularizer>& activity_regularizer() const { return activity_regularizer_; }
  /// Sets (or, with null, removes) the activity regularizer.
  void set_activity_regularizer(std::shared_ptr<const Regularizer> regularizer);
  /// Internal: the sum of the activity penalties of this layer's calls in tape step `step`, a
  /// (1,) tensor on the layer's backend; null when the layer made none in that step.
  const Tensor* activity_penalty(std::uint32_t step) const {
    return activity_step_ == step && activity_penalty_.defined() ? &activity_penalty_ : nullptr;
  }

  /// Keras's `layer.dtype_policy`: the global policy when the layer was constructed, unless its
  /// `dtype` option named one.
  const mixed_precision::DTypePolicy& dtype_policy() const { return dtype_policy_; }
  /// Gives the layer another policy (Keras's `layer.dtype_policy = ...`); its next call computes
  /// in the new policy's dtype.
  void set_dtype_policy(const mixed_precision::DTypePolicy& policy);
  /// The dtype the layer computes in (Keras's `layer.compute_dtype`).
  DType compute_dtype() const { return dtype_policy_.compute_dtype(); }
  /// The dtype of the layer's variables (Keras's `layer.variable_dtype`; float32).
  DType variable_dtype() const { return dtype_policy_.variable_dtype(); }

  /// The constructor arguments, under Keras's keys: {"name", "trainable", "dtype", ...}.
  virtual nlohmann::json get_config() const;
  /// {"input_shape": [null, ...]} once built, else null. A layer whose Keras build() takes
  /// several named shapes writes Keras's {"shapes_dict": {...}} instead.
  virtual nlohmann::json get_build_config() const;
  /// Rebuilds a layer from {"class_name", "config"} through the layer registry.
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// What the layer accepts (rank, last axis), checked at every call.
  const InputSpec& input_spec() const { return input_spec_; }
  /// The backend holding this layer's weights and buffers (the current one at build time).
  Backend& backend() const;

  /// How many symbolic nodes calls of this layer have recorded (Keras's inbound nodes).
  int inbound_node_count() const { return inbound_nodes_; }
  /// The output of the layer's last symbolic call (Keras's `layer.output`).
  Tensor output() const;

  /// Keras's `layer.supports_masking`: whether the layer passes a mask on from its input to its
  /// output (or reads it, for layers that override compute_mask). A layer that does not, given
  /// an input with a mask, drops the mask and warns once, in Keras's words.
  virtual bool supports_masking() const { return false; }
  /// Keras's `compute_mask(inputs, mask)`: the mask this call's output carries (null: none),
  /// from the inputs (whose masks are `inputs[i].mask()`). Called on symbolic inputs when a
  /// graph is built, and on concrete ones right after forward, in the call's context (a layer
  /// that makes a mask keeps it in a per-call state, so nothing is allocated from step to
  /// step). Default: the first input's mask when supports_masking(), else none.
  virtual std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs);
  /// Whether the layer takes int32 inputs (InputLayer and Embedding). Any other layer given one
  /// raises a ValueError when it is called, symbolically or not: it computes in floating point.
  virtual bool takes_integer_inputs() const { return false; }

  /// Internal: runs a recorded call's backward in `context` (the tape's entry point).
  void backward_in(CallContext& context, const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask);

 protected:
  /// `prefix` is Keras's snake_case class name used for automatic names ("dense").
  Layer(std::string_view prefix, std::string name);
  /// The same, with the options every layer takes (name, input_shape).
  Layer(std::string_view prefix, const LayerOptions& options);

  /// A composite layer's computation. Default: the primitive path (forward, recorded by the tape).
  virtual Tensor call(const Tensor& x, bool training);
  /// Several inputs. Default: one input goes to call(x); more take the primitive path.
  virtual Tensor call(std::span<const Tensor> inputs, bool training);

  /// Creates the weights for `input_shape` with add_weight. Default: no weights.
  virtual void build_weights(const Shape& input_shape);
  /// Several inputs. Default: one input goes to build_weights(shape); more create nothing.
  virtual void build_weights_inputs(std::span<const Shape> input_shapes);
  /// A primitive layer's forward and backward (run with the call's context current).
  virtual Tensor forward(const Tensor& x, bool training);
  /// From dL/dy, writes the weight gradients and returns dL/dx (undefined when need_input_grad is false).
  virtual Tensor backward_impl(const Tensor& dy, bool need_input_grad);
  /// Several inputs: dxs[i] receives dL/d input i when bit i of need_mask is set. Defaults:
  /// exactly one input, through forward / backward_impl.
  virtual Tensor forward_inputs(std::span<const Tensor> inputs, bool training);
  /// backward_impl for several inputs: fills dxs[i] where bit i of need_mask is set.
  virtual void backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask);

  /// Whether this layer's computation can run in `dtype` on its backend (F32 always does). A
  /// layer whose policy asks for another dtype that it cannot compute in runs in float32 instead:
  /// its inputs are cast to float32 and its output is float32 (the per-op fallback of mixed
  /// precision). Layers that compute in bfloat16 override this, asking Backend::supports.
  virtual bool computes_in(DType dtype) const;
  /// The dtype the current call computes in: the policy's compute dtype, or float32 when the
  /// layer cannot compute in it. The call's floating inputs arrive in it (autocast).
  DType call_dtype() const { return context().compute_dtype; }
  /// `variable`'s value in the current call's dtype: the variable itself when the dtypes agree,
  /// else a copy cast once per call (in forward) and kept for the call's backward, which reads
  /// the same copy. The variable's gradient stays in the variable's own dtype.
  const Tensor& compute_value(const Variable& variable);

  /// A weight initialised on the host and uploaded once; trainable ones get a gradient tensor.
  Variable& add_weight(std::string name, const Shape& shape, const Initializer& initializer, bool trainable = true);
  /// A tensor of the current call, reused while the shape and dtype stay the same: the hot loop
  /// allocates nothing once every batch shape has been seen.
  Tensor& buffer(std::size_t slot, const Shape& shape, DType dtype = DType::F32);
  /// Keeps `tensor` for this call's backward / reads it back (StateError when backward runs
  /// without a training call).
  void save(std::size_t slot, const Tensor& tensor);
  /// The tensor save() kept in `slot` for this call.
  const Tensor& saved(std::size_t slot) const;
  /// The tensor save() kept in `slot`, or null when this call saved an undefined tensor there (an
  /// optional one: a mask the call did not have).
  const Tensor* saved_if_any(std::size_t slot) const;
  /// A shape kept for this call's backward.
  Shape& saved_shape(std::size_t slot);
  /// One per-call flag kept for backward.
  bool& saved_flag();
  /// This call's own record of type T (created on first use in the context).
  template <class T>
  T& call_state() {
    CallContext& c = context();
    if (auto* state = dynamic_cast<T*>(c.state.get())) return *state;
    c.state = std::make_unique<T>();
    return static_cast<T&>(*c.state);
  }
  /// The current call's context (the tape's during a model step, else the layer's own).
  CallContext& context() const;
  /// Gives the layer another name (a subclassed model named after its class once it is known).
  void rename(std::string name) { name_ = std::move(name); }
  /// Reads {"name", "trainable", "activity_regularizer"} from a config into this layer (for
  /// from_config constructors).
  void read_base_config(const nlohmann::json& config);
  /// Op layers are made per call and never tracked as sublayers.
  void mark_as_op() { is_op_ = true; }
  /// Records `node` as this layer's latest symbolic call (an InputLayer's own node).
  void set_last_node(const std::shared_ptr<const detail::GraphNode>& node) {
    last_node_ = node;
    ++inbound_nodes_;
  }

  /// What the layer accepts; a derived constructor or build_weights sets it.
  InputSpec input_spec_;

 private:
  friend struct LayerCallAccess;
  /// The symbolic path: builds, traces call() for the output shape, records a graph node.
  Tensor call_symbolic(std::shared_ptr<Layer> owner, std::span<const Tensor> inputs);
  Tensor call_eager(std::span<const Tensor> inputs, std::optional<bool> training);
  /// The primitive path: forward under a context the tape hands out (recorded for backward).
  Tensor run_primitive(std::span<const Tensor> inputs, bool training);
  /// Adds the activity regularizer's penalty on `y` to this step's sum and, when training, its
  /// gradient to the tape's gradient of `y`.
  void record_activity_penalty(detail::Tape& tape, const Tensor& y, bool training);
  void adopt_child(Layer& child);
  /// The dtype a primitive call on `inputs` computes in (and a symbolic call's output has): an
  /// op's input dtype, else the policy's compute dtype, or float32 where the layer cannot
  /// compute in it.
  DType dtype_for(std::span<const Tensor> inputs) const;
  /// ValueError when an input is int32 and the layer does not take integers.
  void check_input_dtypes(std::span<const Tensor> inputs) const;
  /// The symbolic tensor `node` outputs (its shape, dtype and mask).
  static Tensor node_output(std::shared_ptr<const detail::GraphNode> node);
  /// Keras's autocast for a primitive call in `context`: picks the dtype the call computes in
  /// and casts the floating inputs that differ into the context's buffers, returning the inputs
  /// forward sees in `cast`. backward_in casts their gradients back to the inputs' own dtypes,
  /// so the tape, which records the original inputs, sees every gradient in its tensor's dtype.
  /// Op layers compute in their inputs' dtypes, as Keras's ops do.
  std::span<const Tensor> autocast(CallContext& context, std::span<const Tensor> inputs, std::array<Tensor, 8>& cast);

  std::string name_;
  mixed_precision::DTypePolicy dtype_policy_;
  bool trainable_ = true;
  bool built_ = false;
  bool is_op_ = false;
  std::vector<Shape> build_input_shapes_;
  std::optional<Shape> input_shape_arg_;
  Backend* backend_ = nullptr;
  std::vector<std::shared_ptr<Variable>> weights_;
  std::vector<Layer*> children_;
  int inbound_nodes_ = 0;
  std::weak_ptr<const detail::GraphNode> last_node_;  // of the last symbolic call (weak: the node owns the layer)
  CallContext own_context_;                           // for calls made outside a model's step
  std::shared_ptr<const Regularizer> activity_regularizer_;
  Tensor activity_penalty_;          // (1,): the sum over this layer's calls in step activity_step_
  std::uint32_t activity_step_ = 0;  // the tape step activity_penalty_ belongs to (0: none)
  CallContext* active_context_ = nullptr;
  bool mask_warned_ = false;  // compute_mask warned that this layer drops masks
};

/// Built-in layers derive from LayerOf<Self>: it lets a temporary be called on symbolic
/// tensors, `Dense(10)(x)`, by moving it into the graph.
template <class Derived, class Base = Layer>
class LayerOf : public Base {
 public:
  /// The derived layer's constructors.
  using Base::Base;
  /// Calls on a named (lvalue) layer: referenced, not moved.
  using Base::operator();
  /// Calls a temporary layer (`Dense(10)(x)`): it moves into the graph, which keeps it.
  Tensor operator()(const Tensor& x, std::optional<bool> training = std::nullopt) && {
    return std::move(*this).adopt({&x, 1}, training);
  }
  /// Calls a temporary layer on several tensors, moving it into the graph.
  Tensor operator()(std::span<const Tensor> inputs, std::optional<bool> training = std::nullopt) && {
    return std::move(*this).adopt(inputs, training);
  }
  /// Calls the layer on a braced list of tensors: `Add()({a, b})`.
  Tensor operator()(std::initializer_list<Tensor> inputs, std::optional<bool> training = std::nullopt) && {
    return std::move(*this).adopt({inputs.begin(), inputs.size()}, training);
  }

 private:
  Tensor adopt(std::span<const Tensor> inputs, std::optional<bool> training) && {
    auto owned = std::make_shared<Derived>(std::move(static_cast<Derived&>(*this)));
    return (*owned)(inputs, training);
  }
};

/// A unique layer name for `prefix`: "dense", then "dense_1", "dense_2", ... (per process).
std::string unique_layer_name(std::string_view prefix);

}  // namespace strata
