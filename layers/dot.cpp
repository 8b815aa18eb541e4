#include "strata/layers/dot.hpp"

#include <nlohmann/json.hpp>
#include <vector>

#include "layers/merging.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

namespace {

enum Slot : std::size_t { kXT, kYT, kProduct, kOutput, kGradProduct, kGradXT, kGradYT, kGradX, kGradY };
enum Saved : std::size_t { kSavedXT, kSavedYT };

// Keras's batch_dot as views of one product space (batch, X..., k, Y...), X being x's axes
// other than batch and the dot axis, Y likewise for y: x is moved to (batch, X..., k) and y to
// (batch, k, Y...) (batch_dot's own transposes), each viewed with 1s for the other's axes.
struct DotPlan {
  std::vector<int> x_perm, y_perm;  // x -> xt, y -> yt
  bool x_moved = false, y_moved = false;
  Shape xt, yt;          // (b, X..., k), (b, k, Y...)
  Shape x_view, y_view;  // (b, X..., k, 1...), (b, 1..., k, Y...)
  Shape product;         // (b, X..., k, Y...)
  Shape reduced;         // (b, X..., 1, Y...)
  Shape output;          // (b, X..., Y...), or (b, 1)
};

std::vector<int> inverse(const std::vector<int>& perm) {
  std::vector<int> out(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) out[static_cast<std::size_t>(perm[i])] = static_cast<int>(i);
  return out;
}

// Python's text for a list of ints: "[1, 2, 3]".
std::string list_text(const std::vector<int>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

Shape permuted(const Shape& s, const std::vector<int>& perm) {
  std::vector<std::int64_t> dims;
  for (const int p : perm) dims.push_back(s.dims()[static_cast<std::size_t>(p)]);
  return Shape(dims);
}

}  // namespace

DotAxes::DotAxes(std::initializer_list<int> list) : axes{0, 0}, pair(true) {
  STRATA_CHECK(list.size() == 2, ValueError,
               "Invalid format for argument `axes`: it should contain two elements. Received: axes=",
               list_text(std::vector<int>(list)));
  axes = {*list.begin(), *(list.begin() + 1)};
}

Dot::Dot(DotAxes axes, DotOptions options)
    : LayerOf<Dot>("dot", LayerOptions{options.name, options.input_shape, options.dtype}),
      axes_(axes),
      normalize_(options.normalize) {
  STRATA_CHECK(!normalize_, ValueError,
               "Dot(normalize=True) is not supported yet: it needs a square root, which no Strata backend "
               "op provides yet.");
}

namespace {

// Keras's Dot.build and batch_dot checks, in their order and words, then the plan.
DotPlan plan_dot(const DotAxes& given, std::span<const Shape> shapes) {
  STRATA_CHECK(
      shapes.size() == 2, ValueError,
      "A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=", detail::shapes_text(shapes));
  const Shape& xs = shapes[0];
  const Shape& ys = shapes[1];
  const auto rx = static_cast<int>(xs.rank()), ry = static_cast<int>(ys.rank());
  STRATA_CHECK(rx >= 2 && ry >= 2, ValueError,
               "Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes ", xs.to_string(), " and ",
               ys.to_string(), ".");
  // An int axis is taken modulo each rank (Python's %); a pair indexes as Python does.
  int a0 = given.axes[0], a1 = given.axes[1];
  if (!given.pair && a0 < 0) {
    a0 = (a0 % rx + rx) % rx;
    a1 = (a1 % ry + ry) % ry;
  }
  STRATA_CHECK(a0 >= -rx && a0 < rx && a1 >= -ry && a1 < ry, ValueError, "Dot: axes (", a0, ", ", a1,
               ") are out of range for inputs of shapes ", xs.to_string(), " and ", ys.to_string(), ".");
  const std::int64_t d0 = xs[a0], d1 = ys[a1];
  const auto dim_text = [](std::int64_t d) { return d < 0 ? std::string("None") : std::to_string(d); };
  STRATA_CHECK(d0 == d1, ValueError, "Incompatible input shapes: axis values ", dim_text(d0), " (at axis ", a0,
               ") != ", dim_text(d1), " (at axis ", a1, "). Full input shapes: ", xs.to_string(), ", ", ys.to_string());
  if (a0 < 0) a0 += rx;
  if (a1 < 0) a1 += ry;
  STRATA_CHECK(a0 != 0 && a1 != 0, ValueError,
               "Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch dimension to "
               "your inputs using keras.ops.expand_dims(x, 0)");
  STRATA_CHECK(xs[0] < 0 || ys[0] < 0 || xs[0] == ys[0], ValueError,
               "Cannot do batch_dot on inputs with different batch sizes. Received inputs with shapes ", xs.to_string(),
               " and ", ys.to_string(), ".");
  STRATA_CHECK(rx + ry <= 10, ValueError, "Dot supports inputs whose ranks sum to at most 10, received shapes ",
               xs.to_string(), " and ", ys.to_string(), ".");

  DotPlan plan;
  plan.x_perm.push_back(0);
  for (int k = 1; k < rx; ++k)
    if (k != a0) plan.x_perm.push_back(k);
  plan.x_perm.push_back(a0);
  plan.y_perm = {0, a1};
  for (int k = 1; k < ry; ++k)
    if (k != a1) plan.y_perm.push_back(k);
  plan.x_moved = a0 != rx - 1;
  plan.y_moved = a1 != 1;
  plan.xt = permuted(xs, plan.x_perm);
  plan.yt = permuted(ys, plan.y_perm);

  const std::int64_t batch = xs[0] >= 0 ? xs[0] : ys[0];
  const std::int64_t k = d0;
  std::vector<std::int64_t> x_others(plan.xt.dims().begin() + 1, plan.xt.dims().end() - 1);
  std::vector<std::int64_t> y_others(plan.yt.dims().begin() + 2, plan.yt.dims().end());
  std::vector<std::int64_t> x_view{batch}, y_view{batch}, product{batch}, reduced{batch}, output{batch};
  for (const auto d : x_others) {
    x_view.push_back(d);
    y_view.push_back(1);
    product.push_back(d);
    reduced.push_back(d);
    output.push_back(d);
  }
  x_view.push_back(k);
  y_view.push_back(k);
  product.push_back(k);
  reduced.push_back(1);
  for (const auto d : y_others) {
    x_view.push_back(1);
    y_view.push_back(d);
    product.push_back(d);
    reduced.push_back(d);
    output.push_back(d);
  }
  if (output.size() == 1) output.push_back(1);
  plan.x_view = Shape(x_view);
  plan.y_view = Shape(y_view);
  plan.product = Shape(product);
  plan.reduced = Shape(reduced);
  plan.output = Shape(output);
  return plan;
}

}  // namespace

Shape Dot::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  return plan_dot(axes_, input_shapes).output;
}

