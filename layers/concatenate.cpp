#include "strata/layers/concatenate.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "layers/merging.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

namespace {

// kInputGrad + i holds input i's gradient (at most 8 inputs); an unmasked input's steps of ones
// for the joined mask come after them.
enum Slot : std::size_t { kOutput, kInputGrad, kUnmaskedSteps = kInputGrad + 8 };

}  // namespace

Concatenate::Concatenate(int axis, LayerOptions options) : LayerOf<Concatenate>("concatenate", options), axis_(axis) {}

int Concatenate::axis_index(std::size_t rank) const {
  const auto r = static_cast<int>(rank);
  STRATA_CHECK(axis_ >= -r && axis_ < r, ValueError, "Layer \"", name(), "\": axis ", axis_,
               " is out of bounds for inputs of rank ", r, ".");
  return axis_ < 0 ? axis_ + r : axis_;
}

Shape Concatenate::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  // Keras's Concatenate.build: every input of one rank, every axis but `axis` of one size.
  const std::string error = detail::concat(
      "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. "
      "Received: input_shape=",
      detail::shapes_text(input_shapes));
  const std::size_t rank = input_shapes[0].rank();
  for (const Shape& s : input_shapes) STRATA_CHECK(s.rank() == rank, ValueError, error);
  const auto axis = static_cast<std::size_t>(axis_index(rank));
  Shape out = input_shapes[0];
  for (std::size_t k = 0; k < rank; ++k) {
    if (k == axis) continue;
    for (const Shape& s : input_shapes) {
      const std::int64_t d = s.dims()[k];
      if (d < 0) continue;
      STRATA_CHECK(out.dims()[k] < 0 || out.dims()[k] == d, ValueError, error);
      out[static_cast<std::int64_t>(k)] = d;
    }
  }
  // Concatenate.compute_output_shape: the sum, None once any input's is None.
  std::int64_t total = 0;
  for (const Shape& s : input_shapes) {
    const std::int64_t d = s.dims()[axis];
    total = total < 0 || d < 0 ? kNone : checked_add(total, d, "Concatenate's output axis");
  }
  out[static_cast<std::int64_t>(axis)] = total;
  return out;
}

void Concatenate::build_weights_inputs(std::span<const Shape> input_shapes) {
  compute_output_shape_inputs(input_shapes);
}

Tensor Concatenate::forward_inputs(std::span<const Tensor> inputs, bool) {
  Shape shapes[8];
  for (std::size_t i = 0; i < inputs.size(); ++i) shapes[i] = inputs[i].shape();
  const Shape out_shape = compute_output_shape_inputs(std::span<const Shape>(shapes, inputs.size()));
  const int axis = axis_index(out_shape.rank());
  Tensor& out = buffer(kOutput, out_shape);
  std::int64_t offset = 0;
  for (const Tensor& x : inputs) {
    backend().slice_assign(x, axis, offset, out);
    offset += x.shape()[axis];
  }
  call_state<detail::MergeState>().inputs.assign(inputs.begin(), inputs.end());
  return out;
}

void Concatenate::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  const std::vector<Tensor>& inputs = call_state<detail::MergeState>().inputs;
  STRATA_CHECK(!inputs.empty(), StateError, "layer \"", name(), "\": backward() before a training call");
  const int axis = axis_index(dy.shape().rank());
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if ((need_mask >> i & 1u) != 0) {
      Tensor& dx = buffer(kInputGrad + i, inputs[i].shape());
      backend().slice(dy, axis, offset, dx);
      dxs[i] = dx;
    }
    offset += inputs[i].shape()[axis];
  }
}

nlohmann::json Concatenate::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["axis"] = axis_;
  return config;
}

std::shared_ptr<Layer> Concatenate::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<Concatenate>(config.value("axis", -1), LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

std::shared_ptr<const Tensor> Concatenate::compute_mask(std::span<const Tensor> inputs) {
  const bool masked = std::any_of(inputs.begin(), inputs.end(), [](const Tensor& x) { return x.mask() != nullptr; });
  if (!masked) return nullptr;
  const std::size_t rank = inputs[0].shape().rank();
  const int axis = axis_index(rank);
  // Along the features, a step is kept where any input keeps it (Keras's any over the last axis).
  if (axis == static_cast<int>(rank) - 1) return detail::any_of_masks(inputs, call_state<detail::MergeState>());
  // Along another axis the masks are joined as the inputs are, an unmasked input's steps kept.
  Shape shapes[8];
  for (std::size_t i = 0; i < inputs.size(); ++i) shapes[i] = inputs[i].shape();
  const Shape steps = compute_output_shape_inputs(std::span<const Shape>(shapes, inputs.size())).without_last_axis();
  if (inputs[0].symbolic()) return detail::symbolic_mask(steps);
  Backend& b = backend();
  detail::MergeState& state = call_state<detail::MergeState>();
  Tensor& out = detail::mask_buffer(state, b, steps);
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (x.mask()) {
      detail::check_mask_shape(x, *x.mask(), name(), class_name());
      b.slice_assign(*x.mask(), axis, offset, out);
    } else {
      Tensor& ones = buffer(kUnmaskedSteps, x.shape().without_last_axis());
      b.fill(ones, 1.f);
      b.slice_assign(ones, axis, offset, out);
    }
    offset += x.shape()[axis];
  }
  return state.mask;
}

}  // namespace layers
}  // namespace strata
