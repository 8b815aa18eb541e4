// History's outputs: to_csv and to_json byte for byte against what Keras's CSVLogger and
// Python's json.dumps wrote for the same values (tests/golden/make_history_goldens.py), and
// plot's PNG and SVG through gnuplot (skipped with a warning when gnuplot is absent).

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "strata/error.hpp"
#include "strata/history.hpp"
#include "support/goldens.hpp"

using namespace strata;

namespace {

History history_from(const nlohmann::json& golden) {
  History history;
  for (const auto& [key, values] : golden.at("history").items())
    for (const auto& value : values) history.history[key].push_back(std::stod(value.get<std::string>()));
  history.epoch = golden.at("epoch").get<std::vector<int>>();
  history.params = golden.at("params").get<std::map<std::string, int>>();
  return history;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

History three_epochs() {
  History history;
  history.history = {{"loss", {0.9, 0.6, 0.45}},
                     {"val_loss", {1.0, 0.7, 0.5}},
                     {"accuracy", {0.5, 0.7, 0.8}},
                     {"val_accuracy", {0.45, 0.65, 0.75}},
                     {"mae", {0.4, 0.3, 0.25}}};
  history.epoch = {0, 1, 2};
  history.params = {{"verbose", 1}, {"epochs", 3}, {"steps", 10}};
  return history;
}

bool have_gnuplot() { return std::system("command -v gnuplot > /dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("History::to_csv and to_json write what Keras's CSVLogger and json.dumps write", "[history]") {
  const auto& cases = testing::golden_file("history.json").at("cases");
  for (const char* name : {"fit", "values"}) {
    INFO("case " << name);
    const History history = history_from(cases.at(name));
    CHECK(history.to_csv() == cases.at(name).at("csv").get<std::string>());
    CHECK(history.to_json() == cases.at(name).at("json").get<std::string>());
  }
}

TEST_CASE("History::to_csv and to_json write files, and refuse keys shorter than the epochs", "[history]") {
  const History history = three_epochs();
  const auto dir = std::filesystem::temp_directory_path() / ("strata_history_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  history.to_csv((dir / "h.csv").string());
  history.to_json((dir / "h.json").string());
  CHECK(read_file((dir / "h.csv").string()) == history.to_csv());
  CHECK(read_file((dir / "h.json").string()) == history.to_json());
  CHECK(nlohmann::json::parse(history.to_json()).at("history").at("val_loss").at(2).get<double>() == 0.5);
  CHECK_THROWS_AS(history.to_csv((dir / "missing" / "h.csv").string()), IOError);

  History partial = history;
  partial.history["val_loss"] = {0.7};
  CHECK_THROWS_WITH(partial.to_csv(), Catch::Contains("\"val_loss\" holds 1 values for 3 epochs"));
  CHECK_THROWS_AS(partial.plot((dir / "p.png").string()), ValueError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("History::plot draws PNG and SVG files through gnuplot", "[history][plot]") {
  const History history = three_epochs();
  const auto dir = std::filesystem::temp_directory_path() / ("strata_history_plot_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  CHECK_THROWS_WITH(history.plot((dir / "curves.jpg").string()), Catch::Contains("must end in .png or .svg"));
  CHECK_THROWS_WITH(History().plot((dir / "curves.png").string()), Catch::Contains("the history is empty"));
  CHECK_THROWS_WITH(history.plot((dir / "curves.png").string(), {.metrics = {"auc"}}),
                    Catch::Contains("no metric \"auc\"") && Catch::Contains("accuracy, loss, mae"));
  if (!have_gnuplot()) {
    CHECK_THROWS_WITH(history.plot((dir / "curves.png").string()), Catch::Contains("apt-get install gnuplot-nox"));
    WARN("gnuplot is not installed: History::plot's PNG and SVG not checked");
    std::filesystem::remove_all(dir);
    return;
  }
  const std::string png_path = (dir / "curves.png").string();
  history.plot(png_path, {.title = "it's a \"title\""});
  const std::string png = read_file(png_path);
  REQUIRE(png.size() > 8);
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  // Three panels of 560 x 400 drawn with text and curves: far more than a blank image.
  CHECK(png.size() > 20000);

  const std::string svg_path = (dir / "curves.SVG").string();
  History with_nan = history;
  with_nan.history["loss"][1] = std::nan("");
  with_nan.plot(svg_path, {.metrics = {"loss"}, .columns = 1});
  const std::string svg = read_file(svg_path);
  CHECK_THAT(svg, Catch::Contains("<svg"));
  CHECK_THAT(svg, Catch::Contains("val_loss"));
  CHECK_THAT(svg, !Catch::Contains("accuracy"));
  CHECK(svg.size() > 5000);
  std::filesystem::remove_all(dir);
}

TEST_CASE("History::plot reports a missing gnuplot and a failing one with its error output", "[history][plot]") {
  const History history = three_epochs();
  const auto dir = std::filesystem::temp_directory_path() / ("strata_history_fake_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto target = dir / "curves.png";
  const char* old = std::getenv("PATH");
  const std::string saved = old ? old : "";

  ::setenv("PATH", (dir / "nothing-here").c_str(), 1);
  CHECK_THROWS_WITH(history.plot(target.string()),
                    Catch::Contains("no gnuplot on PATH") && Catch::Contains("apt-get install gnuplot-nox"));

  // A "gnuplot" that complains and fails, found first on PATH.
  {
    std::ofstream fake(dir / "gnuplot");
    fake << "#!/bin/sh\necho 'line 3: unknown terminal' >&2\nexit 3\n";
  }
  std::filesystem::permissions(dir / "gnuplot", std::filesystem::perms::owner_all);
  ::setenv("PATH", (dir.string() + ":" + saved).c_str(), 1);
  CHECK_THROWS_WITH(history.plot(target.string()),
                    Catch::Contains("exit status 3") && Catch::Contains("line 3: unknown terminal"));
  ::setenv("PATH", saved.c_str(), 1);
  CHECK_FALSE(std::filesystem::exists(target));
  std::filesystem::remove_all(dir);
}
