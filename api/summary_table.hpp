#pragma once
/// Internal: renders Keras 3's `model.summary()` (keras/src/utils/summary_utils.py, drawn by
/// `rich` with box.HEAVY_HEAD and show_lines) as plain text, byte for byte as Keras prints it
/// to a file or a pipe. Model::summary collects the rows and totals; this file only draws.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/tensor.hpp"

namespace strata::detail {

/// One layer row.
struct SummaryRow {
  std::string name;                    ///< layer name, e.g. "batch_normalization"
  std::string class_name;              ///< e.g. "BatchNormalization"; the cell reads "name (class_name)"
  std::string output_shape;            ///< e.g. "(None, 26, 26, 8)"; "?" when unbuilt
  std::optional<std::int64_t> params;  ///< empty for an unbuilt layer: shown "0 (unbuilt)"
  std::string connected_to;            ///< functional tables only: "dense_2[0][0], b[0][0]" or "-"
};

/// A parameter count and its size in bytes (each weight's elements at its dtype's size).
struct SummaryCount {
  std::int64_t params = 0;
  std::int64_t bytes = 0;
  /// Counts the elements and bytes of `weight`.
  void add(const Tensor& weight) {
    params += weight.size();
    bytes += static_cast<std::int64_t>(weight.bytes());
  }
};

struct SummaryTotals {
  SummaryCount trainable;
  SummaryCount non_trainable;
  /// Present once the optimizer is built: printed, and counted in Total params, as Keras does.
  std::optional<SummaryCount> optimizer;
};

/// Keras's default table width: min(88 (sequential) or 108 (functional), terminal columns - 4),
/// where the terminal columns come from $COLUMNS, then the terminal on stdout, else 80
/// (Python's shutil.get_terminal_size). Outside a terminal this gives 76, as Keras prints in logs.
int default_summary_line_length(bool sequential_like);

/// Terminal columns as shutil.get_terminal_size() finds them ($COLUMNS, stdout's terminal, 80).
int terminal_columns();

/// `1234567` -> `"1,234,567"`.
std::string format_thousands(std::int64_t value);

/// Keras's readable_memory_size: 1024-based, `"{:.2f} {unit}"` with B, KB, MB, GB, TB, PB.
std::string readable_memory_size(double bytes);

/// The whole summary: `Model: "name"`, the table and the totals, each line ending in '\n'.
/// `sequential_like` picks Keras's three columns (positions 0.45, 0.80, 1.0) or four with
/// "Connected to" (0.3, 0.56, 0.74, 1.0). `line_length` 0 means default_summary_line_length.
std::string render_summary(const std::string& model_name, const std::vector<SummaryRow>& rows,
                           const SummaryTotals& totals, bool sequential_like = true, int line_length = 0);

/// Only the box table (rich's Table with fixed column widths), for the given headers,
/// justifications ('l', 'r', 'c'), positions (fractions of line_length, the last 1.0) and cells.
std::string render_box_table(const std::vector<std::string>& headers, const std::string& justify,
                             const std::vector<double>& positions, int line_length,
                             const std::vector<std::vector<std::string>>& rows);

}  // namespace strata::detail
