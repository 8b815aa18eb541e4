#include "strata/layers/masking.hpp"

#include <nlohmann/json.hpp>

#include "layers/masks.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

namespace {

enum Slot : std::size_t { kOutput, kValue, kEqual, kAllEqual, kInputGrad };
enum Saved : std::size_t { kSavedMask };

}  // namespace

Masking::Masking(float mask_value, LayerOptions options)
    : LayerOf<Masking>("masking", options), mask_value_(mask_value) {
  input_spec_.min_ndim = 2;
}

Tensor Masking::forward(const Tensor& x, bool training) {
  Backend& b = backend();
  const Shape steps = x.shape().without_last_axis();
  // mask = any(x != mask_value) over the features = 1 - min(x == mask_value).
  Tensor& value = buffer(kValue, {1});
  b.fill(value, mask_value_);
  Tensor& equal = buffer(kEqual, x.shape());
  b.binary(BinaryOp::Equal, x, value, equal);
  Tensor& all_equal = buffer(kAllEqual, steps.with_axis_appended(1));
  b.reduce(ReduceOp::Min, equal, all_equal);
  Tensor& mask = detail::mask_buffer(call_state<detail::MaskState>(), b, steps);
  Tensor keep = mask.reshaped(all_equal.shape());
  b.affine(all_equal, -1.f, 1.f, keep);
  Tensor& y = buffer(kOutput, x.shape());
  b.binary(BinaryOp::Multiply, x, keep, y);
  if (training) save(kSavedMask, keep);
  return y;
}

std::shared_ptr<const Tensor> Masking::compute_mask(std::span<const Tensor> inputs) {
  if (inputs[0].symbolic()) return detail::symbolic_mask(inputs[0].shape().without_last_axis());
  return call_state<detail::MaskState>().mask;
}

Tensor Masking::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& keep = saved(kSavedMask);
  if (!need_input_grad) return {};
  Tensor& dx = buffer(kInputGrad, dy.shape());
  backend().binary(BinaryOp::Multiply, dy, keep, dx);
  return dx;
}

nlohmann::json Masking::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["mask_value"] = mask_value_;
  return config;
}

std::shared_ptr<Layer> Masking::from_config(const nlohmann::json& config) {
  auto layer =
      std::make_shared<Masking>(config.value("mask_value", 0.f), LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
