#pragma once
/// Model: compile, fit, evaluate, predict and the weight accessors, shared by every way of
/// building a network. Sequential is the chain case; the Functional graph and subclassed
/// models plug into the same trainer through forward/backward/layers.

#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>

#include "strata/handle.hpp"
#include "strata/history.hpp"
#include "strata/layer.hpp"
#include "strata/losses/loss.hpp"
#include "strata/metrics/metric.hpp"
#include "strata/optimizers/optimizer.hpp"

namespace strata {

/// fit's arguments, in Keras's order, with Keras's defaults.
struct FitOptions {
  int batch_size = 32;
  int epochs = 1;
  /// 0 silent, 1 progress bar, 2 one line per epoch.
  int verbose = 1;
  /// Fraction of the samples held out for validation: the last ones, taken before shuffling.
  double validation_split = 0.0;
  /// (x, y) to validate on after each epoch; overrides validation_split.
  std::optional<std::pair<xt::xarray<float>, xt::xarray<float>>> validation_data = std::nullopt;
  /// Reshuffle the training samples every epoch.
  bool shuffle = true;
  /// Epoch to start from; `epochs` is the index of the last epoch, as in Keras.
  int initial_epoch = 0;
};

struct EvaluateOptions {
  int batch_size = 32;
  int verbose = 1;
};

struct PredictOptions {
  int batch_size = 32;
  int verbose = 1;
};

class Model {
 public:
  virtual ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const std::string& name() const { return name_; }

  /// Keras's compile: an optimizer, a loss and metrics, as objects or Keras's string names.
  void compile(Handle<Optimizer> optimizer, Handle<Loss> loss,
               std::vector<Handle<Metric>> metrics = {});
  bool compiled() const { return loss_ != nullptr; }

  /// Trains on x (samples on the first axis) and y; returns the per-epoch logs.
  History fit(const xt::xarray<float>& x, const xt::xarray<float>& y, const FitOptions& options = {});
  /// {"loss": ..., "<metric>": ...} over the whole of x and y.
  Logs evaluate(const xt::xarray<float>& x, const xt::xarray<float>& y,
                const EvaluateOptions& options = {});
  /// The model's outputs for x, computed in batches in inference mode.
  xt::xarray<float> predict(const xt::xarray<float>& x, const PredictOptions& options = {});

  /// One optimizer step on exactly this batch; the logs of that batch alone.
  Logs train_on_batch(const xt::xarray<float>& x, const xt::xarray<float>& y);
  /// Loss and metrics of exactly this batch, no training.
  Logs test_on_batch(const xt::xarray<float>& x, const xt::xarray<float>& y);
  xt::xarray<float> predict_on_batch(const xt::xarray<float>& x);

  /// Every weight, in layer order and Keras's order within a layer.
  std::vector<xt::xarray<float>> get_weights() const;
  /// Throws ValueError when the count or a shape differs.
  void set_weights(const std::vector<xt::xarray<float>>& weights);
  std::int64_t count_params() const;

  /// Keras's summary table.
  void summary(std::ostream& out = std::cout) const;

  /// The layers, in order (Sequential leaves out its input layer, as Keras does).
  virtual std::vector<Layer*> layers() const = 0;
  virtual bool built() const = 0;
  /// Builds every layer for inputs of `input_shape` (batch axis None).
  virtual void build(const Shape& input_shape) = 0;
  /// The model's input shape, batch axis None (built models only).
  virtual Shape input_shape() const = 0;
  virtual Shape output_shape() const = 0;

  /// The compiled optimizer; StateError before compile.
  Optimizer& optimizer() const;
  /// Set by a callback to end fit after the current epoch.
  bool stop_training = false;

 protected:
  explicit Model(std::string name);

  /// Forward pass of a batch on the layers' backend.
  virtual Tensor forward(const Tensor& x, bool training) = 0;
  /// Backward pass from dL/d(output); fills every trainable weight's gradient.
  virtual void backward(const Tensor& grad_output) = 0;

 private:
  friend class Trainer;
  std::string name_;
  std::shared_ptr<Optimizer> optimizer_;
  std::shared_ptr<Loss> loss_;
  std::vector<std::shared_ptr<Metric>> metrics_;
  std::unique_ptr<class Trainer> trainer_;
};

}  // namespace strata
