#pragma once
// A directory of its own per test case, removed afterwards.

#include <filesystem>
#include <random>
#include <string>

namespace strata::testing {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix = "strata-test") {
    std::random_device seed;
    path = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(seed()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

}  // namespace strata::testing
