#include "strata/layer.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <typeinfo>

#include "api/engine/engine_state.hpp"
#include "api/engine/graph_node.hpp"
#include "api/engine/tape.hpp"
#include "backends/flush_subnormals.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/initializers.hpp"
#include "strata/random.hpp"
#include "strata/regularizers.hpp"

namespace strata {

namespace {

// A ResourceExhaustedError that already names the layer, weight or output it is about: the
// innermost layer adds that context, and the layers around it (a model building its layers, a
// composite layer calling them) pass it on unchanged instead of prefixing their own names.
class NamedResourceExhaustedError : public ResourceExhaustedError {
 public:
  using ResourceExhaustedError::ResourceExhaustedError;
};

// Runs `body`; a ResourceExhaustedError not yet named comes out prefixed with `context()`.
template <class Body, class Context>
auto naming_resource_errors(Body&& body, Context&& context) {
  try {
    return body();
  } catch (const NamedResourceExhaustedError&) {
    throw;
  } catch (const ResourceExhaustedError& e) {
    throw NamedResourceExhaustedError(detail::concat(context(), ": ", e.what()));
  }
}

}  // namespace

std::string unique_layer_name(std::string_view prefix) {
  static std::mutex mutex;
  static std::map<std::string, int, std::less<>> counts;
  std::lock_guard lock(mutex);
  int& count = counts[std::string(prefix)];
  const int index = count++;
  return index == 0 ? std::string(prefix) : detail::concat(prefix, '_', index);
}

Layer::Layer(std::string_view prefix, std::string name)
    : name_(name.empty() ? unique_layer_name(prefix) : std::move(name)),
      dtype_policy_(mixed_precision::global_policy()) {}

Layer::Layer(std::string_view prefix, const LayerOptions& options) : Layer(prefix, options.name) {
  if (options.input_shape.rank() > 0) input_shape_arg_ = options.input_shape;
  if (!options.dtype.empty()) dtype_policy_ = mixed_precision::DTypePolicy(options.dtype);
}

Layer::Layer(Layer&& other) noexcept
    : std::enable_shared_from_this<Layer>(),
      input_spec_(std::move(other.input_spec_)),
      name_(std::move(other.name_)),
      dtype_policy_(std::move(other.dtype_policy_)),
      trainable_(other.trainable_),
      built_(other.built_),
      is_op_(other.is_op_),
      build_input_shapes_(std::move(other.build_input_shapes_)),
      input_shape_arg_(std::move(other.input_shape_arg_)),
      backend_(other.backend_),
      weights_(std::move(other.weights_)),
      children_(std::move(other.children_)),
      inbound_nodes_(other.inbound_nodes_),
      last_node_(std::move(other.last_node_)),
      own_context_(std::move(other.own_context_)),
      activity_regularizer_(std::move(other.activity_regularizer_)),
      activity_penalty_(std::move(other.activity_penalty_)),
      activity_step_(other.activity_step_),
      mask_warned_(other.mask_warned_) {}

Backend& Layer::backend() const {
  STRATA_CHECK(backend_ != nullptr, StateError, "layer \"", name_, "\" is not built yet");
  return *backend_;
}

const Shape& Layer::build_input_shape() const {
  STRATA_CHECK(!build_input_shapes_.empty(), StateError, "layer \"", name_, "\" is not built yet");
  return build_input_shapes_.front();
}

void Layer::build(const Shape& input_shape) { build(std::span<const Shape>(&input_shape, 1)); }

void Layer::build(std::span<const Shape> input_shapes) {
  if (input_shapes.size() == 1) input_spec_.check(input_shapes[0], name_);
  if (built_) return;
  if (backend_ == nullptr) backend_ = &current_backend();
  build_input_shapes_.clear();
  for (const Shape& shape : input_shapes) build_input_shapes_.push_back(shape.with_batch(kNone));
  naming_resource_errors([&] { build_weights_inputs(build_input_shapes_); },
                         [&] {
                           return detail::concat(
                               "Layer \"", name_, "\" (", class_name(), ") cannot be built for input shape ",
                               build_input_shapes_.empty() ? "()" : build_input_shapes_[0].to_string());
                         });
  built_ = true;
}

void Layer::build_weights(const Shape&) {}

void Layer::build_weights_inputs(std::span<const Shape> input_shapes) {
  if (input_shapes.size() == 1) build_weights(input_shapes[0]);
}

Shape Layer::compute_output_shape(const Shape& input_shape) const { return input_shape; }

Shape Layer::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  STRATA_CHECK(input_shapes.size() == 1, ValueError, "Layer \"", name_, "\" expects 1 input, but it received ",
               input_shapes.size(), " input tensors.");
  return compute_output_shape(input_shapes[0]);
}

