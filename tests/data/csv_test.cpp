#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "data/message_contains.hpp"
#include "data/temp_dir.hpp"
#include "strata/data/csv.hpp"
#include "strata/error.hpp"

using namespace strata;
using namespace strata::data;
using strata::testing::TempDir;

namespace {

std::vector<float> values_of(const CsvTable& table) { return {table.values.begin(), table.values.end()}; }

std::vector<std::size_t> shape_of(const CsvTable& table) {
  return {table.values.shape().begin(), table.values.shape().end()};
}

}  // namespace

TEST_CASE("read_csv reads a header, numbers and selected columns", "[data][csv]") {
  TempDir dir;
  const auto file =
      dir.write("cars.csv", "\xEF\xBB\xBFweight, mpg ,\"name, quoted\"\r\n1.5,20,3\r\n\r\n-2e3, +4.25 ,\"7\"\r\n");
  const CsvTable all = read_csv(file);
  REQUIRE(all.column_names == std::vector<std::string>{"weight", "mpg", "name, quoted"});
  REQUIRE(shape_of(all) == std::vector<std::size_t>{2, 3});
  REQUIRE(values_of(all) == std::vector<float>{1.5f, 20.f, 3.f, -2000.f, 4.25f, 7.f});

  const CsvTable picked = read_csv(file, {.columns = {"mpg", 0, -1}});
  REQUIRE(picked.column_names == std::vector<std::string>{"mpg", "weight", "name, quoted"});
  REQUIRE(values_of(picked) == std::vector<float>{20.f, 1.5f, 3.f, 4.25f, -2000.f, 7.f});
}

TEST_CASE("read_csv reads scikit-learn's breast cancer file as Debian ships it", "[data][csv]") {
  const std::filesystem::path file = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";
  if (!std::filesystem::exists(file)) {
    WARN("python3-sklearn is not installed: " << file << " is missing");
    return;
  }
  // Its first line is "569,30,malignant,benign" (counts and class names), not a header.
  const CsvTable table = read_csv(file, {.header = false, .skip_rows = 1});
  REQUIRE(shape_of(table) == std::vector<std::size_t>{569, 31});
  REQUIRE(table.column_names.front() == "0");
  REQUIRE(table.values(0, 0) == 17.99f);
  REQUIRE(table.values(0, 30) == 0.f);
  REQUIRE(table.values(568, 3) == 181.0f);
}

TEST_CASE("read_csv without a header, with another delimiter and skipped lines", "[data][csv]") {
  TempDir dir;
  const auto file = dir.write("t.tsv", "# comment line\n1\t2\n3\t4\n");
  const CsvTable table = read_csv(file, {.header = false, .skip_rows = 1, .delimiter = '\t', .columns = {1}});
  REQUIRE(table.column_names == std::vector<std::string>{"1"});
  REQUIRE(values_of(table) == std::vector<float>{2.f, 4.f});
  REQUIRE_THROWS_WITH(read_csv(file, {.header = false, .skip_rows = 1, .delimiter = '\t', .columns = {"a"}}),
                      Catch::Contains("selected by name, but the file is read without a header"));
}

TEST_CASE("read_csv refuses missing values with their line and column unless told to fill them", "[data][csv]") {
  TempDir dir;
  const auto file = dir.write("m.csv", "a,b\n1,2\n3,\n5,NA\n");
  REQUIRE_THROWS_MATCHES(read_csv(file), ValueError,
                         Catch::Matchers::Message("read_csv: '" + file.string() +
                                                  "' line 3, column 1 (\"b\"): missing value \"\" (set "
                                                  "CsvOptions::fill_value to replace missing values)"));
  const CsvTable filled = read_csv(file, {.fill_value = -1.f});
  REQUIRE(values_of(filled) == std::vector<float>{1, 2, 3, -1, 5, -1});
  const CsvTable nan_filled = read_csv(file, {.fill_value = NAN});
  REQUIRE(std::isnan(nan_filled.values(2, 1)));
  // "?" is missing only when named; by default it is not a number.
  const auto question = dir.write("q.csv", "a\n?\n");
  REQUIRE_THROWS_WITH(read_csv(question), Catch::Contains("line 2, column 0 (\"a\"): \"?\" is not a number"));
  REQUIRE(read_csv(question, {.missing_values = {"?"}, .fill_value = 0.f}).values(0, 0) == 0.f);
  // A column not selected may hold anything.
  REQUIRE(values_of(read_csv(file, {.columns = {"a"}})) == std::vector<float>{1, 3, 5});
}

TEST_CASE("read_csv refuses malformed files naming the file and the place", "[data][csv]") {
  TempDir dir;
  auto refuses = [&](const std::string& text, const std::string& message, CsvOptions options = {}) {
    const auto file = dir.write("bad.csv", text);
    INFO(text);
    REQUIRE_THROWS_MATCHES(read_csv(file, options), ValueError, strata::testing::MessageContains(message));
  };
  refuses("a,b\n1,2\n3,4,5\n", "'" + (dir.path / "bad.csv").string() + "' line 3: 3 fields where 2 were expected");
  refuses("a,b\n1,x2\n", "line 2, column 1 (\"b\"): \"x2\" is not a number");
  refuses("a\n1.5.2\n", "line 2, column 0 (\"a\"): \"1.5.2\" is not a number");
  refuses("a\n1e39\n", "line 2, column 0 (\"a\"): \"1e39\" is out of float32's range");
  refuses("a,b\n\"1,2\n", "line 2: a quote opened in field 0 is not closed on this line");
  refuses("a\n1\n", "has no column named \"z\"", {.columns = {"z"}});
  refuses("a\n1\n", "has 1 columns; column index 3 is out of range", {.columns = {3}});
  refuses("", "has no columns to parse");
  refuses("\n\n", "has no columns to parse");
  REQUIRE_THROWS_AS(read_csv(dir.path / "absent.csv"), IOError);
  // A number below float32's smallest rounds towards 0, as a cast from float64 would.
  const auto tiny = dir.write("tiny.csv", "a\n1e-50\n");
  REQUIRE(read_csv(tiny).values(0, 0) == 0.f);
  // A header alone is an empty table with its columns.
  const auto header_only = dir.write("h.csv", "a,b\n");
  const CsvTable empty = read_csv(header_only);
  REQUIRE(shape_of(empty) == std::vector<std::size_t>{0, 2});
}
