// Expected tables, byte for byte. The first is the measured Keras 3 output quoted in
// reference/keras.md §5.2; the others come from tests/api/make_summary_goldens.py, which draws them
// with the real `rich` (15.0) the way keras/src/utils/summary_utils.py does.

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "api/summary_table.hpp"
#include "strata/error.hpp"

namespace {

using strata::detail::render_summary;
using strata::detail::SummaryCount;
using strata::detail::SummaryRow;
using strata::detail::SummaryTotals;

std::vector<SummaryRow> seq_rows() {
  return {
      {"conv2d", "Conv2D", "(None, 26, 26, 8)", 80, ""},
      {"batch_normalization", "BatchNormalization", "(None, 26, 26, 8)", 32, ""},
      {"max_pooling2d", "MaxPooling2D", "(None, 13, 13, 8)", 0, ""},
      {"flatten", "Flatten", "(None, 1352)", 0, ""},
      {"dense", "Dense", "(None, 10)", 13530, ""},
  };
}

// A count of `params` float32 parameters, 4 bytes each.
SummaryCount f32_params(std::int64_t params) { return {params, params * 4}; }

SummaryTotals seq_totals() { return {f32_params(13626), f32_params(16), {}}; }

}  // namespace

TEST_CASE("summary: the measured Keras sample (width 76), byte for byte", "[summary]") {
  // keras.md §5.2, as Keras prints it to a file or pipe (terminal of 80 columns -> width 76).
  const std::string expected = R"golden(Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ conv2d (Conv2D)                 │ (None, 26, 26, 8)      │            80 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ batch_normalization             │ (None, 26, 26, 8)      │            32 │
│ (BatchNormalization)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ max_pooling2d (MaxPooling2D)    │ (None, 13, 13, 8)      │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ flatten (Flatten)               │ (None, 1352)           │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 10)             │        13,530 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 13,642 (53.29 KB)
 Trainable params: 13,626 (53.23 KB)
 Non-trainable params: 16 (64.00 B)
)golden";
  CHECK(render_summary("seq", seq_rows(), seq_totals(), true, 76) == expected);
}

TEST_CASE("summary: default width 88", "[summary]") {
  const std::string expected = R"golden(Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ conv2d (Conv2D)                      │ (None, 26, 26, 8)           │              80 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ batch_normalization                  │ (None, 26, 26, 8)           │              32 │
│ (BatchNormalization)                 │                             │                 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ max_pooling2d (MaxPooling2D)         │ (None, 13, 13, 8)           │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ flatten (Flatten)                    │ (None, 1352)                │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense (Dense)                        │ (None, 10)                  │          13,530 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 13,642 (53.29 KB)
 Trainable params: 13,626 (53.23 KB)
 Non-trainable params: 16 (64.00 B)
)golden";
  CHECK(render_summary("seq", seq_rows(), seq_totals(), true, 88) == expected);
}

TEST_CASE("summary: optimizer params are printed and counted in the total", "[summary]") {
  const std::vector<SummaryRow> rows = {
      {"flatten", "Flatten", "(None, 784)", 0, ""},
      {"dense", "Dense", "(None, 128)", 100480, ""},
      {"dropout", "Dropout", "(None, 128)", 0, ""},
      {"dense_1", "Dense", "(None, 10)", 1290, ""},
  };
  const SummaryTotals totals{f32_params(101770), f32_params(0), f32_params(203542)};
  const std::string expected = R"golden(Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ flatten (Flatten)                    │ (None, 784)                 │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense (Dense)                        │ (None, 128)                 │         100,480 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dropout (Dropout)                    │ (None, 128)                 │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_1 (Dense)                      │ (None, 10)                  │           1,290 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 305,312 (1.16 MB)
 Trainable params: 101,770 (397.54 KB)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 203,542 (795.09 KB)
)golden";
  CHECK(render_summary("sequential", rows, totals, true, 88) == expected);
}

