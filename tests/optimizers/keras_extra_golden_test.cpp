// The optimizers added after the first five (Nadam, Adamax, Adadelta, Lion, Ftrl, Adafactor),
// schedule-driven learning rates, EMA and gradient accumulation, against real Keras:
// tests/golden/optimizers_extra.json ("cases") is written by
// tests/golden/make_optimizer_extra_goldens.py with the jax backend. Each case builds the
// optimizer from Keras's serialized config, feeds six fixed gradients through Optimizer::apply
// on every backend and compares, after each step, the learning rate used, both step counters,
// the variables and every optimizer variable; then the names, shapes and order of the
// optimizer variables, the config, and the variables after finalize_variable_values.

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "optimizers/optimizer_test_util.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/optimizers/adadelta.hpp"
#include "strata/optimizers/adafactor.hpp"
#include "strata/optimizers/adam.hpp"
#include "strata/optimizers/adamax.hpp"
#include "strata/optimizers/ftrl.hpp"
#include "strata/optimizers/lion.hpp"
#include "strata/optimizers/nadam.hpp"
#include "strata/optimizers/optimizer.hpp"
#include "strata/optimizers/schedules/exponential_decay.hpp"
#include "strata/optimizers/sgd.hpp"
#include "support/goldens.hpp"

using nlohmann::json;
using strata::Optimizer;
using strata::Variable;
namespace opt = strata::optimizers;
namespace sch = strata::optimizers::schedules;

namespace {

const json& goldens() { return strata::testing::golden_file("optimizers_extra.json"); }

const json& golden_case(const std::string& name) {
  for (const auto& c : goldens()["cases"])
    if (c["name"] == name) return c;
  FAIL("no golden case " << name);
  static const json none;
  return none;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& c : goldens()["cases"]) names.push_back(c["name"].get<std::string>());
  return names;
}

struct Vars {
  std::vector<std::unique_ptr<Variable>> owned;
  std::vector<Variable*> variables;
};

Vars make_vars(strata::Backend& backend) {
  Vars m;
  const auto& vars = goldens()["variables"];
  const auto& grads = goldens()["gradients"][0];
  for (std::size_t i = 0; i < vars.size(); ++i) {
    m.owned.push_back(strata::testing::make_variable(
        backend, vars[i]["path"].get<std::string>(), strata::testing::shape_of(vars[i]["shape"]),
        vars[i]["initial"].get<std::vector<float>>(), grads[i].get<std::vector<float>>()));
    m.variables.push_back(m.owned.back().get());
  }
  return m;
}

// |strata - keras| <= atol + rtol |keras| per element. Every update is computed in float32 by
// Keras (jax) and by the cpu backend, in double by the reference backend, so both differ from
// Keras by float32 rounding carried through six steps: 1e-5 relative. Adam keeps its known
// gap (keras_golden_test.cpp: Keras's float32 bias correction cancels catastrophically), an
// allowance of 1e-4 lr on the variables and on their moving averages.
struct Tolerance {
  double rtol = 1e-5, atol = 1e-6;
  double adam_atol = 0;
};

Tolerance tolerance_for(const json& c) {
  Tolerance t;
  const std::string cls = c["class_name"].get<std::string>();
  if (cls == "Adam") {
    double max_lr = 0;
    for (const auto& s : c["steps"]) max_lr = std::max(max_lr, s["learning_rate"].get<double>());
    t.adam_atol = 1e-4 * max_lr;
  }
  return t;
}

