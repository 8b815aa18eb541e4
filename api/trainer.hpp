#pragma once
// The trainer behind Model::fit / evaluate / predict: batches host arrays onto the model's
// backend (one batch tensor per model input and per target), runs the model's step, keeps one
// loss tracker per output and the metrics on the device, and reads back only what the logs
// show. Everything it needs per batch shape is allocated once and reused. Every public entry
// point runs bind_data first, which also builds the model and settles the backend.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "strata/history.hpp"
#include "strata/model.hpp"
#include "strata/tensor.hpp"

namespace strata {

namespace detail {
class CallbackList;
class DataParallel;
class Penalties;
}  // namespace detail

class Trainer {
 public:
  explicit Trainer(Model& model);
  ~Trainer();

  /// Keeps compile's arguments; they are matched to the model's outputs at the first data.
  void compile(LossSpec loss, MetricSpec metrics, LossWeights loss_weights, MetricSpec weighted_metrics);

  History fit(const Arrays& x, const Arrays& y, const FitOptions& options);
  History fit(PyDataset& data, const FitOptions& options);
  History fit(const BatchGenerator& data, const FitOptions& options);
  Logs evaluate(const Arrays& x, const Arrays& y, const EvaluateOptions& options);
  Logs evaluate(PyDataset& data, const EvaluateOptions& options);
  std::vector<xt::xarray<float>> predict(const Arrays& x, const PredictOptions& options);
  std::vector<xt::xarray<float>> predict(PyDataset& data, const PredictOptions& options);
  Logs train_on_batch(const Arrays& x, const Arrays& y);
  Logs test_on_batch(const Arrays& x, const Arrays& y);
  /// The compiled metrics with their log keys (empty before the outputs are known).
  std::vector<std::pair<std::string, std::shared_ptr<Metric>>> metrics() const;

  using Array = xt::xarray<float>;
  // The arrays of one call in the model's input (output) order.
  using Feed = std::vector<const Array*>;
  // Where a loop's batches come from (arrays, a PyDataset or a generator; see trainer.cpp).
  class Source;

 private:
  // One model output: its loss (none when compile gave it none), weight, metrics, batch of
  // targets and device buffers.
  struct Head {
    std::string name;
    std::shared_ptr<Loss> loss;
    double weight = 1.0;
    std::vector<std::shared_ptr<Metric>> metrics;
    std::vector<std::string> metric_keys;  // log keys: "accuracy", or "cls_accuracy" with several outputs
    std::vector<bool> metric_weighted;     // compile's weighted_metrics: updated with the sample weights
    std::string loss_key;                  // "cls_loss" with several outputs
    Tensor y_batch, values, grad, tracker;
    // A bfloat16 output widened to float32 for the loss and metrics, and the loss's gradient
    // rounded back to the output's dtype for backward (mixed precision).
    Tensor pred_f32, grad_out;
    // A masked output (Keras's apply_mask): the kept steps' count, a 1 to floor it with, and
    // the loss's and the weighted metrics' per-step weights.
    Tensor mask_kept, mask_one, mask_loss_weights, mask_metric_weights;
    std::vector<float> staging;
  };

  class ArraySource;
  class DistributedScope;
  class DatasetSource;
  class GeneratorSource;

