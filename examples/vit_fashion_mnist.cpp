// A tiny Vision Transformer on Fashion-MNIST, as the attention chapter of a Keras course writes
// it: each image cut into 49 patches of 4x4 pixels, each patch projected to 64 features (a
// Conv2D whose stride is its kernel), a learned position embedding added, two pre-norm
// Transformer encoder blocks (LayerNormalization, MultiHeadAttention 4 heads of 16, residual;
// LayerNormalization, Dense 128 gelu, Dense 64, residual), the mean over the patches, and a
// Dense 10 softmax classifier.
//
// The position embedding is a layer of the example's own: a weight made by add_weight in build,
// added to every sample in forward, its gradient summed over the batch in backward, as a Keras
// user writes a custom layer with `add_weight` and `call`.
//
//   ./vit_fashion_mnist [--epochs N] [data directory]

#include <iostream>
#include <string>

#include <strata/strata.hpp>

using namespace strata;

namespace {

// y = x + P for a learned P of shape (patches, features), the same for every sample.
class PositionEmbedding : public LayerOf<PositionEmbedding> {
 public:
  PositionEmbedding() : LayerOf<PositionEmbedding>("position_embedding", LayerOptions{}) {}
  std::string class_name() const override { return "PositionEmbedding"; }

 protected:
  void build_weights(const Shape& input_shape) override {
    table_ = &add_weight("embeddings", {input_shape[1], input_shape[2]}, initializers::RandomNormal(0.f, 0.02f));
  }
  Tensor forward(const Tensor& x, bool) override {
    Tensor& y = buffer(0, x.shape());
    backend().binary(BinaryOp::Add, x, table_->value, y);  // broadcast over the batch
    return y;
  }
  Tensor backward_impl(const Tensor& dy, bool) override {
    // dL/dP sums dL/dy over the samples; dL/dx is dL/dy itself.
    Tensor grad = table_->grad.reshaped({1, table_->grad.shape()[0], table_->grad.shape()[1]});
    backend().reduce(ReduceOp::Sum, dy, grad);
    return dy;
  }

 private:
  Variable* table_ = nullptr;
};

// One pre-norm encoder block: x + MHA(LN(x)), then that + MLP(LN(that)).
Tensor encoder_block(const Tensor& x) {
  auto h = LayerNormalization({.epsilon = 1e-6})(x);
  h = MultiHeadAttention(4, 16)(h, h);
  const auto attended = Add()({x, h});
  h = LayerNormalization({.epsilon = 1e-6})(attended);
  h = Dense(64)(Dense(128, "gelu")(h));
  return Add()({attended, h});
}

}  // namespace

int main(int argc, char** argv) try {
  std::string directory = datasets::fashion_mnist::default_directory();
  int epochs = 18;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--epochs" && i + 1 < argc)
      epochs = std::stoi(argv[++i]);
    else
      directory = arg;
  }
  set_random_seed(42);
  const auto data = datasets::fashion_mnist::load_data(directory);
  const xt::xarray<float> x_train = data.x_train / 255.0f;
  const xt::xarray<float> x_test = data.x_test / 255.0f;
  const xt::xarray<float> y_train = data.y_train;
  const xt::xarray<float> y_test = data.y_test;

  auto image = Input({28, 28});
  auto patches = Conv2D(64, 4, "linear", {.strides = 4})(Reshape({28, 28, 1})(image));  // (7, 7, 64)
  auto tokens = PositionEmbedding()(Reshape({49, 64})(patches));
  auto h = encoder_block(encoder_block(tokens));
  h = GlobalAveragePooling1D()(LayerNormalization({.epsilon = 1e-6})(h));
  Model model(image, Dense(10, "softmax")(h), "vit");
  model.summary();
  model.compile(optimizers::Adam(1e-3), "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(x_train, y_train, {.batch_size = 128, .epochs = epochs, .validation_split = 0.1});

  const Logs test = model.evaluate(x_test, y_test, {.batch_size = 512});
  std::cout << "Test accuracy: " << test.at("accuracy") << '\n';
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
