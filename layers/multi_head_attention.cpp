#include "strata/layers/multi_head_attention.hpp"

#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/distributed/rank_context.hpp"
#include "layers/dropout_apply.hpp"
#include "layers/layer_args.hpp"
#include "layers/masks.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/random.hpp"

namespace strata {
inline namespace layers {

namespace {

// Per-call buffers. Shapes: B batch, Tq queries, Tk keys, H heads, dk key_dim, dv value_dim.
enum Slot : std::size_t {
  kQuery,        // (B Tq, H dk): the query's projection, then scaled
  kKey,          // (B Tk, H dk)
  kValue,        // (B Tk, H dv)
  kQueryHeads,   // (B, H, Tq, dk)
  kKeyHeads,     // (B, H, Tk, dk)
  kValueHeads,   // (B, H, Tk, dv)
  kProbs,        // (B, H, Tq, Tk): the attention weights
  kDropped,      // the weights after dropout
  kDropMask,     // dropout's mask of the weights
  kContext,      // (B, H, Tq, dv)
  kContextRows,  // (B Tq, H dv): the heads' outputs side by side
  kOutput,       // (B Tq, output_dim)
  kMask,         // (B, Tq, Tk): the combined mask
  // backward
  kGradContextRows,
  kGradContext,
  kGradProbs,
  kGradScores,
  kGradQueryHeads,
  kGradKeyHeads,
  kGradValueHeads,
  kGradQuery,
  kGradKey,
  kGradValue,
  kGradQueryInput,
  kGradKeyInput,
  kGradValueInput,
  kGradValueFromKey,
  kGradAttentionMask,
};

// What a training call keeps for backward.
enum Saved : std::size_t {
  kSavedQueryRows,
  kSavedKeyRows,
  kSavedValueRows,
  kSavedQueryHeads,
  kSavedKeyHeads,
  kSavedValueHeads,
  kSavedProbs,
  kSavedDropped,
  kSavedDropMask,
  kSavedContextRows,
  kSavedMask,
};

constexpr int kToHeads[] = {0, 2, 1, 3};  // (B, T, H, d) <-> (B, H, T, d); its own inverse

// x as (rows, last axis).
Tensor rows_of(const Tensor& x) { return x.reshaped({x.size() / x.shape()[-1], x.shape()[-1]}); }

}  // namespace

MultiHeadAttention::MultiHeadAttention(std::int64_t num_heads, std::int64_t key_dim, MultiHeadAttentionOptions options)
    : LayerOf<MultiHeadAttention>("multi_head_attention", LayerOptions{options.name, {}, options.dtype}),
      num_heads_(num_heads),
      key_dim_(key_dim),
      value_dim_(options.value_dim.value_or(key_dim)),
      options_(std::move(options)) {
  STRATA_CHECK(num_heads > 0, ValueError,
               "Received an invalid value for argument `num_heads`, expected a positive integer. Received: num_heads=",
               num_heads);
  STRATA_CHECK(
      key_dim > 0, ValueError,
      "Received an invalid value for argument `key_dim`, expected a positive integer. Received: key_dim=", key_dim);
  STRATA_CHECK(!options_.value_dim || *options_.value_dim > 0, ValueError,
               "Received an invalid value for argument `value_dim`, expected a positive integer or `None`. Received: "
               "value_dim=",
               options_.value_dim.value_or(0));
  STRATA_CHECK(options_.dropout >= 0.f && options_.dropout <= 1.f, ValueError,
               "Invalid value received for argument `dropout`. Expected a float value between 0 and 1. Received: ",
               options_.dropout);
  STRATA_CHECK(!options_.output_shape || *options_.output_shape > 0, ValueError,
               "Invalid `output_shape`: ", options_.output_shape.value_or(0), ". It must be a positive size.");
  if (options_.seed) own_rng_.emplace(static_cast<std::uint64_t>(*options_.seed));
  set_activity_regularizer(detail::activity_of(options_.activity_regularizer));
}

Tensor MultiHeadAttention::operator()(const Tensor& query, const Tensor& value, const MultiHeadAttentionCall& call) & {
  set_layout({call.key.has_value(), call.attention_mask.has_value(), call.use_causal_mask});
  std::vector<Tensor> inputs = {query, value};
  if (call.key) inputs.push_back(*call.key);
  if (call.attention_mask) inputs.push_back(*call.attention_mask);
  return Layer::operator()(std::span<const Tensor>(inputs), call.training);
}

Tensor MultiHeadAttention::operator()(const Tensor& query, const Tensor& value, const MultiHeadAttentionCall& call) && {
  auto owned = std::make_shared<MultiHeadAttention>(std::move(*this));
  return (*owned)(query, value, call);
}

void MultiHeadAttention::set_layout(const CallLayout& layout) {
  STRATA_CHECK(!layout_ || *layout_ == layout, ValueError, "MultiHeadAttention '", name(),
               "' was called before with other arguments (key, attention_mask or use_causal_mask): Strata keeps one "
               "call layout per layer; use a second layer, or pass the same arguments");
  layout_ = layout;
}

std::vector<std::string> MultiHeadAttention::call_keywords(std::size_t count) const {
  std::vector<std::string> out = {"", ""};
  const CallLayout layout = layout_.value_or(CallLayout{count > 2, count > 3, false});
  if (layout.key) out.push_back("key");
  if (layout.attention_mask) out.push_back("attention_mask");
  out.resize(count);
  return out;
}

nlohmann::json MultiHeadAttention::call_arguments() const {
  nlohmann::json out = nlohmann::json::object();
  if (layout_ && layout_->use_causal_mask) out["use_causal_mask"] = true;
  return out;
}

void MultiHeadAttention::set_call_arguments(const nlohmann::json& kwargs) {
  const auto given = [&](const char* key) { return kwargs.contains(key) && !kwargs[key].is_null(); };
  STRATA_CHECK(!kwargs.value("return_attention_scores", false), ValueError, "MultiHeadAttention '", name(),
               "' is called with return_attention_scores=True, which Strata does not support (a layer has one output)");
  for (const char* key : {"query_mask", "value_mask", "key_mask"})
    STRATA_CHECK(!given(key), ValueError, "MultiHeadAttention '", name(), "' is called with an explicit `", key,
                 "`; Strata takes masks from the inputs (Embedding(mask_zero), Masking)");
  set_layout({given("key"), given("attention_mask"), kwargs.value("use_causal_mask", false)});
}

Shape MultiHeadAttention::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  STRATA_CHECK(input_shapes.size() >= 2 && input_shapes.size() <= 4, ValueError, "MultiHeadAttention '", name(),
               "' takes query, value and optionally key and attention_mask; received ", input_shapes.size(), " inputs");
  Shape out = input_shapes[0];
  out[-1] = options_.output_shape.value_or(input_shapes[0][-1]);
  return out;
}

void MultiHeadAttention::build_weights_inputs(std::span<const Shape> input_shapes) {
  if (!layout_) layout_ = CallLayout{input_shapes.size() > 2, input_shapes.size() > 3, false};
  const std::size_t expected = 2 + (layout_->key ? 1 : 0) + (layout_->attention_mask ? 1 : 0);
  STRATA_CHECK(input_shapes.size() == expected, ValueError, "MultiHeadAttention '", name(), "' expected ", expected,
               " inputs (query, value", layout_->key ? ", key" : "", layout_->attention_mask ? ", attention_mask" : "",
               "), received ", input_shapes.size());
  const Shape& query = input_shapes[0];
  const Shape& value = input_shapes[1];
  const Shape& key = layout_->key ? input_shapes[2] : value;
  for (const Shape* s : {&query, &value, &key})
    STRATA_CHECK(s->rank() == 3, ValueError, "MultiHeadAttention '", name(),
                 "': Strata attends over one axis of (batch, steps, features) inputs (Keras's attention_axes=None "
                 "on rank 3); received an input of shape ",
                 s->to_string());
  STRATA_CHECK(value[1] == key[1], ValueError,
               "All dimensions of `value` and `key`, except the last one, must be equal. Received: value_shape=",
               value.to_string(), " and key_shape=", key.to_string());
  for (const Shape* s : {&query, &value, &key})
    STRATA_CHECK(s->dims().back() > 0, ShapeError, "layer \"", name(),
                 "\" needs known last axes to build, received input shape ", s->to_string());
  output_dim_ = options_.output_shape.value_or(query[-1]);
  const auto projection = [&](const char* prefix, std::int64_t input_dim, std::int64_t per_head, Variable*& kernel,
                              Variable*& bias) {
    kernel =
        &add_weight(std::string(prefix) + "/kernel", {input_dim, num_heads_, per_head}, *options_.kernel_initializer);
    detail::attach(*kernel, options_.kernel_regularizer, options_.kernel_constraint);
    if (options_.use_bias) {
      bias = &add_weight(std::string(prefix) + "/bias", {num_heads_, per_head}, *options_.bias_initializer);
      detail::attach(*bias, options_.bias_regularizer, options_.bias_constraint);
    }
  };
  projection("query", query[-1], key_dim_, query_kernel_, query_bias_);
  projection("key", key[-1], key_dim_, key_kernel_, key_bias_);
  projection("value", value[-1], value_dim_, value_kernel_, value_bias_);
  output_kernel_ =
      &add_weight("attention_output/kernel", {num_heads_, value_dim_, output_dim_}, *options_.kernel_initializer);
  detail::attach(*output_kernel_, options_.kernel_regularizer, options_.kernel_constraint);
  if (options_.use_bias) {
    output_bias_ = &add_weight("attention_output/bias", {output_dim_}, *options_.bias_initializer);
    detail::attach(*output_bias_, options_.bias_regularizer, options_.bias_constraint);
  }
}

std::uint64_t MultiHeadAttention::next_seed() {
  return detail::rank_seed(own_rng_ ? (*own_rng_)() : detail::global_rng()());
}

const Tensor* MultiHeadAttention::combined_mask(std::span<const Tensor> inputs) {
  const Tensor& query = inputs[0];
  const Tensor& value = inputs[1];
  const std::int64_t batch = query.shape()[0], tq = query.shape()[1], tk = value.shape()[1];
  std::vector<Tensor> factors;
  if (query.mask()) {
    detail::check_mask_shape(query, *query.mask(), name(), class_name());
    factors.push_back(query.mask()->reshaped({batch, tq, 1}));
  }
  if (value.mask()) {
    detail::check_mask_shape(value, *value.mask(), name(), class_name());
    factors.push_back(value.mask()->reshaped({batch, 1, tk}));
  }
  if (layout_->key && inputs[2].mask()) {
    detail::check_mask_shape(inputs[2], *inputs[2].mask(), name(), class_name());
    factors.push_back(inputs[2].mask()->reshaped({batch, 1, tk}));
  }
  if (layout_->attention_mask) {
    const Tensor& mask = inputs.back();
    const Shape& s = mask.shape();
    STRATA_CHECK(
        s.rank() == 3 && (s[0] == batch || s[0] == 1) && (s[1] == tq || s[1] == 1) && (s[2] == tk || s[2] == 1),
        ValueError, "MultiHeadAttention '", name(), "': the attention_mask must be (batch, Tq, Tk) = (", batch, ", ",
        tq, ", ", tk, ") or broadcast to it; received shape ", s.to_string());
    factors.push_back(mask);
  }
  if (layout_->use_causal_mask)
    factors.push_back(detail::causal_mask(call_state<detail::CausalMaskState>(), backend(), tq, tk));
  if (factors.empty()) return nullptr;
  Tensor& mask = buffer(kMask, {batch, tq, tk});
  detail::attention_mask_product(factors, mask);
  return &mask;
}

Tensor MultiHeadAttention::forward_inputs(std::span<const Tensor> inputs, bool training) {
  Backend& b = backend();
  const Tensor& query = inputs[0];
  const Tensor& value = inputs[1];
  const Tensor& key = layout_->key ? inputs[2] : value;
  const std::int64_t batch = query.shape()[0], tq = query.shape()[1], tk = value.shape()[1];
  const std::int64_t h = num_heads_, dk = key_dim_, dv = value_dim_;
  STRATA_CHECK(key.shape()[0] == batch && value.shape()[0] == batch && key.shape()[1] == tk, ValueError,
               "MultiHeadAttention '", name(),
               "': query, value and key must share their batch size and value and key "
               "their steps; received ",
               query.shape().to_string(), ", ", value.shape().to_string(), " and ", key.shape().to_string());

  // The projections, one matmul each over all rows (Keras's EinsumDense "abc,cde->abde").
  const auto project = [&](const Tensor& x, const Variable& kernel, const Variable* bias, std::int64_t per_head,
                           Slot slot) -> Tensor& {
    const Tensor x2 = rows_of(x);
    Tensor& y = buffer(slot, {x2.shape()[0], h * per_head});
    const Tensor w = kernel.value.reshaped({x2.shape()[1], h * per_head});
    const Tensor bias_rows = bias != nullptr ? bias->value.reshaped({h * per_head}) : Tensor();
    b.dense_forward(x2, w, bias != nullptr ? &bias_rows : nullptr, ActivationFunction{}, y);
    return y;
  };
  Tensor& q = project(query, *query_kernel_, query_bias_, dk, kQuery);
  Tensor& k = project(key, *key_kernel_, key_bias_, dk, kKey);
  Tensor& v = project(value, *value_kernel_, value_bias_, dv, kValue);
  // Keras scales the projected query by 1 / sqrt(key_dim) before the product.
  b.scale(q, 1.f / std::sqrt(static_cast<float>(dk)));
  Tensor& qh = buffer(kQueryHeads, {batch, h, tq, dk});
  Tensor& kh = buffer(kKeyHeads, {batch, h, tk, dk});
  Tensor& vh = buffer(kValueHeads, {batch, h, tk, dv});
  b.transpose(q.reshaped({batch, tq, h, dk}), kToHeads, qh);
  b.transpose(k.reshaped({batch, tk, h, dk}), kToHeads, kh);
  b.transpose(v.reshaped({batch, tk, h, dv}), kToHeads, vh);

  // Scores, the masked softmax, dropout, and the weighted sum of the values.
  Tensor& probs = buffer(kProbs, {batch, h, tq, tk});
  Tensor scores = probs.reshaped({batch * h, tq, tk});
  b.batch_matmul(qh.reshaped({batch * h, tq, dk}), false, kh.reshaped({batch * h, tk, dk}), true, scores);
  const Tensor* mask = combined_mask(inputs);
  b.masked_softmax_forward(probs, mask, probs);
  Tensor dropped = probs;
  const bool drops = training && options_.dropout > 0.f;
  if (drops) {
    dropped = buffer(kDropped, probs.shape());
    Tensor& drop_mask = buffer(kDropMask, probs.shape());
    detail::apply_dropout(b, probs, options_.dropout, next_seed(), drop_mask, dropped);
    save(kSavedDropMask, drop_mask);
  }
  Tensor& context = buffer(kContext, {batch, h, tq, dv});
  Tensor context_groups = context.reshaped({batch * h, tq, dv});
  b.batch_matmul(dropped.reshaped({batch * h, tq, tk}), false, vh.reshaped({batch * h, tk, dv}), false, context_groups);
  Tensor& context_rows = buffer(kContextRows, {batch * tq, h * dv});
  Tensor context_steps = context_rows.reshaped({batch, tq, h, dv});
  b.transpose(context, kToHeads, context_steps);

  // The output projection (Keras's EinsumDense "abcd,cde->abe").
  Tensor& y = buffer(kOutput, {batch * tq, output_dim_});
  const Tensor wo = output_kernel_->value.reshaped({h * dv, output_dim_});
  b.dense_forward(context_rows, wo, output_bias_ != nullptr ? &output_bias_->value : nullptr, ActivationFunction{}, y);

  if (training) {
    saved_flag() = drops;
    save(kSavedQueryRows, rows_of(query));
    save(kSavedKeyRows, rows_of(key));
    save(kSavedValueRows, rows_of(value));
    save(kSavedQueryHeads, qh);
    save(kSavedKeyHeads, kh);
    save(kSavedValueHeads, vh);
    save(kSavedProbs, probs);
    save(kSavedDropped, dropped);
    save(kSavedContextRows, context_rows);
    save(kSavedMask, mask != nullptr ? *mask : Tensor());
    saved_shape(0) = query.shape();
    saved_shape(1) = value.shape();
    saved_shape(2) = key.shape();
    saved_shape(3) = layout_->attention_mask ? inputs.back().shape() : Shape{};
  }
  return y.reshaped({batch, tq, output_dim_});
}

void MultiHeadAttention::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  Backend& b = backend();
  const Shape query_shape = saved_shape(0), value_shape = saved_shape(1), key_shape = saved_shape(2);
  const std::int64_t batch = query_shape[0], tq = query_shape[1], tk = value_shape[1];
  const std::int64_t h = num_heads_, dk = key_dim_, dv = value_dim_;
  const float scale = 1.f / std::sqrt(static_cast<float>(dk));
  const Tensor dy2 = dy.reshaped({batch * tq, output_dim_});
  const bool train = trainable();