void Dot::build_weights_inputs(std::span<const Shape> input_shapes) { plan_dot(axes_, input_shapes); }

Tensor Dot::forward_inputs(std::span<const Tensor> inputs, bool) {
  const Shape shapes[2] = {inputs[0].shape(), inputs.size() > 1 ? inputs[1].shape() : Shape{}};
  const DotPlan plan = plan_dot(axes_, std::span<const Shape>(shapes, inputs.size()));
  Backend& b = backend();
  Tensor xt = inputs[0], yt = inputs[1];
  if (plan.x_moved) {
    xt = buffer(kXT, plan.xt);
    b.transpose(inputs[0], plan.x_perm, xt);
  }
  if (plan.y_moved) {
    yt = buffer(kYT, plan.yt);
    b.transpose(inputs[1], plan.y_perm, yt);
  }
  Tensor& product = buffer(kProduct, plan.product);
  b.binary(BinaryOp::Multiply, xt.reshaped(plan.x_view), yt.reshaped(plan.y_view), product);
  Tensor& out = buffer(kOutput, plan.reduced);
  b.reduce(ReduceOp::Sum, product, out);
  save(kSavedXT, xt);
  save(kSavedYT, yt);
  saved_shape(0) = shapes[0];
  saved_shape(1) = shapes[1];
  return out.reshaped(plan.output);
}

void Dot::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  const Tensor& xt = saved(kSavedXT);
  const Tensor& yt = saved(kSavedYT);
  const Shape shapes[2] = {saved_shape(0), saved_shape(1)};
  const DotPlan plan = plan_dot(axes_, shapes);
  Backend& b = backend();
  const Tensor g = dy.reshaped(plan.reduced);
  Tensor& product = buffer(kGradProduct, plan.product);
  // d out[b, X, Y] / d xt[b, X, k] = yt[b, k, Y]: sum dy * y over Y (and likewise for y over X).
  const auto one_side = [&](const Tensor& other, const Shape& other_view, const Shape& view, const Shape& moved,
                            bool is_moved, const std::vector<int>& perm, std::size_t grad_slot, std::size_t slot,
                            const Shape& shape) {
    b.binary(BinaryOp::Multiply, g, other.reshaped(other_view), product);
    Tensor& grad_moved = buffer(grad_slot, view);
    b.reduce(ReduceOp::Sum, product, grad_moved);
    if (!is_moved) return grad_moved.reshaped(shape);
    Tensor& grad = buffer(slot, shape);
    b.transpose(grad_moved.reshaped(moved), inverse(perm), grad);
    return grad;
  };
  if (need_mask & 1u)
    dxs[0] = one_side(yt, plan.y_view, plan.x_view, plan.xt, plan.x_moved, plan.x_perm, kGradXT, kGradX, shapes[0]);
  if (need_mask & 2u)
    dxs[1] = one_side(xt, plan.x_view, plan.y_view, plan.yt, plan.y_moved, plan.y_perm, kGradYT, kGradY, shapes[1]);
}

nlohmann::json Dot::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["axes"] = axes_.pair ? nlohmann::json{axes_.axes[0], axes_.axes[1]} : nlohmann::json(axes_.axes[0]);
  config["normalize"] = normalize_;
  return config;
}

std::shared_ptr<Layer> Dot::from_config(const nlohmann::json& config) {
  STRATA_CHECK(config.contains("axes"), ValueError, "A Dot config needs \"axes\", received ", config.dump());
  const nlohmann::json& axes = config["axes"];
  const auto parsed = [&]() -> DotAxes {
    if (!axes.is_array()) return DotAxes(axes.get<int>());
    const auto list = axes.get<std::vector<int>>();
    STRATA_CHECK(
        list.size() == 2, ValueError,
        "Invalid format for argument `axes`: it should contain two elements. Received: axes=", list_text(list));
    return DotAxes{list[0], list[1]};
  }();
  auto layer = std::make_shared<Dot>(
      parsed, DotOptions{.name = config.value("name", ""), .normalize = config.value("normalize", false)});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
