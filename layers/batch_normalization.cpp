#include "strata/layers/batch_normalization.hpp"

#include <nlohmann/json.hpp>

#include "api/distributed/communicator.hpp"
#include "layers/layer_args.hpp"
#include "layers/masks.hpp"
#include "layers/synchronized_batch_norm.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

namespace {

enum Slot : std::size_t { kOutput, kMean, kVariance, kInputGrad, kGammaGrad, kBetaGrad, kScratch, kShift, kSlope };
// A training call saves the (rows, c) view of its input (tensor 0), the input's shape as
// received (shape 0) and whether it normalised with the batch's statistics (the flag); those
// statistics stay in its kMean and kVariance buffers.

}  // namespace

BatchNormalization::BatchNormalization(BatchNormalizationOptions options)
    : LayerOf<BatchNormalization>("batch_normalization",
                                  LayerOptions{options.name, options.input_shape, options.dtype}),
      options_(std::move(options)) {
  STRATA_CHECK(options_.epsilon > 0, ValueError,
               "BatchNormalization needs epsilon > 0. Received: epsilon=", options_.epsilon);
  input_spec_.min_ndim = 2;
}

void BatchNormalization::build_weights(const Shape& input_shape) {
  const std::int64_t channels = detail::last_axis_size(options_.axis, input_shape, name(), class_name());
  const Shape shape{channels};
  if (options_.scale) {
    gamma_ = &add_weight("gamma", shape, *options_.gamma_initializer);
    detail::attach(*gamma_, options_.gamma_regularizer, options_.gamma_constraint);
  } else {
    ones_ = Tensor(backend(), shape);
    backend().fill(ones_, 1.f);
  }
  if (options_.center) {
    beta_ = &add_weight("beta", shape, *options_.beta_initializer);
    detail::attach(*beta_, options_.beta_regularizer, options_.beta_constraint);
  }
  zeros_ = Tensor(backend(), shape);
  backend().fill(zeros_, 0.f);
  moving_mean_ = &add_weight("moving_mean", shape, *options_.moving_mean_initializer, false);
  moving_variance_ = &add_weight("moving_variance", shape, *options_.moving_variance_initializer, false);
  input_spec_.ndim = input_shape.rank();
  input_spec_.axes = {{-1, channels}};
}

Tensor BatchNormalization::forward(const Tensor& x, bool training) {
  const std::int64_t channels = x.shape()[-1];
  const Tensor x2 = x.reshaped({x.size() / channels, channels});
  Tensor& y = buffer(kOutput, x2.shape());
  Backend& b = backend();
  const Tensor& gamma = gamma_ ? gamma_->value : ones_;
  const Tensor& beta = beta_ ? beta_->value : zeros_;
  const auto epsilon = static_cast<float>(options_.epsilon);
  // Keras: batch statistics only when training and trainable; a frozen layer runs in inference mode.
  const bool batch_statistics = training && trainable();
  // synchronized: the global batch's statistics, when there are other processes.
  const bool synchronized = batch_statistics && options_.synchronized && detail::comm::active();
  if (synchronized) {
    detail::synchronized_batch_norm_forward(b, x2, gamma, beta, epsilon, static_cast<float>(options_.momentum), y,
                                            buffer(kMean, {channels}), buffer(kVariance, {channels}),
                                            moving_mean_->value, moving_variance_->value, buffer(kScratch, x2.shape()),
                                            buffer(kShift, {channels}));
  } else if (batch_statistics) {
    b.batch_norm_forward_training(x2, gamma, beta, epsilon, static_cast<float>(options_.momentum), y,
                                  buffer(kMean, {channels}), buffer(kVariance, {channels}), moving_mean_->value,
                                  moving_variance_->value);
  } else {
    b.batch_norm_forward_inference(x2, gamma, beta, moving_mean_->value, moving_variance_->value, epsilon, y);
  }
  if (training) {
    save(0, x2);
    saved_shape(0) = x.shape();
    saved_flag() = batch_statistics;
  }
  return y.reshaped(x.shape());
}

