#include "strata/optimizers/optimizer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "backends/flush_subnormals.hpp"
#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/optimizers/schedules/learning_rate_schedule.hpp"

namespace strata {

namespace optimizers::detail {

std::string py_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Python's layout: fixed for 1e-4 <= |x| < 1e16, else
  // scientific with at least two exponent digits.
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::scientific);
  std::string sci(buf.data(), end);
  const bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  const auto e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exponent = std::stoi(sci.substr(e + 1));
  std::string out;
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else {
      const auto int_len = static_cast<std::size_t>(exponent + 1);
      if (digits.size() <= int_len) {
        out = digits + std::string(int_len - digits.size(), '0') + ".0";
      } else {
        out = digits.substr(0, int_len) + "." + digits.substr(int_len);
      }
    }
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    const int abs_exp = std::abs(exponent);
    out += std::string("e") + (exponent < 0 ? "-" : "+") + (abs_exp < 10 ? "0" : "") + std::to_string(abs_exp);
  }
  return negative ? "-" + out : out;
}

std::string py_repr(const std::optional<double>& value) { return value ? py_repr(*value) : std::string("None"); }

void check_argument(bool ok, std::string_view name, std::string_view what, double value) {
  STRATA_CHECK(ok, ValueError, "Argument `", name, "` must be ", what, ". Received: ", name, "=", py_repr(value));
}

ConfigReader::ConfigReader(const nlohmann::json& config, std::string class_name, std::string kind)
    : config_(config), class_name_(std::move(class_name)), kind_(std::move(kind)) {
  STRATA_CHECK(config_.is_object(), ValueError, "The config of ", kind_, " ", class_name_,
               " must be a JSON object, received: ", config_.dump());
}

std::string ConfigReader::subject() const {
  std::string out = kind_ + " " + class_name_;
  out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

const nlohmann::json& ConfigReader::at(const char* key) {
  read_.insert(key);
  static const nlohmann::json null_value;
  auto it = config_.find(key);
  return it == config_.end() ? null_value : *it;
}

double ConfigReader::number(const char* key, double fallback) {
  const auto& v = at(key);
  if (v.is_null()) return fallback;
  STRATA_CHECK(v.is_number(), ValueError, subject(), ": config key \"", key,
               "\" must be a number, received: ", v.dump());
  return v.get<double>();
}

double ConfigReader::required_number(const char* key) {
  STRATA_CHECK(config_.contains(key), ValueError, subject(), ": the config has no \"", key, "\" (a required argument)");
  return number(key, 0.0);
}

std::optional<double> ConfigReader::optional_number(const char* key, std::optional<double> fallback) {
  if (!config_.contains(key)) {
    read_.insert(key);
    return fallback;
  }
  const auto& v = at(key);
  if (v.is_null()) return std::nullopt;
  STRATA_CHECK(v.is_number(), ValueError, subject(), ": config key \"", key,
               "\" must be a number or null, received: ", v.dump());
  return v.get<double>();
}

std::optional<std::int64_t> ConfigReader::optional_integer(const char* key, std::optional<std::int64_t> fallback) {
  const auto value =
      optional_number(key, fallback ? std::optional<double>(static_cast<double>(*fallback)) : std::nullopt);
  if (!value) return std::nullopt;
  STRATA_CHECK(*value == std::trunc(*value) && std::abs(*value) < 9e15, ValueError, subject(), ": config key \"", key,
               "\" must be an integer or null, received: ", config_.at(key).dump());
  return static_cast<std::int64_t>(*value);
}

std::vector<double> ConfigReader::numbers(const char* key) {
  const auto& v = at(key);
  STRATA_CHECK(v.is_array(), ValueError, subject(), ": config key \"", key,
               "\" must be a list of numbers, received: ", v.dump());
  std::vector<double> out;
  for (const auto& x : v) {
    STRATA_CHECK(x.is_number(), ValueError, subject(), ": config key \"", key,
                 "\" must be a list of numbers, received: ", v.dump());
    out.push_back(x.get<double>());
  }
  return out;
}

bool ConfigReader::boolean(const char* key, bool fallback) {
  const auto& v = at(key);
  if (v.is_null()) return fallback;
  STRATA_CHECK(v.is_boolean(), ValueError, subject(), ": config key \"", key,
               "\" must be true or false, received: ", v.dump());
  return v.get<bool>();
}

std::string ConfigReader::string(const char* key, const std::string& fallback) {
  const auto& v = at(key);
  if (v.is_null()) return fallback;
  STRATA_CHECK(v.is_string(), ValueError, subject(), ": config key \"", key,
               "\" must be a string, received: ", v.dump());
  return v.get<std::string>();
}

std::string ConfigReader::name() { return string("name", {}); }

OptimizerOptions ConfigReader::common(LearningRate& learning_rate, double default_learning_rate,
                                      std::optional<double> default_weight_decay) {
  const auto& lr = at("learning_rate");
  if (lr.is_object())
    learning_rate = LearningRate(schedules::LearningRateSchedule::from_config(lr));
  else
    learning_rate = number("learning_rate", default_learning_rate);
  OptimizerOptions options;
  options.weight_decay = optional_number("weight_decay", default_weight_decay);
  options.clipnorm = optional_number("clipnorm", std::nullopt);
  options.clipvalue = optional_number("clipvalue", std::nullopt);
  options.global_clipnorm = optional_number("global_clipnorm", std::nullopt);
  options.use_ema = boolean("use_ema", false);
  options.ema_momentum = number("ema_momentum", options.ema_momentum);
  options.ema_overwrite_frequency = optional_integer("ema_overwrite_frequency", std::nullopt);
  options.gradient_accumulation_steps = optional_integer("gradient_accumulation_steps", std::nullopt);
  const auto& scale = at("loss_scale_factor");
  STRATA_CHECK(scale.is_null(), ValueError, subject(),
               ": loss_scale_factor is not supported, received loss_scale_factor=", scale.dump());
  // Keras ignores `decay` (with a warning); tf.keras configs also carry these two.
  for (const char* key : {"decay", "jit_compile", "is_legacy_optimizer"}) at(key);
  return options;
}

void ConfigReader::finish() const {
  std::string unknown;
  for (const auto& [key, value] : config_.items())
    if (!read_.count(key)) unknown += (unknown.empty() ? "'" : ", '") + key + "'";
  STRATA_CHECK(unknown.empty(), ValueError, "Argument(s) not recognized by ", kind_, " ", class_name_, ": ", unknown);
}

}  // namespace optimizers::detail

