#pragma once
// One bad-input case: a named piece of user code that must either succeed (where Keras accepts
// the odd input) or throw one of strata's typed errors, and never crash, abort, hang or leak an
// untyped exception. The runner (main.cpp) runs each case alone in a child process.

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace strata_bad_inputs {

/// What a case must end in: normal return, or an exception of one of strata's error classes
/// (a subclass counts: ShapeError is a ValueError).
enum class Outcome { Succeeds, Error, ValueError, ShapeError, IOError, StateError, ResourceExhaustedError };

const char* outcome_name(Outcome outcome);

/// Thrown by a case's own checks on a result (a NaN expected in a prediction, say): it is not a
/// strata error, so it never matches an expected outcome and the case fails with its message.
class CheckFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BadCase {
  std::string name;
  Outcome expect = Outcome::Succeeds;
  /// Text the error message must contain (Keras's wording, or the real cause); empty: any.
  std::string message_contains;
  /// Runs once per available backend (name@reference, name@cpu) rather than once on the default.
  bool per_backend = false;
  /// The user code; `scratch` is an empty directory of its own for the files it writes.
  std::function<void(const std::filesystem::path& scratch)> run;
};

/// The case lists, one per kind of mistake.
std::vector<BadCase> hostile_file_cases();
std::vector<BadCase> beginner_mistake_cases();
std::vector<BadCase> absurd_size_cases();
std::vector<BadCase> non_finite_data_cases();

}  // namespace strata_bad_inputs
