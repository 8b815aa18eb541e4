#include "strata/optimizers/schedules/piecewise_constant_decay.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizers/schedules/schedule_config.hpp"
#include "strata/error.hpp"

namespace strata::optimizers::schedules {

namespace {
std::string list_repr(const std::vector<double>& values) {
  std::string out;
  for (double v : values) out += (out.empty() ? "" : ", ") + detail::step_repr(v);
  return "[" + out + "]";
}
}  // namespace

PiecewiseConstantDecay::PiecewiseConstantDecay(std::vector<double> boundaries, std::vector<double> values,
                                               std::string name)
    : boundaries_(std::move(boundaries)), values_(std::move(values)), name_(std::move(name)) {
  STRATA_CHECK(boundaries_.size() + 1 == values_.size() && !boundaries_.empty(), ValueError,
               "The length of boundaries should be 1 less than the length of values. Received: boundaries=",
               list_repr(boundaries_), " of length ", boundaries_.size(), ", and values=", list_repr(values_),
               " of length ", values_.size(), ".");
}

double PiecewiseConstantDecay::operator()(std::int64_t step) const {
  // Keras casts the boundaries to the step's integer type (truncating) and sums one float32
  // mask per interval times its value, so exactly one value survives for sorted boundaries.
  std::vector<std::int64_t> b;
  b.reserve(boundaries_.size());
  for (double x : boundaries_) b.push_back(static_cast<std::int64_t>(std::trunc(x)));
  float result = 0.f;
  if (step <= b.front()) result += static_cast<float>(values_.front());
  if (step > b.back()) result += static_cast<float>(values_.back());
  for (std::size_t i = 0; i + 1 < b.size(); ++i)
    if (step > b[i] && step <= b[i + 1]) result += static_cast<float>(values_[i + 1]);
  return result;
}

nlohmann::json PiecewiseConstantDecay::get_config() const {
  return {{"boundaries", boundaries_}, {"values", values_}, {"name", name_}};
}

namespace detail {
std::shared_ptr<LearningRateSchedule> make_piecewise_constant_decay(optimizers::detail::ConfigReader& config) {
  auto boundaries = config.numbers("boundaries");
  auto values = config.numbers("values");
  const std::string name = config.string("name", "PiecewiseConstant");
  return std::make_shared<PiecewiseConstantDecay>(std::move(boundaries), std::move(values), name);
}
}  // namespace detail

}  // namespace strata::optimizers::schedules
