#pragma once
/// Weight initializers with Keras's names, formulas and defaults. They draw on the host from
/// strata's seeded generator, so a seed gives the same weights on every backend.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "strata/shape.hpp"

namespace strata {

class Initializer {
 public:
  virtual ~Initializer() = default;
  /// "GlorotUniform", the Keras class name used in configs.
  virtual std::string class_name() const = 0;
  virtual nlohmann::json get_config() const;
  /// Writes shape.num_elements() values for a weight of `shape` (Keras's fan rules).
  virtual void sample(const Shape& shape, std::span<float> out, std::mt19937_64& rng) const = 0;

  /// Keras's string names ("glorot_uniform", "he_normal", "zeros", ...).
  static std::shared_ptr<Initializer> from_name(std::string_view name);
  /// {"class_name": ..., "config": ...} as Keras serializes it.
  static std::shared_ptr<Initializer> from_config(const nlohmann::json& config);
  static std::vector<std::string> names();
};

/// Keras's compute_fans: (fan_in, fan_out) for a weight of this shape.
std::pair<double, double> compute_fans(const Shape& shape);

namespace initializers {

class Zeros : public Initializer {
 public:
  std::string class_name() const override { return "Zeros"; }
  void sample(const Shape&, std::span<float> out, std::mt19937_64&) const override;
};

class Ones : public Initializer {
 public:
  std::string class_name() const override { return "Ones"; }
  void sample(const Shape&, std::span<float> out, std::mt19937_64&) const override;
};

class Constant : public Initializer {
 public:
  explicit Constant(float value = 0.f) : value_(value) {}
  std::string class_name() const override { return "Constant"; }
  nlohmann::json get_config() const override;
  void sample(const Shape&, std::span<float> out, std::mt19937_64&) const override;

 private:
  float value_;
};

class RandomUniform : public Initializer {
 public:
  explicit RandomUniform(float minval = -0.05f, float maxval = 0.05f, std::optional<std::int64_t> seed = {})
      : minval_(minval), maxval_(maxval), seed_(seed) {}
  std::string class_name() const override { return "RandomUniform"; }
  nlohmann::json get_config() const override;
  void sample(const Shape&, std::span<float> out, std::mt19937_64& rng) const override;

 private:
  float minval_, maxval_;
  std::optional<std::int64_t> seed_;
};

class RandomNormal : public Initializer {
 public:
  explicit RandomNormal(float mean = 0.f, float stddev = 0.05f, std::optional<std::int64_t> seed = {})
      : mean_(mean), stddev_(stddev), seed_(seed) {}
  std::string class_name() const override { return "RandomNormal"; }
  nlohmann::json get_config() const override;
  void sample(const Shape&, std::span<float> out, std::mt19937_64& rng) const override;

 private:
  float mean_, stddev_;
  std::optional<std::int64_t> seed_;
};

/// Keras's VarianceScaling: scale / fan (fan_in, fan_out or their mean), drawn from a normal
/// truncated at two standard deviations, an untruncated normal, or a uniform distribution.
class VarianceScaling : public Initializer {
 public:
  enum class Mode { FanIn, FanOut, FanAvg };
  enum class Distribution { TruncatedNormal, UntruncatedNormal, Uniform };
  VarianceScaling(double scale = 1.0, Mode mode = Mode::FanIn,
                  Distribution distribution = Distribution::TruncatedNormal,
                  std::optional<std::int64_t> seed = {});
  std::string class_name() const override { return "VarianceScaling"; }
  nlohmann::json get_config() const override;
  void sample(const Shape& shape, std::span<float> out, std::mt19937_64& rng) const override;

 protected:
  double scale_;
  Mode mode_;
  Distribution distribution_;
  std::optional<std::int64_t> seed_;
};

/// uniform(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)): Keras's default kernel initializer.
class GlorotUniform : public VarianceScaling {
 public:
  explicit GlorotUniform(std::optional<std::int64_t> seed = {})
      : VarianceScaling(1.0, Mode::FanAvg, Distribution::Uniform, seed) {}
  std::string class_name() const override { return "GlorotUniform"; }
  nlohmann::json get_config() const override;
};

class GlorotNormal : public VarianceScaling {
 public:
  explicit GlorotNormal(std::optional<std::int64_t> seed = {})
      : VarianceScaling(1.0, Mode::FanAvg, Distribution::TruncatedNormal, seed) {}
  std::string class_name() const override { return "GlorotNormal"; }
  nlohmann::json get_config() const override;
};

class HeUniform : public VarianceScaling {
 public:
  explicit HeUniform(std::optional<std::int64_t> seed = {})
      : VarianceScaling(2.0, Mode::FanIn, Distribution::Uniform, seed) {}
  std::string class_name() const override { return "HeUniform"; }
  nlohmann::json get_config() const override;
};

class HeNormal : public VarianceScaling {
 public:
  explicit HeNormal(std::optional<std::int64_t> seed = {})
      : VarianceScaling(2.0, Mode::FanIn, Distribution::TruncatedNormal, seed) {}
  std::string class_name() const override { return "HeNormal"; }
  nlohmann::json get_config() const override;
};

class LecunUniform : public VarianceScaling {
 public:
  explicit LecunUniform(std::optional<std::int64_t> seed = {})
      : VarianceScaling(1.0, Mode::FanIn, Distribution::Uniform, seed) {}
  std::string class_name() const override { return "LecunUniform"; }
  nlohmann::json get_config() const override;
};

class LecunNormal : public VarianceScaling {
 public:
  explicit LecunNormal(std::optional<std::int64_t> seed = {})
      : VarianceScaling(1.0, Mode::FanIn, Distribution::TruncatedNormal, seed) {}
  std::string class_name() const override { return "LecunNormal"; }
  nlohmann::json get_config() const override;
};

}  // namespace initializers
}  // namespace strata
