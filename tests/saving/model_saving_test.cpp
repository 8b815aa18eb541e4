// Saving and loading Strata's own models in Keras's formats: the model JSON, .weights.h5, the
// .keras archive and the legacy .h5, round trips on every backend, exact resumption of
// training, custom classes through the registry, and the errors for wrong or hostile input.
// (Files written by real Keras are read in keras_files_test.cpp.)

#include <catch2/catch.hpp>

#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "strata/strata.hpp"
#include "support/model_checks.hpp"
#include "support/temp_dir.hpp"

using namespace strata;
using strata::testing::random_array;
using strata::testing::TempDir;

namespace {

std::shared_ptr<Model> small_cnn() {
  auto model = std::make_shared<Sequential>(std::initializer_list<SequentialItem>{
      Input({6, 6, 2}), Conv2D(4, 3, "relu"), BatchNormalization(), MaxPooling2D(2), Flatten(), Dense(3, "softmax")});
  return model;
}

// Two inputs, a shared layer (two nodes), a merge and two outputs.
std::shared_ptr<Model> two_heads() {
  auto a = Input({5}, {.name = "a"});
  auto b = Input({5}, {.name = "b"});
  auto shared = std::make_shared<Dense>(6, "relu", DenseOptions{.name = "shared"});
  const Tensor sa = (*shared)(a), sb = (*shared)(b);
  auto cls = Dense(3, "softmax", {.name = "cls"})(Concatenate()({sa, sb}));
  auto reg = Dense(1, "linear", {.name = "reg"})(Add()({sa, sb}));
  return std::make_shared<Model>(std::vector<Tensor>{a, b}, std::vector<Tensor>{cls, reg}, "two_heads");
}

// A Sequential inside a Functional model.
std::shared_ptr<Model> nested() {
  auto inner = std::make_shared<Sequential>(
      std::initializer_list<SequentialItem>{Input({4}), Dense(5, "tanh"), Dense(3)}, "inner");
  auto x = Input({4});
  auto y = Dense(2)((*inner)(x));
  return std::make_shared<Model>(x, y, "outer");
}

void check_same_predictions(Model& a, Model& b, const std::vector<xt::xarray<float>>& x) {
  const auto ya = a.predict_outputs(x, {.verbose = 0});
  const auto yb = b.predict_outputs(x, {.verbose = 0});
  REQUIRE(ya.size() == yb.size());
  for (std::size_t i = 0; i < ya.size(); ++i) CHECK(ya[i] == yb[i]);
}

void check_same_weights(const Model& a, const Model& b) {
  const auto wa = a.get_weights();
  const auto wb = b.get_weights();
  REQUIRE(wa.size() == wb.size());
  for (std::size_t i = 0; i < wa.size(); ++i) CHECK(wa[i] == wb[i]);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("to_json and model_from_json rebuild Sequential, Functional and nested models", "[saving]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(3);
  for (const auto& make : {small_cnn, two_heads, nested}) {
    auto model = make();
    auto copy = model_from_json(model->to_json());
    CHECK(copy->class_name() == model->class_name());
    CHECK(copy->name() == model->name());
    REQUIRE(copy->layers().size() == model->layers().size());
    for (std::size_t i = 0; i < model->layers().size(); ++i)
      CHECK(copy->layers()[i]->name() == model->layers()[i]->name());
    // The same JSON, compared as a patch so a failure names the differing keys.
    CHECK(nlohmann::json::diff(nlohmann::json::parse(model->to_json()), nlohmann::json::parse(copy->to_json())) ==
          nlohmann::json::array());
    copy->set_weights(model->get_weights());
    std::vector<xt::xarray<float>> x;
    for (const Shape& s : model->input_shapes()) {
      std::vector<std::size_t> dims{7};
      for (std::size_t d = 1; d < s.rank(); ++d) dims.push_back(static_cast<std::size_t>(s[static_cast<int>(d)]));
      x.push_back(random_array(dims, x.size() + 1));
    }
    check_same_predictions(*model, *copy, x);
  }
}

TEST_CASE("The model JSON has Keras's schema", "[saving]") {
  auto model = two_heads();
  const auto json = nlohmann::json::parse(model->to_json());
  CHECK(json["class_name"] == "Functional");
  CHECK(json["module"] == "keras.src.models.functional");
  CHECK(json["registered_name"] == "Functional");
  const auto& layers = json["config"]["layers"];
  // The shared layer has two nodes; the second Add input names its node 1.
  const auto shared = std::find_if(layers.begin(), layers.end(), [](const auto& l) { return l["name"] == "shared"; });
  REQUIRE(shared != layers.end());
  CHECK((*shared)["inbound_nodes"].size() == 2);
  CHECK((*shared)["build_config"]["input_shape"] == nlohmann::json::array({nullptr, 5}));
  CHECK(json["config"]["input_layers"] == nlohmann::json::parse(R"([["a", 0, 0], ["b", 0, 0]])"));
  CHECK(json["config"]["output_layers"] == nlohmann::json::parse(R"([["cls", 0, 0], ["reg", 0, 0]])"));
  const auto sequential = nlohmann::json::parse(small_cnn()->to_json());
  CHECK(sequential["module"] == "keras");
  CHECK(sequential["config"]["layers"][0]["class_name"] == "InputLayer");
  CHECK(sequential["config"]["build_input_shape"] == nlohmann::json::array({nullptr, 6, 6, 2}));
}

TEST_CASE("save_weights and load_weights round-trip the weights in Keras's layout", "[saving]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(5);
  TempDir dir;
  for (const auto& make : {small_cnn, two_heads, nested}) {
    auto model = make();
    const std::string path = dir / (model->name() + ".weights.h5");
    model->save_weights(path);
    auto copy = model_from_json(model->to_json());
    CHECK(copy->get_weights() != model->get_weights());  // fresh initialisation differs
    copy->load_weights(path);
    check_same_weights(*model, *copy);
  }
}

TEST_CASE("A .keras archive resumes training exactly", "[saving]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(7);
  TempDir dir;
  const auto x = random_array({8, 6, 6, 2}, 1);
  xt::xarray<float> y = xt::xarray<float>::from_shape({8});
  for (std::size_t i = 0; i < 8; ++i) y(i) = static_cast<float>(i % 3);

  for (const char* optimizer : {"adam", "sgd", "rmsprop", "adagrad", "adamw"}) {
    auto model = small_cnn();
    model->compile(optimizer, "sparse_categorical_crossentropy", {"accuracy"});
    for (int step = 0; step < 2; ++step) model->train_on_batch(x, y);
    const std::string path = dir / (std::string(optimizer) + ".keras");
    model->save(path);
    auto loaded = load_model(path);
    REQUIRE(loaded->compiled());
    CHECK(loaded->optimizer().class_name() == model->optimizer().class_name());
    CHECK(loaded->optimizer().iterations() == 2);
    check_same_weights(*model, *loaded);
    for (int step = 0; step < 3; ++step) {
      const Logs a = model->train_on_batch(x, y);
      const Logs b = loaded->train_on_batch(x, y);
      CHECK(a.at("loss") == b.at("loss"));
    }
    INFO("optimizer " << optimizer);
    check_same_weights(*model, *loaded);
    CHECK(loaded->get_compile_config() == model->get_compile_config());
  }
}

TEST_CASE("A legacy .h5 file round-trips a compiled Functional model", "[saving]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(9);
  TempDir dir;
  auto model = two_heads();
  model->compile(optimizers::Adam(0.01), std::vector<Handle<Loss>>{"categorical_crossentropy", "mse"},
                 {{"cls", {"categorical_accuracy"}}, {"reg", {"mae"}}}, std::vector<double>{1.0, 0.5});
  const auto a = random_array({6, 5}, 1), b = random_array({6, 5}, 2);
  xt::xarray<float> cls = xt::zeros<float>({6, 3});
  for (std::size_t i = 0; i < 6; ++i) cls(i, i % 3) = 1.f;
  const auto reg = random_array({6, 1}, 3);
  model->train_on_batch({a, b}, {cls, reg});
  model->save(dir / "m.h5");
  const auto saved_weights = model->get_weights();
  auto loaded = load_model(dir / "m.h5");
  check_same_weights(*model, *loaded);
  CHECK(loaded->optimizer().iterations() == 1);
  for (int step = 0; step < 2; ++step) {
    model->train_on_batch({a, b}, {cls, reg});
    loaded->train_on_batch({a, b}, {cls, reg});
  }
  check_same_weights(*model, *loaded);
  // load_weights reads the legacy file's weights into a model of the same architecture.
  auto fresh = two_heads();
  fresh->load_weights(dir / "m.h5");
  CHECK(fresh->get_weights() == saved_weights);
}

namespace {

// A custom layer: y = factor * x, with its factor in its config.
class Scale : public LayerOf<Scale> {
 public:
  explicit Scale(float factor, std::string name = {}) : LayerOf<Scale>("scale", std::move(name)), factor_(factor) {}
  std::string class_name() const override { return "Scale"; }
  nlohmann::json get_config() const override {
    auto config = Layer::get_config();
    config["factor"] = factor_;
    return config;
  }
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config) {
    return std::make_shared<Scale>(config.at("factor").get<float>(), config.value("name", ""));
  }

 protected:
  Tensor call(const Tensor& x, bool) override { return ops::multiply(x, factor_); }

 private:
  float factor_;
};

}  // namespace

TEST_CASE("Custom layers are saved with their registered name and need registering to load", "[saving]") {
  auto x = Input({3});
  auto model = std::make_shared<Model>(x, Dense(2)(Scale(2.5f, "scale")(x)), "custom");
  const std::string json = model->to_json();
  CHECK_THROWS_WITH(model_from_json(json),
                    Catch::Contains("Could not locate class 'Scale'") && Catch::Contains("register_layer"));
  register_layer("strata_test>Scale", &Scale::from_config);
  const auto saved = nlohmann::json::parse(model->to_json());
  CHECK(saved["config"]["layers"][1]["registered_name"] == "strata_test>Scale");
  auto copy = model_from_json(model->to_json());
  copy->set_weights(model->get_weights());
  check_same_predictions(*model, *copy, {random_array({4, 3}, 1)});
  CHECK_THROWS_WITH(register_layer("Dense", &Scale::from_config), Catch::Contains("built-in"));
}

TEST_CASE("Model files are refused with errors that say what is wrong", "[saving]") {
  TempDir dir;
  auto model = small_cnn();
  CHECK_THROWS_WITH(model->save(dir / "m.bin"), Catch::Contains("Invalid filepath extension"));
  CHECK_THROWS_WITH(model->save_weights(dir / "m.h5"), Catch::Contains("must end in `.weights.h5`"));
  CHECK_THROWS_AS(load_model(dir / "missing.keras"), IOError);

  // Weights of another architecture: the layer and the shapes are named.
  model->save_weights(dir / "cnn.weights.h5");
  auto other = std::make_shared<Sequential>(std::initializer_list<SequentialItem>{
      Input({6, 6, 2}), Conv2D(5, 3), BatchNormalization(), MaxPooling2D(2), Flatten(), Dense(3)});
  const auto before = other->get_weights();
  CHECK_THROWS_WITH(other->load_weights(dir / "cnn.weights.h5"), Catch::Contains("cnn.weights.h5"));
  CHECK(other->get_weights() == before);  // nothing changed

  // Not a zip, not HDF5, truncated.
  write_text(dir / "junk.keras", "this is not a zip file");
  CHECK_THROWS_WITH(load_model(dir / "junk.keras"), Catch::Contains("junk.keras"));
  model->save(dir / "good.keras");
  const std::string good = read_text(dir / "good.keras");
  write_text(dir / "cut.keras", good.substr(0, good.size() / 2));
  CHECK_THROWS_WITH(load_model(dir / "cut.keras"), Catch::Contains("cut.keras"));

  // JSON: malformed, too deep, unknown or unsupported classes, layers that do not connect.
  CHECK_THROWS_WITH(model_from_json("{\"class_name\": "), Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(model_from_json(std::string(100000, '[') + std::string(100000, ']')),
                    Catch::Contains("levels deep"));
  auto json = nlohmann::json::parse(model->to_json());
  json["config"]["layers"][1]["class_name"] = "GroupQueryAttention";
  CHECK_THROWS_WITH(model_from_json(json.dump()),
                    Catch::Contains("layer class 'GroupQueryAttention' is not supported yet"));
  json["config"]["layers"][1]["class_name"] = "NoSuchLayer";
  CHECK_THROWS_WITH(model_from_json(json.dump()), Catch::Contains("Could not locate class 'NoSuchLayer'"));
  auto functional = nlohmann::json::parse(two_heads()->to_json());
  functional["config"]["layers"][2]["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0] = "nowhere";
  CHECK_THROWS_WITH(model_from_json(functional.dump()), Catch::Contains("nowhere"));
  auto wrong_type = nlohmann::json::parse(model->to_json());
  wrong_type["config"]["layers"][5]["config"]["units"] = "three";
  CHECK_THROWS_AS(model_from_json(wrong_type.dump()), ValueError);
}

TEST_CASE("Keras 2 spellings are accepted", "[saving]") {
  auto model = small_cnn();
  auto json = nlohmann::json::parse(model->to_json());
  // Keras 2: no InputLayer, the first layer carries batch_input_shape; dtype as a string.
  auto& layers = json["config"]["layers"];
  const auto batch_shape = layers[0]["config"]["batch_shape"];
  layers.erase(layers.begin());
  layers[0]["config"]["batch_input_shape"] = batch_shape;
  for (auto& layer : layers) {
    layer["config"]["dtype"] = "float32";
    layer.erase("module");
    layer.erase("registered_name");
  }
  auto copy = model_from_json(json.dump());
  REQUIRE(copy->built());
  copy->set_weights(model->get_weights());
  check_same_predictions(*model, *copy, {random_array({2, 6, 6, 2}, 4)});
}

namespace {

// A custom initializer: every value 0.5.
class Halves : public Initializer {
 public:
  std::string class_name() const override { return "Halves"; }
  void sample(const Shape&, std::span<float> out, std::mt19937_64&) const override {
    std::fill(out.begin(), out.end(), 0.5f);
  }
};

}  // namespace

TEST_CASE("Custom initializers are saved with their registered name; unknown classes say what to register",
          "[saving]") {
  register_initializer("strata_test>Halves", [](const nlohmann::json&) { return std::make_shared<Halves>(); });
  auto x = Input({3});
  auto model = std::make_shared<Model>(x, Dense(2, "linear", {.kernel_initializer = Halves()})(x));
  const auto json = nlohmann::json::parse(model->to_json());
  const auto& initializer = json["config"]["layers"][1]["config"]["kernel_initializer"];
  CHECK(initializer["registered_name"] == "strata_test>Halves");
  CHECK(initializer["module"].is_null());
  auto copy = model_from_json(json.dump());
  const xt::xarray<float> halves = xt::ones<float>({3, 2}) * 0.5f;
  const xt::xarray<float> kernel = copy->get_weights()[0];
  CHECK((kernel == halves));

  auto unknown = json;
  unknown["config"]["layers"][1]["config"]["kernel_initializer"]["registered_name"] = "strata_test>Thirds";
  CHECK_THROWS_WITH(model_from_json(unknown.dump()), Catch::Contains("register_initializer"));
  model->compile("adam", "mse");
  auto compile = model->get_compile_config();
  compile["loss"] = {{"module", nullptr},
                     {"class_name", "MyLoss"},
                     {"config", nlohmann::json::object()},
                     {"registered_name", "strata_test>MyLoss"}};
  CHECK_THROWS_WITH(copy->compile_from_config(compile), Catch::Contains("register_loss"));
}

TEST_CASE("A save killed midway leaves the previous file whole", "[saving]") {
  TempDir dir;
  const std::string path = dir / "m.keras";
  auto small = small_cnn();
  small->save(path);
  const std::int64_t small_params = small->count_params();
  std::mt19937 rng(3);
  for (int round = 0; round < 3; ++round) {
    char* const args[] = {const_cast<char*>(STRATA_SAVE_UNTIL_KILLED), const_cast<char*>(path.c_str()), nullptr};
    pid_t child = 0;
    REQUIRE(posix_spawn(&child, STRATA_SAVE_UNTIL_KILLED, nullptr, nullptr, args, environ) == 0);
    // Wait until the child is writing its temporary file beside the target, then a little more.
    bool writing = false;
    for (int wait = 0; wait < 3000 && !writing; ++wait) {
      for (const auto& entry : std::filesystem::directory_iterator(dir.path))
        writing = writing || entry.path().filename().string().find(".strata-tmp-") != std::string::npos;
      if (!writing) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(writing);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 40)(rng)));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    // The file is a whole model: the small one, or the large one from a save that finished.
    auto loaded = load_model(path);
    const std::int64_t params = loaded->count_params();
    CHECK((params == small_params || params == 2048 * 8192 + 8192));
  }
}

TEST_CASE("An HDF5 file that crashes the HDF5 library is refused, not followed", "[saving]") {
  // Found by fuzzing (tests/fuzz/corpus/weights_h5): HDF5 1.10.8 itself dies on this file.
  auto model = std::make_shared<Sequential>(std::initializer_list<SequentialItem>{
      Input({6, 6, 2}), Conv2D(4, 3, "relu"), BatchNormalization(), MaxPooling2D(2), Flatten(), Dense(3, "softmax")});
  TempDir dir;
  const std::string path = dir / "crash.weights.h5";
  std::filesystem::copy_file(std::string(STRATA_FUZZ_CORPUS_DIR) + "/weights_h5/regression-hdf5-null-memcpy", path);
  CHECK_THROWS_WITH(model->load_weights(path), Catch::Contains("crash.weights.h5") && Catch::Contains("crashes"));
}
