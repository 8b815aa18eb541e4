#include "strata/layers/recurrent.hpp"

#include <nlohmann/json.hpp>

#include "layers/layer_args.hpp"
#include "layers/recurrent_spec.hpp"
#include "strata/error.hpp"

namespace strata {

nlohmann::json detail::sequence_build_config(nlohmann::json config, std::size_t shape_count) {
  if (shape_count < 2) return config;
  // Keras's build takes the sequence's shape and the initial states' by name.
  const nlohmann::json shapes = config["input_shape"];
  nlohmann::json states = nlohmann::json::array();
  for (std::size_t i = 1; i < shapes.size(); ++i) states.push_back(shapes[i]);
  return {{"shapes_dict", {{"sequences_shape", shapes[0]}, {"initial_state_shape", states}}}};
}

inline namespace layers {

namespace {

enum Slot : std::size_t { kOutputs, kLast, kHLast, kCLast, kWorkspace, kInputGrad, kSequenceGrad, kH0Grad, kC0Grad };
enum Saved : std::size_t { kSavedInput };

// Keras's unit_forget_bias: the LSTM bias drawn as [init(units), ones(units), init(2 units)],
// so the forget gate starts open.
class ForgetBiasOne : public Initializer {
 public:
  explicit ForgetBiasOne(std::shared_ptr<Initializer> inner) : inner_(std::move(inner)) {}
  std::string class_name() const override { return inner_->class_name(); }
  void sample(const Shape& shape, std::span<float> out, std::mt19937_64& rng) const override {
    const std::int64_t units = shape[0] / 4;
    const auto n = static_cast<std::size_t>(units);
    inner_->sample(Shape{units}, out.subspan(0, n), rng);
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(n), out.begin() + static_cast<std::ptrdiff_t>(2 * n), 1.f);
    inner_->sample(Shape{2 * units}, out.subspan(2 * n, 2 * n), rng);
  }

 private:
  std::shared_ptr<Initializer> inner_;
};

ActivationFunction cell_activation(const std::string& name, const char* argument, std::string_view layer) {
  const ActivationFunction f = ActivationFunction::from_name(name);
  const bool supported = f.kind == ActivationKind::Tanh || f.kind == ActivationKind::Sigmoid ||
                         f.kind == ActivationKind::Linear ||
                         (f.kind == ActivationKind::Relu && f == ActivationFunction{ActivationKind::Relu});
  STRATA_CHECK(supported, ValueError, layer, ": `", argument, "=\"", name,
               "\"` is not supported by Strata's recurrent cells yet; they take \"tanh\", \"sigmoid\", \"relu\" or "
               "\"linear\"");
  return f;
}

}  // namespace

RecurrentLayer::RecurrentLayer(std::string_view prefix, detail::RecurrentSpec spec, const LayerOptions& options)
    : Layer(prefix, options), spec_(std::move(spec)) {
  STRATA_CHECK(spec_.units > 0, ValueError,
               "Received an invalid value for argument `units`, expected a positive integer, got ", spec_.units, ".");
  const std::string what = detail::concat(class_name_for(spec_.kind), " \"", name(), "\"");
  params_.kind = spec_.kind;
  params_.activation = cell_activation(spec_.activation, "activation", what);
  params_.recurrent_activation = cell_activation(spec_.recurrent_activation, "recurrent_activation", what);
  params_.reset_after = spec_.reset_after;
  params_.go_backwards = spec_.go_backwards;
  STRATA_CHECK(
      spec_.dropout >= 0.f && spec_.dropout <= 1.f && spec_.recurrent_dropout >= 0.f && spec_.recurrent_dropout <= 1.f,
      ValueError, what, ": dropout rates must be in [0, 1]; received dropout=", spec_.dropout,
      ", recurrent_dropout=", spec_.recurrent_dropout);
  STRATA_CHECK(spec_.dropout == 0.f && spec_.recurrent_dropout == 0.f, ValueError, what,
               ": dropout and recurrent_dropout are not supported by Strata's recurrent layers yet; put a Dropout "
               "layer before or after it instead");
  STRATA_CHECK(!spec_.return_state, ValueError, what,
               ": return_state is not supported yet (Strata's layers have one output); build the states you need "
               "from return_sequences");
  STRATA_CHECK(!spec_.stateful, ValueError, what, ": stateful is not supported yet");
  input_spec_.min_ndim = 3;
  set_activity_regularizer(detail::activity_of(spec_.activity_regularizer));
}

std::string_view RecurrentLayer::snake_name_for(RnnKind kind) {
  switch (kind) {
    case RnnKind::SimpleRNN: return "simple_rnn";
    case RnnKind::LSTM: return "lstm";
    case RnnKind::GRU: return "gru";
  }
  return "rnn";
}

std::string_view RecurrentLayer::class_name_for(RnnKind kind) {
  switch (kind) {
    case RnnKind::SimpleRNN: return "SimpleRNN";
    case RnnKind::LSTM: return "LSTM";
    case RnnKind::GRU: return "GRU";
  }
  return "RNN";
}

Shape RecurrentLayer::compute_output_shape(const Shape& input_shape) const {
  STRATA_CHECK(input_shape.rank() == 3, ValueError, class_name(), " \"", name(),
               "\" takes inputs of shape (batch, steps, features); received ", input_shape.to_string());
  return spec_.return_sequences ? Shape{input_shape[0], input_shape[1], spec_.units}
                                : Shape{input_shape[0], spec_.units};
}

Shape RecurrentLayer::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  const std::size_t states = spec_.kind == RnnKind::LSTM ? 2 : 1;
  STRATA_CHECK(input_shapes.size() == 1 || input_shapes.size() == 1 + states, ValueError, class_name(), " \"", name(),
               "\" takes its input and, optionally, its ", states, " initial state", states > 1 ? "s" : "",
               "; received ", input_shapes.size(), " tensors");
  const Shape out = compute_output_shape(input_shapes[0]);
  for (std::size_t i = 1; i < input_shapes.size(); ++i) {
    const Shape& s = input_shapes[i];
    STRATA_CHECK(s.rank() == 2 && s[1] == spec_.units &&
                     (s[0] == input_shapes[0][0] || s[0] == kNone || input_shapes[0][0] == kNone),
                 ValueError, class_name(), " \"", name(), "\": an initial state must have shape (batch, ", spec_.units,
                 "); received ", s.to_string(), " for an input of shape ", input_shapes[0].to_string());
  }
  return out;
}

