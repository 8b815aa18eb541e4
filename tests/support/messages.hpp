#pragma once
// The text of the exception a call throws, for tests that compare error messages whole.

#include <exception>
#include <functional>
#include <string>

namespace strata::testing {

/// What `f` threw (its what()), or "(no exception)" when it returned.
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace strata::testing
