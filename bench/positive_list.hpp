#pragma once
// A bench flag's comma-separated list of positive integers: cnn_strata's --predict-batches,
// mlp_strata's --units.

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include <strata/error.hpp>

// "32,128,1024" -> {32, 128, 1024}; ValueError naming `flag` on anything but positive integers
// up to a million.
inline std::vector<int> positive_list(const std::string& flag, const std::string& list) {
  std::vector<int> values;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    const std::string item = list.substr(start, end - start);
    char* rest = nullptr;
    const long value = std::strtol(item.c_str(), &rest, 10);
    if (item.empty() || *rest != '\0' || value <= 0 || value > 1'000'000)
      throw strata::ValueError(flag + " expects positive integers separated by commas, received " + list);
    values.push_back(static_cast<int>(value));
    start = end + 1;
  }
  return values;
}
