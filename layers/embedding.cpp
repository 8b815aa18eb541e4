#include "strata/layers/embedding.hpp"

#include <nlohmann/json.hpp>

#include "layers/layer_args.hpp"
#include "layers/masks.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

namespace {

enum Slot : std::size_t { kOutput, kIndices, kIndicesAsFloat, kZero, kZeroPositions, kInputGrad };
enum Saved : std::size_t { kSavedIndices };

}  // namespace

Embedding::Embedding(std::int64_t input_dim, std::int64_t output_dim, EmbeddingOptions options)
    : LayerOf<Embedding>("embedding", LayerOptions{options.name, options.input_shape, options.dtype}),
      input_dim_(input_dim),
      output_dim_(output_dim),
      options_(std::move(options)) {
  STRATA_CHECK(
      input_dim > 0, ValueError,
      "Received an invalid value for `input_dim`, expected a positive integer. Received: input_dim=", input_dim);
  STRATA_CHECK(
      output_dim > 0, ValueError,
      "Received an invalid value for `output_dim`, expected a positive integer. Received: output_dim=", output_dim);
  input_spec_.min_ndim = 1;
  set_activity_regularizer(detail::activity_of(options_.activity_regularizer));
}

Shape Embedding::compute_output_shape(const Shape& input_shape) const {
  return input_shape.with_axis_appended(output_dim_);
}

void Embedding::build_weights(const Shape&) {
  embeddings_ = &add_weight("embeddings", {input_dim_, output_dim_}, *options_.embeddings_initializer);
  detail::attach(*embeddings_, options_.embeddings_regularizer, options_.embeddings_constraint);
}

Tensor Embedding::forward(const Tensor& x, bool training) {
  Backend& b = backend();
  Tensor indices = x;
  if (x.dtype() != DType::I32) {
    // Keras's Embedding casts floating indices to int32 (truncating toward zero).
    indices = buffer(kIndices, x.shape(), DType::I32);
    b.cast(x, indices);
  }
  Tensor& y = buffer(kOutput, compute_output_shape(x.shape()));
  b.embedding_forward(indices, embeddings_->value, y);
  if (options_.mask_zero) {
    // mask = 1 - (indices == 0), through float32 (exact for every index below 2^24).
    Tensor& as_float = buffer(kIndicesAsFloat, x.shape());
    b.cast(indices, as_float);
    Tensor& zero = buffer(kZero, {1});
    b.fill(zero, 0.f);
    Tensor& is_zero = buffer(kZeroPositions, x.shape());
    b.binary(BinaryOp::Equal, as_float, zero, is_zero);
    Tensor& mask = detail::mask_buffer(call_state<detail::MaskState>(), b, x.shape());
    b.affine(is_zero, -1.f, 1.f, mask);
  }
  if (training) save(kSavedIndices, indices);
  return y;
}

std::shared_ptr<const Tensor> Embedding::compute_mask(std::span<const Tensor> inputs) {
  if (!options_.mask_zero) return Layer::compute_mask(inputs);
  if (inputs[0].symbolic()) return detail::symbolic_mask(inputs[0].shape());
  return call_state<detail::MaskState>().mask;
}

Tensor Embedding::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& indices = saved(kSavedIndices);
  if (trainable()) backend().embedding_backward(indices, dy, embeddings_->grad);
  if (!need_input_grad) return {};
  // Indices have no gradient (Keras's cast of the input stops it): a float input gets zeros.
  Tensor& dx = buffer(kInputGrad, indices.shape());
  backend().fill(dx, 0.f);
  return dx;
}

nlohmann::json Embedding::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["input_dim"] = input_dim_;
  config["output_dim"] = output_dim_;
  config["embeddings_initializer"] = detail::initializer_json(options_.embeddings_initializer);
  config["embeddings_regularizer"] = detail::regularizer_json(options_.embeddings_regularizer);
  // Keras's Embedding always names its activity regularizer (Layer::get_config wrote it if any).
  if (!config.contains("activity_regularizer")) config["activity_regularizer"] = nullptr;
  config["embeddings_constraint"] = detail::constraint_json(options_.embeddings_constraint);
  config["mask_zero"] = options_.mask_zero;
  config["quantization_config"] = nullptr;
  return config;
}

std::shared_ptr<Layer> Embedding::from_config(const nlohmann::json& config) {
  EmbeddingOptions options;
  options.name = config.value("name", "");
  if (config.contains("embeddings_initializer"))
    options.embeddings_initializer = Initializer::from_config(config["embeddings_initializer"]);
  options.embeddings_regularizer = detail::regularizer_from_config(config, "embeddings_regularizer");
  options.embeddings_constraint = detail::constraint_from_config(config, "embeddings_constraint");
  options.mask_zero = config.value("mask_zero", false);
  auto layer = std::make_shared<Embedding>(config.at("input_dim").get<std::int64_t>(),
                                           config.at("output_dim").get<std::int64_t>(), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