void RecurrentLayer::build_weights_inputs(std::span<const Shape> input_shapes) {
  compute_output_shape_inputs(input_shapes);
  const std::int64_t features = input_shapes[0][2];
  STRATA_CHECK(features > 0, ShapeError, "layer \"", name(),
               "\" needs a known last axis to build, received input shape ", input_shapes[0].to_string());
  const std::int64_t columns = rnn_gates(spec_.kind) * spec_.units;
  kernel_ = &add_weight("kernel", {features, columns}, *spec_.kernel_initializer);
  detail::attach(*kernel_, spec_.kernel_regularizer, spec_.kernel_constraint);
  recurrent_kernel_ = &add_weight("recurrent_kernel", {spec_.units, columns}, *spec_.recurrent_initializer);
  detail::attach(*recurrent_kernel_, spec_.recurrent_regularizer, spec_.recurrent_constraint);
  if (spec_.use_bias) {
    const Shape shape = spec_.kind == RnnKind::GRU && spec_.reset_after ? Shape{2, columns} : Shape{columns};
    if (spec_.kind == RnnKind::LSTM && spec_.unit_forget_bias)
      bias_ = &add_weight("bias", shape, ForgetBiasOne(spec_.bias_initializer.get()));
    else
      bias_ = &add_weight("bias", shape, *spec_.bias_initializer);
    detail::attach(*bias_, spec_.bias_regularizer, spec_.bias_constraint);
  }
  // Keras's paths: the weights belong to the layer's cell ("lstm/lstm_cell/kernel"), which is
  // how legacy .h5 files name them.
  const std::string cell = detail::concat(name(), "/", snake_name_for(spec_.kind), "_cell/");
  for (Variable* v : {kernel_, recurrent_kernel_, bias_})
    if (v) v->path = cell + v->name;
}

