#include "layers/masks.hpp"

#include <algorithm>
#include <vector>

#include "strata/error.hpp"

namespace strata::detail {

void check_mask_shape(const Tensor& x, const Tensor& mask, std::string_view layer, std::string_view class_name) {
  const Shape want = x.shape().without_last_axis();
  // A symbolic tensor's batch axis is None: compare the other axes then.
  bool same = mask.shape().rank() == want.rank();
  for (std::size_t axis = 0; same && axis < want.rank(); ++axis) {
    const auto a = mask.shape()[static_cast<std::int64_t>(axis)];
    const auto b = want[static_cast<std::int64_t>(axis)];
    same = a == b || a == kNone || b == kNone;
  }
  STRATA_CHECK(same, ValueError, "Layer \"", layer, "\" (", class_name, ") received a mask of shape ",
               mask.shape().to_string(), " for an input of shape ", x.shape().to_string(),
               ": a mask covers the input's steps, the input's shape without its last axis (", want.to_string(), ")");
}

std::shared_ptr<const Tensor> any_of_masks(std::span<const Tensor> inputs, MaskState& state) {
  if (std::any_of(inputs.begin(), inputs.end(), [](const Tensor& x) { return x.mask() == nullptr; })) return nullptr;
  const Tensor& first = *inputs[0].mask();
  for (const Tensor& x : inputs)
    STRATA_CHECK(x.mask()->shape() == first.shape(), ValueError,
                 "Cannot merge inputs whose masks cover different steps: ", first.shape().to_string(), " and ",
                 x.mask()->shape().to_string());
  if (inputs.size() == 1) return inputs[0].mask();
  if (first.symbolic()) return symbolic_mask(first.shape());
  Backend& backend = first.backend();
  Tensor& out = mask_buffer(state, backend, first.shape());
  backend.binary(BinaryOp::Maximum, first, *inputs[1].mask(), out);
  for (std::size_t i = 2; i < inputs.size(); ++i) backend.binary(BinaryOp::Maximum, out, *inputs[i].mask(), out);
  return state.mask;
}

void refuse_mask(std::span<const Tensor> inputs, std::string_view layer, std::string_view class_name,
                 std::string_view keras_use) {
  for (const Tensor& x : inputs)
    STRATA_CHECK(x.mask() == nullptr, ValueError, "Layer \"", layer, "\" (", class_name,
                 ") received an input with a mask (from Embedding(mask_zero) or Masking). Keras's ", class_name, " ",
                 keras_use, "; Strata's does not apply masks yet. Put it where its input carries no mask.");
}

void attention_mask_product(std::span<const Tensor> factors, Tensor& out) {
  Backend& backend = out.backend();
  backend.fill(out, 1.f);
  for (const Tensor& factor : factors) backend.binary(BinaryOp::Multiply, out, factor, out);
}

const Tensor& causal_mask(CausalMaskState& state, Backend& backend, std::int64_t tq, std::int64_t tk) {
  Tensor& causal = state.causal;
  if (causal.defined() && causal.shape() == Shape{1, tq, tk}) return causal;
  std::vector<float> host(static_cast<std::size_t>(tq * tk));
  for (std::int64_t i = 0; i < tq; ++i)
    for (std::int64_t j = 0; j < tk; ++j) host[static_cast<std::size_t>(i * tk + j)] = j <= i ? 1.f : 0.f;
  causal = Tensor(backend, {1, tq, tk});
  backend.upload(host.data(), causal);
  return causal;
}

}  // namespace strata::detail
