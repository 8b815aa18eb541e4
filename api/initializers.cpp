#include "strata/initializers.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "api/registry.hpp"
#include "strata/error.hpp"

namespace strata {

namespace {

nlohmann::json seed_json(const std::optional<std::int64_t>& seed) {
  return seed ? nlohmann::json(*seed) : nlohmann::json(nullptr);
}

// Keras 3.15's variance-scaling family writes which axes hold the fans (null: Keras's defaults,
// the only ones Strata has).
nlohmann::json fan_config(const std::optional<std::int64_t>& seed) {
  return {{"seed", seed_json(seed)}, {"input_axes", nullptr}, {"output_axes", nullptr}};
}

std::optional<std::int64_t> seed_from(const nlohmann::json& config) {
  if (config.contains("seed") && config["seed"].is_number_integer()) return config["seed"].get<std::int64_t>();
  return {};
}

// A seeded Keras initializer draws the same values at every call; an unseeded one draws from
// strata's global generator, which set_random_seed controls.
template <class Draw>
void draw_with(const std::optional<std::int64_t>& seed, std::mt19937_64& global, Draw&& draw) {
  if (seed) {
    std::mt19937_64 local(static_cast<std::uint64_t>(*seed));
    draw(local);
  } else {
    draw(global);
  }
}

using Factory = std::function<std::shared_ptr<Initializer>(const nlohmann::json& config)>;

struct Registered {
  std::string snake_name;
  std::string class_name;
  Factory make;
};

const std::vector<Registered>& registry() {
  using namespace initializers;
  static const std::vector<Registered> entries = {
      {"zeros", "Zeros", [](const nlohmann::json&) { return std::make_shared<Zeros>(); }},
      {"ones", "Ones", [](const nlohmann::json&) { return std::make_shared<Ones>(); }},
      {"constant", "Constant",
       [](const nlohmann::json& c) { return std::make_shared<Constant>(c.value("value", 0.f)); }},
      {"random_uniform", "RandomUniform",
       [](const nlohmann::json& c) {
         return std::make_shared<RandomUniform>(c.value("minval", -0.05f), c.value("maxval", 0.05f), seed_from(c));
       }},
      {"orthogonal", "Orthogonal",
       [](const nlohmann::json& c) { return std::make_shared<Orthogonal>(c.value("gain", 1.f), seed_from(c)); }},
      {"random_normal", "RandomNormal",
       [](const nlohmann::json& c) {
         return std::make_shared<RandomNormal>(c.value("mean", 0.f), c.value("stddev", 0.05f), seed_from(c));
       }},
      {"variance_scaling", "VarianceScaling",
       [](const nlohmann::json& c) {
         const std::string mode = c.value("mode", "fan_in");
         const std::string dist = c.value("distribution", "truncated_normal");
         VarianceScaling::Mode m = mode == "fan_out"   ? VarianceScaling::Mode::FanOut
                                   : mode == "fan_avg" ? VarianceScaling::Mode::FanAvg
                                                       : VarianceScaling::Mode::FanIn;
         STRATA_CHECK(mode == "fan_in" || mode == "fan_out" || mode == "fan_avg", ValueError,
                      "Invalid `mode` argument: ", mode);
         VarianceScaling::Distribution d = dist == "uniform" ? VarianceScaling::Distribution::Uniform
                                           : dist == "untruncated_normal"
                                               ? VarianceScaling::Distribution::UntruncatedNormal
                                               : VarianceScaling::Distribution::TruncatedNormal;
         STRATA_CHECK(
             dist == "uniform" || dist == "untruncated_normal" || dist == "truncated_normal" || dist == "normal",
             ValueError, "Invalid `distribution` argument: ", dist);
         return std::make_shared<VarianceScaling>(c.value("scale", 1.0), m, d, seed_from(c));
       }},
      {"glorot_uniform", "GlorotUniform",
       [](const nlohmann::json& c) { return std::make_shared<GlorotUniform>(seed_from(c)); }},
      {"glorot_normal", "GlorotNormal",
       [](const nlohmann::json& c) { return std::make_shared<GlorotNormal>(seed_from(c)); }},
      {"he_uniform", "HeUniform", [](const nlohmann::json& c) { return std::make_shared<HeUniform>(seed_from(c)); }},
      {"he_normal", "HeNormal", [](const nlohmann::json& c) { return std::make_shared<HeNormal>(seed_from(c)); }},
      {"lecun_uniform", "LecunUniform",
       [](const nlohmann::json& c) { return std::make_shared<LecunUniform>(seed_from(c)); }},
      {"lecun_normal", "LecunNormal",
       [](const nlohmann::json& c) { return std::make_shared<LecunNormal>(seed_from(c)); }},
  };
  return entries;
}

}  // namespace

std::pair<double, double> compute_fans(const Shape& shape) {
  const auto& d = shape.dims();
  if (d.empty()) return {1.0, 1.0};
  if (d.size() == 1) return {double(d[0]), double(d[0])};
  if (d.size() == 2) return {double(d[0]), double(d[1])};
  // Convolution kernels (..., in, out): every spatial position is a separate fan.
  double receptive = 1.0;
  for (std::size_t i = 0; i + 2 < d.size(); ++i) receptive *= double(d[i]);
  return {double(d[d.size() - 2]) * receptive, double(d.back()) * receptive};
}

nlohmann::json Initializer::get_config() const { return nlohmann::json::object(); }

std::vector<std::string> Initializer::names() {
  std::vector<std::string> out;
  for (const auto& e : registry()) out.push_back(e.snake_name);
  return out;
}

std::shared_ptr<Initializer> Initializer::from_name(std::string_view name) {
  // Keras's short aliases (Embedding's default is "uniform").
  if (name == "uniform") name = "random_uniform";
  if (name == "normal") name = "random_normal";
  if (name == "one") name = "ones";
  if (name == "zero") name = "zeros";
  for (const auto& e : registry())
    if (e.snake_name == name || e.class_name == name) return e.make(nlohmann::json::object());
  std::string valid;
  for (const auto& e : registry()) valid += (valid.empty() ? "" : ", ") + e.snake_name;
  // Keras's words, then the names Strata knows.
  throw ValueError(detail::concat("Could not interpret initializer identifier: ", name, ". Valid names are: ", valid));
}

// Custom initializer classes; the built-in class names are listed so they cannot be replaced.
detail::Registry<Initializer>& detail::initializer_registry() {
  static detail::Registry<Initializer> custom = [] {
    std::vector<std::pair<std::string, ConfigFactory<Initializer>>> builtins;
    for (const auto& e : registry()) builtins.emplace_back(e.class_name, e.make);
    return detail::Registry<Initializer>("initializer", "register_initializer", std::move(builtins));
  }();
  return custom;
}

void register_initializer(const std::string& name, ConfigFactory<Initializer> factory) {
  detail::initializer_registry().add(name, std::move(factory));
}

std::shared_ptr<Initializer> Initializer::from_config(const nlohmann::json& config) {
  if (config.is_string()) return from_name(config.get<std::string>());
  STRATA_CHECK(config.is_object() && config.contains("class_name"), ValueError,
               "an initializer config needs a \"class_name\", received ", config.dump());
  const std::string class_name = config["class_name"].get<std::string>();
  const nlohmann::json inner = config.contains("config") ? config["config"] : nlohmann::json::object();
  if (const auto make = detail::initializer_registry().find(config)) return make(inner);
  for (const auto& e : registry())
    if (e.snake_name == class_name) return e.make(inner);
  STRATA_CHECK(!config.contains("registered_name") || !config["registered_name"].is_string(), ValueError,
               "Could not locate initializer class '", config["registered_name"].get<std::string>(),
               "': ", detail::initializer_registry().how_to_register(config["registered_name"].get<std::string>()),
               ".");
  return from_name(class_name);  // throws with the list of valid names
}

namespace initializers {

void Zeros::sample(const Shape&, std::span<float> out, std::mt19937_64&) const {
  std::fill(out.begin(), out.end(), 0.f);
}

void Ones::sample(const Shape&, std::span<float> out, std::mt19937_64&) const {
  std::fill(out.begin(), out.end(), 1.f);
}

nlohmann::json Constant::get_config() const { return {{"value", value_}}; }
void Constant::sample(const Shape&, std::span<float> out, std::mt19937_64&) const {
  std::fill(out.begin(), out.end(), value_);
}

nlohmann::json RandomUniform::get_config() const {
  return {{"minval", minval_}, {"maxval", maxval_}, {"seed", seed_json(seed_)}};
}
void RandomUniform::sample(const Shape&, std::span<float> out, std::mt19937_64& rng) const {
  draw_with(seed_, rng, [&](std::mt19937_64& g) {
    std::uniform_real_distribution<float> dist(minval_, maxval_);
    for (float& v : out) v = dist(g);
  });
}

nlohmann::json RandomNormal::get_config() const {
  return {{"mean", mean_}, {"stddev", stddev_}, {"seed", seed_json(seed_)}};
}
void RandomNormal::sample(const Shape&, std::span<float> out, std::mt19937_64& rng) const {
  draw_with(seed_, rng, [&](std::mt19937_64& g) {
    std::normal_distribution<float> dist(mean_, stddev_);
    for (float& v : out) v = dist(g);
  });
}

nlohmann::json Orthogonal::get_config() const { return {{"gain", gain_}, {"seed", seed_json(seed_)}}; }

void Orthogonal::sample(const Shape& shape, std::span<float> out, std::mt19937_64& rng) const {
  const std::int64_t cols = shape.rank() == 0 ? 1 : shape[-1];
  const std::int64_t rows = cols == 0 ? 0 : shape.num_elements() / cols;
  // A (m, n) standard normal draw, m >= n, decomposed by Householder reflections in double.
  const std::int64_t m = std::max(rows, cols), n = std::min(rows, cols);
  std::vector<double> a(static_cast<std::size_t>(m * n));
  draw_with(seed_, rng, [&](std::mt19937_64& g) {
    std::normal_distribution<double> dist(0.0, 1.0);
    for (double& v : a) v = dist(g);
  });
  const auto at = [&](std::vector<double>& mat, std::int64_t i, std::int64_t j) -> double& {
    return mat[static_cast<std::size_t>(i * n + j)];
  };
  std::vector<std::vector<double>> reflectors;
  std::vector<double> r_diagonal(static_cast<std::size_t>(n));
  for (std::int64_t k = 0; k < n; ++k) {
    double norm = 0;
    for (std::int64_t i = k; i < m; ++i) norm += at(a, i, k) * at(a, i, k);
    norm = std::sqrt(norm);
    const double alpha = at(a, k, k) > 0 ? -norm : norm;  // R's diagonal entry
    std::vector<double> v(static_cast<std::size_t>(m), 0.0);
    for (std::int64_t i = k; i < m; ++i) v[static_cast<std::size_t>(i)] = at(a, i, k);
    v[static_cast<std::size_t>(k)] -= alpha;
    double vv = 0;
    for (double x : v) vv += x * x;
    if (vv > 0)
      for (std::int64_t j = k; j < n; ++j) {
        double dot = 0;
        for (std::int64_t i = k; i < m; ++i) dot += v[static_cast<std::size_t>(i)] * at(a, i, j);
        for (std::int64_t i = k; i < m; ++i) at(a, i, j) -= 2 * dot / vv * v[static_cast<std::size_t>(i)];
      }
    r_diagonal[static_cast<std::size_t>(k)] = alpha;
    reflectors.push_back(std::move(v));
  }
  // Q's first n columns: the reflectors applied in reverse to the identity's columns, each
  // column's sign then made that of R's diagonal entry (Keras's q * sign(diag(r))).
  std::vector<double> q(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t j = 0; j < n; ++j) at(q, j, j) = 1.0;
  for (std::int64_t k = n - 1; k >= 0; --k) {
    const std::vector<double>& v = reflectors[static_cast<std::size_t>(k)];
    double vv = 0;
    for (double x : v) vv += x * x;
    if (vv == 0) continue;
    for (std::int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (std::int64_t i = k; i < m; ++i) dot += v[static_cast<std::size_t>(i)] * at(q, i, j);
      for (std::int64_t i = k; i < m; ++i) at(q, i, j) -= 2 * dot / vv * v[static_cast<std::size_t>(i)];
    }
  }
  for (std::int64_t j = 0; j < n; ++j)
    if (r_diagonal[static_cast<std::size_t>(j)] < 0)
      for (std::int64_t i = 0; i < m; ++i) at(q, i, j) = -at(q, i, j);
  // A wide weight takes Q transposed (orthonormal rows).
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      out[static_cast<std::size_t>(i * cols + j)] =
          static_cast<float>(gain_ * (rows >= cols ? at(q, i, j) : at(q, j, i)));
}

VarianceScaling::VarianceScaling(double scale, Mode mode, Distribution distribution, std::optional<std::int64_t> seed)
    : scale_(scale), mode_(mode), distribution_(distribution), seed_(seed) {
  STRATA_CHECK(scale > 0, ValueError, "Argument `scale` must be positive float. Received: scale=", scale);
}

nlohmann::json VarianceScaling::get_config() const {
  const char* mode = mode_ == Mode::FanIn ? "fan_in" : mode_ == Mode::FanOut ? "fan_out" : "fan_avg";
  const char* dist = distribution_ == Distribution::Uniform             ? "uniform"
                     : distribution_ == Distribution::UntruncatedNormal ? "untruncated_normal"
                                                                        : "truncated_normal";
  nlohmann::json config = fan_config(seed_);
  config.update({{"scale", scale_}, {"mode", mode}, {"distribution", dist}});
  return config;
}

void VarianceScaling::sample(const Shape& shape, std::span<float> out, std::mt19937_64& rng) const {
  const auto [fan_in, fan_out] = compute_fans(shape);
  const double fan = mode_ == Mode::FanIn ? fan_in : mode_ == Mode::FanOut ? fan_out : (fan_in + fan_out) / 2;
  const double variance = scale_ / std::max(1.0, fan);
  draw_with(seed_, rng, [&](std::mt19937_64& g) {
    switch (distribution_) {
      case Distribution::Uniform: {
        const double limit = std::sqrt(3.0 * variance);
        std::uniform_real_distribution<double> dist(-limit, limit);
        for (float& v : out) v = static_cast<float>(dist(g));
        break;
      }
      case Distribution::UntruncatedNormal: {
        std::normal_distribution<double> dist(0.0, std::sqrt(variance));
        for (float& v : out) v = static_cast<float>(dist(g));
        break;
      }
      case Distribution::TruncatedNormal: {
        // Keras divides by the standard deviation of a unit normal truncated at +-2 so the
        // truncated draw keeps the intended variance; values beyond 2 stddev are redrawn.
        const double stddev = std::sqrt(variance) / 0.87962566103423978;
        std::normal_distribution<double> dist(0.0, 1.0);
        for (float& v : out) {
          double z;
          do z = dist(g);
          while (std::abs(z) > 2.0);
          v = static_cast<float>(z * stddev);
        }
        break;
      }
    }
  });
}

nlohmann::json GlorotUniform::get_config() const { return fan_config(seed_); }
nlohmann::json GlorotNormal::get_config() const { return fan_config(seed_); }
nlohmann::json HeUniform::get_config() const { return fan_config(seed_); }
nlohmann::json HeNormal::get_config() const { return fan_config(seed_); }
nlohmann::json LecunUniform::get_config() const { return fan_config(seed_); }
nlohmann::json LecunNormal::get_config() const { return fan_config(seed_); }

}  // namespace initializers
}  // namespace strata
