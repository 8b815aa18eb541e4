#include "strata/layers/attention.hpp"

#include <vector>

#include <nlohmann/json.hpp>

#include "api/distributed/rank_context.hpp"
#include "layers/dropout_apply.hpp"
#include "layers/masks.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/initializers.hpp"
#include "strata/random.hpp"

namespace strata {
inline namespace layers {

namespace {

// Per-call buffers (below Attention::kFirstScoreSlot). B batch, Tq queries, Tk keys.
enum Slot : std::size_t {
  kScores,      // (B, Tq, Tk), scaled when use_scale
  kRawScores,   // (B, Tq, Tk): query key^T before the scale
  kProbs,       // (B, 1, Tq, Tk): the attention weights
  kDropped,     // the weights after dropout
  kDropMask,    // dropout's mask of the weights
  kOutput,      // (B, Tq, value_dim)
  kMask,        // (B, Tq, Tk): the combined mask
  kGradOutput,  // dL/d output at the kept queries
  kGradProbs,
  kGradScores,
  kGradRaw,
  kGradScaleTerms,
  kGradQuery,
  kGradKey,
  kGradValue,
  kGradValueFromKey,
};

enum Saved : std::size_t {
  kSavedQuery,
  kSavedValue,
  kSavedKey,
  kSavedProbs,
  kSavedDropped,
  kSavedDropMask,
  kSavedMask,
  kSavedQueryMask,
  kSavedRawScores,  // the last: Attention::kFirstScoreSaved follows it
};

}  // namespace

Attention::Attention(AttentionOptions options) : Attention("attention", std::move(options)) {}

Attention::Attention(std::string_view prefix, AttentionOptions options)
    : LayerOf<Attention>(prefix, LayerOptions{options.name, {}, options.dtype}), options_(std::move(options)) {
  STRATA_CHECK(options_.score_mode == "dot" || options_.score_mode == "concat", ValueError,
               "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. Received: score_mode=",
               options_.score_mode);
  STRATA_CHECK(options_.score_mode == "dot", ValueError, "Layer \"", name(),
               "\": score_mode=\"concat\" is not supported yet; Strata computes dot-product scores");
  STRATA_CHECK(options_.dropout >= 0.f && options_.dropout <= 1.f, ValueError,
               "Invalid value received for argument `dropout`. Expected a float value between 0 and 1. Received: ",
               options_.dropout);
  if (options_.seed) own_rng_.emplace(static_cast<std::uint64_t>(*options_.seed));
}

Tensor Attention::operator()(std::initializer_list<Tensor> inputs, const AttentionCall& call) & {
  set_causal(call.use_causal_mask);
  return Layer::operator()(std::span<const Tensor>(inputs.begin(), inputs.size()), call.training);
}

Tensor Attention::operator()(std::initializer_list<Tensor> inputs, const AttentionCall& call) && {
  auto owned = std::make_shared<Attention>(std::move(*this));
  return (*owned)(inputs, call);
}

void Attention::set_causal(bool causal) {
  STRATA_CHECK(!use_causal_mask_ || *use_causal_mask_ == causal, ValueError, class_name(), " '", name(),
               "' was called before with use_causal_mask=", *use_causal_mask_ ? "True" : "False",
               ": Strata keeps one call layout per layer; use a second layer");
  use_causal_mask_ = causal;
}

nlohmann::json Attention::call_arguments() const {
  nlohmann::json out = nlohmann::json::object();
  if (use_causal_mask_.value_or(false)) out["use_causal_mask"] = true;
  return out;
}

void Attention::set_call_arguments(const nlohmann::json& kwargs) {
  STRATA_CHECK(!kwargs.value("return_attention_scores", false), ValueError, class_name(), " '", name(),
               "' is called with return_attention_scores=True, which Strata does not support (a layer has one output)");
  set_causal(kwargs.value("use_causal_mask", false));
}

Shape Attention::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  STRATA_CHECK(input_shapes.size() == 2 || input_shapes.size() == 3, ValueError, class_name(),
               " layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received "
               "length: ",
               input_shapes.size(), ".");
  Shape out = input_shapes[0];
  out[-1] = input_shapes[1][-1];
  return out;
}

void Attention::build_weights_inputs(std::span<const Shape> input_shapes) {
  (void)compute_output_shape_inputs(input_shapes);
  const Shape& query = input_shapes[0];
  const Shape& value = input_shapes[1];
  const Shape& key = input_shapes.size() > 2 ? input_shapes[2] : value;
  for (const Shape* s : {&query, &value, &key})
    STRATA_CHECK(s->rank() == 3, ValueError, class_name(), " '", name(),
                 "' takes (batch, steps, features) inputs; received an input of shape ", s->to_string());
  STRATA_CHECK(query[-1] == key[-1], ValueError, class_name(), " '", name(),
               "': the query and the key must have the same last axis, received query ", query.to_string(), " and key ",
               key.to_string());
  STRATA_CHECK(value[1] == key[1], ValueError, class_name(), " '", name(),
               "': the value and the key must have the same steps, received value ", value.to_string(), " and key ",
               key.to_string());
  build_scores(query[-1]);
}

void Attention::build_scores(std::int64_t) {
  if (options_.use_scale) scale_ = &add_weight("scale", {}, initializers::Ones());
}

void Attention::scores_forward(const Tensor& query, const Tensor& key, Tensor& scores, bool training) {
  Backend& b = backend();
  if (scale_ == nullptr) {
    b.batch_matmul(query, false, key, true, scores);
    return;
  }
  Tensor& raw = buffer(kRawScores, scores.shape());
  b.batch_matmul(query, false, key, true, raw);
  b.binary(BinaryOp::Multiply, raw, scale_->value.reshaped({1}), scores);
  if (training) save(kSavedRawScores, raw);
}

void Attention::scores_backward(const Tensor& d_scores, Tensor& d_query, Tensor& d_key) {
  Backend& b = backend();
  const Tensor& query = saved(kSavedQuery);
  const Tensor& key = saved(kSavedKey);
  Tensor d_raw = d_scores;
  if (scale_ != nullptr) {
    // scores = scale * raw: d_scale sums d_scores * raw; d_raw = scale * d_scores.
    if (trainable()) {
      Tensor& terms = buffer(kGradScaleTerms, d_scores.shape());
      b.binary(BinaryOp::Multiply, d_scores, saved(kSavedRawScores), terms);
      Tensor d_scale = scale_->grad.reshaped({1, 1, 1});
      b.reduce(ReduceOp::Sum, terms, d_scale);
    }
    d_raw = buffer(kGradRaw, d_scores.shape());
    b.binary(BinaryOp::Multiply, d_scores, scale_->value.reshaped({1}), d_raw);
  }
  b.batch_matmul(d_raw, false, key, false, d_query);
  b.batch_matmul(d_raw, true, query, false, d_key);
}

std::uint64_t Attention::next_seed() { return detail::rank_seed(own_rng_ ? (*own_rng_)() : detail::global_rng()()); }

Tensor Attention::forward_inputs(std::span<const Tensor> inputs, bool training) {
  Backend& b = backend();
  const Tensor& query = inputs[0];
  const Tensor& value = inputs[1];
  const Tensor& key = inputs.size() > 2 ? inputs[2] : value;
  const std::int64_t batch = query.shape()[0], tq = query.shape()[1], tk = key.shape()[1];
  STRATA_CHECK(value.shape()[0] == batch && key.shape()[0] == batch, ValueError, class_name(), " '", name(),
               "': query, value and key must share their batch size; received ", query.shape().to_string(), ", ",
               value.shape().to_string(), " and ", key.shape().to_string());

  Tensor& scores = buffer(kScores, {batch, tq, tk});
  scores_forward(query, key, scores, training);

  // Keras's scores mask: the value's mask (the key's steps) and the causal mask.
  std::vector<Tensor> factors;
  if (value.mask()) {
    detail::check_mask_shape(value, *value.mask(), name(), class_name());
    factors.push_back(value.mask()->reshaped({batch, 1, tk}));
  }
  if (use_causal_mask_.value_or(false))
    factors.push_back(detail::causal_mask(call_state<detail::CausalMaskState>(), b, tq, tk));
  Tensor mask;
  if (!factors.empty()) {
    mask = buffer(kMask, {batch, tq, tk});
    detail::attention_mask_product(factors, mask);
  }
  Tensor& probs = buffer(kProbs, {batch, 1, tq, tk});
  b.masked_softmax_forward(scores.reshaped({batch, 1, tq, tk}), mask.defined() ? &mask : nullptr, probs);

  Tensor dropped = probs;
  const bool drops = training && options_.dropout > 0.f;
  if (drops) {
    dropped = buffer(kDropped, probs.shape());
    Tensor& drop_mask = buffer(kDropMask, probs.shape());
    detail::apply_dropout(b, probs, options_.dropout, next_seed(), drop_mask, dropped);
    save(kSavedDropMask, drop_mask);
  }
  Tensor& y = buffer(kOutput, {batch, tq, value.shape()[2]});
  b.batch_matmul(dropped.reshaped({batch, tq, tk}), false, value, false, y);

  // Keras zeroes the output at the query's masked steps.
  Tensor query_mask;
  if (query.mask()) {
    detail::check_mask_shape(query, *query.mask(), name(), class_name());
    query_mask = query.mask()->reshaped({batch, tq, 1});
    b.binary(BinaryOp::Multiply, y, query_mask, y);
  }
  if (training) {
    saved_flag() = drops;
    save(kSavedQuery, query);
    save(kSavedValue, value);
    save(kSavedKey, key);
    save(kSavedProbs, probs);
    save(kSavedDropped, dropped);
    save(kSavedMask, mask);
    save(kSavedQueryMask, query_mask);
    saved_shape(0) = Shape{inputs.size() > 2 ? 1 : 0};  // whether a key came apart from the value
  }
  return y;
}

void Attention::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  Backend& b = backend();
  const Tensor& query = saved(kSavedQuery);
  const Tensor& value = saved(kSavedValue);
  const Tensor& key = saved(kSavedKey);
  const bool has_key = saved_shape(0)[0] == 1;
  const std::int64_t batch = query.shape()[0], tq = query.shape()[1], tk = key.shape()[1];

