#include "strata/constraints.hpp"

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "api/keras_object.hpp"
#include "api/regularizers_config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {

namespace {

using constraints::NormAxes;

// `axis` as Keras's config holds it: an int, a list of ints, or null (every axis).
NormAxes axes_from_json(const nlohmann::json& value, const std::string& class_name) {
  if (value.is_null()) return NormAxes(std::vector<int>{});
  if (value.is_number_integer()) return NormAxes(value.get<int>());
  STRATA_CHECK(value.is_array(), ValueError, class_name, ": `axis` must be an integer or a list of integers, received ",
               value.dump());
  std::vector<int> axes;
  for (const auto& a : value) {
    STRATA_CHECK(a.is_number_integer(), ValueError, class_name,
                 ": `axis` must be an integer or a list of integers, received ", value.dump());
    axes.push_back(a.get<int>());
  }
  return NormAxes(std::move(axes));
}

nlohmann::json axes_to_json(const NormAxes& axis) {
  if (axis.axes.empty()) return nullptr;
  if (axis.scalar) return axis.axes.front();
  return axis.axes;
}

// The bit mask of ConstraintParams::axes for a weight of `shape`: ValueError for an axis out of
// range (numpy's words), every axis when none is named.
std::uint32_t axes_mask(const NormAxes& axis, const Shape& shape, const std::string& class_name) {
  const auto rank = static_cast<int>(shape.rank());
  STRATA_CHECK(rank <= 32, ValueError, class_name, " takes weights of rank 32 at most, received ", shape.to_string());
  if (axis.axes.empty()) return rank == 32 ? ~0u : (1u << rank) - 1u;
  std::uint32_t mask = 0;
  for (const int a : axis.axes) {
    STRATA_CHECK(a >= -rank && a < rank, ValueError, class_name, ": axis ", a,
                 " is out of bounds for a weight of rank ", rank, " (shape ", shape.to_string(), ")");
    mask |= 1u << (a < 0 ? a + rank : a);
  }
  return mask;
}

void project(Tensor& w, ConstraintKind kind, double min_value, double max_value, double rate, const NormAxes& axis,
             const std::string& class_name) {
  ConstraintParams p;
  p.kind = kind;
  p.min_value = static_cast<float>(min_value);
  p.max_value = static_cast<float>(max_value);
  p.rate = static_cast<float>(rate);
  if (kind != ConstraintKind::NonNeg) p.axes = axes_mask(axis, w.shape(), class_name);
  w.backend().constrain(w, p);
}

// A bound as Keras's config holds it: an int stays an int (MaxNorm's default 2).
nlohmann::json number_json(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::abs(value) < 9e15)
    return static_cast<std::int64_t>(value);
  return value;
}

using Entry = detail::KerasObjectEntry<Constraint>;

const std::vector<Entry>& registry() {
  using namespace constraints;
  static const std::vector<Entry> entries = {
      {"MaxNorm", "max_norm",
       [](detail::KerasObjectConfig& c) {
         const double max_value = c.number("max_value", 2);
         return std::make_shared<MaxNorm>(max_value, axes_from_json(c.raw("axis", 0), "MaxNorm"));
       }},
      {"NonNeg", "non_neg", [](detail::KerasObjectConfig&) { return std::make_shared<NonNeg>(); }},
      {"UnitNorm", "unit_norm",
       [](detail::KerasObjectConfig& c) {
         return std::make_shared<UnitNorm>(axes_from_json(c.raw("axis", 0), "UnitNorm"));
       }},
      {"MinMaxNorm", "min_max_norm",
       [](detail::KerasObjectConfig& c) {
         const double min_value = c.number("min_value", 0.0);
         const double max_value = c.number("max_value", 1.0);
         const double rate = c.number("rate", 1.0);
         return std::make_shared<MinMaxNorm>(min_value, max_value, rate,
                                             axes_from_json(c.raw("axis", 0), "MinMaxNorm"));
       }},
  };
  return entries;
}

}  // namespace

void Constraint::check_shape(const Shape&) const {}

std::shared_ptr<Constraint> Constraint::from_name(std::string_view name) {
  return detail::make_by_name(registry(), name, "constraint");
}

std::shared_ptr<Constraint> Constraint::from_config(const nlohmann::json& config) {
  return detail::make_from_config(registry(), config, "constraint");
}

std::vector<std::string> Constraint::names() { return detail::entry_names(registry()); }

namespace constraints {

nlohmann::json serialize(const Constraint& constraint) {
  return detail::keras_object("keras.constraints", constraint.class_name(), constraint.get_config());
}

MaxNorm::MaxNorm(double max_value, NormAxes axis) : max_value_(max_value), axis_(std::move(axis)) {}

nlohmann::json MaxNorm::get_config() const {
  return {{"max_value", number_json(max_value_)}, {"axis", axes_to_json(axis_)}};
}

void MaxNorm::apply(Tensor& w) const { project(w, ConstraintKind::MaxNorm, 0.0, max_value_, 1.0, axis_, "MaxNorm"); }

void MaxNorm::check_shape(const Shape& shape) const { axes_mask(axis_, shape, "MaxNorm"); }

nlohmann::json NonNeg::get_config() const { return nlohmann::json::object(); }

void NonNeg::apply(Tensor& w) const { project(w, ConstraintKind::NonNeg, 0.0, 0.0, 1.0, NormAxes(0), "NonNeg"); }

UnitNorm::UnitNorm(NormAxes axis) : axis_(std::move(axis)) {}

nlohmann::json UnitNorm::get_config() const { return {{"axis", axes_to_json(axis_)}}; }

void UnitNorm::apply(Tensor& w) const { project(w, ConstraintKind::UnitNorm, 0.0, 0.0, 1.0, axis_, "UnitNorm"); }

void UnitNorm::check_shape(const Shape& shape) const { axes_mask(axis_, shape, "UnitNorm"); }

MinMaxNorm::MinMaxNorm(double min_value, double max_value, double rate, NormAxes axis)
    : min_value_(min_value), max_value_(max_value), rate_(rate), axis_(std::move(axis)) {}

nlohmann::json MinMaxNorm::get_config() const {
  return {{"min_value", min_value_}, {"max_value", max_value_}, {"rate", rate_}, {"axis", axes_to_json(axis_)}};
}

void MinMaxNorm::apply(Tensor& w) const {
  project(w, ConstraintKind::MinMaxNorm, min_value_, max_value_, rate_, axis_, "MinMaxNorm");
}

void MinMaxNorm::check_shape(const Shape& shape) const { axes_mask(axis_, shape, "MinMaxNorm"); }

}  // namespace constraints
}  // namespace strata
