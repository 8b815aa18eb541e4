#include "strata/layers/normalization.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include <nlohmann/json.hpp>
#include <xtensor/xbroadcast.hpp>

#include "api/data/batch_queue.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/initializers.hpp"
#include "strata/tensor_host.hpp"

namespace strata {
inline namespace layers {
namespace {

// Keras's backend.epsilon(), the floor of the denominator.
constexpr float kEpsilon = 1e-7f;

// jnp.maximum(jnp.sqrt(variance), epsilon) in float32: NaN stays NaN (a negative variance
// gives NaN too), as jnp.maximum propagates it.
float denominator_of(float variance) {
  const float root = std::sqrt(variance);
  return std::isnan(root) ? root : std::max(root, kEpsilon);
}

std::string axis_text(const std::vector<int>& axis) {
  std::string text = "(";
  for (std::size_t i = 0; i < axis.size(); ++i)
    text += std::to_string(axis[i]) + (axis.size() == 1 ? "," : i + 1 < axis.size() ? ", " : "");
  return text + ")";
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::vector<int> dims(shape.begin(), shape.end());
  return axis_text(dims);
}

// np.array(value).tolist(): a number for rank 0, else nested lists.
nlohmann::json to_nested(const xt::xarray<float>& a, std::size_t axis = 0, std::size_t offset = 0) {
  if (a.dimension() == 0) return a();
  if (axis == a.dimension()) return a.data()[offset];
  nlohmann::json list = nlohmann::json::array();
  std::size_t stride = 1;
  for (std::size_t i = axis + 1; i < a.dimension(); ++i) stride *= a.shape()[i];
  for (std::size_t i = 0; i < a.shape()[axis]; ++i) list.push_back(to_nested(a, axis + 1, offset + i * stride));
  return list;
}

// The inverse of to_nested: a number or a rectangular nested list of numbers.
xt::xarray<float> from_nested(const nlohmann::json& value, const std::string& what) {
  std::vector<std::size_t> shape;
  for (const nlohmann::json* level = &value; level->is_array(); level = &(*level)[0]) {
    shape.push_back(level->size());
    if (level->empty()) break;
  }
  xt::xarray<float> a = xt::xarray<float>::from_shape(shape);
  std::size_t next = 0;
  auto walk = [&](auto&& self, const nlohmann::json& v, std::size_t depth) -> void {
    if (depth == shape.size()) {
      STRATA_CHECK(v.is_number(), ValueError, "Normalization: ", what, " holds ", v.dump(), ", not a number");
      a.data()[next++] = v.get<float>();
      return;
    }
    STRATA_CHECK(v.is_array() && v.size() == shape[depth], ValueError, "Normalization: ", what,
                 " is not a rectangular list of numbers");
    for (const nlohmann::json& item : v) self(self, item, depth + 1);
  };
  walk(walk, value, 0);
  return a;
}

// The mean and biased variance of `data` over every axis but `keep_axes`, per kept index in
// row-major order, accumulated in double, and the number of values behind each.
struct Moments {
  std::vector<double> mean, variance;
  double count = 0;
};

Moments moments_of(const xt::xarray<float>& data, const std::vector<std::size_t>& keep_axes) {
  // Each element's position among the kept indices is walked along with its multi-index.
  const std::size_t rank = data.dimension();
  std::vector<std::size_t> kept_stride(rank, 0);
  std::size_t kept_count = 1;
  for (auto d = keep_axes.rbegin(); d != keep_axes.rend(); ++d) {
    kept_stride[*d] = kept_count;
    kept_count *= data.shape()[*d];
  }
  std::vector<std::size_t> index(rank);
  auto for_each_element = [&](auto&& visit) {
    std::fill(index.begin(), index.end(), std::size_t{0});
    std::size_t kept = 0;
    for (std::size_t flat = 0; flat < data.size(); ++flat) {
      visit(data.data()[flat], kept);
      for (std::size_t d = rank; d-- > 0;) {
        kept += kept_stride[d];
        if (++index[d] < data.shape()[d]) break;
        kept -= kept_stride[d] * index[d];
        index[d] = 0;
      }
    }
  };
  Moments m{std::vector<double>(kept_count, 0.0), std::vector<double>(kept_count, 0.0),
            static_cast<double>(data.size() / kept_count)};
  for_each_element([&](float v, std::size_t k) { m.mean[k] += v; });
  for (double& s : m.mean) s /= m.count;
  for_each_element([&](float v, std::size_t k) { m.variance[k] += (v - m.mean[k]) * (v - m.mean[k]); });
  for (double& v : m.variance) v /= m.count;
  return m;
}

}  // namespace

Normalization::Normalization(NormalizationOptions options)
    : LayerOf<Normalization>("normalization", LayerOptions{options.name, options.input_shape, options.dtype}),
      options_(std::move(options)) {
  const auto& mean = options_.mean;
  const auto& variance = options_.variance;
  auto text = [](const std::optional<xt::xarray<float>>& a) { return a ? to_nested(*a).dump() : std::string("None"); };
  STRATA_CHECK(mean.has_value() == variance.has_value(), ValueError,
               "When setting values directly, both `mean` and `variance` must be set. Received: mean=", text(mean),
               " and variance=", text(variance));
  if (mean) {
    const std::vector<std::size_t> mean_shape(mean->shape().begin(), mean->shape().end());
    const std::vector<std::size_t> variance_shape(variance->shape().begin(), variance->shape().end());
    STRATA_CHECK(mean_shape == variance_shape, ValueError,
                 "When setting values directly, `mean` and `variance` must have the same shape. Received: mean shape ",
                 shape_text(mean_shape), " and variance shape ", shape_text(variance_shape));
    STRATA_CHECK(mean->dimension() <= options_.axis.size(), ValueError,
                 "The rank of `mean` must be less than or equal to the number of axes (", options_.axis.size(),
                 "). Received: mean shape ", shape_text(mean_shape), " for axis ", axis_text(options_.axis));
  }
}

void Normalization::build_weights(const Shape& input_shape) {
  const auto ndim = static_cast<std::int64_t>(input_shape.rank());
  keep_axes_.clear();
  for (int a : options_.axis) {
    STRATA_CHECK(a >= -ndim && a < ndim, ValueError,
                 "All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim=", ndim,
                 ", while axis=", axis_text(options_.axis));
    keep_axes_.push_back(static_cast<std::size_t>(a < 0 ? a + ndim : a));
  }
  std::sort(keep_axes_.begin(), keep_axes_.end());
  keep_axes_.erase(std::unique(keep_axes_.begin(), keep_axes_.end()), keep_axes_.end());
  std::vector<std::int64_t> broadcast(static_cast<std::size_t>(ndim), 1), kept;
  for (std::size_t d : keep_axes_) {
    STRATA_CHECK(input_shape[static_cast<std::int64_t>(d)] != kNone, ValueError,
                 "All `axis` values to be kept must have a known shape. Received axis=", axis_text(options_.axis),
                 ", inputs.shape=", input_shape.to_string(), ", with unknown axis at index ", d);
    broadcast[d] = input_shape[static_cast<std::int64_t>(d)];
    kept.push_back(broadcast[d]);
  }
  broadcast_shape_ = Shape(broadcast);
  denominator_ = Tensor(backend(), broadcast_shape_);

  if (!options_.mean) {
    mean_ = &add_weight("mean", Shape(kept), initializers::Zeros(), false);
    variance_ = &add_weight("variance", Shape(kept), initializers::Ones(), false);
    add_weight("count", Shape{}, initializers::Zeros(), false);
    mean_constant_ = mean_->value.reshaped(broadcast_shape_);
    return;
  }
  // Constants: their dimensions go to the kept axes from the right, then broadcast.
  std::vector<std::size_t> expanded(static_cast<std::size_t>(ndim), 1);
  const xt::xarray<float>& mean = *options_.mean;
  for (std::size_t i = 1; i <= mean.dimension(); ++i)
    expanded[keep_axes_[keep_axes_.size() - i]] = mean.shape()[mean.dimension() - i];
  const std::vector<std::size_t> target(broadcast.begin(), broadcast.end());
  auto broadcast_to_target = [&](const xt::xarray<float>& values) {
    xt::xarray<float> reshaped = values;
    reshaped.reshape(expanded);
    for (std::size_t d = 0; d < target.size(); ++d)
      STRATA_CHECK(expanded[d] == 1 || expanded[d] == target[d], ValueError, "Normalization: mean of shape ",
                   shape_text(std::vector<std::size_t>(values.shape().begin(), values.shape().end())),
                   " cannot be broadcast to the kept axes' shape ", shape_text(target));
    return xt::xarray<float>(xt::broadcast(reshaped, target));
  };
  mean_constant_ = from_host(backend(), broadcast_to_target(mean));
  const xt::xarray<float> variance = broadcast_to_target(*options_.variance);
  host_.assign(variance.begin(), variance.end());
  for (float& v : host_) v = denominator_of(v);
  backend().upload(host_.data(), denominator_);
}

void Normalization::refresh_denominator() {
  if (!variance_) return;  // constants: computed once at build
  host_.resize(static_cast<std::size_t>(variance_->value.size()));
  backend().download(variance_->value, host_.data());
  for (float& v : host_) v = denominator_of(v);
  backend().upload(host_.data(), denominator_);
}

Tensor Normalization::forward(const Tensor& x, bool) {
  refresh_denominator();
  Tensor& y = buffer(1, x.shape());
  if (options_.invert) {
    Tensor& scaled = buffer(0, x.shape());
    backend().binary(BinaryOp::Multiply, x, denominator_, scaled);
    backend().binary(BinaryOp::Add, mean_constant_, scaled, y);
  } else {
    Tensor& centred = buffer(0, x.shape());
    backend().binary(BinaryOp::Subtract, x, mean_constant_, centred);
    backend().binary(BinaryOp::Divide, centred, denominator_, y);
  }
  return y;
}

Tensor Normalization::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (!need_input_grad) return {};
  Tensor& dx = buffer(2, dy.shape());
  backend().binary(options_.invert ? BinaryOp::Multiply : BinaryOp::Divide, dy, denominator_, dx);
  return dx;
}

void Normalization::begin_adapt(const xt::xarray<float>& batch, bool from_dataset) {
  STRATA_CHECK(!options_.mean, ValueError, "layer \"", name(),
               "\": adapt() cannot change a Normalization made with constant mean and variance");
  const std::vector<std::size_t> shape(batch.shape().begin(), batch.shape().end());
  STRATA_CHECK(batch.dimension() >= 1 && batch.shape()[0] > 0, ValueError, "layer \"", name(),
               "\": adapt() received no samples (data of shape ", shape_text(shape), ")");
  const Shape data_shape(std::vector<std::int64_t>(shape.begin(), shape.end()));
  if (!built()) {
    build(data_shape);
    return;
  }
  const Shape& built_for = build_input_shape();
  bool compatible = built_for.rank() == data_shape.rank();
  for (std::size_t d : keep_axes_)
    compatible = compatible && built_for[static_cast<std::int64_t>(d)] == data_shape[static_cast<std::int64_t>(d)];
  if (from_dataset)
    STRATA_CHECK(compatible, ValueError, "adapt() yielded a batch with incompatible shape. Expected ",
                 built_for.to_string(), ", got ", data_shape.to_string(), ".");
  STRATA_CHECK(
      compatible, ValueError, "The layer was built with input_shape=", built_for.to_string(),
      ", but adapt() is being called with data with an incompatible shape, data.shape=", data_shape.to_string());
}

void Normalization::store_statistics(const std::vector<double>& mean, const std::vector<double>& variance) {
  const std::vector<float> mean_f(mean.begin(), mean.end()), variance_f(variance.begin(), variance.end());
  backend().upload(mean_f.data(), mean_->value);
  backend().upload(variance_f.data(), variance_->value);
}

void Normalization::adapt(const xt::xarray<float>& data) {
  begin_adapt(data, false);
  const Moments moments = moments_of(data, keep_axes_);
  store_statistics(moments.mean, moments.variance);
}

void Normalization::adapt(PyDataset& data) {
  const std::int64_t batches = data.size();
  STRATA_CHECK(batches > 0, ValueError, "layer \"", name(),
               "\": adapt() received an empty data set (no batches). Expected at least one batch.");
  std::vector<std::int64_t> order(static_cast<std::size_t>(batches));
  std::iota(order.begin(), order.end(), 0);
  detail::BatchQueue queue(data, order);
  std::vector<double> mean, variance;
  double total = 0;
  while (std::optional<Batch> batch = queue.next()) {
    STRATA_CHECK(!batch->x.empty(), ValueError, "layer \"", name(), "\": adapt() received a batch without x");
    begin_adapt(batch->x[0], true);
    const Moments moments = moments_of(batch->x[0], keep_axes_);
    if (mean.empty()) {
      mean.assign(moments.mean.size(), 0.0);
      variance.assign(moments.mean.size(), 0.0);
    }
    // Keras's merge of a batch into the running statistics (the lack-of-fit sum of squares):
    // weights by sample count, each part's variance taken about the new mean.
    total += moments.count;
    const double batch_weight = moments.count / total, existing_weight = 1.0 - batch_weight;
    for (std::size_t k = 0; k < mean.size(); ++k) {
      const double merged = mean[k] * existing_weight + moments.mean[k] * batch_weight;
      variance[k] = (variance[k] + (mean[k] - merged) * (mean[k] - merged)) * existing_weight +
                    (moments.variance[k] + (moments.mean[k] - merged) * (moments.mean[k] - merged)) * batch_weight;
      mean[k] = merged;
    }
  }
  store_statistics(mean, variance);
}

nlohmann::json Normalization::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["axis"] = options_.axis;
  config["invert"] = options_.invert;
  config["mean"] = options_.mean ? to_nested(*options_.mean) : nlohmann::json(nullptr);
  config["variance"] = options_.variance ? to_nested(*options_.variance) : nlohmann::json(nullptr);
  return config;
}

std::shared_ptr<Layer> Normalization::from_config(const nlohmann::json& config) {
  NormalizationOptions options;
  options.name = config.value("name", "");
  if (config.contains("axis")) {
    const nlohmann::json& axis = config["axis"];
    if (axis.is_null()) {
      options.axis.clear();
    } else if (axis.is_number_integer()) {
      options.axis = {axis.get<int>()};
    } else {
      STRATA_CHECK(axis.is_array(), ValueError, "layer \"", options.name,
                   "\": Normalization axis must be an int, a list of ints or null, received ", axis.dump());
      options.axis = axis.get<std::vector<int>>();
    }
  }
  options.invert = config.value("invert", false);
  if (config.contains("mean") && !config["mean"].is_null()) options.mean = from_nested(config["mean"], "mean");
  if (config.contains("variance") && !config["variance"].is_null())
    options.variance = from_nested(config["variance"], "variance");
  auto layer = std::make_shared<Normalization>(options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
