// The optimizer base and the five optimizers, checked by hand (independently of the Keras
// goldens): one SGD and one Adam step computed here, clipping, weight decay, the learning rate
// changing between steps, slots, configs and error texts.

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "optimizers/optimizer_test_util.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/handle.hpp"
#include "strata/optimizers/adagrad.hpp"
#include "strata/optimizers/adam.hpp"
#include "strata/optimizers/adamw.hpp"
#include "strata/optimizers/optimizer.hpp"
#include "strata/optimizers/rmsprop.hpp"
#include "strata/optimizers/sgd.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using strata::Optimizer;
using strata::ValueError;
using strata::Variable;
using strata::testing::check_close;
using strata::testing::make_variable;
using strata::testing::read;
using strata::testing::set_grad;
namespace opt = strata::optimizers;

namespace {

std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const ValueError& e) {
    return e.what();
  }
  return "(no ValueError)";
}

}  // namespace

TEST_CASE("SGD steps computed by hand", "[optimizers]") {
  const std::string backend_name = GENERATE(from_range(strata::available_backends()));
  INFO("backend " << backend_name);
  auto& backend = strata::get_backend(backend_name);

  SECTION("plain: w -= lr g") {
    auto w = make_variable(backend, "dense/kernel", {3}, {1.f, -2.f, 0.5f}, {0.5f, 0.25f, -4.f});
    opt::SGD sgd(0.1);
    sgd.apply({w.get()});
    check_close(read(w->value), {0.95, -2.025, 0.9}, "w");
    CHECK(sgd.variables().empty());  // no momentum, no slot
    CHECK(sgd.iterations() == 1);
  }
  SECTION("Nesterov momentum over two steps") {
    auto w = make_variable(backend, "dense/kernel", {2}, {1.f, -2.f}, {0.5f, 0.25f});
    opt::SGD sgd(0.1, {.momentum = 0.9, .nesterov = true});
    sgd.apply({w.get()});
    // v = -lr g = (-0.05, -0.025); w += 0.9 v - lr g
    check_close(read(w->value), {0.905, -2.0475}, "w after step 1");
    set_grad(*w, {-0.5f, 0.f});
    sgd.apply({w.get()});
    // v = 0.9 v - lr g = (0.005, -0.0225); w += 0.9 v - lr g = (+0.0545, -0.02025)
    check_close(read(w->value), {0.9595, -2.06775}, "w after step 2");
    REQUIRE(sgd.variables().size() == 1);
    check_close(read(sgd.variables()[0]->value), {0.005, -0.0225}, "momentum");
  }
  SECTION("classical momentum") {
    auto w = make_variable(backend, "w", {1}, {1.f}, {1.f});
    opt::SGD sgd(0.5, {.momentum = 0.5});
    sgd.apply({w.get()});  // v = -0.5, w = 0.5
    sgd.apply({w.get()});  // v = -0.25 - 0.5 = -0.75, w = -0.25
    check_close(read(w->value), {-0.25}, "w");
  }
}

