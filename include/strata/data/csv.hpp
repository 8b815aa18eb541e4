#pragma once
/// @file
/// read_csv: a numeric table from a CSV file, as a float array and its column names.
///
///     // sklearn's breast_cancer.csv: a first line of counts, then 30 features and the label.
///     auto table = strata::data::read_csv("breast_cancer.csv", {.header = false, .skip_rows = 1});
///     xt::xarray<float> x = xt::view(table.values, xt::all(), xt::range(0, 30));
///
///     auto cars = strata::data::read_csv("cars.csv", {.columns = {"weight", "mpg", 0}});
///
/// Every line holds the same number of fields, split at `delimiter`; a field may be quoted with
/// double quotes ("a,b" is one field, "" inside quotes is one quote). Spaces around a field are
/// ignored; blank lines are skipped; a UTF-8 byte order mark and Windows line ends are accepted.
/// A field is a number as C++'s `std::from_chars` reads it into a float (an optional sign, digits,
/// a decimal point, an exponent; `inf` is one, and so is `nan` when it is not a spelling of
/// `missing_values`, as it is by default), correctly rounded to float32.
///
/// Errors: IOError when the file cannot be read; ValueError naming the file, the line (counted
/// from 1, as an editor shows it) and the column (its index from 0 and its name) for a field
/// that is not a number, is out of float32's range, is missing (a spelling of
/// `missing_values`) when no `fill_value` is given, a line with another number of fields, an
/// unterminated quote; ValueError for a selected column the file does not have, and for an empty file.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace strata::data {

/// A column of a CSV file: its name (from the header) or its index (from 0).
struct CsvColumn {
  /// By name: the file must have a header naming it.
  CsvColumn(std::string name) : name(std::move(name)) {}
  /// By name, from a string literal.
  CsvColumn(const char* name) : name(name) {}
  /// By index from 0; negative counts from the last column (-1: the last).
  CsvColumn(int index) : index(index) {}
  /// The column's name; empty when given by index.
  std::string name;
  /// The column's index when given by index.
  std::optional<int> index;
};

/// How read_csv reads a file.
struct CsvOptions {
  /// Whether the first line read (after `skip_rows`) holds the column names. Without one, the
  /// columns are named by their index ("0", "1", ...).
  bool header = true;
  /// Lines skipped at the top of the file before the header or the data (blank ones included).
  int skip_rows = 0;
  /// The character between fields.
  char delimiter = ',';
  /// The columns kept, in this order; empty: every column.
  std::vector<CsvColumn> columns = {};
  /// The spellings of a missing value (compared after spaces are trimmed); the empty field is
  /// always one. Add "?" for the UCI repository's files.
  std::vector<std::string> missing_values = {"NA", "N/A", "NaN", "nan", "NULL", "null"};
  /// The value a missing field becomes (NAN keeps it visible); without one, a missing field is
  /// a ValueError naming its line and column.
  std::optional<float> fill_value = std::nullopt;
};

/// A table read by read_csv.
struct CsvTable {
  /// The values, shape (rows, columns), in the file's row order and the selected column order.
  xt::xarray<float> values;
  /// The kept columns' names (from the header, else their indices as text).
  std::vector<std::string> column_names;
};

/// Reads the numeric CSV file at `path` (see the file's documentation for the format and errors).
CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

}  // namespace strata::data
