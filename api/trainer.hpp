#pragma once
// The trainer behind Model::fit / evaluate / predict: batches host arrays onto the model's
// backend, runs the step, keeps the loss and metric trackers on the device and reads back only
// what the logs show. Everything it needs per batch shape is allocated once and reused.
// Every public entry point runs check_data first, which also settles the backend.

#include <cstdint>
#include <optional>
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

  History fit(const xt::xarray<float>& x, const xt::xarray<float>& y, const FitOptions& options);
  Logs evaluate(const xt::xarray<float>& x, const xt::xarray<float>& y, int batch_size, int verbose);
  xt::xarray<float> predict(const xt::xarray<float>& x, int batch_size, int verbose);
  Logs train_on_batch(const xt::xarray<float>& x, const xt::xarray<float>& y);
  Logs test_on_batch(const xt::xarray<float>& x, const xt::xarray<float>& y);

 private:
  // A view of rows [begin, end) of a host array pair, or of rows picked by an index list.
  struct Samples {
    const xt::xarray<float>* x = nullptr;
    const xt::xarray<float>* y = nullptr;
    std::int64_t begin = 0;
    std::int64_t end = 0;
    std::int64_t size() const { return end - begin; }
  };

  void require_compiled() const;
  // Checks x and y against the model and the loss before any work starts (building the model
  // from x's shape when it has no input shape yet).
  void check_data(const xt::xarray<float>& x, const xt::xarray<float>* y);
  void collect_trainable();
  void reset_trackers();
  // Uploads rows order[first .. first + count) (or the contiguous rows when order is empty).
  void load_batch(const Samples& data, const std::vector<std::int64_t>& order, std::int64_t first,
                  std::int64_t count, bool with_targets);
  void train_step(std::int64_t epoch, std::int64_t step);
  void test_step();
  // Writes the running loss and metrics into `logs`, keys prefixed ("val_").
  void read_logs(Logs& logs, const std::string& prefix = "") const;
  Logs run_test_loop(const Samples& data, int batch_size, Progbar* bar);

  Model& model_;
  Backend* backend_ = nullptr;  // the model's, set by check_data
  Tensor x_batch_;
  Tensor y_batch_;
  Tensor loss_values_;
  Tensor loss_grad_;
  Tensor loss_tracker_;
  std::vector<float> x_staging_;
  std::vector<float> y_staging_;
  std::vector<Variable*> trainable_;
};

}  // namespace strata