  // Output projection.
  const Tensor& context_rows = saved(kSavedContextRows);
  if (train) {
    Tensor d_kernel = output_kernel_->grad.reshaped({h * dv, output_dim_});
    b.matmul(context_rows, true, dy2, false, d_kernel);
    if (output_bias_ != nullptr) b.sum_rows(dy2, output_bias_->grad);
  }
  Tensor& d_context_rows = buffer(kGradContextRows, {batch * tq, h * dv});
  b.matmul(dy2, false, output_kernel_->value.reshaped({h * dv, output_dim_}), true, d_context_rows);
  Tensor& d_context = buffer(kGradContext, {batch, h, tq, dv});
  b.transpose(d_context_rows.reshaped({batch, tq, h, dv}), kToHeads, d_context);

  // The weighted sum: context = dropped vh.
  const Tensor& dropped = saved(kSavedDropped);
  const Tensor& vh = saved(kSavedValueHeads);
  Tensor& d_probs = buffer(kGradProbs, {batch, h, tq, tk});
  Tensor d_probs_groups = d_probs.reshaped({batch * h, tq, tk});
  b.batch_matmul(d_context.reshaped({batch * h, tq, dv}), false, vh.reshaped({batch * h, tk, dv}), true,
                 d_probs_groups);
  Tensor& d_vh = buffer(kGradValueHeads, {batch, h, tk, dv});
  Tensor d_vh_groups = d_vh.reshaped({batch * h, tk, dv});
  b.batch_matmul(dropped.reshaped({batch * h, tq, tk}), true, d_context.reshaped({batch * h, tq, dv}), false,
                 d_vh_groups);
  if (saved_flag()) b.multiply(d_probs, saved(kSavedDropMask), d_probs);  // element-wise, in place