TEST_CASE("Adam steps computed by hand", "[optimizers]") {
  const std::string backend_name = GENERATE(from_range(strata::available_backends()));
  INFO("backend " << backend_name);
  auto& backend = strata::get_backend(backend_name);

  SECTION("first step with the defaults, written out") {
    // m = 0.1 g, v = 0.001 g^2, lr_t = lr sqrt(1 - 0.999) / (1 - 0.9) = 0.001 * 0.316227766;
    // w -= lr_t m / (sqrt(v) + 1e-7): for g = 0.5, 0.001 * 0.0158113883 / 0.0158114883.
    auto w = make_variable(backend, "w", {2}, {1.f, 1.f}, {0.5f, -0.5f});
    opt::Adam adam;
    adam.apply({w.get()});
    check_close(read(w->value), {0.99900000632, 1.00099999368}, "w", 2e-7, 0);
    const auto slots = adam.variables();
    REQUIRE(slots.size() == 2);
    check_close(read(slots[0]->value), {0.05, -0.05}, "momentum");
    check_close(read(slots[1]->value), {0.00025, 0.00025}, "velocity");
  }
  SECTION("three steps against the closed form") {
    const double lr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-4;
    const std::vector<std::vector<float>> grads = {{0.3f, -1.f, 0.f}, {0.1f, 2.f, 0.f}, {-0.7f, 0.5f, 1e-3f}};
    std::vector<double> w = {0.2, -0.4, 3.0}, m(3, 0.0), v(3, 0.0);
    auto var = make_variable(backend, "w", {3}, {0.2f, -0.4f, 3.f}, grads[0]);
    opt::Adam adam(lr, {.beta_1 = b1, .beta_2 = b2, .epsilon = eps});
    for (int t = 1; t <= 3; ++t) {
      set_grad(*var, grads[t - 1]);
      adam.apply({var.get()});
      const double lr_t = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
      for (int i = 0; i < 3; ++i) {
        const double g = grads[t - 1][i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
      }
      INFO("step " << t);
      check_close(read(var->value), w, "w", 2e-6, 1e-7);
    }
  }
}

TEST_CASE("the learning rate can change between steps", "[optimizers]") {
  const std::string backend_name = GENERATE(from_range(strata::available_backends()));
  INFO("backend " << backend_name);
  auto& backend = strata::get_backend(backend_name);
  auto w = make_variable(backend, "w", {2}, {1.f, 2.f}, {1.f, -1.f});
  opt::SGD sgd(0.1);
  sgd.apply({w.get()});
  check_close(read(w->value), {0.9, 2.1}, "after lr 0.1");
  sgd.set_learning_rate(0.01);
  CHECK(sgd.learning_rate() == 0.01);
  sgd.apply({w.get()});
  check_close(read(w->value), {0.89, 2.11}, "after lr 0.01");
  CHECK(sgd.get_config()["learning_rate"].get<double>() == double(0.01f));

  CHECK_THROWS_WITH(sgd.set_learning_rate(0.0),
                    "Argument `learning_rate` must be a positive number. Received: "
                    "learning_rate=0.0");
  CHECK_THROWS_AS(sgd.set_learning_rate(-1e-3), ValueError);
  CHECK_THROWS_AS(sgd.set_learning_rate(std::numeric_limits<double>::quiet_NaN()), ValueError);
  CHECK(sgd.learning_rate() == 0.01);
}

TEST_CASE("gradient clipping and weight decay", "[optimizers]") {
  const std::string backend_name = GENERATE(from_range(strata::available_backends()));
  INFO("backend " << backend_name);
  auto& backend = strata::get_backend(backend_name);

  SECTION("clipnorm clips each gradient to its own norm") {
    auto a = make_variable(backend, "a", {2}, {0.f, 0.f}, {3.f, 4.f});    // norm 5: clipped
    auto b = make_variable(backend, "b", {2}, {0.f, 0.f}, {0.3f, 0.4f});  // norm 0.5: kept
    opt::SGD sgd(1.0, {.clipnorm = 1.0});
    sgd.apply({a.get(), b.get()});
    check_close(read(a->value), {-0.6, -0.8}, "a");
    check_close(read(b->value), {-0.3, -0.4}, "b");
    check_close(read(a->grad), {0.6, 0.8}, "a's gradient, clipped in place");
  }
  SECTION("global_clipnorm scales every gradient by the same factor") {
    auto a = make_variable(backend, "a", {1}, {0.f}, {3.f});
    auto b = make_variable(backend, "b", {1}, {0.f}, {4.f});
    opt::SGD sgd(1.0, {.global_clipnorm = 2.5});
    sgd.apply({a.get(), b.get()});
    check_close(read(a->value), {-1.5}, "a");
    check_close(read(b->value), {-2.0}, "b");
    // Under the limit nothing changes.
    set_grad(*a, {0.3f});
    set_grad(*b, {0.4f});
    sgd.apply({a.get(), b.get()});
    check_close(read(a->value), {-1.8}, "a");
    check_close(read(b->value), {-2.4}, "b");
  }
  SECTION("global_clipnorm turns every gradient into NaN when the norm is not finite (Keras)") {
    auto a = make_variable(backend, "a", {1}, {1.f}, {std::numeric_limits<float>::infinity()});
    auto b = make_variable(backend, "b", {1}, {1.f}, {1.f});
    opt::SGD sgd(1.0, {.global_clipnorm = 1.0});
    sgd.apply({a.get(), b.get()});
    CHECK(std::isnan(read(b->value)[0]));
  }
  SECTION("clipvalue clips elementwise") {
    auto a = make_variable(backend, "a", {3}, {0.f, 0.f, 0.f}, {-2.f, 0.1f, 5.f});
    opt::SGD sgd(1.0, {.clipvalue = 1.0});
    sgd.apply({a.get()});
    check_close(read(a->value), {1.0, -0.1, -1.0}, "a");
  }
  SECTION("weight decay: w -= w wd lr before the update") {
    auto a = make_variable(backend, "a", {2}, {2.f, -4.f}, {1.f, 1.f});
    opt::SGD sgd(0.1, {.weight_decay = 0.5});
    sgd.apply({a.get()});
    // w = w (1 - 0.05) - 0.1 g
    check_close(read(a->value), {1.8, -3.9}, "a");
  }
  SECTION("AdamW decays by default, Adam does not") {
    auto a = make_variable(backend, "a", {1}, {10.f}, {0.f});
    auto b = make_variable(backend, "b", {1}, {10.f}, {0.f});
    opt::AdamW adamw(0.1);
    opt::Adam adam(0.1);
    adamw.apply({a.get()});
    adam.apply({b.get()});
    check_close(read(a->value), {10.0 * (1 - 0.004 * 0.1)}, "AdamW");  // zero gradient: no step
    check_close(read(b->value), {10.0}, "Adam");
  }
}

TEST_CASE("slots: Keras's names, order and initial values", "[optimizers]") {
  const std::string backend_name = GENERATE(from_range(strata::available_backends()));
  INFO("backend " << backend_name);
  auto& backend = strata::get_backend(backend_name);
  auto k = make_variable(backend, "dense/kernel", {2, 3}, std::vector<float>(6, 1.f), std::vector<float>(6, 0.f));
  auto b = make_variable(backend, "dense/bias", {3}, std::vector<float>(3, 1.f), std::vector<float>(3, 0.f));
  const std::vector<Variable*> vars = {k.get(), b.get()};
  auto paths = [](const Optimizer& o) {
    std::vector<std::string> out;
    for (const Variable* v : o.variables()) out.push_back(v->path);
    return out;
  };

  opt::Adam adam(1e-3, {.amsgrad = true});
  CHECK(adam.variables().empty());
  CHECK_FALSE(adam.built());
  adam.apply(vars);
  CHECK(adam.built());
  CHECK(paths(adam) == std::vector<std::string>{"adam/dense_kernel_momentum", "adam/dense_kernel_velocity",
                                                "adam/dense_bias_momentum", "adam/dense_bias_velocity",
                                                "adam/dense_kernel_velocity_hat", "adam/dense_bias_velocity_hat"});
  CHECK(adam.variables()[0]->name == "dense_kernel_momentum");
  CHECK(adam.variables()[4]->value.shape() == strata::Shape{2, 3});

  opt::RMSprop rms(1e-3, {.momentum = 0.5, .centered = true, .name = "rms"});
  rms.apply(vars);
  CHECK(paths(rms) == std::vector<std::string>{"rms/dense_kernel_velocity", "rms/dense_bias_velocity",
                                               "rms/dense_kernel_momentum", "rms/dense_bias_momentum",
                                               "rms/dense_kernel_average_gradient", "rms/dense_bias_average_gradient"});

  opt::Adagrad adagrad(1e-3, {.initial_accumulator_value = 0.25});
  adagrad.apply(vars);  // zero gradients: the accumulator keeps its initial value
  CHECK(paths(adagrad) ==
        std::vector<std::string>{"adagrad/dense_kernel_accumulator", "adagrad/dense_bias_accumulator"});
  check_close(read(adagrad.variables()[1]->value), {0.25, 0.25, 0.25}, "accumulator");

  opt::SGD sgd(0.1, {.momentum = 0.9});
  sgd.apply(vars);
  CHECK(paths(sgd) == std::vector<std::string>{"sgd/dense_kernel_momentum", "sgd/dense_bias_momentum"});
}

TEST_CASE("apply checks its variables", "[optimizers]") {
  const std::string backend_name = GENERATE(from_range(strata::available_backends()));
  INFO("backend " << backend_name);
  auto& backend = strata::get_backend(backend_name);
  auto a = make_variable(backend, "dense/kernel", {2}, {1.f, 1.f}, {1.f, 1.f});
  auto b = make_variable(backend, "dense/bias", {3}, {1.f, 1.f, 1.f}, {1.f, 1.f, 1.f});

  opt::SGD sgd(0.1);
  sgd.apply({});  // nothing to do, as in Keras
  CHECK(sgd.iterations() == 0);
  CHECK_FALSE(sgd.built());

  Variable no_grad;
  no_grad.path = "dense/gamma";
  no_grad.value = strata::Tensor(backend, {2});
  CHECK_THROWS_WITH(sgd.apply({a.get(), &no_grad}), "Optimizer 'sgd': no gradient provided for variable 'dense/gamma'");
  Variable bad_grad;
  bad_grad.path = "dense/beta";
  bad_grad.value = strata::Tensor(backend, {2});
  bad_grad.grad = strata::Tensor(backend, {3});
  CHECK_THROWS_WITH(sgd.apply({&bad_grad}),
                    "Optimizer 'sgd': the gradient of variable 'dense/beta' has shape (3,), "
                    "expected the variable's shape (2,)");
  CHECK_THROWS_AS(sgd.apply({&bad_grad}), strata::ShapeError);
  CHECK(sgd.iterations() == 0);
  CHECK_FALSE(sgd.built());

  sgd.apply({a.get(), b.get()});
  CHECK(sgd.iterations() == 1);
  CHECK_THROWS_WITH(sgd.apply({a.get()}), Contains("'sgd' was built for 2 variables but "
                                                   "received 1"));
  CHECK_THROWS_WITH(sgd.apply({b.get(), a.get()}), Contains("Unknown variable: 'dense/bias' with shape (3,)") &&
                                                       Contains("you should recreate a new optimizer instance"));
  CHECK(sgd.iterations() == 1);
}

TEST_CASE("optimizer configs round-trip in Keras's format", "[optimizers]") {
  std::vector<std::shared_ptr<Optimizer>> all = {
      std::make_shared<opt::SGD>(0.05,
                                 opt::SGDOptions{.momentum = 0.9, .nesterov = true, .clipnorm = 2.0, .name = "my_sgd"}),
      std::make_shared<opt::Adam>(3e-4, opt::AdamOptions{.amsgrad = true, .weight_decay = 0.01}),
      std::make_shared<opt::AdamW>(1e-3, opt::AdamWOptions{.weight_decay = 0.1, .global_clipnorm = 1.0}),
      std::make_shared<opt::RMSprop>(0.01, opt::RMSpropOptions{.rho = 0.8, .centered = true, .clipvalue = 0.5}),
      std::make_shared<opt::Adagrad>(0.1, opt::AdagradOptions{.initial_accumulator_value = 0.0}),
  };
  for (const auto& o : all) {
    INFO(o->class_name());
    const json config = o->get_config();
    const json wrapped = {{"module", "keras.optimizers"},
                          {"class_name", o->class_name()},
                          {"config", config},
                          {"registered_name", nullptr}};
    auto back = Optimizer::from_config(wrapped);
    CHECK(back->class_name() == o->class_name());
    CHECK(back->name() == o->name());
    CHECK(back->get_config() == config);
    // The bare {"class_name", "config"} form, and the class name in any case.
    auto bare = Optimizer::from_config({{"class_name", o->class_name()}, {"config", config}});
    CHECK(bare->get_config() == config);
  }

  SECTION("Keras's exact Adam config") {
    const json expected = json::parse(R"({"name": "adam", "learning_rate": 0.0010000000474974513,
      "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null,
      "use_ema": false, "ema_momentum": 0.99, "ema_overwrite_frequency": null,
      "loss_scale_factor": null, "gradient_accumulation_steps": null, "beta_1": 0.9,
      "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false})");
    CHECK(opt::Adam().get_config() == expected);
    CHECK(Optimizer::from_name("adam")->get_config() == expected);
    CHECK(Optimizer::from_config({{"class_name", "adam"}, {"config", json::object()}})->get_config() == expected);
    CHECK(Optimizer::from_config("Adam")->get_config() == expected);
    CHECK(opt::Adam().get_config()["learning_rate"].dump() == "0.0010000000474974513");
  }
  SECTION("default names are Keras's") {
    CHECK(opt::SGD().name() == "sgd");
    CHECK(opt::Adam().name() == "adam");
    CHECK(opt::AdamW().name() == "adam_w");
    CHECK(opt::RMSprop().name() == "rm_sprop");
    CHECK(opt::Adagrad().name() == "adagrad");
    CHECK(opt::Adam(1e-3, {.name = "enc_opt"}).name() == "enc_opt");
  }
  SECTION("Keras's defaults") {
    CHECK(opt::SGD().learning_rate() == 0.01);
    CHECK(opt::SGD().momentum() == 0.0);
    CHECK_FALSE(opt::SGD().nesterov());
    CHECK(opt::Adam().beta_2() == 0.999);
    CHECK(opt::Adam().epsilon() == 1e-7);
    CHECK(opt::AdamW().get_config()["weight_decay"] == 0.004);
    CHECK(opt::RMSprop().rho() == 0.9);
    CHECK(opt::RMSprop().learning_rate() == 0.001);
    CHECK(opt::Adagrad().initial_accumulator_value() == 0.1);
    CHECK(Optimizer::from_name("rmsprop")->class_name() == "RMSprop");
    CHECK(Optimizer::from_name("adamw")->class_name() == "AdamW");
    CHECK(Optimizer::from_name("SGD")->class_name() == "SGD");
    CHECK(Optimizer::names() == std::vector<std::string>{"adam", "sgd", "rmsprop", "adagrad", "adamw", "nadam",
                                                         "adamax", "adadelta", "lion", "ftrl", "adafactor"});
  }
  SECTION("Handle takes a name or an object") {
    strata::Handle<Optimizer> by_name = "adagrad";
    strata::Handle<Optimizer> by_object = opt::SGD(0.1, {.momentum = 0.9, .nesterov = true});
    CHECK(by_name->class_name() == "Adagrad");
    CHECK(by_object->get_config()["nesterov"] == true);
  }
  SECTION("a tf.keras config with its extra keys loads") {
    const json legacy = json::parse(R"({"class_name": "Adam", "config": {"name": "Adam",
      "learning_rate": 0.01, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
      "amsgrad": false, "jit_compile": false, "is_legacy_optimizer": false}})");
    auto o = Optimizer::from_config(legacy);
    CHECK(o->name() == "Adam");
    CHECK(o->learning_rate() == 0.01);
  }
}

