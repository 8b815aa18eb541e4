// The README's three model styles, written as the README writes them with only
// <strata/strata.hpp>, trained briefly on a slice of Fashion-MNIST: they compile and run.

#include <catch2/catch.hpp>

#include <strata/strata.hpp>

#include "support/temp_dir.hpp"

using namespace strata;

namespace {

struct SimpleNN : Model {
  Flatten flatten;
  Dense fc1{128}, fc2{10};
  ReLU relu;
  Dropout dropout{0.2};
  Softmax softmax;
  Tensor call(const Tensor& x, bool training) override {
    return softmax(fc2(dropout(relu(fc1(flatten(x))), training)));
  }
};

}  // namespace

TEST_CASE("The README's Sequential, Functional and subclassed programs run as written", "[models][readme]") {
  auto data = datasets::fashion_mnist::load_data();
  const xt::xarray<float> x_train = xt::view(data.x_train, xt::range(0, 256)) / 255.0f;
  const auto y_train = xt::view(data.y_train, xt::range(0, 256));

  {
    Sequential model({Input({28, 28}), Flatten(), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    const History history = model.fit(x_train, y_train, {.epochs = 1, .verbose = 0, .validation_split = 0.1});
    CHECK(history.history.at("loss").size() == 1);
    Sequential legacy({Dense(128, "relu", {.input_shape = {784}}), Dense(10, "softmax")});
    CHECK(legacy.built());
  }
  {
    const xt::xarray<float> x_img = xt::expand_dims(x_train, 3);
    xt::xarray<float> x_meta = xt::zeros<float>({256, 4});
    const xt::xarray<float> y_cls = y_train;
    const xt::xarray<float> y_aux = xt::mean(x_train, {1, 2});

    auto image = Input({28, 28, 1}, {.name = "image"});
    auto meta = Input({4}, {.name = "meta"});
    auto x = Conv2D(32, 3, "relu")(image);
    x = MaxPooling2D(2)(x);
    auto skip = x;
    x = Conv2D(32, 3, "relu", {.padding = "same"})(x);
    x = Add()({x, skip});
    x = Flatten()(x);
    auto h = Concatenate()({Dense(64, "relu")(x), meta});
    auto cls = Dense(10, "softmax", {.name = "cls"})(h);
    auto aux = Dense(1, "linear", {.name = "aux"})(h);
    Model model({image, meta}, {cls, aux});
    model.compile("adam", {{"cls", "sparse_categorical_crossentropy"}, {"aux", "mse"}}, {{"cls", {"accuracy"}}},
                  /*loss_weights=*/{{"cls", 1.0}, {"aux", 0.2}});
    const History history = model.fit({x_img, x_meta}, {y_cls, y_aux}, {.batch_size = 64, .epochs = 1, .verbose = 0});
    CHECK(history.history.count("cls_accuracy") == 1);
    CHECK(&model.get_layer("cls") == model.layers()[model.layers().size() - 2]);
    std::ostringstream summary;
    model.summary(summary);
    CHECK_THAT(summary.str(), Catch::Contains("Connected to"));
  }
  {
    SimpleNN model;
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    model.fit(x_train, y_train, {.epochs = 1, .verbose = 0});
    CHECK(model.layers().size() == 6);
    CHECK(model.count_params() == 784 * 128 + 128 + 128 * 10 + 10);
  }
}

TEST_CASE("The README's training program runs as written (two epochs instead of 100)", "[models][readme]") {
  auto data = datasets::fashion_mnist::load_data();
  const xt::xarray<float> x_train = xt::view(data.x_train, xt::range(0, 256)) / 255.0f;
  const xt::xarray<float> y_train = xt::view(data.y_train, xt::range(0, 256));
  testing::TempDir dir("strata-readme-training");
  // The program's relative paths land in the temp dir; the working directory comes back
  // however the test ends.
  struct WorkingDirectory {
    std::filesystem::path previous = std::filesystem::current_path();
    explicit WorkingDirectory(const std::filesystem::path& to) { std::filesystem::current_path(to); }
    ~WorkingDirectory() { std::filesystem::current_path(previous); }
  } in_temp_dir(dir.path);
  Sequential model({Input({28, 28}), Flatten(), Dense(32, "relu"), Dense(10, "softmax")});

  callbacks::EarlyStopping stop({.monitor = "val_loss", .patience = 5, .restore_best_weights = true});
  model.compile(optimizers::Adam(optimizers::schedules::CosineDecay(1e-3, 10000)), "sparse_categorical_crossentropy",
                {"accuracy", "sparse_top_k_categorical_accuracy"});
  History history =
      model.fit(x_train, y_train,
                {.epochs = 2,
                 .verbose = 0,
                 .callbacks = {stop, callbacks::ModelCheckpoint("ckpt-{epoch:02d}-{val_loss:.2f}.keras"),
                               callbacks::TensorBoard({.log_dir = "logs"}), callbacks::BackupAndRestore("backup")},
                 .validation_split = 0.2,
                 .class_weight = {{0, 1.0}, {1, 4.0}}});
  CHECK(history.history.at("val_sparse_top_k_categorical_accuracy").size() == 2);
  CHECK(std::filesystem::exists("logs/train"));
  CHECK_FALSE(std::filesystem::exists("backup"));  // removed when training ends
}
