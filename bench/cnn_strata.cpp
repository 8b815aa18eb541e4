// Strata side of the CNN benchmark (bench/run cnn): Keras's "simple MNIST convnet" on
// Fashion-MNIST, the same model, data and settings as bench/cnn_pytorch.py and bench/cnn_keras.py.
//
//   ./build-bench/bench/cnn_strata [--model sequential|functional|subclass] [--threads 2]
//                                  [--epochs 1] [--samples 54000] [--test-samples 10000]
//                                  [--predict-batches 128] [--policy float32|mixed_bfloat16]
//   ./build-bench/bench/cnn_strata --ops [--threads 2] [--reps 20]
//   mpirun -np 2 ./build-bench/bench/cnn_strata --threads 1    (bench/run dp)
//
// Training mode: a short warm-up fit (full batches and one batch of the epoch's last size), then
// the timed epoch(s) at batch 128; then predict on the 10,000 test images (the first
// --test-samples of them) at each batch size of --predict-batches (a comma-separated list, 128 by
// default; bench/run cnn passes 32,128,1024): one untimed pass, then one timed, per batch size.
// Prints `strata: X.XXXX s/epoch`, `strata predict <batch>: X.XXXX s` for each batch size,
// `strata predict: X.XXXX s` (batch 128, or the first batch size when 128 is not among them),
// and the model's FLOPs per epoch and per predict pass, counted as bench/run reports them.
// --policy is the Keras dtype policy the layers are built under (bench/run bf16 times both); the
// classifier stays float32 under mixed_bfloat16, as Keras's mixed precision guide advises.
// --model picks how the same network is written: a Sequential (the default), a Functional model
// or a subclassed Model. All three run on one engine, so bench/run times them side by side to
// show that the way a model is written costs nothing per step.
// Under mpirun the fit is data-parallel (the global batch stays 128, split across the ranks);
// rank 0 prints, and adds `strata dp: ...` with the communication per step (bench/run dp).
//
// --ops: the convolution layers' own ops at the model's shapes (batch 128), through the public
// Backend API: forward (bias + relu fused), backward-data and backward-weights (+ bias), each the
// timed `reps` times after warm-up. Prints `conv op <layer> <op>: median X.XXX ms = Y.Y GFLOP/s, best
// X.XXX ms = Z.Z GFLOP/s` lines and one `conv layer <layer> training (fwd+bwd): ...` line per layer
// for the ops a training step runs (sums of the medians and of the best calls).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xsort.hpp>
#include <xtensor/xview.hpp>

#include <strata/strata.hpp>

#include "positive_list.hpp"

using namespace strata;

