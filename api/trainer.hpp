#pragma once
// The trainer behind Model::fit / evaluate / predict: batches host arrays onto the model's
// backend (one batch tensor per model input and per target), runs the model's step, keeps one
// loss tracker per output and the metrics on the device, and reads back only what the logs
// show. Everything it needs per batch shape is allocated once and reused. Every public entry
// point runs bind_data first, which also builds the model and settles the backend.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "strata/history.hpp"
#include "strata/model.hpp"
#include "strata/tensor.hpp"

namespace strata {

class Progbar;

class Trainer {
 public:
  explicit Trainer(Model& model) : model_(model) {}

  /// Keeps compile's arguments; they are matched to the model's outputs at the first data.
  void compile(LossSpec loss, MetricSpec metrics, LossWeights loss_weights);

  History fit(const Arrays& x, const Arrays& y, const FitOptions& options);
  Logs evaluate(const Arrays& x, const Arrays& y, int batch_size, int verbose);
  std::vector<xt::xarray<float>> predict(const Arrays& x, int batch_size, int verbose);
  Logs train_on_batch(const Arrays& x, const Arrays& y);
  Logs test_on_batch(const Arrays& x, const Arrays& y);

 private:
  using Array = xt::xarray<float>;
  // The arrays of one call in the model's input (output) order.
  using Feed = std::vector<const Array*>;

  // One model output: its loss (none when compile gave it none), weight, metrics, batch of
  // targets and device buffers.
  struct Head {
    std::string name;
    std::shared_ptr<Loss> loss;
    double weight = 1.0;
    std::vector<std::shared_ptr<Metric>> metrics;
    std::vector<std::string> metric_keys;  // log keys: "accuracy", or "cls_accuracy" with several outputs
    std::string loss_key;                  // "cls_loss" with several outputs
    Tensor y_batch, values, grad, tracker;
    std::vector<float> staging;
  };

  // Rows [begin, end) of every array of an x feed and a y feed (y may be empty).
  struct Samples {
    const Feed* x = nullptr;
    const Feed* y = nullptr;
    std::int64_t begin = 0;
    std::int64_t end = 0;
    std::int64_t size() const { return end - begin; }
  };

  void require_compiled() const;
  // Orders x (and y) by the model's inputs (outputs), checks them against the model and the
  // losses before any work starts, building the model from x's shapes when it has none yet.
  Feed bind_inputs(const Arrays& x);
  Feed bind_targets(const Arrays& y, std::int64_t samples);
  void resolve_heads();
  void check_targets(const Feed& y) const;
  void collect_trainable();
  void reset_trackers();
  // Uploads rows order[first .. first + count) (or the contiguous rows when order is empty).
  void load_batch(const Samples& data, const std::vector<std::int64_t>& order, std::int64_t first, std::int64_t count);
  void train_step();
  void test_step();
  // Writes the running loss(es) and metrics into `logs`, keys prefixed ("val_").
  void read_logs(Logs& logs, const std::string& prefix = "") const;
  Logs run_test_loop(const Samples& data, int batch_size, Progbar* bar);
  // The end of evaluate and predict: their batch-sized buffers go back to the backend.
  void release_batch_buffers();

  Model& model_;
  Backend* backend_ = nullptr;  // the model's, set by bind_inputs
  LossSpec loss_spec_ = LossSpec(std::vector<Handle<Loss>>{});
  MetricSpec metric_spec_;
  LossWeights weight_spec_;
  bool heads_resolved_ = false;
  std::vector<Head> heads_;
  std::vector<Tensor> x_batches_;
  std::vector<std::vector<float>> x_staging_;
  std::vector<Tensor> grads_;
  std::vector<Variable*> trainable_;
};

}  // namespace strata
