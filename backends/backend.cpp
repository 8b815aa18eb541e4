#include "strata/backend.hpp"

#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/reference/reference_backend.hpp"
#include "strata/error.hpp"

namespace strata {

namespace {

struct BackendEntry {
  std::function<std::unique_ptr<Backend>()> make;
  std::unique_ptr<Backend> instance;  // created on first use
};

std::map<std::string, BackendEntry, std::less<>>& registry() {
  static std::map<std::string, BackendEntry, std::less<>> entries = [] {
    std::map<std::string, BackendEntry, std::less<>> e;
    e["reference"].make = backends::make_reference_backend;
    e["cpu"].make = backends::make_cpu_backend;
    return e;
  }();
  return entries;
}

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

Backend* chosen = nullptr;

}  // namespace

bool Backend::supports(std::string_view /*op*/, DType dtype) const { return dtype == DType::F32; }

std::vector<std::string> available_backends() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : registry()) names.push_back(name);
  return names;
}

Backend& get_backend(std::string_view name) {
  std::lock_guard lock(registry_mutex());
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string valid;
    for (const auto& [known, entry] : registry()) valid += (valid.empty() ? "" : ", ") + known;
    throw ValueError(detail::concat("Unknown backend: '", name, "'. Valid backends are: ", valid));
  }
  if (!it->second.instance) it->second.instance = it->second.make();
  return *it->second.instance;
}

Backend& current_backend() {
  if (!chosen) {
    const char* env = std::getenv("STRATA_BACKEND");
    chosen = &get_backend(env && *env ? env : "cpu");
  }
  return *chosen;
}

void set_backend(std::string_view name) { chosen = &get_backend(name); }

}  // namespace strata
