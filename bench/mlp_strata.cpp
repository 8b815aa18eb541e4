// Strata side of the MLP benchmark (bench/run mlp): Keras's beginner Fashion-MNIST MLP, the same
// model, data and settings as bench/mlp_pytorch.py. One warm-up epoch, then timed epochs.
//
//   ./build-bench/bench/mlp_strata [--threads 2] [--epochs 1] [--samples 54000]
//                                  [--units 128] [--batch 32] [--policy float32|mixed_bfloat16]
//
// --units lists the hidden layers' widths (bench/run bf16 uses 1024,1024 at batch 256: the
// 784-1024-1024-10 MLP, where the matmuls dominate); --policy is the Keras dtype policy the
// layers are built under (the classifier stays float32, as Keras's mixed precision guide advises).
// Prints `strata: X.XXXX s/epoch` (the mean over the timed epochs) and `strata: Y GFLOP/s`, the
// matmul FLOPs of the epoch (forward, and both gradients but the first layer's input gradient)
// over its time.

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>

#include <strata/strata.hpp>

#include "positive_list.hpp"
#include "timed_fit.hpp"

using namespace strata;

int main(int argc, char** argv) try {
  int threads = 2;
  int epochs = 1;
  std::size_t samples = 54000;  // what Keras's validation_split=0.1 keeps of 60,000
  std::vector<int> units = {128};
  int batch = 32;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (flag == "--epochs")
      epochs = std::atoi(argv[i + 1]);
    else if (flag == "--samples")
      samples = static_cast<std::size_t>(std::atol(argv[i + 1]));
    else if (flag == "--batch")
      batch = std::atoi(argv[i + 1]);
    else if (flag == "--policy")
      mixed_precision::set_global_policy(argv[i + 1]);
    else if (flag == "--units")
      units = positive_list("--units", argv[i + 1]);
    else {
      std::cerr << "unknown flag " << flag << '\n';
      return 2;
    }
  }
  set_num_threads(threads);
  set_random_seed(0);

  const auto [x, y] = fashion_train(samples);

  // Keras's beginner MLP with --units 128 (the default): one hidden layer, then Dropout(0.2).
  Sequential model({Input({28, 28}), Flatten()});
  double flops_per_sample = 0;
  std::int64_t fan_in = 784;
  for (const std::int64_t width : units) {
    model.add(Dense(width, "relu"));
    flops_per_sample += 2.0 * double(fan_in * width) * (fan_in == 784 ? 2 : 3);
    fan_in = width;
  }
  model.add(Dropout(0.2));
  model.add(Dense(10, "softmax", {.dtype = "float32"}));
  flops_per_sample += 2.0 * double(fan_in * 10) * 3;
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});

  timed_fit(model, x, y, batch, epochs, flops_per_sample);
  return 0;
} catch (const strata::Error& e) {
  std::cerr << "mlp_strata: " << e.what() << '\n';
  return 1;
}
