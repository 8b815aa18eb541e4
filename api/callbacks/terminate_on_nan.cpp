#include "strata/callbacks/terminate_on_nan.hpp"

#include <cmath>
#include <iostream>

#include "optimizers/config.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"

namespace strata::callbacks {

void TerminateOnNaN::on_train_batch_end(int batch, const Logs& logs) {
  const auto it = logs.find("loss");
  if (it == logs.end() || std::isfinite(it->second)) return;
  if (raise_error_)
    throw RuntimeError(detail::concat("NaN or Inf loss encountered at batch ", batch, ". Loss value: ",
                                      optimizers::detail::py_repr(it->second), ". Terminating training immediately."));
  std::cout << "Batch " << batch << ": Invalid loss, terminating training\n";
  model().stop_training = true;
}

}  // namespace strata::callbacks
