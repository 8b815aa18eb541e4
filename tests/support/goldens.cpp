#include "support/goldens.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>

namespace strata::testing {

const nlohmann::json& golden_file(const std::string& file) {
  static std::map<std::string, nlohmann::json> parsed;
  if (auto it = parsed.find(file); it != parsed.end()) return it->second;
  std::ifstream in(std::string(STRATA_GOLDEN_DIR) + "/" + file);
  REQUIRE(in.good());
  return parsed.emplace(file, nlohmann::json::parse(in)).first->second;
}

}  // namespace strata::testing