void run_case(Optimizer& optimizer, const json& c, strata::Backend& backend, bool check_finalize) {
  const Tolerance tol = tolerance_for(c);
  Vars vars = make_vars(backend);
  const auto& gradients = goldens()["gradients"];
  const auto& steps = c["steps"];
  for (std::size_t step = 0; step < steps.size(); ++step) {
    INFO("step " << step + 1);
    const auto& expected = steps[step];
    for (std::size_t i = 0; i < vars.variables.size(); ++i)
      strata::testing::set_grad(*vars.variables[i], gradients[step][i].get<std::vector<float>>());
    const double lr = expected["learning_rate"].get<double>();
    CHECK(optimizer.learning_rate() == Approx(lr).epsilon(1e-6).margin(1e-9));
    optimizer.apply(vars.variables);
    CHECK(optimizer.apply_count() == expected["iteration"].get<std::int64_t>());
    CHECK(optimizer.iterations() == expected["iterations"].get<std::int64_t>());

    for (std::size_t i = 0; i < vars.variables.size(); ++i)
      strata::testing::check_close(strata::testing::read(vars.variables[i]->value),
                                   expected["values"][i].get<std::vector<double>>(), vars.variables[i]->path, tol.rtol,
                                   tol.atol + tol.adam_atol);
    const auto slots = optimizer.variables();
    REQUIRE(slots.size() == expected["slots"].size());
    for (std::size_t k = 0; k < slots.size(); ++k) {
      const bool average = slots[k]->name.ends_with("_average");
      strata::testing::check_close(strata::testing::read(slots[k]->value),
                                   expected["slots"][k].get<std::vector<double>>(), slots[k]->path, tol.rtol,
                                   tol.atol + (average ? tol.adam_atol : 0.0));
    }
  }
  CHECK(optimizer.learning_rate() == Approx(c["learning_rate_after"].get<double>()).epsilon(1e-6).margin(1e-9));

  const auto slots = optimizer.variables();
  REQUIRE(slots.size() == c["slot_paths"].size());
  for (std::size_t k = 0; k < slots.size(); ++k) {
    CHECK(slots[k]->path == c["slot_paths"][k].get<std::string>());
    CHECK(slots[k]->value.shape().to_vector() == c["slot_shapes"][k].get<std::vector<std::int64_t>>());
    CHECK_FALSE(slots[k]->trainable);
  }
  if (check_finalize && c.contains("finalized")) {
    optimizer.finalize_variable_values(vars.variables);
    for (std::size_t i = 0; i < vars.variables.size(); ++i)
      strata::testing::check_close(strata::testing::read(vars.variables[i]->value),
                                   c["finalized"][i].get<std::vector<double>>(), vars.variables[i]->path, tol.rtol,
                                   tol.atol + tol.adam_atol);
  }
}

}  // namespace

TEST_CASE("New optimizers, schedules, EMA and accumulation follow Keras's trajectories",
          "[optimizers][golden][optimizers_extra]") {
  const std::string backend_name = GENERATE(from_range(strata::available_backends()));
  const std::string name = GENERATE(from_range(case_names()));
  INFO("backend " << backend_name << ", case " << name << ", Keras " << goldens()["keras_version"].get<std::string>());
  strata::Backend& backend = strata::get_backend(backend_name);
  const json& c = golden_case(name);

  auto optimizer = Optimizer::from_config(c["serialized"]);
  CHECK(optimizer->class_name() == c["class_name"].get<std::string>());
  run_case(*optimizer, c, backend, true);
  CHECK(optimizer->get_config() == c["config"]);
}

