#include "strata/callbacks/learning_rate_scheduler.hpp"

#include <cmath>
#include <iostream>

#include "optimizers/config.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"

namespace strata::callbacks {

LearningRateScheduler::LearningRateScheduler(std::function<double(int, double)> schedule, int verbose)
    : schedule_(std::move(schedule)), verbose_(verbose) {
  STRATA_CHECK(static_cast<bool>(schedule_), ValueError, "LearningRateScheduler needs a schedule function");
}

void LearningRateScheduler::on_epoch_begin(int epoch, Logs&) {
  Optimizer& optimizer = model().optimizer();
  const double rate = schedule_(epoch, optimizer.learning_rate());
  STRATA_CHECK(std::isfinite(rate), ValueError, "The output of the `schedule` function should be a finite float. Got: ",
               optimizers::detail::py_repr(rate));
  optimizer.set_learning_rate(rate);
  if (verbose_ > 0)
    std::cout << "\nEpoch " << epoch + 1 << ": LearningRateScheduler setting learning rate to "
              << optimizers::detail::py_repr(rate) << ".\n";
}

void LearningRateScheduler::on_epoch_end(int, Logs& logs) {
  logs["learning_rate"] = model().optimizer().learning_rate();
}

}  // namespace strata::callbacks