  // The masked softmax, then scores = qh kh^T (qh already scaled).
  Tensor& d_scores = buffer(kGradScores, {batch, h, tq, tk});
  b.masked_softmax_backward(saved(kSavedProbs), d_probs, saved_if_any(kSavedMask), d_scores);
  const Tensor& qh = saved(kSavedQueryHeads);
  const Tensor& kh = saved(kSavedKeyHeads);
  Tensor& d_qh = buffer(kGradQueryHeads, {batch, h, tq, dk});
  Tensor& d_kh = buffer(kGradKeyHeads, {batch, h, tk, dk});
  const Tensor d_score_groups = d_scores.reshaped({batch * h, tq, tk});
  Tensor d_qh_groups = d_qh.reshaped({batch * h, tq, dk});
  Tensor d_kh_groups = d_kh.reshaped({batch * h, tk, dk});
  b.batch_matmul(d_score_groups, false, kh.reshaped({batch * h, tk, dk}), false, d_qh_groups);
  b.batch_matmul(d_score_groups, true, qh.reshaped({batch * h, tq, dk}), false, d_kh_groups);
  b.scale(d_qh, scale);  // through the query's scaling

  // Back to rows, then through each projection.
  const auto unproject = [&](const Tensor& d_heads, std::int64_t steps, std::int64_t per_head, Slot rows_slot,
                             const Tensor& x2, Variable& kernel, Variable* bias, bool need_input, Slot input_slot,
                             const Shape& input_shape) -> Tensor {
    Tensor& d_rows = buffer(rows_slot, {batch * steps, h * per_head});
    Tensor d_steps = d_rows.reshaped({batch, steps, h, per_head});
    b.transpose(d_heads, kToHeads, d_steps);
    const std::int64_t input_dim = x2.shape()[1];
    if (train) {
      Tensor d_kernel = kernel.grad.reshaped({input_dim, h * per_head});
      b.matmul(x2, true, d_rows, false, d_kernel);
      if (bias != nullptr) {
        Tensor d_bias = bias->grad.reshaped({h * per_head});
        b.sum_rows(d_rows, d_bias);
      }
    }
    if (!need_input) return {};
    Tensor& dx = buffer(input_slot, x2.shape());
    b.matmul(d_rows, false, kernel.value.reshaped({input_dim, h * per_head}), true, dx);
    return dx.reshaped(input_shape);
  };
  const bool need_value = (need_mask & 2u) != 0;
  const bool need_key = layout_->key ? (need_mask & 4u) != 0 : need_value;
  const Tensor d_query = unproject(d_qh, tq, dk, kGradQuery, saved(kSavedQueryRows), *query_kernel_, query_bias_,
                                   (need_mask & 1u) != 0, kGradQueryInput, query_shape);
  const Tensor d_key = unproject(d_kh, tk, dk, kGradKey, saved(kSavedKeyRows), *key_kernel_, key_bias_, need_key,
                                 layout_->key ? kGradKeyInput : kGradValueFromKey, key_shape);
  Tensor d_value = unproject(d_vh, tk, dv, kGradValue, saved(kSavedValueRows), *value_kernel_, value_bias_, need_value,
                             kGradValueInput, value_shape);
  if (need_mask & 1u) dxs[0] = d_query;
  if (need_value) {
    // Without a key input the value is the key too: both paths' gradients.
    if (!layout_->key) b.add(d_value, d_key, d_value);
    dxs[1] = d_value;
  }
  if (layout_->key && need_key) dxs[2] = d_key;
  const std::size_t mask_input = layout_->key ? 3 : 2;
  if (layout_->attention_mask && (need_mask & (1u << mask_input)) != 0) {
    // where() passes no gradient to its condition.
    Tensor& d_mask = buffer(kGradAttentionMask, saved_shape(3));
    b.fill(d_mask, 0.f);
    dxs[mask_input] = d_mask;
  }
}