// ---- calls --------------------------------------------------------------------------------

namespace {

std::vector<Shape> shapes_of(std::span<const Tensor> tensors) {
  std::vector<Shape> shapes;
  for (const Tensor& t : tensors) shapes.push_back(t.shape());
  return shapes;
}

}  // namespace

Tensor Layer::operator()(const Tensor& x, std::optional<bool> training) & {
  return (*this)(std::span<const Tensor>(&x, 1), training);
}

Tensor Layer::operator()(std::initializer_list<Tensor> inputs, std::optional<bool> training) & {
  return (*this)(std::span<const Tensor>(inputs.begin(), inputs.size()), training);
}

Tensor Layer::operator()(std::span<const Tensor> inputs, std::optional<bool> training) & {
  STRATA_CHECK(!inputs.empty(), ValueError, "Layer \"", name_, "\" was called without inputs.");
  std::size_t symbolic = 0;
  for (const Tensor& input : inputs) {
    if (input.symbolic()) {
      ++symbolic;
      continue;
    }
    STRATA_CHECK(input.defined(), ValueError, "Layer \"", name_, "\" was called on an empty tensor (input ",
                 &input - inputs.data(), ").");
  }
  if (symbolic > 0) {
    STRATA_CHECK(symbolic == inputs.size(), ValueError, "Layer \"", name_,
                 "\" was called on a mix of symbolic tensors (from Input) and concrete tensors; call it on "
                 "one kind only.");
    std::shared_ptr<Layer> owner = weak_from_this().lock();
    // A layer the caller owns (a named object, a member) is referenced; its owner keeps it alive.
    if (!owner) owner = std::shared_ptr<Layer>(std::shared_ptr<Layer>(), this);
    return call_symbolic(std::move(owner), inputs);
  }
  Backend& data_backend = inputs[0].backend();
  for (const Tensor& input : inputs)
    STRATA_CHECK(&input.backend() == &data_backend, ValueError, "Layer \"", name_,
                 "\" was called on tensors of two different backends (\"", data_backend.name(), "\" and \"",
                 input.backend().name(), "\"); move them to one backend first.");
  STRATA_CHECK(backend_ == nullptr || backend_ == &data_backend, ValueError, "Layer \"", name_,
               "\" holds its weights on the \"", backend_ ? backend_->name() : "", "\" backend but was called on a \"",
               data_backend.name(), "\" tensor.");
  const backends::FlushSubnormals flush;  // Strata's arithmetic mode, for an eager call too
  return call_eager(inputs, training);
}

void Layer::adopt_child(Layer& child) {
  for (Layer* existing : children_)
    if (existing == &child) return;
  children_.push_back(&child);
}