namespace {

using optimizers::detail::ConfigReader;

struct Entry {
  const char* class_name;
  const char* name;  // the string compile() takes
  std::shared_ptr<Optimizer> (*make)(ConfigReader&);
};

constexpr std::array<Entry, 11> kOptimizers = {{
    {"Adam", "adam", optimizers::detail::make_adam},
    {"SGD", "sgd", optimizers::detail::make_sgd},
    {"RMSprop", "rmsprop", optimizers::detail::make_rmsprop},
    {"Adagrad", "adagrad", optimizers::detail::make_adagrad},
    {"AdamW", "adamw", optimizers::detail::make_adamw},
    {"Nadam", "nadam", optimizers::detail::make_nadam},
    {"Adamax", "adamax", optimizers::detail::make_adamax},
    {"Adadelta", "adadelta", optimizers::detail::make_adadelta},
    {"Lion", "lion", optimizers::detail::make_lion},
    {"Ftrl", "ftrl", optimizers::detail::make_ftrl},
    {"Adafactor", "adafactor", optimizers::detail::make_adafactor},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Keras looks built-in optimizers up case-insensitively ("Adam", "adam", "ADAM").
const Entry* find_entry(std::string_view name) {
  const std::string key = lower(name);
  for (const auto& e : kOptimizers)
    if (key == e.name) return &e;
  return nullptr;
}

[[noreturn]] void unknown_optimizer(std::string_view name) {
  std::string valid;
  for (const auto& e : kOptimizers) valid += (valid.empty() ? "" : ", ") + std::string(e.name);
  // Keras's words, then the names Strata knows.
  throw ValueError(detail::concat("Could not interpret optimizer identifier: ", name, ". Valid names are: ", valid));
}

std::string label(const Variable& v, std::size_t index) {
  if (!v.path.empty()) return v.path;
  if (!v.name.empty()) return v.name;
  return "#" + std::to_string(index);
}

std::string sanitized(const Variable& v) {
  std::string s = !v.path.empty() ? v.path : (!v.name.empty() ? v.name : std::string("var"));
  std::replace(s.begin(), s.end(), '/', '_');
  std::replace(s.begin(), s.end(), ':', '_');
  return s;
}

nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

Optimizer::Optimizer(std::string name, optimizers::LearningRate learning_rate, const OptimizerOptions& options)
    : options_(options),
      name_(std::move(name)),
      learning_rate_(learning_rate.value()),
      schedule_(learning_rate.schedule()) {
  using optimizers::detail::check_argument;
  using optimizers::detail::py_repr;
  if (!schedule_)
    check_argument(std::isfinite(learning_rate_) && learning_rate_ > 0, "learning_rate", "a positive number",
                   learning_rate_);
  const int clip_args =
      int(options.clipnorm.has_value()) + int(options.clipvalue.has_value()) + int(options.global_clipnorm.has_value());
  STRATA_CHECK(clip_args <= 1, ValueError,
               "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
               "clipnorm=",
               py_repr(options.clipnorm), ", clipvalue=", py_repr(options.clipvalue),
               ", global_clipnorm=", py_repr(options.global_clipnorm));
  if (options.clipnorm)
    check_argument(std::isfinite(*options.clipnorm) && *options.clipnorm > 0, "clipnorm", "a positive number",
                   *options.clipnorm);
  if (options.clipvalue)
    check_argument(std::isfinite(*options.clipvalue) && *options.clipvalue > 0, "clipvalue", "a positive number",
                   *options.clipvalue);
  if (options.global_clipnorm)
    check_argument(std::isfinite(*options.global_clipnorm) && *options.global_clipnorm > 0, "global_clipnorm",
                   "a positive number", *options.global_clipnorm);
  if (options.weight_decay)
    check_argument(std::isfinite(*options.weight_decay) && *options.weight_decay >= 0, "weight_decay",
                   "a non-negative number", *options.weight_decay);
  // Keras's own words (base_optimizer.py).
  if (options.gradient_accumulation_steps)
    STRATA_CHECK(*options.gradient_accumulation_steps >= 2, ValueError,
                 "`gradient_accumulation_steps` must be an integer >= 2. Received: gradient_accumulation_steps=",
                 *options.gradient_accumulation_steps);
  if (options.use_ema) {
    STRATA_CHECK(options.ema_momentum >= 0 && options.ema_momentum <= 1, ValueError,
                 "`ema_momentum` must be in the range [0, 1]. Received: ema_momentum=", py_repr(options.ema_momentum));
    if (options.ema_overwrite_frequency)
      STRATA_CHECK(*options.ema_overwrite_frequency >= 1, ValueError,
                   "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: ema_overwrite_frequency=",
                   *options.ema_overwrite_frequency);
  }
}

double Optimizer::learning_rate() const { return schedule_ ? (*schedule_)(iterations_) : learning_rate_; }

std::int64_t Optimizer::iterations() const {
  return options_.gradient_accumulation_steps ? iterations_ / *options_.gradient_accumulation_steps : iterations_;
}

void Optimizer::set_learning_rate(double learning_rate) {
  // Keras raises TypeError here; Strata's nearest typed error is ValueError.
  STRATA_CHECK(!schedule_, ValueError,
               "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor "
               "argument, hence its learning rate is not settable. If you need the learning rate to be settable, you "
               "should instantiate the optimizer with a float `learning_rate` argument.");
  optimizers::detail::check_argument(std::isfinite(learning_rate) && learning_rate > 0, "learning_rate",
                                     "a positive number", learning_rate);
  learning_rate_ = learning_rate;
}

void Optimizer::apply(const std::vector<Variable*>& variables) {
  if (variables.empty()) return;          // as Keras: no gradients, no step
  const backends::FlushSubnormals flush;  // Strata's arithmetic mode, for a custom loop's step too
  for (std::size_t i = 0; i < variables.size(); ++i) {
    const Variable* v = variables[i];
    STRATA_CHECK(v != nullptr, ValueError, "Optimizer '", name_, "': variable #", i, " is a null pointer");
    STRATA_CHECK(v->value.defined(), ValueError, "Optimizer '", name_, "': variable '", label(*v, i), "' has no value");
    STRATA_CHECK(v->grad.defined(), ValueError, "Optimizer '", name_,
                 "': no gradient provided "
                 "for variable '",
                 label(*v, i), "'");
    STRATA_CHECK(v->grad.shape() == v->value.shape(), ShapeError, "Optimizer '", name_, "': the gradient of variable '",
                 label(*v, i), "' has shape ", v->grad.shape().to_string(), ", expected the variable's shape ",
                 v->value.shape().to_string());
  }
  if (!built_) {
    build(variables);
  } else {
    STRATA_CHECK(variables.size() == built_shapes_.size(), ValueError, "Optimizer '", name_, "' was built for ",
                 built_shapes_.size(), " variables but received ", variables.size(),
                 ". This optimizer can only be called for the variables it "
                 "was originally built with. When working with a new set of variables, you "
                 "should recreate a new optimizer instance.");
    for (std::size_t i = 0; i < variables.size(); ++i)
      STRATA_CHECK(variables[i]->value.shape() == built_shapes_[i], ValueError, "Unknown variable: '",
                   label(*variables[i], i), "' with shape ", variables[i]->value.shape().to_string(), " (optimizer '",
                   name_, "' was built with shape ", built_shapes_[i].to_string(), " at position ", i,
                   "). This optimizer can only be called for the variables it was originally "
                   "built with. When working with a new set of variables, you should recreate a "
                   "new optimizer instance.");
  }

  // The schedule sees every call (Keras evaluates it at the `iteration` variable), before this
  // call counts.
  const auto lr = static_cast<float>(learning_rate());
  if (const auto steps = options_.gradient_accumulation_steps) {
    if ((iterations_ + 1) % *steps != 0) {
      // Keras's accumulate branch: only the accumulators change.
      for (std::size_t i = 0; i < variables.size(); ++i) {
        Tensor& acc = accumulators_[i]->value;
        acc.backend().add(variables[i]->grad, acc, acc);
      }
    } else {
      // The update step, from the mean gradient (g + accumulated) / steps; accumulators reset.
      for (std::size_t i = 0; i < variables.size(); ++i) {
        Tensor& g = variables[i]->grad;
        Tensor& acc = accumulators_[i]->value;
        g.backend().add(g, acc, g);
        g.backend().scale(g, 1.f / static_cast<float>(*steps));
        acc.backend().fill(acc, 0.f);
      }
      update(variables, lr);
    }
  } else {
    update(variables, lr);
  }
  if (options_.use_ema) update_averages(variables);
  ++iterations_;
}

void Optimizer::update(const std::vector<Variable*>& variables, float lr) {
  clip_gradients(variables);
  if (options_.weight_decay) {
    // Keras's _apply_weight_decay: w -= w * wd * lr, in the variable's dtype.
    const float decay = static_cast<float>(*options_.weight_decay) * lr;
    if (decay != 0.f)
      for (Variable* v : variables) v->value.backend().scale(v->value, 1.f - decay);
  }
  before_update_steps();
  for (std::size_t i = 0; i < variables.size(); ++i) update_step(i, *variables[i], lr);
}

void Optimizer::update_averages(const std::vector<Variable*>& variables) {
  // Keras's _update_model_variables_moving_average, on every call (accumulating ones too):
  // momentum 0 while iterations() is 0, so the first average is the variable itself.
  const float momentum = iterations() != 0 ? static_cast<float>(options_.ema_momentum) : 0.f;
  for (std::size_t i = 0; i < variables.size(); ++i)
    variables[i]->value.backend().ema_update(averages_[i]->value, variables[i]->value, momentum);
  if (options_.ema_overwrite_frequency && (iterations() + 1) % *options_.ema_overwrite_frequency == 0)
    for (std::size_t i = 0; i < variables.size(); ++i)
      variables[i]->value.backend().copy(averages_[i]->value, variables[i]->value);
}

void Optimizer::finalize_variable_values(const std::vector<Variable*>& variables) {
  if (!options_.use_ema) return;
  STRATA_CHECK(variables.size() == averages_.size(), ValueError, "The length of model variables (", variables.size(),
               ") to override does not match the length of model variables stored in the optimizer (", averages_.size(),
               "). Please check if the optimizer was called on your model.");
  for (std::size_t i = 0; i < variables.size(); ++i) {
    STRATA_CHECK(variables[i] != nullptr && variables[i]->value.shape() == averages_[i]->value.shape(), ValueError,
                 "Optimizer '", name_, "': variable #", i, " does not match the moving average ", averages_[i]->path,
                 " (shape ", averages_[i]->value.shape().to_string(), ")");
    variables[i]->value.backend().copy(averages_[i]->value, variables[i]->value);
  }
}

void Optimizer::build(const std::vector<Variable*>& variables) {
  if (built_ && variables.size() == built_shapes_.size()) {
    bool same = true;
    for (std::size_t i = 0; i < variables.size(); ++i) same = same && variables[i]->value.shape() == built_shapes_[i];
    if (same) return;
  }
  slots_.assign(variables.size(), {});
  slot_groups_.assign(variables.size(), {});
  averages_.clear();
  accumulators_.clear();
  globals_.clear();
  try {
    // Keras's base build comes first: the averages, then the accumulators, each "<path>_<what>".
    if (options_.use_ema)
      for (const Variable* v : variables)
        averages_.push_back(make_variable(v->value.backend(), v->value.shape(), sanitized(*v) + "_average", 0.f));
    if (options_.gradient_accumulation_steps)
      for (const Variable* v : variables)
        accumulators_.push_back(
            make_variable(v->value.backend(), v->value.shape(), sanitized(*v) + "_gradient_accumulator", 0.f));
    for (building_ = 0; building_ < variables.size(); ++building_) {
      building_backend_ = &variables[building_]->value.backend();
      build_slots(*variables[building_]);
    }
    building_backend_ = variables.empty() ? &current_backend() : &variables.front()->value.backend();
    building_globals_ = true;
    build_globals();
    building_globals_ = false;
  } catch (...) {
    building_globals_ = false;
    slots_.clear();
    slot_groups_.clear();
    averages_.clear();
    accumulators_.clear();
    globals_.clear();
    throw;
  }
  built_shapes_.clear();
  for (const Variable* v : variables) built_shapes_.push_back(v->value.shape());
  built_ = true;
}

void Optimizer::set_iterations(std::int64_t iterations) {
  STRATA_CHECK(iterations >= 0, ValueError, "Optimizer '", name_, "': iterations must be >= 0, received ", iterations);
  iterations_ = iterations;
}

void Optimizer::clip_gradients(const std::vector<Variable*>& variables) {
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  if (options_.clipnorm) {
    // Keras's _clip_by_norm: g * clipnorm / max(||g||, clipnorm), per gradient.
    const double clip = *options_.clipnorm;
    for (Variable* v : variables) {
      Backend& backend = v->grad.backend();
      const double sum = backend.sum_squares(v->grad);
      if (std::isnan(sum)) {
        backend.scale(v->grad, kNaN);
      } else if (sum > 0) {
        const double norm = std::sqrt(sum);
        if (norm > clip) backend.scale(v->grad, static_cast<float>(clip / norm));
      }
    }
  } else if (options_.global_clipnorm) {
    // Keras's clip_by_global_norm: every gradient times clip * min(1 / norm, 1 / clip), NaN
    // when the global norm is not finite.
    const double clip = *options_.global_clipnorm;
    double sum = 0;
    for (Variable* v : variables) sum += v->grad.backend().sum_squares(v->grad);
    const double norm = std::sqrt(sum);
    float factor = 1.f;
    if (!std::isfinite(norm))
      factor = kNaN;
    else if (norm > clip)
      factor = static_cast<float>(clip / norm);
    if (factor != 1.f)
      for (Variable* v : variables) v->grad.backend().scale(v->grad, factor);
  } else if (options_.clipvalue) {
    const float c = static_cast<float>(*options_.clipvalue);
    for (Variable* v : variables) v->grad.backend().clip(v->grad, -c, c);
  }
}

std::shared_ptr<Variable> Optimizer::make_variable(Backend& backend, const Shape& shape, std::string name,
                                                   float initial) const {
  auto var = std::make_shared<Variable>();
  var->name = std::move(name);
  var->path = name_ + "/" + var->name;
  var->trainable = false;
  var->value = Tensor(backend, shape, DType::F32);
  backend.fill(var->value, initial);
  return var;
}

Variable& Optimizer::add_slot(const Variable& like, std::string_view slot, float initial, int group) {
  STRATA_CHECK(building_ < slots_.size(), StateError, "Optimizer '", name_,
               "': add_slot may only be called from build_slots");
  slots_[building_].push_back(
      make_variable(like.value.backend(), like.value.shape(), sanitized(like) + "_" + std::string(slot), initial));
  slot_groups_[building_].push_back(group);
  return *slots_[building_].back();
}

Variable& Optimizer::add_slot_variable(const Shape& shape, std::string_view name, float initial, int group) {
  STRATA_CHECK(building_ < slots_.size() && !building_globals_, StateError, "Optimizer '", name_,
               "': add_slot_variable may only be called from build_slots");
  // Every optimizer variable lives on the backend of the variables it trains.
  slots_[building_].push_back(make_variable(*building_backend_, shape, std::string(name), initial));
  slot_groups_[building_].push_back(group);
  return *slots_[building_].back();
}

Variable& Optimizer::add_variable(const Shape& shape, std::string_view name, float initial) {
  STRATA_CHECK(building_globals_, StateError, "Optimizer '", name_,
               "': add_variable may only be called from build_globals");
  globals_.push_back(make_variable(*building_backend_, shape, std::string(name), initial));
  return *globals_.back();
}

std::vector<Variable*> Optimizer::slots(std::size_t index) {
  STRATA_CHECK(index < slots_.size(), ValueError, "Optimizer '", name_, "': no variable #", index, " (built for ",
               slots_.size(), ")");
  std::vector<Variable*> out;
  for (const auto& s : slots_[index]) out.push_back(s.get());
  return out;
}

Variable& Optimizer::slot(std::size_t index, std::size_t k) { return *slots_[index][k]; }

std::vector<const Variable*> Optimizer::variables() const {
  int max_group = -1;
  for (const auto& groups : slot_groups_)
    for (int g : groups) max_group = std::max(max_group, g);
  std::vector<const Variable*> out;
  for (const auto& v : averages_) out.push_back(v.get());
  for (const auto& v : accumulators_) out.push_back(v.get());
  for (int group = 0; group <= max_group; ++group)
    for (std::size_t i = 0; i < slots_.size(); ++i)
      for (std::size_t k = 0; k < slots_[i].size(); ++k)
        if (slot_groups_[i][k] == group) out.push_back(slots_[i][k].get());
  for (const auto& v : globals_) out.push_back(v.get());
  return out;
}

nlohmann::json Optimizer::get_config() const {
  nlohmann::json config;
  config["name"] = name_;
  // Keras keeps a fixed learning rate in a float32 variable and writes float(variable); a
  // schedule is written serialized.
  config["learning_rate"] =
      schedule_ ? schedule_->serialize() : nlohmann::json(static_cast<double>(static_cast<float>(learning_rate_)));
  config["weight_decay"] = optional_json(options_.weight_decay);
  config["clipnorm"] = optional_json(options_.clipnorm);
  config["global_clipnorm"] = optional_json(options_.global_clipnorm);
  config["clipvalue"] = optional_json(options_.clipvalue);
  config["use_ema"] = options_.use_ema;
  config["ema_momentum"] = options_.ema_momentum;
  config["ema_overwrite_frequency"] =
      options_.ema_overwrite_frequency ? nlohmann::json(*options_.ema_overwrite_frequency) : nlohmann::json(nullptr);
  config["loss_scale_factor"] = nullptr;
  config["gradient_accumulation_steps"] = options_.gradient_accumulation_steps
                                              ? nlohmann::json(*options_.gradient_accumulation_steps)
                                              : nlohmann::json(nullptr);
  return config;
}

std::vector<std::string> Optimizer::names() {
  std::vector<std::string> out;
  for (const auto& e : kOptimizers) out.emplace_back(e.name);
  return out;
}

std::shared_ptr<Optimizer> Optimizer::from_name(std::string_view name) {
  const Entry* entry = find_entry(name);
  if (!entry) unknown_optimizer(name);
  const nlohmann::json empty = nlohmann::json::object();
  ConfigReader reader(empty, entry->class_name);
  return entry->make(reader);
}

std::shared_ptr<Optimizer> Optimizer::from_config(const nlohmann::json& config) {
  if (config.is_string()) return from_name(config.get<std::string>());
  STRATA_CHECK(config.is_object() && config.contains("class_name") && config["class_name"].is_string(), ValueError,
               "An optimizer config needs a \"class_name\", received: ", config.dump());
  const std::string class_name = config["class_name"].get<std::string>();
  const Entry* entry = find_entry(class_name);
  if (!entry) unknown_optimizer(class_name);
  if (config.contains("registered_name") && config["registered_name"].is_string()) {
    // Custom classes are registered as "package>ClassName"; built-ins carry null or their own name.
    const std::string registered = config["registered_name"].get<std::string>();
    if (lower(registered) != lower(class_name)) unknown_optimizer(registered);
  }
  const nlohmann::json inner =
      config.contains("config") && !config["config"].is_null() ? config["config"] : nlohmann::json::object();
  ConfigReader reader(inner, entry->class_name);
  auto optimizer = entry->make(reader);
  reader.finish();
  return optimizer;
}

}  // namespace strata
