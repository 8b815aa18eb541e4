#include "strata/layers/global_average_pooling1d.hpp"

#include <nlohmann/json.hpp>

#include "layers/masks.hpp"
#include "layers/pooling.hpp"
#include "strata/backend.hpp"

namespace strata {
inline namespace layers {

namespace {
constexpr bool kOneD = true;
enum Slot : std::size_t { kOutput, kInputGrad, kMasked, kSum, kCount, kScaledGrad };
// A masked call saves the mask as (batch, steps, 1) and the unmasked steps' count (batch, 1, 1).
enum Saved : std::size_t { kSavedMask, kSavedCount };
}  // namespace

GlobalAveragePooling1D::GlobalAveragePooling1D(bool keepdims, LayerOptions options)
    : LayerOf<GlobalAveragePooling1D>("global_average_pooling1d", options), keepdims_(keepdims) {
  input_spec_.ndim = 3;
}

Shape GlobalAveragePooling1D::compute_output_shape(const Shape& input_shape) const {
  return detail::global_pooled_shape(input_shape, keepdims_, kOneD);
}

Tensor GlobalAveragePooling1D::forward(const Tensor& x, bool training) {
  saved_flag() = x.mask() != nullptr;
  if (x.mask()) return masked_forward(x, *x.mask(), training);
  Tensor& y = buffer(kOutput, compute_output_shape(x.shape()));
  detail::global_pool_forward(backend(), PoolKind::Average, x, kOneD, y,
                              training ? &call_state<detail::PoolingState>() : nullptr);
  return y;
}

Tensor GlobalAveragePooling1D::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (saved_flag()) return need_input_grad ? masked_backward(dy) : Tensor();
  detail::PoolingState& state = call_state<detail::PoolingState>();
  const Shape& input_shape = detail::pooling_input_shape(state, name());
  if (!need_input_grad) return {};
  Tensor& dx = buffer(kInputGrad, input_shape);
  detail::pool_backward(backend(), state, dy, dx);
  return dx;
}

Tensor GlobalAveragePooling1D::masked_forward(const Tensor& x, const Tensor& mask, bool training) {
  detail::check_mask_shape(x, mask, name(), class_name());
  Backend& b = backend();
  const std::int64_t batch = x.shape()[0];
  const std::int64_t channels = x.shape()[2];
  const Tensor mask3 = mask.reshaped({batch, x.shape()[1], 1});
  Tensor& masked = buffer(kMasked, x.shape());
  b.binary(BinaryOp::Multiply, x, mask3, masked);
  Tensor& sum = buffer(kSum, {batch, 1, channels});
  b.reduce(ReduceOp::Sum, masked, sum);
  Tensor& count = buffer(kCount, {batch, 1, 1});
  b.reduce(ReduceOp::Sum, mask3, count);
  Tensor& y = buffer(kOutput, {batch, 1, channels});
  b.binary(BinaryOp::Divide, sum, count, y);
  if (training) {
    save(kSavedMask, mask3);
    save(kSavedCount, count);
    saved_shape(0) = x.shape();
  }
  return y.reshaped(compute_output_shape(x.shape()));
}

Tensor GlobalAveragePooling1D::masked_backward(const Tensor& dy) {
  // dx[b, t, c] = dy[b, c] * mask[b, t] / count[b].
  const Tensor& mask3 = saved(kSavedMask);
  const Tensor& count = saved(kSavedCount);
  const Shape& input_shape = saved_shape(0);
  Backend& b = backend();
  Tensor& scaled = buffer(kScaledGrad, {input_shape[0], 1, input_shape[2]});
  b.binary(BinaryOp::Divide, dy.reshaped({input_shape[0], 1, input_shape[2]}), count, scaled);
  Tensor& dx = buffer(kInputGrad, input_shape);
  b.binary(BinaryOp::Multiply, scaled, mask3, dx);
  return dx;
}

std::shared_ptr<const Tensor> GlobalAveragePooling1D::compute_mask(std::span<const Tensor> inputs) {
  if (inputs[0].mask()) detail::check_mask_shape(inputs[0], *inputs[0].mask(), name(), class_name());
  return nullptr;
}

nlohmann::json GlobalAveragePooling1D::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["data_format"] = "channels_last";
  config["keepdims"] = keepdims_;
  return config;
}

std::shared_ptr<Layer> GlobalAveragePooling1D::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<GlobalAveragePooling1D>(detail::read_keepdims(config, "GlobalAveragePooling1D"),
                                                        LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
