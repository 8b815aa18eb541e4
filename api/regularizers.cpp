#include "strata/regularizers.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "api/keras_object.hpp"
#include "api/regularizers_config.hpp"
#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {

namespace {

// Keras's validate_float_arg: a finite number >= 0 (the message has no space after its period).
double check_factor(double value, const char* name) {
  STRATA_CHECK(std::isfinite(value) && value >= 0, ValueError, "Invalid value for argument ", name,
               ": expected a non-negative float.Received: ", name, "=", optimizers::detail::py_repr(value));
  return value;
}

using Entry = detail::KerasObjectEntry<Regularizer>;

const std::vector<Entry>& registry() {
  using namespace regularizers;
  static const std::vector<Entry> entries = {
      {"L1", "l1", [](detail::KerasObjectConfig& c) { return std::make_shared<L1>(c.number("l1", 0.01)); }},
      {"L2", "l2", [](detail::KerasObjectConfig& c) { return std::make_shared<L2>(c.number("l2", 0.01)); }},
      {"L1L2", "l1l2",
       [](detail::KerasObjectConfig& c) {
         const double l1 = c.number("l1", 0.0);
         return std::make_shared<L1L2>(l1, c.number("l2", 0.0));
       }},
      {"OrthogonalRegularizer", "orthogonal_regularizer",
       [](detail::KerasObjectConfig& c) {
         const double factor = c.number("factor", 0.01);
         return std::make_shared<OrthogonalRegularizer>(factor, c.string("mode", "rows"));
       }},
  };
  return entries;
}

}  // namespace

void Regularizer::check_shape(const Shape&) const {}

std::shared_ptr<Regularizer> Regularizer::from_name(std::string_view name) {
  return detail::make_by_name(registry(), name, "regularizer");
}

std::shared_ptr<Regularizer> Regularizer::from_config(const nlohmann::json& config) {
  return detail::make_from_config(registry(), config, "regularizer");
}

std::vector<std::string> Regularizer::names() { return detail::entry_names(registry()); }

namespace regularizers {

nlohmann::json serialize(const Regularizer& regularizer) {
  return detail::keras_object("keras.regularizers", regularizer.class_name(), regularizer.get_config());
}

namespace {

void add_l1_l2(const Tensor& x, double l1, double l2, float scale, Tensor& total, Tensor* grad) {
  RegularizerParams p;
  p.kind = RegularizerKind::L1L2;
  p.l1 = static_cast<float>(l1);
  p.l2 = static_cast<float>(l2);
  x.backend().regularize(x, p, scale, total, grad);
}

}  // namespace

L1::L1(double l1) : l1_(static_cast<float>(check_factor(l1, "l1"))) {}

nlohmann::json L1::get_config() const { return {{"l1", static_cast<double>(l1_)}}; }

void L1::add_penalty(const Tensor& x, float scale, Tensor& total, Tensor* grad) const {
  add_l1_l2(x, l1_, 0.0, scale, total, grad);
}

L2::L2(double l2) : l2_(check_factor(l2, "l2")) {}

nlohmann::json L2::get_config() const { return {{"l2", l2_}}; }

void L2::add_penalty(const Tensor& x, float scale, Tensor& total, Tensor* grad) const {
  add_l1_l2(x, 0.0, l2_, scale, total, grad);
}

L1L2::L1L2(double l1, double l2) : l1_(check_factor(l1, "l1")), l2_(check_factor(l2, "l2")) {}

nlohmann::json L1L2::get_config() const { return {{"l1", l1_}, {"l2", l2_}}; }

void L1L2::add_penalty(const Tensor& x, float scale, Tensor& total, Tensor* grad) const {
  add_l1_l2(x, l1_, l2_, scale, total, grad);
}

OrthogonalRegularizer::OrthogonalRegularizer(double factor, std::string mode)
    : factor_(static_cast<float>(check_factor(factor, "factor"))), mode_(std::move(mode)) {
  STRATA_CHECK(mode_ == "rows" || mode_ == "columns", ValueError,
               "Invalid value for argument `mode`. Expected one of {\"rows\", \"columns\"}. Received: mode=", mode_);
}

nlohmann::json OrthogonalRegularizer::get_config() const {
  return {{"factor", static_cast<double>(factor_)}, {"mode", mode_}};
}

void OrthogonalRegularizer::check_shape(const Shape& shape) const {
  STRATA_CHECK(shape.rank() == 2, ValueError,
               "Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape=", shape.to_string());
}

void OrthogonalRegularizer::add_penalty(const Tensor& x, float scale, Tensor& total, Tensor* grad) const {
  check_shape(x.shape());
  RegularizerParams p;
  p.kind = RegularizerKind::Orthogonal;
  p.factor = factor_;
  p.rows = mode_ == "rows";
  x.backend().regularize(x, p, scale, total, grad);
}

}  // namespace regularizers
}  // namespace strata