Tensor RecurrentLayer::forward_inputs(std::span<const Tensor> inputs, bool training) {
  const Tensor& x = inputs[0];
  const std::int64_t batch = x.shape()[0], steps = x.shape()[1], units = spec_.units;
  Backend& b = backend();
  // Keras hands a layer its input's mask only when the call has one tensor argument: given
  // initial states, its RNN layers run unmasked, and so do these.
  const Tensor* mask = inputs.size() == 1 ? x.mask().get() : nullptr;
  const Tensor* h0 = inputs.size() > 1 ? &inputs[1] : nullptr;
  const Tensor* c0 = inputs.size() > 2 ? &inputs[2] : nullptr;
  Tensor& outputs = buffer(kOutputs, {batch, steps, units});
  Tensor& h_last = buffer(kHLast, {batch, units});
  Tensor* c_last = spec_.kind == RnnKind::LSTM ? &buffer(kCLast, {batch, units}) : nullptr;
  Tensor& workspace = buffer(kWorkspace, {rnn_workspace_size(params_, batch, steps, units)});
  b.rnn_forward(params_, x, kernel_->value, recurrent_kernel_->value, bias_ ? &bias_->value : nullptr, h0, c0, mask,
                outputs, h_last, c_last, workspace);
  if (training) {
    saved_flag() = mask != nullptr;
    save(kSavedInput, x);  // the states backward needs are in the workspace
  }
  if (spec_.return_sequences) return outputs;
  // The last output: the last step's (a masked step outputs the state it carries).
  Tensor& last = buffer(kLast, {batch, 1, units});
  b.slice(outputs, 1, steps - 1, last);
  return last.reshaped({batch, units});
}

void RecurrentLayer::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  const Tensor& x = saved(kSavedInput);
  const std::int64_t batch = x.shape()[0], steps = x.shape()[1], units = spec_.units;
  Backend& b = backend();
  Tensor d_outputs = dy;
  if (!spec_.return_sequences) {
    d_outputs = buffer(kSequenceGrad, {batch, steps, units});
    b.fill(d_outputs, 0.f);
    b.slice_assign(dy.reshaped({batch, 1, units}), 1, steps - 1, d_outputs);
  }
  Tensor* dx = (need_mask & 1u) != 0 ? &buffer(kInputGrad, x.shape()) : nullptr;
  Tensor* d_h0 = (need_mask & 2u) != 0 ? &buffer(kH0Grad, {batch, units}) : nullptr;
  Tensor* d_c0 = (need_mask & 4u) != 0 ? &buffer(kC0Grad, {batch, units}) : nullptr;
  // The weights' gradients are written even when frozen: the op computes them with dx.
  b.rnn_backward(params_, x, kernel_->value, recurrent_kernel_->value, bias_ ? &bias_->value : nullptr,
                 saved_flag() ? x.mask().get() : nullptr,
                 buffer(kWorkspace, {rnn_workspace_size(params_, batch, steps, units)}), &d_outputs, nullptr, dx,
                 kernel_->grad, recurrent_kernel_->grad, bias_ ? &bias_->grad : nullptr, d_h0, d_c0);
  if (dx) dxs[0] = *dx;
  if (d_h0) dxs[1] = *d_h0;
  if (d_c0) dxs[2] = *d_c0;
}

std::vector<std::pair<std::string, std::vector<Variable*>>> RecurrentLayer::saved_variable_groups() {
  auto groups = Layer::saved_variable_groups();
  return {{"", {}}, {"cell", std::move(groups.front().second)}};
}

nlohmann::json RecurrentLayer::get_build_config() const {
  return detail::sequence_build_config(Layer::get_build_config(), build_input_shapes().size());
}

std::vector<std::string> RecurrentLayer::call_keywords(std::size_t count) const {
  std::vector<std::string> out(count, "initial_state[]");
  if (count > 0) out[0].clear();
  return out;
}

std::shared_ptr<const Tensor> RecurrentLayer::compute_mask(std::span<const Tensor> inputs) {
  return spec_.return_sequences && inputs.size() == 1 ? inputs[0].mask() : nullptr;
}