TEST_CASE("New optimizers built in C++ match Keras's configs and trajectories",
          "[optimizers][golden][optimizers_extra]") {
  const std::string backend_name = GENERATE(from_range(strata::available_backends()));
  INFO("backend " << backend_name);
  strata::Backend& backend = strata::get_backend(backend_name);

  struct Built {
    const char* golden;
    std::shared_ptr<Optimizer> optimizer;
  };
  const std::vector<Built> built = {
      {"nadam_default", std::make_shared<opt::Nadam>()},
      {"nadam_betas_clipnorm",
       std::make_shared<opt::Nadam>(0.02,
                                    opt::NadamOptions{.beta_1 = 0.5, .beta_2 = 0.9, .epsilon = 1e-3, .clipnorm = 0.5})},
      {"adamax_betas_weight_decay",
       std::make_shared<opt::Adamax>(
           0.02, opt::AdamaxOptions{.beta_1 = 0.6, .beta_2 = 0.95, .epsilon = 1e-4, .weight_decay = 0.1})},
      {"adadelta_rho_clipvalue",
       std::make_shared<opt::Adadelta>(0.5, opt::AdadeltaOptions{.rho = 0.8, .epsilon = 1e-5, .clipvalue = 0.3})},
      {"lion_betas_global_clipnorm",
       std::make_shared<opt::Lion>(0.02, opt::LionOptions{.beta_1 = 0.5, .beta_2 = 0.9, .global_clipnorm = 1.0})},
      {"ftrl_regularized",
       std::make_shared<opt::Ftrl>(0.2, opt::FtrlOptions{.learning_rate_power = -0.7,
                                                         .initial_accumulator_value = 0.5,
                                                         .l1_regularization_strength = 0.05,
                                                         .l2_regularization_strength = 0.1,
                                                         .l2_shrinkage_regularization_strength = 0.02,
                                                         .beta = 0.3})},
      {"adafactor_options", std::make_shared<opt::Adafactor>(0.5, opt::AdafactorOptions{.beta_2_decay = -0.5,
                                                                                        .epsilon_1 = 1e-20,
                                                                                        .epsilon_2 = 1e-2,
                                                                                        .clip_threshold = 0.5,
                                                                                        .relative_step = false})},
      {"sgd_exponential",
       std::make_shared<opt::SGD>(sch::ExponentialDecay(0.1, 2, 0.5), opt::SGDOptions{.momentum = 0.9})},
      {"sgd_ema_overwrite",
       std::make_shared<opt::SGD>(
           0.1, opt::SGDOptions{.momentum = 0.5, .use_ema = true, .ema_momentum = 0.8, .ema_overwrite_frequency = 2})},
      {"adam_accumulate", std::make_shared<opt::Adam>(0.05, opt::AdamOptions{.gradient_accumulation_steps = 3})},
  };
  for (const auto& b : built) {
    INFO("case " << b.golden);
    const json& c = golden_case(b.golden);
    CHECK(b.optimizer->get_config() == c["config"]);
    run_case(*b.optimizer, c, backend, false);
  }
}

TEST_CASE("The new optimizers are found by name", "[optimizers][optimizers_extra]") {
  const auto names = Optimizer::names();
  for (const char* name : {"nadam", "adamax", "adadelta", "lion", "ftrl", "adafactor"}) {
    INFO(name);
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
    auto optimizer = Optimizer::from_name(name);
    std::string lower = optimizer->class_name();
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    CHECK(lower == name);
  }
  CHECK(Optimizer::from_name("Adafactor")->class_name() == "Adafactor");
  CHECK(Optimizer::from_name("NADAM")->name() == "nadam");
}

TEST_CASE("EMA, accumulation and the new optimizers refuse what Keras refuses, in its words",
          "[optimizers][optimizers_extra]") {
  const auto& errors = goldens()["errors"];
  auto message = [](auto&& make) -> std::string {
    try {
      make();
    } catch (const strata::ValueError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(message([] { opt::SGD(0.01, {.gradient_accumulation_steps = 1}); }) ==
        errors["gradient_accumulation_steps"].get<std::string>());
  CHECK(message([] { opt::SGD(0.01, {.use_ema = true, .ema_momentum = 1.5}); }) ==
        errors["ema_momentum"].get<std::string>());
  CHECK(message([] { opt::Lion(0.001, {.beta_1 = 0.0}); }) == errors["lion_beta_1"].get<std::string>());
  CHECK(message([] { opt::Ftrl(0.001, {.learning_rate_power = 0.5}); }) ==
        errors["ftrl_learning_rate_power"].get<std::string>());
  CHECK_THROWS_AS(opt::SGD(0.01, {.use_ema = true, .ema_overwrite_frequency = 0}), strata::ValueError);
  CHECK_THROWS_WITH(Optimizer::from_config(json{{"class_name", "Adam"}, {"config", {{"loss_scale_factor", 128.0}}}}),
                    Catch::Contains("loss_scale_factor"));

  // finalize_variable_values: nothing to do without EMA; the averages must match the variables.
  strata::Backend& backend = strata::get_backend(strata::available_backends().front());
  Vars vars = make_vars(backend);
  opt::SGD plain(0.1);
  plain.apply(vars.variables);
  const auto before = strata::testing::read(vars.variables[0]->value);
  plain.finalize_variable_values(vars.variables);
  CHECK(strata::testing::read(vars.variables[0]->value) == before);
  opt::SGD ema(0.1, {.use_ema = true});
  CHECK_THROWS_AS(ema.finalize_variable_values(vars.variables), strata::ValueError);  // not built yet
  ema.apply(vars.variables);
  CHECK_THROWS_AS(ema.finalize_variable_values({vars.variables[0]}), strata::ValueError);
}
