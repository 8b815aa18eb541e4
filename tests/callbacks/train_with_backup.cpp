// The child process backup_and_restore_test.cpp runs and kills: trains a small classifier with
// dropout and shuffling under BackupAndRestore, raising SIGKILL at itself at a given batch when
// asked, and writes the final weights as raw floats.
//
//     train_with_backup <backup dir> <weights out> [<kill epoch> <kill batch>]

#include <csignal>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "strata/strata.hpp"

using namespace strata;

int main(int argc, char** argv) {
  if (argc != 3 && argc != 5) {
    std::fprintf(stderr, "usage: %s <backup dir> <weights out> [<kill epoch> <kill batch>]\n", argv[0]);
    return 2;
  }
  const std::string backup_dir = argv[1], out = argv[2];
  const int kill_epoch = argc == 5 ? std::stoi(argv[3]) : -1;
  const int kill_batch = argc == 5 ? std::stoi(argv[4]) : -1;

  set_random_seed(42);
  std::mt19937 data_rng(7);
  std::normal_distribution<float> normal;
  xt::xarray<float> x = xt::zeros<float>({64, 4});
  xt::xarray<float> y = xt::zeros<float>({64});
  for (std::size_t i = 0; i < 64; ++i) {
    for (std::size_t j = 0; j < 4; ++j) x(i, j) = normal(data_rng);
    y(i) = float((x(i, 0) > 0) + (x(i, 1) > 0.5f));
  }
  Sequential model({Input({4}), Dense(16, "relu"), Dropout(0.2), Dense(3, "softmax")});
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});

  int epoch_now = 0;
  callbacks::LambdaCallback killer({.on_epoch_begin = [&](int epoch, Logs&) { epoch_now = epoch; },
                                    .on_train_batch_begin =
                                        [&](int batch, const Logs&) {
                                          if (epoch_now == kill_epoch && batch == kill_batch) std::raise(SIGKILL);
                                        }});
  callbacks::BackupAndRestore backup(backup_dir);
  model.fit(x, y, {.batch_size = 8, .epochs = 5, .verbose = 0, .callbacks = {backup, killer}});

  std::ofstream file(out, std::ios::binary);
  for (const auto& w : model.get_weights())
    file.write(reinterpret_cast<const char*>(w.data()), static_cast<std::streamsize>(w.size() * sizeof(float)));
  return file.good() ? 0 : 1;
}
