#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "strata/strata.hpp"

using namespace strata;

namespace {

struct Moments {
  double mean = 0, stddev = 0, max_abs = 0;
};

Moments draw(const Initializer& init, const Shape& shape) {
  std::vector<float> values(static_cast<std::size_t>(shape.num_elements()));
  std::mt19937_64 rng(1);
  init.sample(shape, values, rng);
  Moments m;
  for (float v : values) m.mean += v;
  m.mean /= double(values.size());
  for (float v : values) {
    m.stddev += (v - m.mean) * (v - m.mean);
    m.max_abs = std::max(m.max_abs, double(std::abs(v)));
  }
  m.stddev = std::sqrt(m.stddev / double(values.size()));
  return m;
}

}  // namespace

TEST_CASE("compute_fans follows Keras for dense and convolution kernels", "[initializers]") {
  CHECK(compute_fans({784, 128}) == std::pair<double, double>{784, 128});
  CHECK(compute_fans({3, 3, 16, 32}) == std::pair<double, double>{144, 288});
  CHECK(compute_fans({10}) == std::pair<double, double>{10, 10});
}

TEST_CASE("variance-scaling initializers have Keras's variance and bounds", "[initializers]") {
  const Shape shape{400, 600};
  // Uniform(-l, l) has stddev l / sqrt(3); Keras's limit is sqrt(3 * scale / fan).
  const auto glorot = draw(initializers::GlorotUniform(), shape);
  CHECK(glorot.max_abs <= std::sqrt(6.0 / 1000));
  CHECK(glorot.stddev == Approx(std::sqrt(2.0 / 1000)).epsilon(0.02));
  CHECK(std::abs(glorot.mean) < 1e-3);

  const auto he = draw(initializers::HeNormal(), shape);
  CHECK(he.stddev == Approx(std::sqrt(2.0 / 400)).epsilon(0.02));
  // Truncated at two standard deviations of the untruncated normal (stddev / 0.8796...).
  CHECK(he.max_abs <= 2 * std::sqrt(2.0 / 400) / 0.87962566103423978 + 1e-6);

  CHECK(draw(initializers::LecunUniform(), shape).stddev == Approx(std::sqrt(1.0 / 400)).epsilon(0.02));
  CHECK(draw(initializers::LecunNormal(), shape).stddev == Approx(std::sqrt(1.0 / 400)).epsilon(0.02));
  CHECK(draw(initializers::HeUniform(), shape).stddev == Approx(std::sqrt(2.0 / 400)).epsilon(0.02));
  CHECK(draw(initializers::GlorotNormal(), shape).stddev == Approx(std::sqrt(2.0 / 1000)).epsilon(0.02));
  CHECK(draw(initializers::RandomNormal(), shape).stddev == Approx(0.05).epsilon(0.02));
  CHECK(draw(initializers::RandomUniform(), shape).max_abs <= 0.05);
  CHECK(draw(initializers::Constant(2.5f), {3}).mean == 2.5);
  CHECK(draw(initializers::Ones(), {3}).mean == 1.0);
  CHECK(draw(initializers::Zeros(), {3}).max_abs == 0.0);
}

TEST_CASE("a seeded initializer draws the same values every time", "[initializers]") {
  const initializers::GlorotUniform seeded(42);
  std::vector<float> a(20), b(20);
  std::mt19937_64 rng_a(1), rng_b(2);
  seeded.sample({4, 5}, a, rng_a);
  seeded.sample({4, 5}, b, rng_b);
  CHECK(a == b);
}

TEST_CASE("initializers resolve Keras names and round-trip their configs", "[initializers][config]") {
  for (const auto& name : Initializer::names()) {
    auto init = Initializer::from_name(name);
    auto again = Initializer::from_config({{"class_name", init->class_name()}, {"config", init->get_config()}});
    CHECK(again->class_name() == init->class_name());
    CHECK(again->get_config() == init->get_config());
  }
  CHECK(Initializer::from_name("he_normal")->class_name() == "HeNormal");
  CHECK(Initializer::from_config(nlohmann::json::parse(
                                     R"({"module": "keras.initializers", "class_name": "VarianceScaling",
                                         "config": {"scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": 3},
                                         "registered_name": null})"))
            ->get_config()["mode"] == "fan_out");
  CHECK_THROWS_WITH(
      Initializer::from_name("glorot"),
      Catch::Contains("Could not interpret initializer identifier: glorot") && Catch::Contains("glorot_uniform"));
}