  Tensor d_out = dy;
  if (const Tensor* query_mask = saved_if_any(kSavedQueryMask)) {
    d_out = buffer(kGradOutput, dy.shape());
    b.binary(BinaryOp::Multiply, dy, *query_mask, d_out);
  }
  // y = dropped value.
  const Tensor dropped = saved(kSavedDropped).reshaped({batch, tq, tk});
  Tensor& d_probs = buffer(kGradProbs, {batch, 1, tq, tk});
  Tensor d_probs3 = d_probs.reshaped({batch, tq, tk});
  b.batch_matmul(d_out, false, value, true, d_probs3);
  Tensor& d_value = buffer(kGradValue, value.shape());
  b.batch_matmul(dropped, true, d_out, false, d_value);
  if (saved_flag()) b.multiply(d_probs, saved(kSavedDropMask), d_probs);  // element-wise, in place

  Tensor& d_scores = buffer(kGradScores, {batch, 1, tq, tk});
  b.masked_softmax_backward(saved(kSavedProbs), d_probs, saved_if_any(kSavedMask), d_scores);
  Tensor& d_query = buffer(kGradQuery, query.shape());
  Tensor& d_key = buffer(has_key ? kGradKey : kGradValueFromKey, key.shape());
  scores_backward(d_scores.reshaped({batch, tq, tk}), d_query, d_key);

  if (need_mask & 1u) dxs[0] = d_query;
  if (need_mask & 2u) {
    if (!has_key) b.add(d_value, d_key, d_value);  // the value is the key too
    dxs[1] = d_value;
  }
  if (has_key && (need_mask & 4u)) dxs[2] = d_key;
}

nlohmann::json Attention::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["use_scale"] = options_.use_scale;
  config["score_mode"] = options_.score_mode;
  config["dropout"] = options_.dropout;
  config["seed"] = options_.seed ? nlohmann::json(*options_.seed) : nlohmann::json(nullptr);
  return config;
}

std::shared_ptr<Layer> Attention::from_config(const nlohmann::json& config) {
  AttentionOptions options;
  options.name = config.value("name", "");
  options.use_scale = config.value("use_scale", false);
  options.score_mode = config.value("score_mode", "dot");
  options.dropout = config.value("dropout", 0.f);
  if (config.contains("seed") && config["seed"].is_number_integer()) options.seed = config["seed"].get<std::int64_t>();
  auto layer = std::make_shared<Attention>(options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
