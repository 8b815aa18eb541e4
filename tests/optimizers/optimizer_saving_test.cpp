// Saving a model trained with each newer optimizer (and with schedules, EMA and gradient
// accumulation) to a .keras archive and loading it resumes training exactly: the optimizer's
// config (schedule included) and every optimizer variable come back, in Keras's numbering
// (no learning_rate variable under a schedule).

#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <random>

#include "strata/strata.hpp"
#include "support/model_checks.hpp"

using namespace strata;
using strata::testing::random_array;
namespace sch = strata::optimizers::schedules;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device seed;
    path = std::filesystem::temp_directory_path() / ("strata-optimizer-saving-" + std::to_string(seed()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::shared_ptr<Model> small_mlp() {
  return std::make_shared<Sequential>(
      std::initializer_list<SequentialItem>{Input({5}), Dense(6, "tanh"), Dense(3, "softmax")});
}

void check_same_weights(const Model& a, const Model& b) {
  const auto wa = a.get_weights();
  const auto wb = b.get_weights();
  REQUIRE(wa.size() == wb.size());
  for (std::size_t i = 0; i < wa.size(); ++i) CHECK(wa[i] == wb[i]);
}

}  // namespace

TEST_CASE("A .keras archive resumes training exactly with every newer optimizer and schedule",
          "[optimizers][optimizers_extra][saving]") {
  set_backend(GENERATE(from_range(available_backends())));
  TempDir dir;
  const auto x = random_array({8, 5}, 3);
  xt::xarray<float> y = xt::xarray<float>::from_shape({8});
  for (std::size_t i = 0; i < 8; ++i) y(i) = static_cast<float>(i % 3);

  struct Case {
    const char* name;
    std::function<std::shared_ptr<Optimizer>()> make;
    std::size_t expected_saved;  // iteration, learning_rate when fixed, then the optimizer's variables
  };
  // The MLP trains 4 variables: kernels (5, 6) and (6, 3), biases (6) and (3).
  const std::vector<Case> cases = {
      {"nadam", [] { return std::make_shared<optimizers::Nadam>(0.01); }, 2 + 8 + 1},
      {"adamax", [] { return std::make_shared<optimizers::Adamax>(sch::ExponentialDecay(0.02, 2, 0.5)); }, 1 + 8},
      {"adadelta", [] { return std::make_shared<optimizers::Adadelta>(1.0); }, 2 + 8},
      {"lion",
       [] {
         return std::make_shared<optimizers::Lion>(sch::CosineDecay(0.0, 6, {.warmup_target = 0.01, .warmup_steps = 2}),
                                                   optimizers::LionOptions{.use_ema = true});
       },
       1 + 4 + 4},
      {"ftrl",
       [] {
         return std::make_shared<optimizers::Ftrl>(0.1, optimizers::FtrlOptions{.l1_regularization_strength = 0.01});
       },
       2 + 8},
      {"adafactor",
       [] {
         return std::make_shared<optimizers::Adafactor>(sch::PiecewiseConstantDecay({2}, {0.1, 0.05}));
       },
       1 + 12},
      {"adam_ema_accumulate",
       [] {
         return std::make_shared<optimizers::Adam>(
             sch::InverseTimeDecay(0.01, 1, 0.5),
             optimizers::AdamOptions{.use_ema = true, .ema_overwrite_frequency = 2, .gradient_accumulation_steps = 2});
       },
       1 + 4 + 4 + 8},
  };
  for (const auto& c : cases) {
    INFO("case " << c.name);
    set_random_seed(11);
    auto model = small_mlp();
    model->compile(Handle<Optimizer>(c.make()), "sparse_categorical_crossentropy");
    // Three steps: an odd count leaves the accumulators part-filled.
    for (int step = 0; step < 3; ++step) model->train_on_batch(x, y);
    const std::string path = dir / (std::string(c.name) + ".keras");
    model->save(path);
    auto loaded = load_model(path);
    REQUIRE(loaded->compiled());
    const Optimizer& saved = model->optimizer();
    const Optimizer& restored = loaded->optimizer();
    CHECK(restored.class_name() == saved.class_name());
    CHECK(restored.apply_count() == 3);
    CHECK(restored.iterations() == saved.iterations());
    CHECK(restored.get_config() == saved.get_config());
    CHECK((restored.learning_rate_schedule() != nullptr) == (saved.learning_rate_schedule() != nullptr));
    // A fixed rate is saved as Keras's float32 variable.
    CHECK(static_cast<float>(restored.learning_rate()) == static_cast<float>(saved.learning_rate()));
    const std::size_t counters = saved.learning_rate_schedule() ? 1 : 2;
    CHECK(saved.variables().size() + counters == c.expected_saved);
    REQUIRE(restored.variables().size() == saved.variables().size());
    for (std::size_t k = 0; k < saved.variables().size(); ++k) {
      CHECK(restored.variables()[k]->path == saved.variables()[k]->path);
      const bool same = to_host(restored.variables()[k]->value) == to_host(saved.variables()[k]->value);
      CHECK(same);
    }
    check_same_weights(*model, *loaded);
    for (int step = 0; step < 3; ++step) {
      const Logs a = model->train_on_batch(x, y);
      const Logs b = loaded->train_on_batch(x, y);
      CHECK(a.at("loss") == b.at("loss"));
    }
    check_same_weights(*model, *loaded);
  }
}
