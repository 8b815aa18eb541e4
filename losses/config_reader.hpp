#pragma once
// Private to losses/ and metrics/: reading the "config" of a Keras serialized loss or metric.
// Every key read is marked and finish() rejects the others, as Keras's constructors reject
// unexpected keyword arguments.

#include <cmath>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "strata/error.hpp"

namespace strata::detail {

/// A float as Python's repr() writes the common cases: 0.5, 1.0, 0.1, 1e-07.
inline std::string py_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out.precision(17);
  for (int digits = 1; digits <= 17; ++digits) {
    std::ostringstream attempt;
    attempt.precision(digits);
    attempt << value;
    if (std::stod(attempt.str()) == value) {
      std::string s = attempt.str();
      if (s.find_first_of(".en") == std::string::npos) s += ".0";
      return s;
    }
  }
  out << value;
  return out.str();
}

class ConfigReader {
 public:
  /// `what` is "loss" or "metric", `class_name` the Keras class the config is for.
  ConfigReader(const nlohmann::json& config, std::string what, std::string class_name)
      : config_(config), what_(std::move(what)), class_name_(std::move(class_name)) {
    STRATA_CHECK(config_.is_object(), ValueError, "The config of ", what_, " ", class_name_,
                 " must be a JSON object, received: ", config_.dump());
  }

  /// The value under `key`, or null when absent; marks the key as read.
  const nlohmann::json& at(const char* key) {
    read_.insert(key);
    static const nlohmann::json null_value;
    auto it = config_.find(key);
    return it == config_.end() ? null_value : *it;
  }

  bool contains(const char* key) const { return config_.contains(key); }

  std::string string(const char* key, const std::string& fallback) {
    const auto& v = at(key);
    if (v.is_null()) return fallback;
    STRATA_CHECK(v.is_string(), ValueError, prefix(), "config key \"", key,
                 "\" must be a string, received: ", v.dump());
    return v.get<std::string>();
  }

  double number(const char* key, double fallback) {
    const auto& v = at(key);
    if (v.is_null()) return fallback;
    STRATA_CHECK(v.is_number(), ValueError, prefix(), "config key \"", key,
                 "\" must be a number, received: ", v.dump());
    return v.get<double>();
  }

  bool boolean(const char* key, bool fallback) {
    const auto& v = at(key);
    if (v.is_null()) return fallback;
    STRATA_CHECK(v.is_boolean(), ValueError, prefix(), "config key \"", key,
                 "\" must be true or false, received: ", v.dump());
    return v.get<bool>();
  }

  /// Keras's "dtype": Strata computes losses and metrics in float32 only.
  void dtype() {
    const auto& v = at("dtype");
    if (v.is_null()) return;
    const bool f32 = (v.is_string() && v.get<std::string>() == "float32") ||
                     (v.is_object() && v.contains("config") && v["config"].is_object() &&
                      v["config"].value("name", "") == "float32");
    STRATA_CHECK(f32, ValueError, prefix(), "only dtype \"float32\" is supported, received: ", v.dump());
  }

  /// Keras's "axis": Strata reduces over the last axis only.
  void axis() {
    const auto& v = at("axis");
    if (v.is_null()) return;
    STRATA_CHECK(v.is_number_integer() && v.get<long long>() == -1, ValueError, prefix(),
                 "only axis=-1 is supported, received: axis=", v.dump());
  }

  /// Throws ValueError naming the keys nothing read.
  void finish() const {
    std::string unknown;
    for (const auto& [key, value] : config_.items())
      if (!read_.count(key)) unknown += (unknown.empty() ? "'" : ", '") + key + "'";
    STRATA_CHECK(unknown.empty(), ValueError, "Argument(s) not recognized by ", what_, " ", class_name_, ": ", unknown);
  }

  std::string prefix() const { return concat(what_ == "loss" ? "Loss " : "Metric ", class_name_, ": "); }

 private:
  const nlohmann::json& config_;
  std::string what_;
  std::string class_name_;
  std::set<std::string> read_;
};

}  // namespace strata::detail