Tensor Layer::call_eager(std::span<const Tensor> inputs, std::optional<bool> training) {
  detail::EngineState& engine = detail::engine_state();
  const bool train = training.value_or(engine.training);
  if (!built_) {
    STRATA_CHECK(inputs.size() <= 8, ValueError, "Layer \"", name_, "\" takes at most 8 inputs");
    // The backend of the data, so a layer first called on reference tensors lives there.
    backend_ = &inputs[0].backend();
    build(shapes_of(inputs));
  } else if (inputs.size() == 1) {
    input_spec_.check(inputs[0].shape(), name_);
  }
  if (engine.caller && engine.caller != this && !is_op_) engine.caller->adopt_child(*this);
  detail::Tape* tape = engine.tape;
  Tensor y;
  {
    const detail::EngineScope scope({.tape = tape, .training = train, .caller = this});
    y = call(inputs, train);
  }
  if (activity_regularizer_ && tape) record_activity_penalty(*tape, y, train);
  return y;
}

void Layer::set_activity_regularizer(std::shared_ptr<const Regularizer> regularizer) {
  activity_regularizer_ = std::move(regularizer);
}

void Layer::record_activity_penalty(detail::Tape& tape, const Tensor& y, bool training) {
  Backend& backend = y.backend();
  reuse_or_allocate(activity_penalty_, backend, Shape{1});
  if (activity_step_ != tape.step()) {
    backend.fill(activity_penalty_, 0.f);
    activity_step_ = tape.step();
  }
  // Keras divides the penalty by the batch size (divide_no_nan: an empty batch adds 0), so the
  // weight and activity penalties keep their proportions whatever the batch size.
  const std::int64_t batch = y.shape().rank() > 0 ? y.shape()[0] : 1;
  const float scale = batch > 0 ? 1.f / static_cast<float>(batch) : 0.f;
  activity_regularizer_->check_shape(y.shape());
  activity_regularizer_->add_penalty(y, scale, activity_penalty_, training ? tape.output_gradient(y) : nullptr);
}

Tensor Layer::call_symbolic(std::shared_ptr<Layer> owner, std::span<const Tensor> inputs) {
  detail::EngineState& engine = detail::engine_state();
  std::vector<Shape> shapes = shapes_of(inputs);
  for (Shape& shape : shapes) shape = shape.with_batch(kNone);
  build(shapes);
  if (engine.caller && engine.caller != this && !is_op_) engine.caller->adopt_child(*this);
  Tensor traced;
  {
    const detail::EngineScope scope({.tape = nullptr, .training = false, .caller = this});
    traced = call(inputs, false);
  }
  STRATA_CHECK(traced.symbolic(), ValueError, "Layer \"", name_,
               "\" returned a concrete tensor when called on symbolic inputs: its call() must build its result "
               "from its inputs with layers and strata::ops.");
  auto node = std::make_shared<detail::GraphNode>();
  node->layer = std::move(owner);
  node->inputs.assign(inputs.begin(), inputs.end());
  node->output_shape = traced.shape();
  node->output_dtype = traced.dtype();
  node->output_mask = traced.mask();
  node->node_index = inbound_nodes_++;
  last_node_ = node;
  return node_output(std::move(node));
}

Shape Layer::output_shape_for(std::span<const Shape> input_shapes) {
  build(input_shapes);
  std::vector<Tensor> placeholders;
  for (const Shape& shape : input_shapes) placeholders.push_back(Tensor::symbolic(shape));
  const detail::EngineScope scope({.tape = nullptr, .training = false, .caller = nullptr});
  return call(placeholders, false).shape();
}

Tensor Layer::output() const {
  auto node = last_node_.lock();
  STRATA_CHECK(node != nullptr, StateError, "The layer \"", name_,
               "\" has never been called on symbolic tensors and thus has no defined output.");
  return node_output(std::move(node));
}

Tensor Layer::call(const Tensor& x, bool training) { return run_primitive(std::span<const Tensor>(&x, 1), training); }

Tensor Layer::call(std::span<const Tensor> inputs, bool training) {
  if (inputs.size() == 1) return call(inputs[0], training);
  return run_primitive(inputs, training);
}

