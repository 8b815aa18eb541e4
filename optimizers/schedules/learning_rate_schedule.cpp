#include "strata/optimizers/schedules/learning_rate_schedule.hpp"

#include <array>
#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizers/schedules/schedule_config.hpp"
#include "strata/error.hpp"

namespace strata::optimizers::schedules {

namespace detail {

std::string step_repr(double value) {
  if (std::isfinite(value) && value == std::trunc(value) && std::abs(value) < 1e15)
    return std::to_string(static_cast<std::int64_t>(value));
  return optimizers::detail::py_repr(value);
}

void check_positive_steps(const char* name, double value) {
  STRATA_CHECK(value > 0, ValueError, "Argument `", name, "` must be > 0. Received: ", name, "=", step_repr(value));
}

}  // namespace detail

namespace {

struct Entry {
  const char* class_name;
  std::shared_ptr<LearningRateSchedule> (*make)(optimizers::detail::ConfigReader&);
};

constexpr std::array<Entry, 6> kSchedules = {{
    {"ExponentialDecay", detail::make_exponential_decay},
    {"PiecewiseConstantDecay", detail::make_piecewise_constant_decay},
    {"PolynomialDecay", detail::make_polynomial_decay},
    {"InverseTimeDecay", detail::make_inverse_time_decay},
    {"CosineDecay", detail::make_cosine_decay},
    {"CosineDecayRestarts", detail::make_cosine_decay_restarts},
}};

}  // namespace

nlohmann::json LearningRateSchedule::serialize() const {
  return {{"module", "keras.optimizers.schedules"},
          {"class_name", class_name()},
          {"config", get_config()},
          {"registered_name", nullptr}};
}

std::shared_ptr<LearningRateSchedule> LearningRateSchedule::from_config(const nlohmann::json& serialized) {
  STRATA_CHECK(serialized.is_object() && serialized.contains("class_name") && serialized["class_name"].is_string(),
               ValueError, "A learning rate schedule config needs a \"class_name\", received: ", serialized.dump());
  const std::string class_name = serialized["class_name"].get<std::string>();
  for (const auto& e : kSchedules) {
    if (class_name != e.class_name) continue;
    if (serialized.contains("registered_name") && serialized["registered_name"].is_string())
      STRATA_CHECK(serialized["registered_name"].get<std::string>() == class_name, ValueError,
                   "Could not locate class '", serialized["registered_name"].get<std::string>(),
                   "'. Make sure custom classes are decorated with "
                   "`@keras.saving.register_keras_serializable()`.");
    const nlohmann::json inner = serialized.contains("config") && !serialized["config"].is_null()
                                     ? serialized["config"]
                                     : nlohmann::json::object();
    optimizers::detail::ConfigReader reader(inner, class_name, "learning rate schedule");
    auto schedule = e.make(reader);
    reader.finish();
    return schedule;
  }
  std::string valid;
  for (const auto& e : kSchedules) valid += (valid.empty() ? "" : ", ") + std::string(e.class_name);
  throw ValueError(strata::detail::concat("Could not interpret learning rate schedule: '", class_name,
                                          "'. Valid names are: ", valid));
}

std::vector<std::string> LearningRateSchedule::names() {
  std::vector<std::string> out;
  for (const auto& e : kSchedules) out.emplace_back(e.class_name);
  return out;
}

}  // namespace strata::optimizers::schedules
