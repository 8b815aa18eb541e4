// Data holding NaN or Inf, on every backend: fit's logs must show the nan (as Keras's do), and
// with TerminateOnNaN(raise_error) fit must stop with its error rather than train on garbage;
// predict must let a NaN through to the row it came from instead of answering a plausible
// number.

#include <cmath>
#include <limits>

#include "strata/strata.hpp"
#include "tests/bad_inputs/bad_case.hpp"

namespace strata_bad_inputs {

namespace {

using strata::Input;
using strata::Sequential;
using namespace strata::layers;
namespace fs = std::filesystem;
using Array = xt::xarray<float>;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

Array ones(std::size_t rows, std::size_t columns) { return xt::ones<float>({rows, columns}); }

// Trains without TerminateOnNaN, which must end with a visible nan loss, then with
// TerminateOnNaN(raise_error), which must raise.
void fit_mlp(const Array& x, const Array& y) {
  Sequential model({Input({4}), Dense(8, "relu"), Dense(1)});
  model.compile("sgd", "mse");
  const strata::History history = model.fit(x, y, {.epochs = 2, .verbose = 0});
  if (std::isfinite(history.history.at("loss").back()))
    throw CheckFailed("the data holds a NaN or an infinity but fit's loss is the finite " +
                      std::to_string(history.history.at("loss").back()));
  model.fit(x, y, {.verbose = 0, .callbacks = strata::callbacks::TerminateOnNaN(true)});
}

// Predicts 4 rows of which row 1 holds `bad` in one feature, through `model`; the other rows
// must stay finite and row 1 must not.
void predict_row(Sequential& model, float bad) {
  Array x = ones(4, 4);
  x(1, 2) = bad;
  const Array y = model.predict(x, {.verbose = 0});
  for (std::size_t row = 0; row < 4; ++row) {
    const bool finite = std::isfinite(y(row, 0));
    if (row == 1 && finite)
      throw CheckFailed("row 1 of the input holds " + std::to_string(bad) + " but its prediction is the finite " +
                        std::to_string(y(row, 0)));
    if (row != 1 && !finite) throw CheckFailed("row " + std::to_string(row) + " became non-finite");
  }
}

BadCase on_every_backend(std::string name, Outcome outcome, std::string message, void (*run)()) {
  return {std::move(name), outcome, std::move(message), true, [run](const fs::path&) { run(); }};
}

}  // namespace

std::vector<BadCase> non_finite_data_cases() {
  std::vector<BadCase> cases;
  cases.push_back(on_every_backend("fit_nan_in_x", Outcome::Error, "NaN or Inf loss encountered", [] {
    Array x = ones(8, 4);
    x(3, 1) = kNaN;
    fit_mlp(x, ones(8, 1));
  }));
  cases.push_back(on_every_backend("fit_inf_in_x", Outcome::Error, "NaN or Inf loss encountered", [] {
    Array x = ones(8, 4);
    x(0, 0) = kInf;
    fit_mlp(x, ones(8, 1));
  }));
  cases.push_back(on_every_backend("fit_nan_in_y", Outcome::Error, "NaN or Inf loss encountered", [] {
    Array y = ones(8, 1);
    y(5, 0) = kNaN;
    fit_mlp(ones(8, 4), y);
  }));
  cases.push_back(on_every_backend("predict_nan_row_through_relu_mlp", Outcome::Succeeds, "", [] {
    Sequential model({Input({4}), Dense(8, "relu"), Dense(1)});
    predict_row(model, kNaN);
  }));
  cases.push_back(on_every_backend("predict_nan_row_through_conv_and_pool", Outcome::Succeeds, "", [] {
    Sequential model({Input({4}), Reshape({2, 2, 1}), Conv2D(2, 1, "relu"), MaxPooling2D(2), Flatten(), Dense(1)});
    predict_row(model, kNaN);
  }));
  cases.push_back(on_every_backend("predict_inf_row_through_linear_model", Outcome::Succeeds, "", [] {
    Sequential model({Input({4}), Dense(1, "linear", {.kernel_initializer = "ones"})});
    predict_row(model, kInf);
  }));
  return cases;
}

}  // namespace strata_bad_inputs
