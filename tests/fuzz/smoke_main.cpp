// The fuzz targets' smoke run for the ordinary build (no libFuzzer): every file of the given
// corpus directories goes through the target as it is and in a few hundred seeded mutations
// (truncations, byte flips, spliced copies), so each loader meets damaged input on every test
// run, under the sanitizers in their pass. The real fuzzing is scripts/fuzz (clang's libFuzzer).
//
//   fuzz_smoke_<target> [--mutations N] DIR...

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void run(const std::vector<std::uint8_t>& bytes) { LLVMFuzzerTestOneInput(bytes.data(), bytes.size()); }

// One seeded mutation: a truncation, a few flipped bytes, or a chunk copied over another place.
std::vector<std::uint8_t> mutate(std::vector<std::uint8_t> bytes, std::mt19937_64& rng) {
  if (bytes.empty()) return bytes;
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  switch (rng() % 3) {
    case 0: bytes.resize(pick(bytes.size())); break;
    case 1:
      for (int i = 0, n = 1 + static_cast<int>(rng() % 8); i < n; ++i)
        bytes[pick(bytes.size())] ^= static_cast<std::uint8_t>(1 + rng() % 255);
      break;
    default: {
      const std::size_t from = pick(bytes.size()), to = pick(bytes.size());
      const std::size_t length = std::min({bytes.size() - from, bytes.size() - to, 1 + pick(64)});
      std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(from), length,
                  bytes.begin() + static_cast<std::ptrdiff_t>(to));
    }
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  int mutations = 30;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--mutations" && i + 1 < argc) {
      mutations = std::stoi(argv[++i]);
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(arg))
      if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (files.empty()) {
    std::cerr << "fuzz smoke: no input files in the given directories\n";
    return 1;
  }
  std::sort(files.begin(), files.end());
  std::mt19937_64 rng(20261130);
  for (const auto& file : files) {
    const auto bytes = read_file(file);
    run(bytes);
    for (int m = 0; m < mutations; ++m) run(mutate(bytes, rng));
  }
  std::cout << "fuzz smoke: " << files.size() << " inputs, " << mutations << " mutations each, no crash\n";
  return 0;
}
