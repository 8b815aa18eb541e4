// The program the data-parallel tests start, alone or under mpirun: trains one of a few small
// models on real data and, on rank 0, writes the final weights and the History to an .npz file,
// which `--compare` checks against another run's.
//
//     dp_train <model> <out.npz>        model: mlp, mlp_dropout, cnn, cnn_sync_bn
//     dp_train --compare <a.npz> <b.npz> <relative tolerance>
//     dp_train --masks <out prefix>     each rank writes the mask its Dropout drew
//
// STRATA_TEST_FAULT makes one rank misbehave: "throw:<rank>:<batch>" (a callback throws at that
// batch of the first epoch), "kill:<rank>:<batch>" (the process SIGKILLs itself there),
// "stall:<rank>:<batch>" (it sleeps there for an hour),
// "model:<rank>" (that rank builds a wider model); "batch:<size>" fits with that batch size on
// every rank, and "images:<count>" the convnets on that many images.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <thread>

#include <xtensor/xadapt.hpp>

#include "strata/data/csv.hpp"
#include "strata/data/numpy.hpp"
#include "strata/datasets/fashion_mnist.hpp"
#include "strata/strata.hpp"

using namespace strata;

namespace {

struct Fault {
  std::string kind;
  int rank = -1;
  int value = -1;
};

Fault fault_from_environment() {
  Fault fault;
  const char* text = std::getenv("STRATA_TEST_FAULT");
  if (!text || !*text) return fault;
  const std::string spec = text;
  const auto first = spec.find(':');
  fault.kind = spec.substr(0, first);
  const auto second = spec.find(':', first + 1);
  fault.rank = std::stoi(spec.substr(first + 1, second - first - 1));
  if (second != std::string::npos) fault.value = std::stoi(spec.substr(second + 1));
  return fault;
}

int compare(const std::string& a_path, const std::string& b_path, double tolerance) {
  const auto a = data::load_npz(a_path), b = data::load_npz(b_path);
  if (a.size() != b.size()) {
    std::cerr << a_path << " holds " << a.size() << " arrays, " << b_path << " " << b.size() << '\n';
    return 1;
  }
  double worst = 0.0;
  std::string worst_name;
  for (const auto& [name, x] : a) {
    const auto it = b.find(name);
    if (it == b.end() || it->second.shape() != x.shape()) {
      std::cerr << "array " << name << " is missing or has another shape in " << b_path << '\n';
      return 1;
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double u = x.data()[i], v = it->second.data()[i];
      const double error = std::abs(u - v) / std::max(1.0, std::max(std::abs(u), std::abs(v)));
      if (!(error <= worst)) {
        worst = std::isnan(error) ? INFINITY : error;
        worst_name = name;
      }
    }
  }
  std::cout << "largest relative difference " << worst << " (in " << worst_name << "), tolerance " << tolerance << '\n';
  return worst <= tolerance ? 0 : 1;
}

int write_masks(const std::string& prefix) {
  set_random_seed(3);
  // Dropout on ones in training: what it leaves is its mask, scaled.
  Dropout dropout(0.5);
  const Tensor out = dropout(from_host(current_backend(), xt::ones<float>({8, 64})), true);
  data::save_npz(prefix + std::to_string(distributed::rank()) + ".npz", {{"mask", to_host(out)}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  distributed::init();
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "--compare" && argc == 5) return compare(argv[2], argv[3], std::atof(argv[4]));
  if (mode == "--masks" && argc == 3) return write_masks(argv[2]);
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <mlp|mlp_dropout|cnn|cnn_sync_bn> <out.npz>\n", argv[0]);
    return 2;
  }
  const Fault fault = fault_from_environment();
  const int rank = distributed::rank();
  set_random_seed(11 + std::uint64_t(rank));  // different on every rank: fit must make them agree

  xt::xarray<float> x, y;
  std::unique_ptr<Sequential> made;
  const bool wider = fault.kind == "model" && fault.rank == rank;
  if (mode == "mlp" || mode == "mlp_dropout") {
    const data::CsvTable table = data::read_csv(
        "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv", {.header = false, .skip_rows = 1});
    x = xt::view(table.values, xt::all(), xt::range(0, 30));
    y = xt::view(table.values, xt::all(), xt::range(30, 31));
    // Each feature to mean 0 and variance 1 (the features range from 1e-3 to 4e3).
    for (std::size_t j = 0; j < x.shape()[1]; ++j) {
      auto column = xt::view(x, xt::all(), j);
      const float mean = xt::mean(column)(), spread = std::sqrt(xt::mean(xt::square(column - mean))());
      column = (column - mean) / spread;
    }
    made = std::make_unique<Sequential>(std::vector<SequentialItem>{Input({30}), Dense(wider ? 17 : 16, "relu"),
                                                                    Dropout(mode == "mlp" ? 0.0f : 0.3f),
                                                                    Dense(8, "relu"), Dense(1, "sigmoid")});
    made->compile("adam", "binary_crossentropy", {"accuracy", metrics::AUC()});
  } else if (mode == "cnn" || mode == "cnn_sync_bn") {
    auto data = datasets::fashion_mnist::load_data();
    const std::size_t images = fault.kind == "images" ? std::size_t(fault.rank) : 600;
    x = xt::view(data.x_train, xt::range(0, images)) / 255.0f;
    x.reshape({images, 28, 28, 1});
    y = xt::view(data.y_train, xt::range(0, images));
    std::vector<SequentialItem> layers{Input({28, 28, 1}), Conv2D(8, 3, "relu"), MaxPooling2D(2)};
    if (mode == "cnn_sync_bn") layers.emplace_back(BatchNormalization({.synchronized = true}));
    layers.emplace_back(Conv2D(wider ? 9 : 8, 3, "relu"));
    layers.emplace_back(Flatten());
    layers.emplace_back(Dense(10, "softmax"));
    made = std::make_unique<Sequential>(layers);
    // Adam turns the rounding noise in the near-zero gradients of the bias under a batch
    // normalization into full-sized steps; SGD keeps a difference in the statistics' sums as
    // small as it is, so the comparison stays tight.
    made->compile(mode == "cnn_sync_bn" ? "sgd" : "adam", "sparse_categorical_crossentropy", {"accuracy"});
  } else {
    std::fprintf(stderr, "unknown model %s\n", mode.c_str());
    return 2;
  }

  Sequential& model = *made;
  int epoch_now = 0;
  callbacks::LambdaCallbackHooks hooks;
  hooks.on_epoch_begin = [&](int epoch, Logs&) { epoch_now = epoch; };
  hooks.on_train_batch_begin = [&](int batch, const Logs&) {
    if (epoch_now != 0 || fault.rank != rank || batch != fault.value) return;
    if (fault.kind == "throw") throw ValueError("the test's callback fails at batch " + std::to_string(batch));
    if (fault.kind == "kill") std::raise(SIGKILL);
    if (fault.kind == "stall") std::this_thread::sleep_for(std::chrono::hours(1));
  };
  callbacks::LambdaCallback misbehave(hooks);
  const int batch_size = fault.kind == "batch" ? fault.rank : 64;
  // The last batch of each epoch is short (455 and 480 training rows), so its split is tested too.
  // With synchronized batch normalization the two runs drift apart faster (rounding differences
  // in the statistics' sums grow by about 3x per SGD step on this model; the formulas were
  // checked exact to 1e-15 in double), so that comparison stops after two steps.
  const bool two_steps = mode == "cnn_sync_bn";
  const History history = model.fit(x, y,
                                    {.batch_size = batch_size,
                                     .epochs = two_steps ? 1 : 3,
                                     .verbose = 0,
                                     .callbacks = {misbehave},
                                     .validation_split = 0.2,
                                     .steps_per_epoch = two_steps ? std::optional<std::int64_t>(2) : std::nullopt});
  const Logs test = model.evaluate(x, y, {.batch_size = 100, .verbose = 0});

  if (!distributed::is_primary()) return 0;
  std::map<std::string, xt::xarray<float>> out;
  const auto weights = model.get_weights();
  for (std::size_t i = 0; i < weights.size(); ++i) out["weight_" + std::to_string(i)] = weights[i];
  for (const auto& [key, values] : history.history) out["history_" + key] = xt::adapt(values);
  for (const auto& [key, value] : test) out["evaluate_" + key] = xt::xarray<float>{float(value)};
  data::save_npz(argv[2], out);
  std::cout << "rank 0 of " << distributed::size() << ": loss " << history.history.at("loss").back() << ", val_loss "
            << history.history.at("val_loss").back() << '\n';
  return 0;
} catch (const strata::Error& e) {
  // One write, so that the ranks' lines do not interleave.
  std::cerr << "rank " + std::to_string(strata::distributed::rank()) + ": " + e.what() + "\n";
  return 1;
}
