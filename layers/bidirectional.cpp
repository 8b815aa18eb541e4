#include "strata/layers/bidirectional.hpp"

#include <nlohmann/json.hpp>

#include "api/saving/model_serialization.hpp"
#include "layers/recurrent_spec.hpp"
#include "strata/error.hpp"
#include "strata/ops.hpp"

namespace strata {
inline namespace layers {

namespace {

const char* python_bool(bool value) { return value ? "True" : "False"; }

// What Strata's Bidirectional can wrap: a recurrent layer (Keras also takes any layer with
// go_backwards, return_sequences and return_state; Strata has no other).
void check_recurrent(const Layer& layer, std::string_view argument) {
  STRATA_CHECK(dynamic_cast<const RecurrentLayer*>(&layer) != nullptr, ValueError,
               "Bidirectional wraps a recurrent layer (SimpleRNN, LSTM or GRU); `", argument, "` is a ",
               layer.class_name(), " layer (\"", layer.name(), "\")");
}

std::shared_ptr<RecurrentLayer> recurrent(std::shared_ptr<Layer> layer, std::string_view argument) {
  check_recurrent(*layer, argument);
  return std::static_pointer_cast<RecurrentLayer>(std::move(layer));
}

// Keras's Bidirectional.__init__: a fresh layer from `layer`'s config (built when `layer` is),
// named prefix + its name (the prefix not doubled), reading backwards when `backwards`.
std::shared_ptr<RecurrentLayer> copy_of(const Layer& layer, std::string_view prefix, bool backwards) {
  nlohmann::json config = detail::serialize_layer(layer);
  const std::string& name = layer.name();
  config["config"]["name"] = detail::concat(prefix, name.starts_with(prefix) ? name.substr(prefix.size()) : name);
  if (backwards) config["config"]["go_backwards"] = true;
  return recurrent(detail::deserialize_layer(config), "layer");
}

// A direction's serialized config with zero_output_for_mask as Keras's Bidirectional forces it
// on both layers (return_sequences); Strata's call applies it (see Bidirectional::call).
nlohmann::json direction_config(const RecurrentLayer& layer) {
  nlohmann::json config = detail::serialize_layer(layer);
  config["config"]["zero_output_for_mask"] = layer.return_sequences();
  return config;
}

}  // namespace

Bidirectional::Bidirectional(const Layer& layer, BidirectionalOptions options)
    : LayerOf<Bidirectional>("bidirectional", LayerOptions{options.name, options.input_shape, options.dtype}) {
  if (options.merge_mode) {
    const std::string& mode = *options.merge_mode;
    STRATA_CHECK(mode == "sum" || mode == "mul" || mode == "ave" || mode == "concat", ValueError,
                 "Invalid merge mode. Received: ", mode,
                 ". Merge mode should be one of {\"sum\", \"mul\", \"ave\", \"concat\", None}");
    merge_mode_ = mode;
  }
  STRATA_CHECK(options.merge_mode.has_value(), ValueError, "Bidirectional \"", name(),
               "\": merge_mode=None returns the forward and backward outputs as two tensors, and a Strata layer has "
               "one output, so it is not supported yet; use \"concat\", \"sum\", \"mul\" or \"ave\"");
  check_recurrent(layer, "layer");
  forward_ = copy_of(layer, "forward_", false);
  backward_ =
      options.backward_layer ? recurrent(options.backward_layer, "backward_layer") : copy_of(layer, "backward_", true);
  // Keras's _verify_layer_config (stateful and return_state are always false in Strata).
  STRATA_CHECK(forward_->go_backwards() != backward_->go_backwards(), ValueError,
               "Forward layer and backward layer should have different `go_backwards` value. Received: "
               "forward_layer.go_backwards ",
               python_bool(forward_->go_backwards()),
               ", backward_layer.go_backwards=", python_bool(backward_->go_backwards()));
  STRATA_CHECK(forward_->return_sequences() == backward_->return_sequences(), ValueError,
               "Forward layer and backward layer are expected to have the same value for attribute "
               "\"return_sequences\", got \"",
               python_bool(forward_->return_sequences()), "\" for forward layer and \"",
               python_bool(backward_->return_sequences()), "\" for backward layer");
  input_spec_ = forward_->input_spec();
}

Shape Bidirectional::compute_output_shape(const Shape& input_shape) const {
  Shape out = forward_->compute_output_shape(input_shape);
  if (merge_mode_ == "concat") out[-1] *= 2;
  return out;
}

Shape Bidirectional::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  return compute_output_shape(input_shapes[0]);
}

void Bidirectional::build_weights_inputs(std::span<const Shape> input_shapes) {
  // Keras builds both directions for the sequence alone; initial states are checked when passed.
  for (RecurrentLayer* layer : {forward_.get(), backward_.get()}) {
    if (layer->built()) continue;  // a backward_layer given already built keeps its weights
    layer->build(input_shapes[0]);
    // Keras creates them in this layer's name scope: "bidirectional/forward_lstm/lstm_cell/kernel".
    for (Variable* v : layer->weights()) v->path = detail::concat(name(), "/", v->path);
  }
}

Tensor Bidirectional::call(std::span<const Tensor> inputs, bool training) {
  const Tensor& x = inputs[0];
  const std::span<const Tensor> states = inputs.subspan(1);
  STRATA_CHECK(states.size() % 2 == 0, ValueError, "Bidirectional \"", name(),
               "\": the initial states are split in halves, the first for the forward layer and the second for the "
               "backward layer; received ",
               states.size(), " initial state tensors");
  const std::size_t half = states.size() / 2;
  std::vector<Tensor> forward_inputs{x}, backward_inputs{x};
  forward_inputs.insert(forward_inputs.end(), states.begin(), states.begin() + static_cast<std::ptrdiff_t>(half));
  backward_inputs.insert(backward_inputs.end(), states.begin() + static_cast<std::ptrdiff_t>(half), states.end());
  Tensor y = (*forward_)(std::span<const Tensor>(forward_inputs), training);
  Tensor y_rev = (*backward_)(std::span<const Tensor>(backward_inputs), training);
  if (return_sequences()) {
    // The backward layer's outputs come in its processing order: reversed, step t of both is input step t.
    y_rev = ops::flip(y_rev, 1);
    // Keras forces zero_output_for_mask with return_sequences: a masked step outputs zeros
    // rather than the carried state, and so passes no gradient back. Given initial states the
    // directions run unmasked (as the recurrent layers do), so nothing is zeroed then.
    if (x.mask() && states.empty()) {
      const Tensor kept = ops::expand_dims(*x.mask(), -1);
      y = y * kept;
      y_rev = y_rev * kept;
    }
  }
  Tensor out;
  if (merge_mode_ == "concat")
    out = ops::concatenate({y, y_rev}, -1);
  else if (merge_mode_ == "sum")
    out = y + y_rev;
  else if (merge_mode_ == "ave")
    out = (y + y_rev) / 2.f;
  else
    out = y * y_rev;
  // Keras's compute_mask: the input's mask with return_sequences (initial states or not).
  return out.with_mask(return_sequences() ? x.mask() : nullptr);
}

std::vector<Layer*> Bidirectional::sublayers() const { return {forward_.get(), backward_.get()}; }

std::vector<std::pair<std::string, Layer*>> Bidirectional::saved_children() const {
  return {{"forward_layer", forward_.get()}, {"backward_layer", backward_.get()}};
}

std::vector<std::string> Bidirectional::call_keywords(std::size_t count) const {
  return forward_->call_keywords(count);
}

nlohmann::json Bidirectional::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["merge_mode"] = merge_mode_;
  config["layer"] = direction_config(*forward_);
  config["backward_layer"] = direction_config(*backward_);
  return config;
}

nlohmann::json Bidirectional::get_build_config() const {
  return detail::sequence_build_config(Layer::get_build_config(), build_input_shapes().size());
}

std::shared_ptr<Layer> Bidirectional::from_config(const nlohmann::json& config) {
  const auto direction = [&](const char* key) {
    nlohmann::json wrapped = config.at(key);
    // Keras's Bidirectional overrides zero_output_for_mask on both layers whatever their configs
    // say, and Strata's call applies it; the recurrent layers alone do not take it.
    if (wrapped.contains("config") && wrapped["config"].is_object()) wrapped["config"].erase("zero_output_for_mask");
    return detail::deserialize_layer(wrapped);
  };
  BidirectionalOptions options;
  if (const auto mode = config.find("merge_mode"); mode != config.end())
    options.merge_mode = mode->is_null() ? std::nullopt : std::optional<std::string>(mode->get<std::string>());
  if (config.contains("backward_layer") && !config["backward_layer"].is_null())
    options.backward_layer = direction("backward_layer");
  options.name = config.value("name", "");
  auto layer = std::make_shared<Bidirectional>(*direction("layer"), std::move(options));
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