namespace {

constexpr int kBatch = 128;

// ---- FLOPs of the model, per sample --------------------------------------------------------
// A convolution pass is 2 * OH * OW * KH * KW * CI * CO per sample; backward-data and
// backward-weights cost the same as the forward each. The first convolution's input needs no
// gradient, so training skips its backward-data. A dense layer's matmul is 2 * K * M per sample:
// forward, dW and dx. Pooling, activations, dropout, the loss and Adam are not counted.
struct ConvShape {
  const char* name;
  std::int64_t h, w, ci, co, k;  // input h, w; channels in and out; square kernel, stride 1, valid
  bool backward_data;            // whether a training step computes the input's gradient
  std::int64_t oh() const { return h - k + 1; }
  std::int64_t ow() const { return w - k + 1; }
  double flops_per_sample() const { return 2.0 * static_cast<double>(oh() * ow() * k * k * ci * co); }
};
constexpr ConvShape kConv1{"conv2d 28x28x1 -> 26x26x32, 3x3", 28, 28, 1, 32, 3, false};
constexpr ConvShape kConv2{"conv2d_1 13x13x32 -> 11x11x64, 3x3", 13, 13, 32, 64, 3, true};
constexpr double kDenseFlops = 2.0 * 1600 * 10;  // Flatten (5, 5, 64) -> Dense(10)

double forward_flops_per_sample() { return kConv1.flops_per_sample() + kConv2.flops_per_sample() + kDenseFlops; }
double training_flops_per_sample() {
  double flops = 3 * kDenseFlops;
  for (const ConvShape& c : {kConv1, kConv2}) flops += (c.backward_data ? 3 : 2) * c.flops_per_sample();
  return flops;
}

// ---- --ops: the conv layers' ops through the Backend ---------------------------------------
struct Timing {
  double median, best;  // seconds per call
};

Timing time_op(int reps, const std::function<void()>& op) {
  for (int i = 0; i < std::max(3, reps / 5); ++i) op();  // warm-up: primitives, pages, caches
  std::vector<double> t(static_cast<std::size_t>(reps));
  for (double& s : t) {
    const auto start = std::chrono::steady_clock::now();
    op();
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::sort(t.begin(), t.end());
  return {t[static_cast<std::size_t>(reps / 2)], t.front()};
}

void print_timing(const Timing& t, double flops) {
  std::cout.precision(3);
  std::cout << "median " << t.median * 1e3 << " ms = ";
  std::cout.precision(1);
  std::cout << flops / t.median * 1e-9 << " GFLOP/s, best ";
  std::cout.precision(3);
  std::cout << t.best * 1e3 << " ms = ";
  std::cout.precision(1);
  std::cout << flops / t.best * 1e-9 << " GFLOP/s";
}

Tensor random_tensor(Backend& b, const Shape& s, float scale, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(static_cast<std::size_t>(s.num_elements()));
  for (float& x : v) x = u(gen);
  Tensor t(b, s);
  b.upload(v.data(), t);
  return t;
}

int run_ops(int reps) {
  Backend& be = get_backend("cpu");
  const ActivationFunction relu = ActivationFunction::from_name("relu");
  const Conv2DParams p;  // stride 1, valid: the model's convolutions
  std::cout << "conv ops: backend " << be.name() << ", " << num_threads() << " threads, batch " << kBatch << ", "
            << reps << " timed calls per op\n";
  std::cout.setf(std::ios::fixed);
  std::uint32_t seed = 1;
  for (const ConvShape& c : {kConv1, kConv2}) {
    Tensor x = random_tensor(be, {kBatch, c.h, c.w, c.ci}, 1.f, seed++);
    Tensor w = random_tensor(be, {c.k, c.k, c.ci, c.co}, 0.1f, seed++);
    Tensor b = random_tensor(be, {c.co}, 0.1f, seed++);
    Tensor dy = random_tensor(be, {kBatch, c.oh(), c.ow(), c.co}, 1.f, seed++);
    Tensor y(be, {kBatch, c.oh(), c.ow(), c.co}), dx(be, x.shape()), dw(be, w.shape()), db(be, b.shape());
    const double flops = c.flops_per_sample() * kBatch;
    struct Op {
      const char* what;
      std::function<void()> run;
      bool in_training;
    };
    const Op ops[] = {
        {"forward +bias+relu", [&] { be.conv2d_forward(x, w, &b, relu, p, y); }, true},
        {"backward_data", [&] { be.conv2d_backward_data(dy, w, p, dx); }, c.backward_data},
        {"backward_weights +bias", [&] { be.conv2d_backward_weights(x, dy, p, dw, &db); }, true},
    };
    Timing layer{0.0, 0.0};
    double layer_flops = 0.0;
    for (const Op& op : ops) {
      const Timing t = time_op(reps, op.run);
      std::cout << "conv op " << c.name << " " << op.what << ": ";
      print_timing(t, flops);
      std::cout << (op.in_training ? "" : " (not run in training)") << '\n';
      if (op.in_training) {
        layer.median += t.median;
        layer.best += t.best;
        layer_flops += flops;
      }
    }
    std::cout << "conv layer " << c.name << " training (fwd+bwd): ";
    print_timing(layer, layer_flops);
    std::cout << '\n';
  }
  return 0;
}

// ---- training and predict --------------------------------------------------------------------
// The network as a subclass, the way a PyTorch user writes it: the same layers in the same order,
// so the same seed gives the same weights as the Sequential.
struct ConvNet : Model {
  Conv2D conv1{32, 3, "relu"};
  MaxPooling2D pool1{2};
  Conv2D conv2{64, 3, "relu"};
  MaxPooling2D pool2{2};
  Flatten flatten;
  Dropout dropout{0.5};
  Dense classifier{10, "softmax", {.dtype = "float32"}};
  Tensor call(const Tensor& x, bool training) override {
    return classifier(dropout(flatten(pool2(conv2(pool1(conv1(x))))), training));
  }
};

std::unique_ptr<Model> make_model(const std::string& kind) {
  if (kind == "sequential")
    return std::make_unique<Sequential>(std::initializer_list<SequentialItem>{
        Input({28, 28, 1}), Conv2D(32, 3, "relu"), MaxPooling2D(2), Conv2D(64, 3, "relu"), MaxPooling2D(2), Flatten(),
        Dropout(0.5), Dense(10, "softmax", {.dtype = "float32"})});
  if (kind == "functional") {
    auto x = Input({28, 28, 1});
    Tensor h = Conv2D(32, 3, "relu")(x);
    h = MaxPooling2D(2)(h);
    h = Conv2D(64, 3, "relu")(h);
    h = MaxPooling2D(2)(h);
    h = Dropout(0.5)(Flatten()(h));
    return std::make_unique<Model>(x, Dense(10, "softmax", {.dtype = "float32"})(h));
  }
  if (kind == "subclass") return std::make_unique<ConvNet>();
  throw ValueError("--model expects sequential, functional or subclass, received " + kind);
}

int run_model(const std::string& kind, int epochs, std::size_t samples, std::size_t test_samples,
              const std::vector<int>& predict_batches) {
  set_random_seed(0);
  const auto data = datasets::fashion_mnist::load_data();
  samples = std::min(samples, data.x_train.shape()[0]);
  const xt::xarray<float> x = xt::expand_dims(xt::view(data.x_train, xt::range(0, samples)) / 255.0f, 3);
  const xt::xarray<float> y = xt::view(xt::cast<float>(data.y_train), xt::range(0, samples));
  test_samples = std::min(test_samples, data.x_test.shape()[0]);
  const xt::xarray<float> x_test = xt::expand_dims(xt::view(data.x_test, xt::range(0, test_samples)) / 255.0f, 3);
  const xt::xarray<std::size_t> y_test = xt::cast<std::size_t>(xt::view(data.y_test, xt::range(0, test_samples)));

  const std::unique_ptr<Model> built = make_model(kind);
  Model& model = *built;
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});

