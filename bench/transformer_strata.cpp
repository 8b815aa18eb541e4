// Strata side of the Transformer benchmark (bench/run rnn, its second figure): each
// Fashion-MNIST image cut into 49 patches of 4x4 pixels, embedded to 64 features (Conv2D 64, 4x4,
// stride 4), one post-norm Transformer encoder block as PyTorch's nn.TransformerEncoderLayer
// computes it (MultiHeadAttention 4 heads of 16, residual, LayerNormalization; Dense 128 relu,
// Dense 64, residual, LayerNormalization; epsilon 1e-5, no dropout), the mean over the patches,
// Dense 10 softmax. Adam, batch 128: the same model, data and settings as
// bench/transformer_pytorch.py. One warm-up epoch, then timed epochs.
//
//   ./build-bench/bench/transformer_strata [--threads 2] [--epochs 1] [--samples 54000]
//
// Prints `strata: X.XXXX s/epoch` and `strata: Y GFLOP/s` (the matmul and convolution FLOPs,
// forward and both gradients, over that time).

#include <iostream>

#include <strata/strata.hpp>

#include "timed_fit.hpp"

using namespace strata;

int main(int argc, char** argv) try {
  BenchFlags flags;
  if (!parse_bench_flags(argc, argv, flags)) return 2;
  set_num_threads(flags.threads);
  set_random_seed(0);
  const auto [x, y] = fashion_train(flags.samples);

  constexpr double tokens = 49, width = 64, heads = 4, head_dim = 16, hidden = 128;
  auto image = Input({28, 28});
  auto h = Reshape({28, 28, 1})(image);
  h = Conv2D(64, 4, "linear", {.strides = 4})(h);
  h = Reshape({49, 64})(h);
  auto attended = MultiHeadAttention(4, 16)(h, h);
  h = LayerNormalization({.epsilon = 1e-5})(Add()({h, attended}));
  auto mlp = Dense(64)(Dense(128, "relu")(h));
  h = LayerNormalization({.epsilon = 1e-5})(Add()({h, mlp}));
  Model model(image, Dense(10, "softmax")(GlobalAveragePooling1D()(h)));
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});

  const double forward = 2 * tokens * 16 * width                       // patch embedding
                         + 4 * 2 * tokens * width * heads * head_dim   // q, k, v, output projections
                         + 2 * 2 * tokens * tokens * heads * head_dim  // scores and weighted sum
                         + 2 * 2 * tokens * width * hidden             // the block's MLP
                         + 2 * width * 10;                             // classifier
  timed_fit(model, x, y, 128, flags.epochs, 3 * forward);
  return 0;
} catch (const strata::Error& e) {
  std::cerr << "transformer_strata: " << e.what() << '\n';
  return 1;
}