Tensor Layer::run_primitive(std::span<const Tensor> inputs, bool training) {
  check_input_dtypes(inputs);
  if (inputs[0].symbolic()) {
    const Shape shape = naming_resource_errors([&] { return compute_output_shape_inputs(shapes_of(inputs)); },
                                               [&] {
                                                 return detail::concat("Layer \"", name_, "\" (", class_name(),
                                                                       ") has no output shape for input shape ",
                                                                       inputs[0].shape().to_string());
                                               });
    return Tensor::symbolic(shape, nullptr, 0, dtype_for(inputs)).with_mask(compute_mask(inputs));
  }
  detail::EngineState& engine = detail::engine_state();
  detail::Tape* tape = engine.tape;
  CallContext& context =
      tape ? tape->next_context(is_op_ ? static_cast<const void*>(&typeid(*this)) : this) : own_context_;
  std::array<Tensor, 8> cast;
  const std::span<const Tensor> computed = autocast(context, inputs, cast);
  CallContext* previous = active_context_;
  active_context_ = &context;
  Tensor y;
  {
    // A primitive layer's forward is one node: whatever it runs inside is not recorded.
    const detail::EngineScope scope({.tape = nullptr, .training = engine.training, .caller = engine.caller});
    try {
      y = naming_resource_errors([&] { return forward_inputs(computed, training); },
                                 [&] {
                                   return detail::concat("Layer \"", name_, "\" (", class_name(),
                                                         ") cannot compute its output for input shape ",
                                                         inputs[0].shape().to_string());
                                 });
      y = y.with_mask(compute_mask(computed));
    } catch (...) {
      active_context_ = previous;
      throw;
    }
  }
  active_context_ = previous;
  if (tape) tape->record(*this, is_op_ ? shared_from_this() : nullptr, inputs, y);
  return y;
}

namespace {

bool floating(DType dtype) { return dtype == DType::F32 || dtype == DType::BF16; }

}  // namespace

void Layer::check_input_dtypes(std::span<const Tensor> inputs) const {
  if (is_op_ || takes_integer_inputs()) return;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    STRATA_CHECK(floating(inputs[i].dtype()), ValueError, "Layer \"", name_, "\" (", class_name(), ") received an ",
                 dtype_name(inputs[i].dtype()), " input", inputs.size() > 1 ? detail::concat(" (input ", i, ")") : "",
                 ": it computes in floating point and takes floating inputs only. Integer inputs are indices for an "
                 "Embedding layer; to use them as numbers, give the Input dtype float32.");
}

std::shared_ptr<const Tensor> Layer::compute_mask(std::span<const Tensor> inputs) {
  if (supports_masking()) return inputs[0].mask();
  // Ops (strata::ops) drop masks silently, as Keras's ops do.
  if (is_op_) return nullptr;
  const bool masked = std::any_of(inputs.begin(), inputs.end(), [](const Tensor& x) { return x.mask() != nullptr; });
  if (masked && !mask_warned_) {
    mask_warned_ = true;
    std::cerr << "UserWarning: Layer '" << name_ << "' (of type " << class_name()
              << ") was passed an input with a mask attached to it. However, this layer does not support masking "
                 "and will therefore destroy the mask information. Downstream layers will not see the mask.\n";
  }
  return nullptr;
}

Tensor Layer::node_output(std::shared_ptr<const detail::GraphNode> node) {
  const Shape shape = node->output_shape;
  const DType dtype = node->output_dtype;
  std::shared_ptr<const Tensor> mask = node->output_mask;
  return Tensor::symbolic(shape, std::move(node), 0, dtype).with_mask(std::move(mask));
}