Tensor BatchNormalization::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& input = saved(0);
  Backend& b = backend();
  const std::int64_t channels = input.shape()[1];
  const Tensor dy2 = dy.reshaped(input.shape());
  Tensor& dx = buffer(kInputGrad, input.shape());
  const Tensor& gamma = gamma_ ? gamma_->value : ones_;
  const auto epsilon = static_cast<float>(options_.epsilon);
  if (saved_flag()) {
    // The op always writes dgamma and dbeta; absent or frozen weights get scratch tensors.
    const bool weight_grads = trainable();
    Tensor& dgamma = gamma_ && weight_grads ? gamma_->grad : buffer(kGammaGrad, {channels});
    Tensor& dbeta = beta_ && weight_grads ? beta_->grad : buffer(kBetaGrad, {channels});
    if (options_.synchronized && detail::comm::active())
      detail::synchronized_batch_norm_backward(
          b, input, dy2, gamma, buffer(kMean, {channels}), buffer(kVariance, {channels}), epsilon, dx, dgamma, dbeta,
          buffer(kScratch, input.shape()), buffer(kShift, {channels}), buffer(kSlope, {channels}));
    else
      b.batch_norm_backward(input, dy2, gamma, buffer(kMean, {channels}), buffer(kVariance, {channels}), epsilon, dx,
                            dgamma, dbeta);
  } else {
    if (!need_input_grad) return {};
    // Normalised with constants: dx = dy gamma / sqrt(moving_variance + epsilon), which is the
    // inference transform of dy with mean and beta 0.
    b.batch_norm_forward_inference(dy2, gamma, zeros_, zeros_, moving_variance_->value, epsilon, dx);
  }
  if (!need_input_grad) return {};
  return dx.reshaped(saved_shape(0));
}

nlohmann::json BatchNormalization::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["axis"] = options_.axis;
  config["momentum"] = options_.momentum;
  config["epsilon"] = options_.epsilon;
  config["center"] = options_.center;
  config["scale"] = options_.scale;
  config["beta_initializer"] = detail::initializer_json(options_.beta_initializer);
  config["gamma_initializer"] = detail::initializer_json(options_.gamma_initializer);
  config["moving_mean_initializer"] = detail::initializer_json(options_.moving_mean_initializer);
  config["moving_variance_initializer"] = detail::initializer_json(options_.moving_variance_initializer);
  config["beta_regularizer"] = detail::regularizer_json(options_.beta_regularizer);
  config["gamma_regularizer"] = detail::regularizer_json(options_.gamma_regularizer);
  config["beta_constraint"] = detail::constraint_json(options_.beta_constraint);
  config["gamma_constraint"] = detail::constraint_json(options_.gamma_constraint);
  config["synchronized"] = options_.synchronized;
  config["renorm"] = false;
  config["renorm_clipping"] = nullptr;
  config["renorm_momentum"] = 0.99;
  return config;
}

std::shared_ptr<Layer> BatchNormalization::from_config(const nlohmann::json& config) {
  const std::string name = config.value("name", "");
  STRATA_CHECK(!config.value("renorm", false), ValueError, "layer \"", name,
               "\": BatchNormalization with renorm=True is not supported yet");
  BatchNormalizationOptions options;
  options.name = name;
  options.axis = detail::axis_from_config(config, options.axis, name, "BatchNormalization takes one integer axis");
  options.momentum = config.value("momentum", options.momentum);
  options.epsilon = config.value("epsilon", options.epsilon);
  options.center = config.value("center", options.center);
  options.scale = config.value("scale", options.scale);
  options.synchronized = config.value("synchronized", options.synchronized);
  options.beta_initializer = detail::initializer_from_config(config, "beta_initializer", options.beta_initializer);
  options.gamma_initializer = detail::initializer_from_config(config, "gamma_initializer", options.gamma_initializer);
  options.beta_regularizer = detail::regularizer_from_config(config, "beta_regularizer");
  options.gamma_regularizer = detail::regularizer_from_config(config, "gamma_regularizer");
  options.beta_constraint = detail::constraint_from_config(config, "beta_constraint");
  options.gamma_constraint = detail::constraint_from_config(config, "gamma_constraint");
  options.moving_mean_initializer =
      detail::initializer_from_config(config, "moving_mean_initializer", options.moving_mean_initializer);
  options.moving_variance_initializer =
      detail::initializer_from_config(config, "moving_variance_initializer", options.moving_variance_initializer);
  auto layer = std::make_shared<BatchNormalization>(options);
  layer->read_base_config(config);
  return layer;
}

std::shared_ptr<const Tensor> BatchNormalization::compute_mask(std::span<const Tensor> inputs) {
  detail::refuse_mask(inputs, name(), class_name(), "computes the batch statistics over the unmasked steps only");
  return nullptr;
}

}  // namespace layers
}  // namespace strata
