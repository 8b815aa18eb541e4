#include "strata/optimizers/sgd.hpp"

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

SGD::SGD(LearningRate learning_rate, const SGDOptions& options)
    : Optimizer(options.name.empty() ? "sgd" : options.name, learning_rate, options.common()),
      momentum_(options.momentum),
      nesterov_(options.nesterov) {
  // Keras's own words (sgd.py).
  STRATA_CHECK(momentum_ >= 0 && momentum_ <= 1, ValueError,
               "`momentum` must be a float between [0, 1]. Received: momentum=", detail::py_repr(momentum_));
}

void SGD::build_slots(const Variable& variable) {
  if (momentum_ != 0) add_slot(variable, "momentum");
}

void SGD::update_step(std::size_t index, Variable& variable, float learning_rate) {
  SGDParams p;
  p.learning_rate = learning_rate;
  p.momentum = static_cast<float>(momentum_);
  p.nesterov = nesterov_;
  Tensor* velocity = momentum_ != 0 ? &slot(index, 0).value : nullptr;
  variable.value.backend().sgd_update(variable.value, variable.grad, velocity, p);
}

nlohmann::json SGD::get_config() const {
  auto config = Optimizer::get_config();
  config["momentum"] = momentum_;
  config["nesterov"] = nesterov_;
  return config;
}

namespace detail {
std::shared_ptr<Optimizer> make_sgd(ConfigReader& config) {
  SGDOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.01);
  o.momentum = config.number("momentum", o.momentum);
  o.nesterov = config.boolean("nesterov", o.nesterov);
  return std::make_shared<SGD>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