std::span<const Tensor> Layer::autocast(CallContext& context, std::span<const Tensor> inputs,
                                        std::array<Tensor, 8>& cast) {
  context.cast_mask = 0;
  context.weights_cast = 0;
  context.compute_dtype = dtype_for(inputs);
  if (is_op_) return inputs;
  const auto needs_cast = [&](const Tensor& x) { return floating(x.dtype()) && x.dtype() != context.compute_dtype; };
  if (std::none_of(inputs.begin(), inputs.end(), needs_cast)) return inputs;
  STRATA_CHECK(inputs.size() <= cast.size(), ValueError, "Layer \"", name_, "\" can cast at most ", cast.size(),
               " inputs to its compute dtype ", dtype_name(context.compute_dtype), ", and was called on ",
               inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!needs_cast(x)) {
      cast[i] = x;
      continue;
    }
    Tensor& to = reuse_or_allocate(context.input_casts[i], x.backend(), x.shape(), context.compute_dtype);
    x.backend().cast(x, to);
    context.input_dtypes[i] = x.dtype();
    context.cast_mask |= 1u << i;
    cast[i] = to.with_mask(x.mask());
  }
  return std::span<const Tensor>(cast.data(), inputs.size());
}

bool Layer::computes_in(DType dtype) const { return dtype == DType::F32; }

DType Layer::dtype_for(std::span<const Tensor> inputs) const {
  if (is_op_) return inputs[0].dtype();
  const DType wanted = compute_dtype();
  return wanted == DType::F32 || computes_in(wanted) ? wanted : DType::F32;
}

const Tensor& Layer::compute_value(const Variable& variable) {
  CallContext& c = context();
  if (variable.value.dtype() == c.compute_dtype) return variable.value;
  std::size_t index = 0;
  while (index < weights_.size() && weights_[index].get() != &variable) ++index;
  STRATA_CHECK(index < weights_.size(), StateError, "layer \"", name_, "\" asked for the value of \"", variable.path,
               "\", which is not one of its own variables");
  if (c.weight_casts.size() < weights_.size()) c.weight_casts.resize(weights_.size());
  Tensor& copy = c.weight_casts[index];
  // The first read in a call casts (the variable may have changed since the last call); later
  // reads, backward's included, take that copy, which stays current: nothing updates a variable
  // between a call's forward and its backward.
  const std::uint64_t bit = index < 64 ? std::uint64_t{1} << index : 0;
  if ((c.weights_cast & bit) == 0 || copy.dtype() != c.compute_dtype) {
    reuse_or_allocate(copy, variable.value.backend(), variable.value.shape(), c.compute_dtype);
    variable.value.backend().cast(variable.value, copy);
    c.weights_cast |= bit;
  }
  return copy;
}

void Layer::set_dtype_policy(const mixed_precision::DTypePolicy& policy) { dtype_policy_ = policy; }

Tensor Layer::forward(const Tensor&, bool) {
  throw StateError(detail::concat("Layer \"", name_, "\" (", class_name(),
                                  ") overrides neither call() nor forward(): it has nothing to compute."));
}

Tensor Layer::backward_impl(const Tensor&, bool) {
  throw StateError(detail::concat("Layer \"", name_, "\" (", class_name(),
                                  ") has a forward() but no backward_impl(): it cannot be trained."));
}

Tensor Layer::forward_inputs(std::span<const Tensor> inputs, bool training) {
  STRATA_CHECK(inputs.size() == 1, ValueError, "Layer \"", name_, "\" expects 1 input, but it received ", inputs.size(),
               " input tensors.");
  return forward(inputs[0], training);
}

void Layer::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  dxs[0] = backward_impl(dy, (need_mask & 1u) != 0);
}

Tensor Layer::backward(const Tensor& dy, bool need_input_grad) {
  Tensor dx;
  backward_in(own_context_, dy, std::span<Tensor>(&dx, 1), need_input_grad ? 1u : 0u);
  return dx;
}

void Layer::backward_in(CallContext& context, const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  CallContext* previous = active_context_;
  active_context_ = &context;
  try {
    backward_inputs(dy, dxs, need_mask);
    // Autocast's backward: each cast input's gradient returns in the input's own dtype.
    for (std::size_t i = 0; i < dxs.size() && i < context.input_casts.size(); ++i) {
      if ((context.cast_mask >> i & 1u) == 0 || !dxs[i].defined()) continue;
      Tensor& back =
          reuse_or_allocate(context.grad_casts[i], dxs[i].backend(), dxs[i].shape(), context.input_dtypes[i]);
      dxs[i].backend().cast(dxs[i], back);
      dxs[i] = back;
    }
  } catch (...) {
    active_context_ = previous;
    throw;
  }
  active_context_ = previous;
}

