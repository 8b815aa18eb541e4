#pragma once
/// @class strata::layers::Normalization
/// Normalization: shifts and scales features to mean 0 and variance 1, as
/// keras.layers.Normalization: y = (x - mean) / max(sqrt(variance), 1e-7), or with `invert`
/// x's inverse, y = mean + x * max(sqrt(variance), 1e-7), both in float32. The mean and variance
/// are kept per index of the `axis` axes and broadcast over the others; they come from
/// `adapt(data)` (the data's mean and biased variance) or are given as constants.
///
///     Normalization norm;                       // one mean and variance per feature (axis -1)
///     norm.adapt(x_train);
///     Normalization({.axis = {}});              // one mean and variance over everything (axis=None)
///     Normalization({.mean = xt::xarray<float>(3.f), .variance = xt::xarray<float>(2.f)});
/// - Input shape: any. Output shape: the input's.
/// - Weights, when adapted (none with constants): mean and variance of the kept axes' shape and
///   count (), all non-trainable, as Keras names and saves them (Keras keeps count as an int32
///   that it never updates; Strata keeps and saves it as a float32 0).
/// .
/// The gradient passes through to the input (dy / the denominator), so the layer can sit
/// inside a trained model; its own statistics never train.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "strata/data/py_dataset.hpp"
#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

/// The arguments of Normalization, with Keras's defaults.
struct NormalizationOptions {
  /// The axes that get a mean and variance per index (negative counts from the end); empty:
  /// one mean and variance for all (Keras's axis=None). The batch axis cannot be one of them.
  std::vector<int> axis = {-1};
  /// Constant means, broadcast to the kept axes' shape (their dimensions matched from the
  /// right); given together with `variance`, or neither.
  std::optional<xt::xarray<float>> mean = std::nullopt;
  /// Constant variances, the same shape as `mean`.
  std::optional<xt::xarray<float>> variance = std::nullopt;
  /// Undo the normalization instead of applying it.
  bool invert = false;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class Normalization : public LayerOf<Normalization> {
 public:
  /// Makes the layer from Keras's arguments (see above). ValueError, in Keras's words, when only
  /// one of mean and variance is given, their shapes differ, or mean has more axes than `axis`.
  explicit Normalization(NormalizationOptions options = {});

  std::string class_name() const override { return "Normalization"; }
  /// Passes its input's mask on (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  nlohmann::json get_config() const override;
  /// Rebuilds a Normalization from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The options the layer was made with.
  const NormalizationOptions& options() const { return options_; }

  /// Sets the mean and variance to those of `data` (samples on its first axis) over every axis
  /// but the kept ones, building the layer for data's shape first when needed. ValueError when
  /// the layer was made with constants, when data has no samples, or when its kept axes differ
  /// from those the layer was built for (Keras's message).
  void adapt(const xt::xarray<float>& data);
  /// The same over a data set too large for one array: the first input (x) of every batch, in
  /// index order (on the data set's workers), merged batch by batch as Keras's adapt merges the
  /// batches of a PyDataset. ValueError for a data set without batches or a batch whose kept axes
  /// differ from the first one's (Keras's message).
  void adapt(PyDataset& data);

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  // Checks adapt's data (or a batch of it) and builds the layer for its shape on first use.
  void begin_adapt(const xt::xarray<float>& batch, bool from_dataset);
  void store_statistics(const std::vector<double>& mean, const std::vector<double>& variance);
  // Recomputes the denominator max(sqrt(variance), epsilon) from the variance variable (which
  // adapt, set_weights or a load may have changed since the last call).
  void refresh_denominator();

  NormalizationOptions options_;
  std::vector<std::size_t> keep_axes_;  // sorted, non-negative
  Shape broadcast_shape_;               // the input's rank: the kept axes' sizes, 1 elsewhere
  Variable* mean_ = nullptr;            // adapted statistics (null with constants)
  Variable* variance_ = nullptr;
  Tensor mean_constant_;     // broadcast_shape_: the constant mean, or a view of mean_
  Tensor denominator_;       // broadcast_shape_: max(sqrt(variance), epsilon)
  std::vector<float> host_;  // the variance read back, reused from call to call
};

}  // namespace layers
}  // namespace strata
