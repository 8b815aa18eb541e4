// Learning-rate schedules against real Keras: tests/golden/optimizers_extra.json ("schedules")
// is written by tests/golden/make_optimizer_extra_goldens.py. Each schedule is rebuilt from
// Keras's serialized form, its config compared key for key, and its value compared at 68 steps.

#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "strata/error.hpp"
#include "strata/optimizers/adam.hpp"
#include "strata/optimizers/schedules/cosine_decay.hpp"
#include "strata/optimizers/schedules/cosine_decay_restarts.hpp"
#include "strata/optimizers/schedules/exponential_decay.hpp"
#include "strata/optimizers/schedules/inverse_time_decay.hpp"
#include "strata/optimizers/schedules/piecewise_constant_decay.hpp"
#include "strata/optimizers/schedules/polynomial_decay.hpp"
#include "strata/optimizers/sgd.hpp"
#include "support/goldens.hpp"

using nlohmann::json;
namespace opt = strata::optimizers;
namespace sch = strata::optimizers::schedules;

namespace {

const json& goldens() { return strata::testing::golden_file("optimizers_extra.json"); }

const json& golden_schedule(const std::string& name) {
  for (const auto& s : goldens()["schedules"])
    if (s["name"] == name) return s;
  FAIL("no golden schedule " << name);
  static const json none;
  return none;
}

// Keras evaluates in float32; Strata repeats its float32 operations, so the values agree to
// float32 rounding: 1e-6 relative, plus 1e-7 of the initial rate for values that cosine decay
// takes to (nearly) zero.
void check_values(const sch::LearningRateSchedule& schedule, const json& golden) {
  const double scale = std::abs(golden["values"][0].get<double>()) + 1e-3;
  const auto& steps = golden["steps"];
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto step = steps[i].get<std::int64_t>();
    const double expected = golden["values"][i].get<double>();
    const double actual = schedule(step);
    INFO("step " << step << ": strata " << actual << ", keras " << expected);
    CHECK(std::abs(actual - expected) <= 1e-6 * std::abs(expected) + 1e-7 * scale);
  }
}

}  // namespace

TEST_CASE("Learning-rate schedules follow Keras's values and configs", "[optimizers][schedules][golden]") {
  for (const auto& golden : goldens()["schedules"]) {
    INFO("schedule " << golden["name"].get<std::string>());
    const auto schedule = sch::LearningRateSchedule::from_config(golden["serialized"]);
    CHECK(schedule->class_name() == golden["class_name"].get<std::string>());
    CHECK(schedule->get_config() == golden["config"]);
    CHECK(schedule->serialize() == golden["serialized"]);
    check_values(*schedule, golden);
  }
}

TEST_CASE("Schedules built in C++ match Keras's", "[optimizers][schedules][golden]") {
  struct Built {
    const char* golden;
    std::shared_ptr<sch::LearningRateSchedule> schedule;
  };
  const std::vector<Built> built = {
      {"exponential", std::make_shared<sch::ExponentialDecay>(0.1, 10, 0.9)},
      {"exponential_staircase", std::make_shared<sch::ExponentialDecay>(
                                    0.05, 7, 0.5, sch::ExponentialDecayOptions{.staircase = true, .name = "ed"})},
      {"piecewise", std::make_shared<sch::PiecewiseConstantDecay>(std::vector<double>{10, 20},
                                                                  std::vector<double>{0.1, 0.05, 0.01})},
      {"polynomial_cycle",
       std::make_shared<sch::PolynomialDecay>(
           0.1, 15, sch::PolynomialDecayOptions{.end_learning_rate = 0.01, .power = 0.5, .cycle = true})},
      {"inverse_time_staircase",
       std::make_shared<sch::InverseTimeDecay>(0.2, 6, 1.5, sch::InverseTimeDecayOptions{.staircase = true})},
      {"cosine_warmup", std::make_shared<sch::CosineDecay>(
                            0.0, 20, sch::CosineDecayOptions{.alpha = 0.05, .warmup_target = 0.2, .warmup_steps = 8})},
      {"cosine_restarts_t15", std::make_shared<sch::CosineDecayRestarts>(
                                  0.2, 5, sch::CosineDecayRestartsOptions{.t_mul = 1.5, .m_mul = 0.9, .alpha = 0.1})},
  };
  for (const auto& b : built) {
    INFO("schedule " << b.golden);
    const json& golden = golden_schedule(b.golden);
    CHECK(b.schedule->serialize() == golden["serialized"]);
    check_values(*b.schedule, golden);
  }
}

TEST_CASE("Schedules refuse what Keras refuses, in Keras's words", "[optimizers][schedules]") {
  const auto& errors = goldens()["errors"];
  auto message = [](auto&& make) -> std::string {
    try {
      make();
    } catch (const strata::ValueError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(message([] { sch::ExponentialDecay(0.1, 0, 0.9); }) == errors["decay_steps"].get<std::string>());
  CHECK(message([] { sch::CosineDecayRestarts(0.1, 0); }) == errors["first_decay_steps"].get<std::string>());
  CHECK(message([] { sch::PiecewiseConstantDecay({1, 2}, {0.1, 0.2}); }) == errors["boundaries"].get<std::string>());
  CHECK_THROWS_AS(sch::LearningRateSchedule::from_config(json{{"class_name", "Nope"}, {"config", json::object()}}),
                  strata::ValueError);
  CHECK_THROWS_WITH(
      sch::LearningRateSchedule::from_config(
          json{{"class_name", "ExponentialDecay"},
               {"config", {{"initial_learning_rate", 0.1}, {"decay_steps", 3}, {"decay_rate", 0.5}, {"bogus", 1}}}}),
      Catch::Contains("'bogus'"));
  CHECK_THROWS_WITH(sch::LearningRateSchedule::from_config(
                        json{{"class_name", "ExponentialDecay"}, {"config", {{"initial_learning_rate", 0.1}}}}),
                    Catch::Contains("decay_steps"));
}

TEST_CASE("An optimizer driven by a schedule reads it at its step and refuses a fixed rate",
          "[optimizers][schedules]") {
  opt::SGD sgd(sch::ExponentialDecay(0.1, 2, 0.5));
  REQUIRE(sgd.learning_rate_schedule() != nullptr);
  CHECK(sgd.learning_rate() == Approx(0.1));
  sgd.set_iterations(4);
  CHECK(sgd.learning_rate() == Approx(0.025));
  CHECK_THROWS_WITH(sgd.set_learning_rate(0.01),
                    goldens()["errors"]["set_learning_rate_on_schedule"].get<std::string>());
  CHECK(sgd.get_config()["learning_rate"] == sgd.learning_rate_schedule()->serialize());

  // A schedule is shared, not copied, when passed as a pointer; the rate is unchanged by it.
  auto shared = std::make_shared<const sch::CosineDecay>(0.2, 10);
  opt::Adam adam(shared);
  CHECK(adam.learning_rate_schedule() == shared);
  CHECK(adam.learning_rate() == Approx(0.2));
  opt::Adam fixed(0.01);
  CHECK(fixed.learning_rate_schedule() == nullptr);
  fixed.set_learning_rate(0.02);
  CHECK(fixed.learning_rate() == 0.02);
}
