#pragma once
// Private to optimizers/: reading Keras optimizer configs, validating hyperparameters, and the
// factories Optimizer::from_config dispatches to.

#include <cmath>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/error.hpp"
#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers::detail {

/// A float as Python's repr() writes it: 0.9, 1.0, 1e-07, inf, nan.
std::string py_repr(double value);
/// py_repr for a value, "None" for none.
std::string py_repr(const std::optional<double>& value);

/// Throws ValueError "Argument `<name>` must be <what>. Received: <name>=<value>" unless `ok`.
void check_argument(bool ok, std::string_view name, std::string_view what, double value);

/// Reads a Keras config ("config" of the serialized object) of an optimizer or a learning rate
/// schedule (`kind`): every key read is marked, and finish() rejects the keys no one read, as
/// Keras's constructors do.
class ConfigReader {
 public:
  ConfigReader(const nlohmann::json& config, std::string class_name, std::string kind = "optimizer");

  double number(const char* key, double fallback);
  /// A number the config must have (a required constructor argument).
  double required_number(const char* key);
  std::optional<double> optional_number(const char* key, std::optional<double> fallback);
  /// An integer or null (a float holding an integer is accepted, as Python compares it).
  std::optional<std::int64_t> optional_integer(const char* key, std::optional<std::int64_t> fallback);
  /// A list of numbers the config must have.
  std::vector<double> numbers(const char* key);
  bool boolean(const char* key, bool fallback);
  std::string string(const char* key, const std::string& fallback);
  /// The optimizer's name when the config has one, else empty (the class's default).
  std::string name();
  /// learning_rate (a number or a serialized schedule), weight_decay, clipnorm, clipvalue,
  /// global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
  /// gradient_accumulation_steps, and Keras's other base keys (loss_scale_factor must be null).
  OptimizerOptions common(LearningRate& learning_rate, double default_learning_rate,
                          std::optional<double> default_weight_decay = std::nullopt);
  /// Fills the fields every options struct shares (name, weight decay, clipping, EMA,
  /// accumulation) from the config and returns the learning rate.
  template <class Options>
  LearningRate read_common(Options& options, double default_learning_rate,
                           std::optional<double> default_weight_decay = std::nullopt) {
    LearningRate learning_rate = default_learning_rate;
    const OptimizerOptions base = common(learning_rate, default_learning_rate, default_weight_decay);
    options.weight_decay = base.weight_decay;
    options.clipnorm = base.clipnorm;
    options.clipvalue = base.clipvalue;
    options.global_clipnorm = base.global_clipnorm;
    options.use_ema = base.use_ema;
    options.ema_momentum = base.ema_momentum;
    options.ema_overwrite_frequency = base.ema_overwrite_frequency;
    options.gradient_accumulation_steps = base.gradient_accumulation_steps;
    options.name = name();
    return learning_rate;
  }
  /// Throws ValueError listing the keys nothing read.
  void finish() const;

 private:
  const nlohmann::json& at(const char* key);
  /// "Optimizer Adam", "Learning rate schedule CosineDecay": the start of every message.
  std::string subject() const;
  const nlohmann::json& config_;
  std::string class_name_;
  std::string kind_;
  std::set<std::string> read_;
};

/// Reads Adam's own keys, shared by AdamW.
template <class Options>
void read_adam_keys(ConfigReader& config, Options& options) {
  options.beta_1 = config.number("beta_1", options.beta_1);
  options.beta_2 = config.number("beta_2", options.beta_2);
  options.epsilon = config.number("epsilon", options.epsilon);
  options.amsgrad = config.boolean("amsgrad", options.amsgrad);
}

std::shared_ptr<Optimizer> make_sgd(ConfigReader& config);
std::shared_ptr<Optimizer> make_adam(ConfigReader& config);
std::shared_ptr<Optimizer> make_adamw(ConfigReader& config);
std::shared_ptr<Optimizer> make_rmsprop(ConfigReader& config);
std::shared_ptr<Optimizer> make_adagrad(ConfigReader& config);
std::shared_ptr<Optimizer> make_nadam(ConfigReader& config);
std::shared_ptr<Optimizer> make_adamax(ConfigReader& config);
std::shared_ptr<Optimizer> make_adadelta(ConfigReader& config);
std::shared_ptr<Optimizer> make_lion(ConfigReader& config);
std::shared_ptr<Optimizer> make_ftrl(ConfigReader& config);
std::shared_ptr<Optimizer> make_adafactor(ConfigReader& config);

}  // namespace strata::optimizers::detail
