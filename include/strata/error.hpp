#pragma once
/// @file
/// Typed errors. Every failure Strata reports is one of these; nothing aborts and nothing
/// returns a silent false. Messages follow Keras's wording where Keras has one.

#include <sstream>
#include <stdexcept>
#include <string>

namespace strata {

/// Base of every error Strata throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A bad argument or configuration value (Keras's ValueError).
class ValueError : public Error {
 public:
  using Error::Error;
};

/// Tensors or layers whose shapes do not fit together.
class ShapeError : public ValueError {
 public:
  using ValueError::ValueError;
};

/// A kernel library (oneDNN, CUDA, cuDNN) reported a failure; the message names the call.
class BackendError : public Error {
 public:
  using Error::Error;
};

/// A file that is missing, unreadable or malformed.
class IOError : public Error {
 public:
  using Error::Error;
};

/// A tensor or buffer larger than the backend can hold (its element count overflows 64 bits, or
/// its bytes exceed what can be allocated); the message names the tensor, its shape and the bytes.
/// Raised before any memory is asked for, never as `std::bad_alloc` or a wrapped size.
class ResourceExhaustedError : public Error {
 public:
  using Error::Error;
};

/// The object is used before the step that must come first (fit before compile, weights before build).
class StateError : public Error {
 public:
  using Error::Error;
};

/// A failure raised on purpose by user-facing machinery while it runs (Keras's RuntimeError):
/// TerminateOnNaN(raise_error) on a NaN loss.
class RuntimeError : public Error {
 public:
  using Error::Error;
};

/// A data-parallel job could not go on: another process failed (the message names its rank and
/// its error), the processes disagree (a different model on one of them), or a collective
/// operation failed or did not complete in time. Every process of the job raises it.
class DistributedError : public Error {
 public:
  using Error::Error;
};

namespace detail {
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

/// Throws `ErrorType` with the parts streamed together when `cond` is false.
#define STRATA_CHECK(cond, ErrorType, ...)                               \
  do {                                                                   \
    if (!(cond)) throw ErrorType(::strata::detail::concat(__VA_ARGS__)); \
  } while (0)

}  // namespace strata
