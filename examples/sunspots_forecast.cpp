// A time-series forecaster, as the sequence chapter of a Keras course writes one: the yearly
// sunspot numbers 1700-2008 that Debian's python3-statsmodels ships as a CSV file, cut into
// windows of 24 years, a GRU(32) predicting the next year's number, trained on the years up to
// 1948 and tested on the 60 years after, against the naive forecast "next year as this year".
// The test years' forecasts are written to sunspots_forecast.csv (year, actual, GRU, naive) and
// the learning curves drawn to sunspots_curves.png (Strata draws a History, not arbitrary series:
// the CSV is for any plotting tool).
//
//   ./sunspots_forecast [path to sunspots.csv]

#include <cmath>
#include <fstream>
#include <iostream>

#include <xtensor/xview.hpp>

#include <strata/strata.hpp>

using namespace strata;

int main(int argc, char** argv) try {
  set_random_seed(11);
  const std::string path =
      argc > 1 ? argv[1] : "/usr/lib/python3/dist-packages/statsmodels/datasets/sunspots/sunspots.csv";
  // "YEAR","SUNACTIVITY": one line per year.
  const data::CsvTable table = data::read_csv(path);
  const std::size_t years = table.values.shape()[0];
  const int first_year = static_cast<int>(table.values(0, 0));

  // Windows of `window` years (1 feature per step), each labelled with the year after it. The
  // numbers are scaled by the training years' largest, so the GRU sees values near [0, 1].
  constexpr std::size_t window = 24, test_years = 60;
  const std::size_t samples = years - window;
  const std::size_t train = samples - test_years;
  float scale = 0.f;
  for (std::size_t i = 0; i < train + window; ++i) scale = std::max(scale, table.values(i, 1));
  xt::xarray<float> x = xt::zeros<float>({samples, window, std::size_t{1}});
  xt::xarray<float> y = xt::zeros<float>({samples, std::size_t{1}});
  for (std::size_t s = 0; s < samples; ++s) {
    for (std::size_t t = 0; t < window; ++t) x(s, t, 0) = table.values(s + t, 1) / scale;
    y(s, 0) = table.values(s + window, 1) / scale;
  }
  const xt::xarray<float> x_train = xt::view(x, xt::range(0, train));
  const xt::xarray<float> y_train = xt::view(y, xt::range(0, train));
  const xt::xarray<float> x_test = xt::view(x, xt::range(train, samples));
  const xt::xarray<float> y_test = xt::view(y, xt::range(train, samples));
  std::cout << "training windows: " << train << " (targets " << first_year + window << "-"
            << first_year + window + train - 1 << "), test windows: " << test_years << '\n';

  Sequential model({Input({window, 1}), GRU(32), Dense(1)});
  model.compile(optimizers::Adam(3e-3), "mse", {"mae"});
  model.summary();
  callbacks::EarlyStopping stop({.monitor = "val_loss", .patience = 30, .restore_best_weights = true});
  const History history = model.fit(
      x_train, y_train, {.batch_size = 16, .epochs = 300, .verbose = 0, .callbacks = {stop}, .validation_split = 0.15});
  std::cout << "best epoch " << stop.best_epoch() + 1 << '\n';

  // Mean absolute errors in sunspot numbers: the GRU's forecasts and the naive last value's.
  const xt::xarray<float> forecast = model.predict(x_test, {.verbose = 0});
  double gru_error = 0, naive_error = 0;
  std::ofstream csv("sunspots_forecast.csv");
  csv << "year,actual,gru,naive\n";
  for (std::size_t s = 0; s < test_years; ++s) {
    const double actual = y_test(s, 0) * scale;
    const double gru = forecast(s, 0) * scale;
    const double naive = x_test(s, window - 1, 0) * scale;
    gru_error += std::abs(gru - actual) / test_years;
    naive_error += std::abs(naive - actual) / test_years;
    csv << first_year + window + train + s << ',' << actual << ',' << gru << ',' << naive << '\n';
  }
  std::cout << "Test MAE, sunspot numbers " << first_year + window + train << "-" << first_year + years - 1 << ": GRU "
            << gru_error << ", naive last value " << naive_error << '\n';
  history.plot("sunspots_curves.png", {.title = "GRU sunspot forecaster"});
  std::cout << "wrote sunspots_forecast.csv and sunspots_curves.png\n";
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
