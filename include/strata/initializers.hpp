#pragma once
/// @file
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

/// The base of every weight initializer: fills a weight of a given shape on the host.
class Initializer {
 public:
  virtual ~Initializer() = default;
  /// "GlorotUniform", the Keras class name used in configs.
  virtual std::string class_name() const = 0;
  /// The constructor arguments under Keras's keys ({} for those without any).
  virtual nlohmann::json get_config() const;
  /// Writes shape.num_elements() values for a weight of `shape` (Keras's fan rules).
  virtual void sample(const Shape& shape, std::span<float> out, std::mt19937_64& rng) const = 0;

  /// Keras's string names ("glorot_uniform", "he_normal", "zeros", ...).
  static std::shared_ptr<Initializer> from_name(std::string_view name);
  /// {"class_name": ..., "config": ...} as Keras serializes it.
  static std::shared_ptr<Initializer> from_config(const nlohmann::json& config);
  /// Every name from_name accepts (Keras's snake_case and class names).
  static std::vector<std::string> names();
};

/// Keras's compute_fans: (fan_in, fan_out) for a weight of this shape.
std::pair<double, double> compute_fans(const Shape& shape);

namespace initializers {

/// Every weight 0 (Keras's default bias initializer).
class Zeros : public Initializer {
 public:
  std::string class_name() const override { return "Zeros"; }
  void sample(const Shape&, std::span<float> out, std::mt19937_64&) const override;
};

/// Every weight 1.
class Ones : public Initializer {
 public:
  std::string class_name() const override { return "Ones"; }
  void sample(const Shape&, std::span<float> out, std::mt19937_64&) const override;
};

/// Every weight the same value.
class Constant : public Initializer {
 public:
  /// The value every weight gets.
  explicit Constant(float value = 0.f) : value_(value) {}
  std::string class_name() const override { return "Constant"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
  void sample(const Shape&, std::span<float> out, std::mt19937_64&) const override;

 private:
  float value_;
};

/// uniform(minval, maxval).
class RandomUniform : public Initializer {
 public:
  /// Keras's arguments and defaults; `seed` fixes the draw.
  explicit RandomUniform(float minval = -0.05f, float maxval = 0.05f, std::optional<std::int64_t> seed = {})
      : minval_(minval), maxval_(maxval), seed_(seed) {}
  std::string class_name() const override { return "RandomUniform"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
  void sample(const Shape&, std::span<float> out, std::mt19937_64& rng) const override;

 private:
  float minval_, maxval_;
  std::optional<std::int64_t> seed_;
};

/// normal(mean, stddev).
class RandomNormal : public Initializer {
 public:
  /// Keras's arguments and defaults; `seed` fixes the draw.
  explicit RandomNormal(float mean = 0.f, float stddev = 0.05f, std::optional<std::int64_t> seed = {})
      : mean_(mean), stddev_(stddev), seed_(seed) {}
  std::string class_name() const override { return "RandomNormal"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
  void sample(const Shape&, std::span<float> out, std::mt19937_64& rng) const override;

 private:
  float mean_, stddev_;
  std::optional<std::int64_t> seed_;
};

/// Keras's Orthogonal: the weight viewed as a (rows, last axis) matrix is `gain` times an
/// orthogonal matrix (orthonormal columns, or rows when it is wider than tall): the Q of the QR
/// decomposition of a standard normal draw, its columns' signs fixed by R's diagonal, as Keras
/// computes it. Keras's default for the recurrent kernels of SimpleRNN, LSTM and GRU.
class Orthogonal : public Initializer {
 public:
  /// Keras's arguments and defaults; `seed` fixes the draw.
  explicit Orthogonal(float gain = 1.f, std::optional<std::int64_t> seed = {}) : gain_(gain), seed_(seed) {}
  std::string class_name() const override { return "Orthogonal"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
  void sample(const Shape& shape, std::span<float> out, std::mt19937_64& rng) const override;

 private:
  float gain_;
  std::optional<std::int64_t> seed_;
};

/// Keras's VarianceScaling: scale / fan (fan_in, fan_out or their mean), drawn from a normal
/// truncated at two standard deviations, an untruncated normal, or a uniform distribution.
class VarianceScaling : public Initializer {
 public:
  /// The fan the scale is divided by: fan_in, fan_out or their mean.
  enum class Mode { FanIn, FanOut, FanAvg };
  /// The distribution drawn from; the truncated normal is cut at two standard deviations.
  enum class Distribution { TruncatedNormal, UntruncatedNormal, Uniform };
  /// Keras's arguments and defaults; `seed` fixes the draw.
  VarianceScaling(double scale = 1.0, Mode mode = Mode::FanIn,
                  Distribution distribution = Distribution::TruncatedNormal, std::optional<std::int64_t> seed = {});
  std::string class_name() const override { return "VarianceScaling"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
  void sample(const Shape& shape, std::span<float> out, std::mt19937_64& rng) const override;

 protected:
  /// The arguments the subclasses (GlorotUniform, HeNormal, ...) fix.
  /// @{
  double scale_;
  Mode mode_;
  Distribution distribution_;
  std::optional<std::int64_t> seed_;
  /// @}
};

/// uniform(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)): Keras's default kernel initializer.
class GlorotUniform : public VarianceScaling {
 public:
  /// `seed` fixes the draw for this initializer; without it strata's global generator draws.
  explicit GlorotUniform(std::optional<std::int64_t> seed = {})
      : VarianceScaling(1.0, Mode::FanAvg, Distribution::Uniform, seed) {}
  std::string class_name() const override { return "GlorotUniform"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
};

/// truncated normal with stddev sqrt(2 / (fan_in + fan_out)), as keras.initializers.GlorotNormal.
class GlorotNormal : public VarianceScaling {
 public:
  /// `seed` fixes the draw for this initializer; without it strata's global generator draws.
  explicit GlorotNormal(std::optional<std::int64_t> seed = {})
      : VarianceScaling(1.0, Mode::FanAvg, Distribution::TruncatedNormal, seed) {}
  std::string class_name() const override { return "GlorotNormal"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
};

/// uniform(-limit, limit), limit = sqrt(6 / fan_in), as keras.initializers.HeUniform.
class HeUniform : public VarianceScaling {
 public:
  /// `seed` fixes the draw for this initializer; without it strata's global generator draws.
  explicit HeUniform(std::optional<std::int64_t> seed = {})
      : VarianceScaling(2.0, Mode::FanIn, Distribution::Uniform, seed) {}
  std::string class_name() const override { return "HeUniform"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
};

/// truncated normal with stddev sqrt(2 / fan_in), as keras.initializers.HeNormal.
class HeNormal : public VarianceScaling {
 public:
  /// `seed` fixes the draw for this initializer; without it strata's global generator draws.
  explicit HeNormal(std::optional<std::int64_t> seed = {})
      : VarianceScaling(2.0, Mode::FanIn, Distribution::TruncatedNormal, seed) {}
  std::string class_name() const override { return "HeNormal"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
};

/// uniform(-limit, limit), limit = sqrt(3 / fan_in), as keras.initializers.LecunUniform.
class LecunUniform : public VarianceScaling {
 public:
  /// `seed` fixes the draw for this initializer; without it strata's global generator draws.
  explicit LecunUniform(std::optional<std::int64_t> seed = {})
      : VarianceScaling(1.0, Mode::FanIn, Distribution::Uniform, seed) {}
  std::string class_name() const override { return "LecunUniform"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
};

/// truncated normal with stddev sqrt(1 / fan_in), as keras.initializers.LecunNormal.
class LecunNormal : public VarianceScaling {
 public:
  /// `seed` fixes the draw for this initializer; without it strata's global generator draws.
  explicit LecunNormal(std::optional<std::int64_t> seed = {})
      : VarianceScaling(1.0, Mode::FanIn, Distribution::TruncatedNormal, seed) {}
  std::string class_name() const override { return "LecunNormal"; }
  /// The constructor arguments under Keras's keys.
  nlohmann::json get_config() const override;
};

}  // namespace initializers
}  // namespace strata