  void require_compiled() const;
  // The loss (and, training, its gradient into head.grad) and the metrics of one output, the
  // steps of a masked output weighed as Keras's apply_mask weighs them.
  void score(Head& head, const Tensor& output, const Tensor* weights, bool training);
  // Orders x (and y) by the model's inputs (outputs), checks them against the model and the
  // losses before any work starts, building the model from x's shapes when it has none yet.
  Feed bind_inputs(const Arrays& x);
  Feed bind_targets(const Arrays& y, std::int64_t samples);
  void resolve_heads();
  void check_targets(const Feed& y) const;
  // Freezes the trainable weights and collects the model's regularization penalties.
  void collect_trainable();
  void reset_trackers();
  // Uploads rows order[first .. first + count) of x, y and the sample weights (or the
  // contiguous rows from `begin` when order is empty); y and weights may be absent.
  void load_rows(const Feed& x, const Feed* y, const Array* weights, std::int64_t begin,
                 const std::vector<std::int64_t>& order, std::int64_t first, std::int64_t count);
  // Checks a batch a PyDataset or a generator made against the model and uploads it.
  void load_batch(const Batch& batch, bool with_targets, const std::map<int, double>& class_weight);
  void train_step();
  // train_step's parts: forward, loss and backward; zeros for the gradients no loss reached
  // (all of them when `computed` is false: this rank had no rows or its step failed); the
  // penalties, the update and the constraints.
  void compute_gradients();
  void zero_missing_gradients(bool computed);
  void apply_gradients();
  void test_step();
  // One global batch of a data-parallel fit: this rank's share through compute_gradients, the
  // gradients summed across ranks, the update. nullopt when some rank's data ran out; else
  // whether the batch's logs are read (some rank's callbacks want them).
  std::optional<bool> distributed_train_batch(Source& source, std::int64_t step, std::int64_t steps,
                                              detail::CallbackList& callbacks);
  // Runs `work`; in a data-parallel loop through DataParallel::guard, so a failure stops every
  // rank at the next agreement instead of leaving the others waiting.
  template <class Work>
  void guarded(Work&& work);
  // Writes the running loss(es) and metrics into `logs`, keys prefixed ("val_"); in a
  // data-parallel loop, the sums over every rank.
  void read_logs(Logs& logs, const std::string& prefix = "");
  void read_local_logs(Logs& logs, const std::string& prefix) const;
  // Every batch of `source` through test_step, with the callbacks' test hooks.
  Logs run_test_loop(Source& source, detail::CallbackList& callbacks);
  History run_fit(Source& train, Source* validation, const FitOptions& options);
  // The x and y feeds an array source reads; they must outlive it.
  struct BoundArrays {
    Feed x, y;
  };
  // fit's validation from validation_dataset, else validation_data with its sample weights
  // (bound into `arrays`); null when neither is given (validation_split is the caller's).
  std::unique_ptr<Source> given_validation(const FitOptions& options, int batch_size, BoundArrays& arrays);
  Logs run_evaluate(Source& source, const EvaluateOptions& options);
  std::vector<xt::xarray<float>> run_predict(Source& source, const PredictOptions& options);
  // The end of evaluate and predict: their batch-sized buffers go back to the backend.
  void release_batch_buffers();

  Model& model_;
  Backend* backend_ = nullptr;  // the model's, set by bind_inputs
  LossSpec loss_spec_ = LossSpec(std::vector<Handle<Loss>>{});
  MetricSpec metric_spec_, weighted_metric_spec_;
  LossWeights weight_spec_;
  bool heads_resolved_ = false;
  std::vector<Head> heads_;
  std::vector<Tensor> x_batches_;
  std::vector<std::vector<float>> x_staging_;
  std::vector<std::int32_t> index_staging_;  // an int32 input's batch, converted from floats
  Tensor weight_batch_;                      // the batch's sample weights, when it has some
  bool batch_weighted_ = false;
  std::vector<float> weight_staging_;
  std::vector<Tensor> grads_;
  std::vector<Variable*> trainable_;
  std::unique_ptr<detail::Penalties> penalties_;  // null or empty: no regularizer
  Tensor penalty_tracker_;                        // (2,): [sum of penalty * batch, samples]
  // Data-parallel fit and evaluate (null otherwise): batches are split across the ranks.
  std::unique_ptr<detail::DataParallel> dp_;
  double batch_fraction_ = 1.0;  // this rank's share of the global batch just loaded
  bool batch_empty_ = false;     // the share holds no row (a last batch smaller than the ranks)
};

}  // namespace strata
