#include "strata/layers/additive_attention.hpp"

#include <nlohmann/json.hpp>

#include "strata/backend.hpp"
#include "strata/initializers.hpp"

namespace strata {
inline namespace layers {

namespace {

// Per-call buffers and saved tensors of the scores, after Attention's own. B batch, Tq queries,
// Tk keys, D features.
enum Slot : std::size_t {
  kSum = Attention::kFirstScoreSlot,  // (B, Tq, Tk, D): query + key
  kTanh,                              // tanh of it
  kScaled,                            // scale * tanh
  kGradTanh,
  kGradSum,
  kGradScaleTerms,
};

enum Saved : std::size_t { kSavedTanh = Attention::kFirstScoreSaved };

}  // namespace

AdditiveAttention::AdditiveAttention(AdditiveAttentionOptions options)
    : LayerOf<AdditiveAttention, Attention>("additive_attention", AttentionOptions{.use_scale = options.use_scale,
                                                                                   .dropout = options.dropout,
                                                                                   .seed = options.seed,
                                                                                   .name = std::move(options.name),
                                                                                   .dtype = std::move(options.dtype)}) {
}

Tensor AdditiveAttention::operator()(std::initializer_list<Tensor> inputs, const AttentionCall& call) && {
  auto owned = std::make_shared<AdditiveAttention>(std::move(*this));
  return (*owned)(inputs, call);
}

void AdditiveAttention::build_scores(std::int64_t dim) {
  if (options().use_scale) scale_ = &add_weight("scale", {dim}, initializers::GlorotUniform());
}

void AdditiveAttention::scores_forward(const Tensor& query, const Tensor& key, Tensor& scores, bool training) {
  Backend& b = backend();
  const std::int64_t batch = query.shape()[0], tq = query.shape()[1], tk = key.shape()[1], dim = query.shape()[2];
  // Keras: sum(scale * tanh(query[:, :, None, :] + key[:, None, :, :]), axis=-1).
  Tensor& sum = buffer(kSum, {batch, tq, tk, dim});
  b.binary(BinaryOp::Add, query.reshaped({batch, tq, 1, dim}), key.reshaped({batch, 1, tk, dim}), sum);
  Tensor& t = buffer(kTanh, sum.shape());
  b.activation_forward(ActivationFunction{ActivationKind::Tanh}, sum, t);
  Tensor scores4 = scores.reshaped({batch, tq, tk, 1});
  if (scale_ != nullptr) {
    Tensor& scaled = buffer(kScaled, sum.shape());
    b.binary(BinaryOp::Multiply, t, scale_->value, scaled);
    b.reduce(ReduceOp::Sum, scaled, scores4);
  } else {
    b.reduce(ReduceOp::Sum, t, scores4);
  }
  if (training) save(kSavedTanh, t);
}

void AdditiveAttention::scores_backward(const Tensor& d_scores, Tensor& d_query, Tensor& d_key) {
  Backend& b = backend();
  const Tensor& t = saved(kSavedTanh);
  const std::int64_t batch = t.shape()[0], tq = t.shape()[1], tk = t.shape()[2], dim = t.shape()[3];
  const Tensor d_scores4 = d_scores.reshaped({batch, tq, tk, 1});
  // d tanh = d_scores * scale, broadcast over the features.
  Tensor& d_tanh = buffer(kGradTanh, t.shape());
  if (scale_ != nullptr) {
    b.binary(BinaryOp::Multiply, d_scores4, scale_->value, d_tanh);
    if (trainable()) {
      Tensor& terms = buffer(kGradScaleTerms, t.shape());
      b.binary(BinaryOp::Multiply, d_scores4, t, terms);
      Tensor d_scale = scale_->grad.reshaped({1, 1, 1, dim});
      b.reduce(ReduceOp::Sum, terms, d_scale);
    }
  } else {
    b.fill(d_tanh, 0.f);
    b.binary(BinaryOp::Add, d_tanh, d_scores4, d_tanh);
  }
  Tensor& d_sum = buffer(kGradSum, t.shape());
  b.activation_backward(ActivationFunction{ActivationKind::Tanh}, Tensor(), t, d_tanh, d_sum);
  // query + key broadcast: each one's gradient sums over the axis it was broadcast along.
  Tensor d_query4 = d_query.reshaped({batch, tq, 1, dim});
  Tensor d_key4 = d_key.reshaped({batch, 1, tk, dim});
  b.reduce(ReduceOp::Sum, d_sum, d_query4);
  b.reduce(ReduceOp::Sum, d_sum, d_key4);
}

nlohmann::json AdditiveAttention::get_config() const {
  nlohmann::json config = Attention::get_config();
  config.erase("score_mode");  // as Keras's AdditiveAttention.get_config
  return config;
}

std::shared_ptr<Layer> AdditiveAttention::from_config(const nlohmann::json& config) {
  AdditiveAttentionOptions options;
  options.name = config.value("name", "");
  options.use_scale = config.value("use_scale", true);
  options.dropout = config.value("dropout", 0.f);
  if (config.contains("seed") && config["seed"].is_number_integer()) options.seed = config["seed"].get<std::int64_t>();
  auto layer = std::make_shared<AdditiveAttention>(options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