std::vector<std::pair<std::string, std::vector<Variable*>>> MultiHeadAttention::saved_variable_groups() {
  const auto group = [](Variable* kernel, Variable* bias) {
    std::vector<Variable*> out = {kernel};
    if (bias != nullptr) out.push_back(bias);
    return out;
  };
  if (query_kernel_ == nullptr) return {{"", {}}};
  // Keras's saving walks the layer's attributes in sorted order: its EinsumDense properties,
  // then the private softmax and dropout layers, which hold no variables.
  return {{"", {}},
          {"key_dense", group(key_kernel_, key_bias_)},
          {"output_dense", group(output_kernel_, output_bias_)},
          {"query_dense", group(query_kernel_, query_bias_)},
          {"value_dense", group(value_kernel_, value_bias_)},
          {"_dropout_layer", {}},
          {"_softmax", {}}};
}

nlohmann::json MultiHeadAttention::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["num_heads"] = num_heads_;
  config["key_dim"] = key_dim_;
  config["value_dim"] = value_dim_;
  config["dropout"] = options_.dropout;
  config["use_bias"] = options_.use_bias;
  config["use_gate"] = false;
  config["output_shape"] =
      options_.output_shape ? nlohmann::json::array({*options_.output_shape}) : nlohmann::json(nullptr);
  // Keras's build fills attention_axes in: the steps axis of a rank-3 input.
  config["attention_axes"] = built() ? nlohmann::json::array({1}) : nlohmann::json(nullptr);
  config["sliding_window"] = nullptr;
  config["kernel_initializer"] = detail::initializer_json(options_.kernel_initializer);
  config["bias_initializer"] = detail::initializer_json(options_.bias_initializer);
  config["kernel_regularizer"] = detail::regularizer_json(options_.kernel_regularizer);
  config["bias_regularizer"] = detail::regularizer_json(options_.bias_regularizer);
  config["activity_regularizer"] = detail::regularizer_json(options_.activity_regularizer);
  config["kernel_constraint"] = detail::constraint_json(options_.kernel_constraint);
  config["bias_constraint"] = detail::constraint_json(options_.bias_constraint);
  config["seed"] = options_.seed ? nlohmann::json(*options_.seed) : nlohmann::json(nullptr);
  return config;
}