// ---- per-call state -----------------------------------------------------------------------

CallContext& Layer::context() const {
  return active_context_ ? *active_context_ : const_cast<CallContext&>(own_context_);
}

Tensor& Layer::buffer(std::size_t slot, const Shape& shape, DType dtype) {
  CallContext& c = context();
  if (c.buffers.size() <= slot) c.buffers.resize(slot + 1);
  return reuse_or_allocate(c.buffers[slot], backend(), shape, dtype);
}

void Layer::save(std::size_t slot, const Tensor& tensor) { context().saved.at(slot) = tensor; }

const Tensor& Layer::saved(std::size_t slot) const {
  const Tensor& t = context().saved.at(slot);
  STRATA_CHECK(t.defined(), StateError, "layer \"", name_, "\": backward() before a training call");
  return t;
}

const Tensor* Layer::saved_if_any(std::size_t slot) const {
  const Tensor& t = context().saved.at(slot);
  return t.defined() ? &t : nullptr;
}

Shape& Layer::saved_shape(std::size_t slot) { return context().shapes.at(slot); }

bool& Layer::saved_flag() { return context().flag; }

// ---- weights ------------------------------------------------------------------------------

Variable& Layer::add_weight(std::string name, const Shape& shape, const Initializer& initializer, bool trainable) {
  auto variable = std::make_shared<Variable>();
  variable->path = name_ + "/" + name;
  variable->name = std::move(name);
  variable->trainable = trainable;
  const auto context = [&] {
    return detail::concat("Layer \"", name_, "\" cannot create its weight \"", variable->path, "\" of shape ",
                          shape.to_string());
  };
  naming_resource_errors(
      [&] {
        // The backend's tensor first: it checks the size against what the backend can hold
        // before the host copy below asks for the same bytes.
        variable->value = Tensor(*backend_, shape);
        std::vector<float> host;
        try {
          host.resize(static_cast<std::size_t>(shape.num_elements()));
        } catch (const std::exception&) {  // std::bad_alloc, or std::length_error past the vector's reach
          throw ResourceExhaustedError(
              detail::concat("the host could not allocate ", shape.num_elements(), " floats to initialise it"));
        }
        initializer.sample(shape, host, detail::global_rng());
        backend_->upload(host.data(), variable->value);
        if (trainable) variable->grad = Tensor(*backend_, shape);
      },
      context);
  weights_.push_back(variable);
  return *variable;
}

namespace {

// Every variable of `layer` and its sublayers once, in Keras's `weights` order: the layer's own
// (trainable first), then each sublayer's in turn; with whether it is trained (its variable and
// every layer above it trainable).
void collect(Layer& layer, bool parent_trainable, std::vector<std::pair<Variable*, bool>>& out) {
  const bool trainable = parent_trainable && layer.trainable();
  const auto add = [&](Variable* v, bool trained) {
    for (const auto& seen : out)
      if (seen.first == v) return;
    out.emplace_back(v, trained);
  };
  for (const auto& v : layer.own_variables())
    if (v->trainable) add(v.get(), trainable);
  for (const auto& v : layer.own_variables())
    if (!v->trainable) add(v.get(), false);
  for (Layer* child : layer.sublayers()) collect(*child, trainable, out);
}

std::vector<Variable*> select(Layer& layer, int which) {  // 0 all, 1 trained, 2 not trained
  std::vector<std::pair<Variable*, bool>> all;
  collect(layer, true, all);
  std::vector<Variable*> out;
  for (const auto& [v, trained] : all)
    if (which == 0 || (which == 1) == trained) out.push_back(v);
  return out;
}

}  // namespace

std::vector<Variable*> Layer::weights() { return select(*this, 0); }