nlohmann::json RecurrentLayer::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["return_sequences"] = spec_.return_sequences;
  config["return_state"] = spec_.return_state;
  config["go_backwards"] = spec_.go_backwards;
  config["stateful"] = spec_.stateful;
  config["unroll"] = spec_.unroll;
  config["zero_output_for_mask"] = false;
  config["units"] = spec_.units;
  config["activation"] = params_.activation.name();
  if (spec_.kind != RnnKind::SimpleRNN) config["recurrent_activation"] = params_.recurrent_activation.name();
  config["use_bias"] = spec_.use_bias;
  config["kernel_initializer"] = detail::initializer_json(spec_.kernel_initializer);
  config["recurrent_initializer"] = detail::initializer_json(spec_.recurrent_initializer);
  config["bias_initializer"] = detail::initializer_json(spec_.bias_initializer);
  if (spec_.kind == RnnKind::LSTM) config["unit_forget_bias"] = spec_.unit_forget_bias;
  config["kernel_regularizer"] = detail::regularizer_json(spec_.kernel_regularizer);
  config["recurrent_regularizer"] = detail::regularizer_json(spec_.recurrent_regularizer);
  config["bias_regularizer"] = detail::regularizer_json(spec_.bias_regularizer);
  if (!config.contains("activity_regularizer")) config["activity_regularizer"] = nullptr;
  config["kernel_constraint"] = detail::constraint_json(spec_.kernel_constraint);
  config["recurrent_constraint"] = detail::constraint_json(spec_.recurrent_constraint);
  config["bias_constraint"] = detail::constraint_json(spec_.bias_constraint);
  config["dropout"] = spec_.dropout;
  config["recurrent_dropout"] = spec_.recurrent_dropout;
  if (spec_.kind == RnnKind::GRU) config["reset_after"] = spec_.reset_after;
  if (spec_.kind != RnnKind::SimpleRNN) config["seed"] = spec_.seed ? nlohmann::json(*spec_.seed) : nullptr;
  return config;
}

detail::RecurrentSpec RecurrentLayer::spec_from_config(RnnKind kind, const nlohmann::json& config) {
  detail::RecurrentSpec spec;
  spec.kind = kind;
  spec.units = config.at("units").get<std::int64_t>();
  spec.activation = detail::activation_from_config(config);
  if (config.contains("recurrent_activation") && config["recurrent_activation"].is_string())
    spec.recurrent_activation = config["recurrent_activation"].get<std::string>();
  spec.use_bias = config.value("use_bias", true);
  if (config.contains("kernel_initializer"))
    spec.kernel_initializer = Initializer::from_config(config["kernel_initializer"]);
  if (config.contains("recurrent_initializer"))
    spec.recurrent_initializer = Initializer::from_config(config["recurrent_initializer"]);
  if (config.contains("bias_initializer")) spec.bias_initializer = Initializer::from_config(config["bias_initializer"]);
  spec.unit_forget_bias = config.value("unit_forget_bias", true);
  spec.kernel_regularizer = detail::regularizer_from_config(config, "kernel_regularizer");
  spec.recurrent_regularizer = detail::regularizer_from_config(config, "recurrent_regularizer");
  spec.bias_regularizer = detail::regularizer_from_config(config, "bias_regularizer");
  spec.kernel_constraint = detail::constraint_from_config(config, "kernel_constraint");
  spec.recurrent_constraint = detail::constraint_from_config(config, "recurrent_constraint");
  spec.bias_constraint = detail::constraint_from_config(config, "bias_constraint");
  spec.dropout = config.value("dropout", 0.f);
  spec.recurrent_dropout = config.value("recurrent_dropout", 0.f);
  if (config.contains("seed") && config["seed"].is_number_integer()) spec.seed = config["seed"].get<std::int64_t>();
  spec.return_sequences = config.value("return_sequences", false);
  spec.return_state = config.value("return_state", false);
  spec.go_backwards = config.value("go_backwards", false);
  spec.stateful = config.value("stateful", false);
  spec.unroll = config.value("unroll", false);
  spec.reset_after = config.value("reset_after", true);
  STRATA_CHECK(!config.value("zero_output_for_mask", false), ValueError,
               "zero_output_for_mask=True is not supported: Strata's recurrent layers output the carried state at "
               "masked steps, as Keras's default");
  return spec;
}

}  // namespace layers
}  // namespace strata