TEST_CASE("optimizer error texts", "[optimizers]") {
  CHECK_THROWS_WITH(Optimizer::from_name("adamx"),
                    "Could not interpret optimizer identifier: adamx. Valid names are: adam, sgd, rmsprop, adagrad, "
                    "adamw, nadam, adamax, adadelta, lion, ftrl, adafactor");
  CHECK_THROWS_AS(strata::Handle<Optimizer>("lamb"), ValueError);
  CHECK_THROWS_WITH(Optimizer::from_config({{"class_name", "Muon"}, {"config", json::object()}}),
                    StartsWith("Could not interpret optimizer identifier: Muon. Valid names are:"));
  CHECK_THROWS_WITH(
      Optimizer::from_config({{"class_name", "Adam"}, {"config", json::object()}, {"registered_name", "my_pkg>Adam"}}),
      StartsWith("Could not interpret optimizer identifier: my_pkg>Adam"));
  CHECK_THROWS_WITH(Optimizer::from_config(json::object({{"config", json::object()}})),
                    StartsWith("An optimizer config needs a \"class_name\""));

  CHECK(error_text([] { opt::SGD(0.1, {.clipnorm = 1.0, .clipvalue = 0.5}); }) ==
        "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
        "clipnorm=1.0, clipvalue=0.5, global_clipnorm=None");
  CHECK(error_text([] { opt::Adam(1e-3, {.clipnorm = 1e-07, .global_clipnorm = 100.0}); }) ==
        "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
        "clipnorm=1e-07, clipvalue=None, global_clipnorm=100.0");
  CHECK(error_text([] { opt::SGD(0.1, {.momentum = 1.5}); }) ==
        "`momentum` must be a float between [0, 1]. Received: momentum=1.5");
  CHECK(error_text([] { opt::AdamW(1e-3, {.weight_decay = std::nullopt}); }) ==
        "Argument `weight_decay` must be a float. Received: weight_decay=None");
  CHECK(error_text([] { opt::Adam(-0.001); }) ==
        "Argument `learning_rate` must be a positive number. Received: learning_rate=-0.001");
  CHECK(error_text([] { opt::Adam(1e-3, {.beta_1 = 1.0}); }) ==
        "Argument `beta_1` must be in [0, 1). Received: beta_1=1.0");
  CHECK(error_text([] { opt::RMSprop(1e-3, {.rho = 2.0}); }) == "Argument `rho` must be in [0, 1]. Received: rho=2.0");
  CHECK(error_text([] { opt::Adagrad(1e-3, {.initial_accumulator_value = -1.0}); }) ==
        "Argument `initial_accumulator_value` must be a non-negative number. Received: "
        "initial_accumulator_value=-1.0");
  CHECK(error_text([] { opt::SGD(0.1, {.clipvalue = 0.0}); }) ==
        "Argument `clipvalue` must be a positive number. Received: clipvalue=0.0");
  CHECK(error_text([] { opt::SGD(0.1, {.weight_decay = -1e-5}); }) ==
        "Argument `weight_decay` must be a non-negative number. Received: weight_decay=-1e-05");

  // Configs: unknown keys are refused as Keras's constructors refuse them; loss_scale_factor,
  // which Strata does not have, is refused unless it holds its default.
  auto adam_with = [](json extra) {
    json config = opt::Adam().get_config();
    config.update(extra);
    return json{{"class_name", "Adam"}, {"config", config}};
  };
  CHECK_THROWS_WITH(Optimizer::from_config(adam_with({{"momentum", 0.9}, {"foo", 1}})),
                    "Argument(s) not recognized by optimizer Adam: 'foo', 'momentum'");
  CHECK_THROWS_WITH(Optimizer::from_config(adam_with({{"loss_scale_factor", 128.0}})),
                    "Optimizer Adam: loss_scale_factor is not supported, received loss_scale_factor=128.0");
  CHECK_THROWS_WITH(Optimizer::from_config(adam_with({{"gradient_accumulation_steps", 2.5}})),
                    "Optimizer Adam: config key \"gradient_accumulation_steps\" must be an integer or null, received: "
                    "2.5");
  CHECK_THROWS_WITH(Optimizer::from_config(adam_with(
                        {{"learning_rate", {{"class_name", "ExponentialDecay"}, {"config", json::object()}}}})),
                    "Learning rate schedule ExponentialDecay: the config has no \"initial_learning_rate\" (a "
                    "required argument)");
  CHECK_THROWS_WITH(Optimizer::from_config(adam_with({{"beta_1", "0.9"}})),
                    "Optimizer Adam: config key \"beta_1\" must be a number, received: \"0.9\"");
  CHECK_THROWS_WITH(Optimizer::from_config({{"class_name", "AdamW"}, {"config", {{"weight_decay", nullptr}}}}),
                    "Argument `weight_decay` must be a float. Received: weight_decay=None");
  CHECK_THROWS_WITH(
      Optimizer::from_config({{"class_name", "SGD"}, {"config", {{"clipnorm", 1.0}, {"global_clipnorm", 2.0}}}}),
      "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
      "clipnorm=1.0, clipvalue=None, global_clipnorm=2.0");
}