std::vector<const Variable*> Layer::weights() const {
  std::vector<const Variable*> out;
  for (const auto& v : const_cast<Layer*>(this)->weights()) out.push_back(v);
  return out;
}

std::vector<Variable*> Layer::trainable_weights() { return select(*this, 1); }

std::vector<std::pair<std::string, std::vector<Variable*>>> Layer::saved_variable_groups() {
  std::vector<Variable*> ordered;
  for (const auto& v : weights_)
    if (v->trainable) ordered.push_back(v.get());
  for (const auto& v : weights_)
    if (!v->trainable) ordered.push_back(v.get());
  return {{"", std::move(ordered)}};
}

std::vector<std::string> Layer::call_keywords(std::size_t count) const { return std::vector<std::string>(count); }

nlohmann::json Layer::call_arguments() const { return nlohmann::json::object(); }

void Layer::set_call_arguments(const nlohmann::json&) {}

std::vector<std::pair<std::string, Layer*>> Layer::saved_children() const {
  std::vector<std::pair<std::string, Layer*>> out;
  for (Layer* child : sublayers()) out.emplace_back(child->name(), child);
  return out;
}

std::vector<Variable*> Layer::non_trainable_weights() { return select(*this, 2); }

bool Layer::has_trainable_weights() const {
  if (!trainable_) return false;
  for (const auto& v : weights_)
    if (v->trainable) return true;
  for (const Layer* child : sublayers())
    if (child->has_trainable_weights()) return true;
  return false;
}

std::int64_t Layer::count_params() const {
  STRATA_CHECK(built(), StateError, "You tried to call `count_params` on layer '", name_,
               "', but the layer isn't built. You can build it manually via: `layer.build(input_shape)`.");
  std::int64_t n = 0;
  for (const Variable* v : weights()) n += v->value.size();
  return n;
}

nlohmann::json Layer::get_config() const {
  nlohmann::json config = {{"name", name_},
                           {"trainable", trainable_},
                           {"dtype",
                            {{"module", "keras"},
                             {"class_name", "DTypePolicy"},
                             {"config", {{"name", dtype_policy_.name()}}},
                             {"registered_name", nullptr}}}};
  // Keras's base config names the activity regularizer only when there is one.
  if (activity_regularizer_) config["activity_regularizer"] = regularizers::serialize(*activity_regularizer_);
  return config;
}

nlohmann::json Layer::get_build_config() const {
  if (!built_ || build_input_shapes_.empty()) return nullptr;
  const auto shape_json = [](const Shape& s) {
    nlohmann::json shape = nlohmann::json::array();
    for (auto d : s.dims()) shape.push_back(d < 0 ? nlohmann::json(nullptr) : nlohmann::json(d));
    return shape;
  };
  if (build_input_shapes_.size() == 1) return {{"input_shape", shape_json(build_input_shapes_[0])}};
  nlohmann::json shapes = nlohmann::json::array();
  for (const Shape& s : build_input_shapes_) shapes.push_back(shape_json(s));
  return {{"input_shape", shapes}};
}

void Layer::read_base_config(const nlohmann::json& config) {
  if (config.contains("name") && config["name"].is_string()) name_ = config["name"].get<std::string>();
  if (config.contains("trainable")) trainable_ = config["trainable"].get<bool>();
  // Keras >= 3.4 writes a DTypePolicy object, earlier versions the policy's name.
  if (const auto dtype = config.find("dtype"); dtype != config.end() && !dtype->is_null()) {
    if (dtype->is_string())
      dtype_policy_ = mixed_precision::DTypePolicy(dtype->get<std::string>());
    else if (dtype->is_object() && dtype->contains("config"))
      dtype_policy_ = mixed_precision::DTypePolicy((*dtype)["config"].value("name", "float32"));
  }
  if (config.contains("activity_regularizer") && !config["activity_regularizer"].is_null())
    activity_regularizer_ = Regularizer::from_config(config["activity_regularizer"]);
}

}  // namespace strata