nlohmann::json MultiHeadAttention::get_build_config() const {
  nlohmann::json config = Layer::get_build_config();
  if (config.is_null()) return config;
  const nlohmann::json shapes = config["input_shape"];
  nlohmann::json dict = {{"query_shape", shapes[0]}, {"value_shape", shapes[1]}};
  if (layout_ && layout_->key) dict["key_shape"] = shapes[2];
  return {{"shapes_dict", dict}};
}

std::shared_ptr<Layer> MultiHeadAttention::from_config(const nlohmann::json& config) {
  const std::string name = config.value("name", "");
  const auto refuse_unless = [&](bool ok, const char* what) {
    STRATA_CHECK(ok, ValueError, "MultiHeadAttention '", name, "' uses ", what, ", which Strata does not support yet");
  };
  refuse_unless(!config.value("use_gate", false), "use_gate=True");
  refuse_unless(!config.contains("sliding_window") || config["sliding_window"].is_null(), "a sliding_window");
  const nlohmann::json axes = config.value("attention_axes", nlohmann::json(nullptr));
  refuse_unless(axes.is_null() || axes == nlohmann::json::array({1}) || axes == nlohmann::json(1),
                "attention_axes other than the steps axis of (batch, steps, features) inputs");
  MultiHeadAttentionOptions options;
  options.name = name;
  if (config.contains("value_dim") && config["value_dim"].is_number_integer())
    options.value_dim = config["value_dim"].get<std::int64_t>();
  options.dropout = config.value("dropout", 0.f);
  options.use_bias = config.value("use_bias", true);
  if (config.contains("output_shape") && !config["output_shape"].is_null()) {
    const nlohmann::json& shape = config["output_shape"];
    refuse_unless(shape.is_number_integer() || (shape.is_array() && shape.size() == 1 && shape[0].is_number_integer()),
                  "an output_shape of several axes");
    options.output_shape = shape.is_array() ? shape[0].get<std::int64_t>() : shape.get<std::int64_t>();
  }
  options.kernel_initializer = detail::initializer_from_config(config, "kernel_initializer", "glorot_uniform");
  options.bias_initializer = detail::initializer_from_config(config, "bias_initializer", "zeros");
  options.kernel_regularizer = detail::regularizer_from_config(config, "kernel_regularizer");
  options.bias_regularizer = detail::regularizer_from_config(config, "bias_regularizer");
  options.kernel_constraint = detail::constraint_from_config(config, "kernel_constraint");
  options.bias_constraint = detail::constraint_from_config(config, "bias_constraint");
  if (config.contains("seed") && config["seed"].is_number_integer()) options.seed = config["seed"].get<std::int64_t>();
  auto layer = std::make_shared<MultiHeadAttention>(config.at("num_heads").get<std::int64_t>(),
                                                    config.at("key_dim").get<std::int64_t>(), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
