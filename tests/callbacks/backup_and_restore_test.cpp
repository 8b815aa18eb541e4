// BackupAndRestore: a training process killed by a real SIGKILL in the middle of an epoch, run
// again, ends with exactly the weights of a run that was never interrupted (weights, optimizer
// state and the random generator that drives shuffling and dropout are all restored); and the
// backup files are Keras's.

#include <catch2/catch.hpp>

#include <spawn.h>
#include <sys/wait.h>

#include <csignal>
#include <fstream>

#include <nlohmann/json.hpp>

#include "strata/strata.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

using strata::testing::TempDir;

namespace {

// Runs the training child to its end; returns its wait status.
int run_child(const std::vector<std::string>& arguments) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(STRATA_TRAIN_WITH_BACKUP));
  for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t child = 0;
  REQUIRE(posix_spawn(&child, STRATA_TRAIN_WITH_BACKUP, nullptr, nullptr, argv.data(), environ) == 0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  return status;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("a training run killed mid-epoch resumes to the weights of an uninterrupted run", "[callbacks][backup]") {
  TempDir dir("strata-backup");
  const int whole = run_child({dir / "backup-whole", dir / "whole.bin"});
  REQUIRE(WIFEXITED(whole));
  REQUIRE(WEXITSTATUS(whole) == 0);
  CHECK_FALSE(std::filesystem::exists(dir / "backup-whole"));  // removed when training ends

  // Killed in epoch 3 (index 2), batch 3: the backup holds the end of epoch 2.
  const int killed = run_child({dir / "backup", dir / "resumed.bin", "2", "3"});
  REQUIRE(WIFSIGNALED(killed));
  CHECK(WTERMSIG(killed) == SIGKILL);
  REQUIRE(std::filesystem::exists(dir / "backup/latest.weights.h5"));
  const auto metadata = nlohmann::json::parse(read_bytes(dir / "backup/training_metadata.json"));
  CHECK(metadata["epoch"] == 2);
  CHECK(metadata["batch"] == 0);
  CHECK_FALSE(std::filesystem::exists(dir / "resumed.bin"));

  const int resumed = run_child({dir / "backup", dir / "resumed.bin"});
  REQUIRE(WIFEXITED(resumed));
  REQUIRE(WEXITSTATUS(resumed) == 0);
  const std::string expected = read_bytes(dir / "whole.bin");
  REQUIRE(expected.size() == (4 * 16 + 16 + 16 * 3 + 3) * sizeof(float));
  CHECK(read_bytes(dir / "resumed.bin") == expected);
  CHECK_FALSE(std::filesystem::exists(dir / "backup"));
}

TEST_CASE("BackupAndRestore refuses a backup interrupted between its two files", "[callbacks][backup]") {
  using namespace strata;
  TempDir dir("strata-backup-torn");
  Sequential model({Input({2}), Dense(2)});
  model.compile("sgd", "mse");
  const xt::xarray<float> x = xt::ones<float>({4, 2});
  callbacks::BackupAndRestore backup(dir / "b", {.delete_checkpoint = false});
  model.fit(x, x, {.epochs = 2, .verbose = 0, .callbacks = backup});
  // Another epoch's weights beside this metadata: a torn backup.
  Sequential other({Input({2}), Dense(2)});
  other.compile("sgd", "mse");
  other.fit(x, x, {.epochs = 1, .verbose = 0});
  other.save_weights(dir / "b/latest.weights.h5");
  CHECK_THROWS_WITH(model.fit(x, x, {.epochs = 3, .verbose = 0, .callbacks = backup}),
                    Catch::Contains("does not match") && Catch::Contains("interrupted while being written"));
  CHECK_THROWS_WITH(callbacks::BackupAndRestore(""), "Empty `backup_dir` argument passed");
}