  // Warm-up: plan, primitives and pages for full batches and for the epoch's smaller last batch.
  const std::size_t last = samples % kBatch == 0 ? kBatch : samples % kBatch;
  const std::size_t warm = std::min(samples, 20 * kBatch + last);
  const xt::xarray<float> x_warm = xt::view(x, xt::range(0, warm));
  const xt::xarray<float> y_warm = xt::view(y, xt::range(0, warm));
  model.fit(x_warm, y_warm, {.batch_size = kBatch, .epochs = 1, .verbose = 0});

  const distributed::Stats before = distributed::stats();
  auto start = std::chrono::steady_clock::now();
  const History history = model.fit(x, y, {.batch_size = kBatch, .epochs = epochs, .verbose = 0});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const distributed::Stats after = distributed::stats();

  // Per batch size: one untimed pass (inference primitives for this batch and the last one's
  // size), then one timed pass.
  std::vector<double> predict_seconds;
  xt::xarray<float> probs;
  std::size_t reported = 0;  // the batch size of the `strata predict:` line
  for (std::size_t i = 0; i < predict_batches.size(); ++i) {
    const int batch = predict_batches[i];
    model.predict(x_test, {.batch_size = batch, .verbose = 0});
    start = std::chrono::steady_clock::now();
    xt::xarray<float> p = model.predict(x_test, {.batch_size = batch, .verbose = 0});
    predict_seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (batch == kBatch || i == 0) {
      reported = i;
      probs = std::move(p);
    }
  }
  const double test_accuracy = xt::mean(xt::cast<double>(xt::equal(xt::argmax(probs, 1), y_test)))();
  if (!distributed::is_primary()) return 0;

  std::cout << "strata: " << kind << " model, loss " << history.history.at("loss").back() << " accuracy "
            << history.history.at("accuracy").back() << " test accuracy " << test_accuracy << '\n';
  std::cout.setf(std::ios::fixed);
  std::cout.precision(4);
  std::cout << "strata: " << seconds / epochs << " s/epoch\n";
  for (std::size_t i = 0; i < predict_batches.size(); ++i)
    std::cout << "strata predict " << predict_batches[i] << ": " << predict_seconds[i] << " s\n";
  std::cout << "strata predict: " << predict_seconds[reported] << " s\n";
  std::cout.precision(3);
  std::cout << "strata flops: training " << training_flops_per_sample() * static_cast<double>(samples) * 1e-9
            << " GFLOP/epoch, predict " << forward_flops_per_sample() * static_cast<double>(x_test.shape()[0]) * 1e-9
            << " GFLOP\n";
  if (distributed::size() > 1) {
    // Per step of the timed fit: the gradient bytes each rank sent into the sums, the time in
    // forward and backward (buckets already in flight), and the wait after backward for the sums.
    const double steps = double(after.steps - before.steps);
    std::cout << "strata dp: ranks " << distributed::size() << ", steps " << after.steps - before.steps
              << ", bytes/step " << double(after.bytes - before.bytes) / steps << ", compute ms/step "
              << (after.seconds_in_backward - before.seconds_in_backward) / steps * 1e3 << ", waiting ms/step "
              << (after.seconds_waiting - before.seconds_waiting) / steps * 1e3 << '\n';
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  distributed::init();
  int threads = 2;
  int epochs = 1;
  int reps = 20;
  bool ops = false;
  std::string kind = "sequential";
  std::size_t samples = 54000;  // what Keras's validation_split=0.1 keeps of 60,000
  std::size_t test_samples = 10000;
  std::string predict_batches = "128";
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--ops") {
      ops = true;
      continue;
    }
    if (i + 1 == argc) {
      std::cerr << "flag " << flag << " needs a value\n";
      return 2;
    }
    const char* value = argv[++i];
    if (flag == "--threads")
      threads = std::atoi(value);
    else if (flag == "--epochs")
      epochs = std::atoi(value);
    else if (flag == "--samples")
      samples = static_cast<std::size_t>(std::atol(value));
    else if (flag == "--test-samples")
      test_samples = static_cast<std::size_t>(std::atol(value));
    else if (flag == "--predict-batches")
      predict_batches = value;
    else if (flag == "--reps")
      reps = std::atoi(value);
    else if (flag == "--model")
      kind = value;
    else if (flag == "--policy")
      mixed_precision::set_global_policy(value);
    else {
      std::cerr << "unknown flag " << flag << '\n';
      return 2;
    }
  }
  set_num_threads(threads);
  return ops ? run_ops(reps)
             : run_model(kind, epochs, samples, test_samples, positive_list("--predict-batches", predict_batches));
} catch (const strata::Error& e) {
  std::cerr << "cnn_strata: " << e.what() << '\n';
  return 1;
}