TEST_CASE("summary: long names are cut with an ellipsis, shapes wrap, unbuilt layers", "[summary]") {
  const std::vector<SummaryRow> rows = {
      {"a_really_long_layer_name_that_cannot_fit_in_the_column", "Dense", "?", std::nullopt, ""},
      {"conv2d_transpose_12", "Conv2DTranspose", "(None, 128, 128, 256, 3)", 1234567, ""},
      {"x", "Dense", "(None, 4)\n(None, 5)", 20, ""},
  };
  const SummaryTotals totals{f32_params(1234587), f32_params(0), {}};
  const std::string expected = R"golden(Model: "a_model_with_a_long_name"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ a_really_long_layer_name_that_… │ ?                      │   0 (unbuilt) │
│ (Dense)                         │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2d_transpose_12             │ (None, 128, 128, 256,  │     1,234,567 │
│ (Conv2DTranspose)               │ 3)                     │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ x (Dense)                       │ (None, 4)              │            20 │
│                                 │ (None, 5)              │               │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 1,234,587 (4.71 MB)
 Trainable params: 1,234,587 (4.71 MB)
 Non-trainable params: 0 (0.00 B)
)golden";
  CHECK(render_summary("a_model_with_a_long_name", rows, totals, true, 76) == expected);
}

TEST_CASE("summary: functional models get the Connected to column", "[summary]") {
  const std::vector<SummaryRow> rows = {
      {"a", "InputLayer", "(None, 4)", 0, ""},
      {"b", "InputLayer", "(None, 3)", 0, "-"},
      {"dense_2", "Dense", "(None, 8)", 40, "a[0][0]"},
      {"concatenate", "Concatenate", "(None, 11)", 0, "dense_2[0][0], b[0][0]"},
      {"dense_3", "Dense", "(None, 1)", 12, "concatenate[0][0]"},
  };
  const SummaryTotals totals{f32_params(52), f32_params(0), {}};
  const std::string expected = R"golden(Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 3)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_2 (Dense)     │ (None, 8)         │         40 │ a[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 11)        │          0 │ dense_2[0][0],    │
│ (Concatenate)       │                   │            │ b[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_3 (Dense)     │ (None, 1)         │         12 │ concatenate[0][0] │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 52 (208.00 B)
 Trainable params: 52 (208.00 B)
 Non-trainable params: 0 (0.00 B)
)golden";
  CHECK(render_summary("functional", rows, totals, false, 76) == expected);

  const std::vector<SummaryRow> wide = {
      {"a", "InputLayer", "(None, 4)", 0, ""},
      {"concatenate", "Concatenate", "(None, 11)", 0, "dense_2[0][0], b[0][0], c[0][0], d[0][0]"},
  };
  const SummaryTotals wide_totals{f32_params(0), f32_params(0), f32_params(1)};
  const std::string expected_wide = R"golden(Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                  ┃ Output Shape              ┃         Param # ┃ Connected to               ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)                │ (None, 4)                 │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ concatenate (Concatenate)     │ (None, 11)                │               0 │ dense_2[0][0], b[0][0],    │
│                               │                           │                 │ c[0][0], d[0][0]           │
└───────────────────────────────┴───────────────────────────┴─────────────────┴────────────────────────────┘
 Total params: 1 (4.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 1 (4.00 B)
)golden";
  CHECK(render_summary("functional", wide, wide_totals, false, 108) == expected_wide);
}

TEST_CASE("summary: numbers and sizes", "[summary]") {
  using strata::detail::format_thousands;
  using strata::detail::readable_memory_size;
  CHECK(format_thousands(0) == "0");
  CHECK(format_thousands(999) == "999");
  CHECK(format_thousands(1000) == "1,000");
  CHECK(format_thousands(13642) == "13,642");
  CHECK(format_thousands(1234567) == "1,234,567");
  CHECK(format_thousands(-1234) == "-1,234");
  CHECK(readable_memory_size(0) == "0.00 B");
  CHECK(readable_memory_size(64) == "64.00 B");
  CHECK(readable_memory_size(1023) == "1023.00 B");
  CHECK(readable_memory_size(1024) == "1.00 KB");
  CHECK(readable_memory_size(54568) == "53.29 KB");
  CHECK(readable_memory_size(1221248.0) == "1.16 MB");
  CHECK(readable_memory_size(3.0 * 1024 * 1024 * 1024) == "3.00 GB");
}

TEST_CASE("summary: default width follows the terminal as Keras's shutil call does", "[summary]") {
  const int columns = strata::detail::terminal_columns();
  CHECK(columns > 0);
  CHECK(strata::detail::default_summary_line_length(true) == std::min(88, columns - 4));
  CHECK(strata::detail::default_summary_line_length(false) == std::min(108, columns - 4));
}

TEST_CASE("summary: too narrow a table is refused", "[summary]") {
  CHECK_THROWS_AS(render_summary("m", seq_rows(), seq_totals(), true, 8), strata::ValueError);
}
