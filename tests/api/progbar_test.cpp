// Progress bar tests. The expected bytes of the scenarios come from Keras's own
// keras/src/utils/progbar.py (3.15) run with a scripted clock by tests/api/make_progbar_goldens.py.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "api/progbar_format.hpp"
#include "strata/progbar.hpp"

namespace {

using strata::Logs;
using strata::detail::ProgbarCore;
using strata::detail::ProgbarOptions;

struct Step {
  double now;
  std::int64_t current;
  Logs values;
  std::optional<bool> finalize;
};

// Runs a bar started at t = 100 s through `steps` and returns everything it wrote.
std::string run(std::optional<std::int64_t> target, int verbose, bool interactive, const std::vector<Step>& steps) {
  ProgbarOptions options;
  options.target = target;
  options.verbose = verbose;
  options.interactive = interactive;
  ProgbarCore core(options, 100.0);
  std::string out;
  for (const Step& step : steps) out += core.update(step.current, step.values, step.finalize, step.now);
  return out;
}

const std::vector<Step> kInteractiveSteps = {
    {100.5, 1, {{"accuracy", 0.25}, {"loss", 2.5}}, {}},
    {100.515625, 2, {{"accuracy", 0.5}, {"loss", 1.25}}, {}},  // within 50 ms: not drawn
    {101.5, 3, {{"accuracy", 0.5}, {"loss", 1.25}}, {}},
    {102.0, 5, {{"loss", 0.0005}}, {}},  // accuracy keeps its place and last value
    {104.0, 10, {{"accuracy", 0.875}, {"loss", 0.375}}, false},
    {104.25, 10, {{"accuracy", 0.875}, {"loss", 0.375}, {"val_accuracy", 0.5}, {"val_loss", -0.5}}, true},
};

bool has_control_characters(const std::string& s) {
  for (const char c : s)
    if (c == '\x1b' || c == '\r' || c == '\b') return true;
  return false;
}

}  // namespace

TEST_CASE("progbar: the measured Keras redraw, byte for byte", "[progbar]") {
  // keras.md §5.1: `\r\x1b[1m 937/1875\x1b[0m \x1b[32m━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━\x1b[0m
  // \x1b[1m0s\x1b[0m 64us/step - accuracy: 0.8712 - loss: 0.4410`.
  const auto line =
      strata::detail::render_progbar_line(1875, 937, false, 5.0, 64e-6, {{"accuracy", 0.8712}, {"loss", 0.4410}}, true);
  CHECK(line.text ==
        "\x1b[1m 937/1875\x1b[0m \x1b[32m━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━\x1b[0m \x1b[1m0s\x1b[0m "
        "64us/step - accuracy: 0.8712 - loss: 0.4410");
  CHECK(line.width == std::string(" 937/1875 ").size() + 20 +
                          std::string(" 0s 64us/step - accuracy: "
                                      "0.8712 - loss: 0.4410")
                              .size());
}

TEST_CASE("progbar: plain finished line and verbose 2 lines as Keras prints them", "[progbar]") {
  using strata::detail::render_progbar_line;
  using strata::detail::render_progbar_v2_line;
  CHECK(render_progbar_line(1688, 1688, true, 2.2, 0.0012, {{"accuracy", 0.8213}, {"loss", 0.5046}}, false).text ==
        "1688/1688 ━━━━━━━━━━━━━━━━━━━━ 2s 1ms/step - accuracy: 0.8213 - loss: 0.5046");
  CHECK(render_progbar_line(313, 313, true, 0.3, 878e-6, {{"accuracy", 0.8716}, {"loss", 0.3586}}, false).text ==
        "313/313 ━━━━━━━━━━━━━━━━━━━━ 0s 878us/step - accuracy: 0.8716 - loss: 0.3586");
  CHECK(render_progbar_v2_line(
            1875, 1875, 0.2, 98e-6,
            {{"accuracy", 0.9123}, {"loss", 0.3001}, {"val_accuracy", 0.9561}, {"val_loss", 0.1502}}) ==
        "1875/1875 - 0s - 98us/step - accuracy: 0.9123 - loss: 0.3001 - val_accuracy: 0.9561 - "
        "val_loss: 0.1502");
  CHECK(render_progbar_v2_line(32, 32, 0.04, 1.2e-3, {{"accuracy", 0.3290}, {"loss", 1.1664}}) ==
        "32/32 - 0s - 1ms/step - accuracy: 0.3290 - loss: 1.1664");
}

TEST_CASE("progbar: time formats", "[progbar]") {
  using strata::detail::format_eta;
  using strata::detail::format_time_per_unit;
  CHECK(format_eta(0) == "0s");
  CHECK(format_eta(0.06) == "0s");
  CHECK(format_eta(59.9) == "59s");
  CHECK(format_eta(60) == "60s");
  CHECK(format_eta(61) == "1:01");
  CHECK(format_eta(249.75) == "4:09");
  CHECK(format_eta(3600) == "60:00");
  CHECK(format_eta(3661.5) == "1:01:01");
  CHECK(format_eta(99999) == "27:46:39");
  CHECK(format_time_per_unit(0) == " 0s/step");
  CHECK(format_time_per_unit(1) == " 1s/step");
  CHECK(format_time_per_unit(2.5) == " 2s/step");  // Python rounds half to even, as printf does
  CHECK(format_time_per_unit(0.5) == " 500ms/step");
  CHECK(format_time_per_unit(0.9996) == " 1000ms/step");
  CHECK(format_time_per_unit(1e-3) == " 1ms/step");
  CHECK(format_time_per_unit(64e-6) == " 64us/step");
  CHECK(format_time_per_unit(2.0, "epoch") == " 2s/epoch");
}

TEST_CASE("progbar: log values", "[progbar]") {
  using strata::detail::format_log_value;
  using strata::detail::format_log_value_v2;
  CHECK(format_log_value(0.82131) == "0.8213");
  CHECK(format_log_value(-0.5) == "-0.5000");
  CHECK(format_log_value(12345.678) == "12345.6780");
  CHECK(format_log_value(0.001) == "1.0000e-03");
  CHECK(format_log_value(0.0005) == "5.0000e-04");
  CHECK(format_log_value(-0.0005) == "-5.0000e-04");
  CHECK(format_log_value(0) == "0.0000e+00");
  CHECK(format_log_value(std::nan("")) == "nan");
  CHECK(format_log_value(-std::nan("")) == "nan");
  CHECK(format_log_value(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(format_log_value_v2(0.5) == "0.5000");
  CHECK(format_log_value_v2(-0.5) == "-5.0000e-01");  // Keras's verbose 2 tests v > 1e-3
  CHECK(strata::detail::progbar_num_digits(0) == 1);
  CHECK(strata::detail::progbar_num_digits(9) == 1);
  CHECK(strata::detail::progbar_num_digits(10) == 2);
  CHECK(strata::detail::progbar_num_digits(1875) == 4);
}

TEST_CASE("progbar: interactive redraws match Keras byte for byte", "[progbar]") {
  CHECK(run(10, 1, true, kInteractiveSteps) ==
        "\r\x1b"
        "[1m 1/10\x1b"
        "[0m \x1b"
        "[32m━━\x1b"
        "[0m\x1b"
        "[37m━━━━━━━━━━━━━━━━━━\x1b"
        "[0m \x1b"
        "[1m4s\x1b"
        "[0m 500ms/step - accuracy: 0.2500 - loss: "
        "2."
        "5000\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b"
        "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r\x1b"
        "[1m 3/10\x1b"
        "[0m \x1b"
        "[32m━━━━━━\x1b"
        "[0m\x1b"
        "[37m━━━━━━━━━━━━━━\x1b"
        "[0m \x1b"
        "[1m3s\x1b"
        "[0m 500ms/step - accuracy: 0.5000 - loss: "
        "1."
        "2500\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b"
        "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r\x1b"
        "[1m 5/10\x1b"
        "[0m \x1b"
        "[32m━━━━━━━━━━\x1b"
        "[0m\x1b"
        "[37m━━━━━━━━━━\x1b"
        "[0m \x1b"
        "[1m1s\x1b"
        "[0m 375ms/step - accuracy: 0.5000 - loss: "
        "5.0000e-"
        "04\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b"
        "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r\x1b"
        "[1m10/10\x1b"
        "[0m \x1b"
        "[32m━━━━━━━━━━━━━━━━━━━━\x1b"
        "[0m\x1b"
        "[37m\x1b"
        "[0m \x1b"
        "[1m0s\x1b"
        "[0m 389ms/step - accuracy: 0.8750 - loss: 0.3750    "
        "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b"
        "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r\x1b"
        "[1m10/10\x1b"
        "[0m \x1b"
        "[32m━━━━━━━━━━━━━━━━━━━━\x1b"
        "[0m\x1b"
        "[37m\x1b"
        "[0m \x1b"
        "[1m4s\x1b"
        "[0m 417ms/step - accuracy: 0.8750 - loss: 0.3750 - val_accuracy: 0.5000 - val_loss: -0.5000\n");
}

TEST_CASE("progbar: hour ETA, overrun widths, minutes ETA", "[progbar]") {
  CHECK(
      run(100000, 1, true, {{101.0, 1, {}, {}}, {111.0, 2, {}, {}}, {151.0, 3, {}, {}}, {151.5, 100000, {}, {}}}) ==
      "\r\x1b"
      "[1m     1/100000\x1b"
      "[0m \x1b"
      "[37m━━━━━━━━━━━━━━━━━━━━\x1b"
      "[0m \x1b"
      "[1m27:46:39\x1b"
      "[0m "
      "1s/"
      "step\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r\x1b"
      "[1m     2/100000\x1b"
      "[0m \x1b"
      "[37m━━━━━━━━━━━━━━━━━━━━\x1b"
      "[0m \x1b"
      "[1m277:46:20\x1b"
      "[0m "
      "10s/"
      "step\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r"
      "\x1b"
      "[1m     3/100000\x1b"
      "[0m \x1b"
      "[37m━━━━━━━━━━━━━━━━━━━━\x1b"
      "[0m \x1b"
      "[1m694:25:25\x1b"
      "[0m "
      "25s/"
      "step\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r"
      "\x1b"
      "[1m100000/100000\x1b"
      "[0m \x1b"
      "[32m━━━━━━━━━━━━━━━━━━━━\x1b"
      "[0m\x1b"
      "[37m\x1b"
      "[0m \x1b"
      "[1m52s\x1b"
      "[0m 505us/step    \n");
  CHECK(run(1000, 1, true, {{100.25, 1, {{"loss", 1.0}}, {}}, {100.5, 2, {{"loss", 1.0}}, {}}}) ==
        "\r\x1b"
        "[1m   1/1000\x1b"
        "[0m \x1b"
        "[37m━━━━━━━━━━━━━━━━━━━━\x1b"
        "[0m \x1b"
        "[1m4:09\x1b"
        "[0m 250ms/step - loss: "
        "1."
        "0000\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b"
        "\b\b\b\b\b\b\b\b\r\x1b"
        "[1m   2/1000\x1b"
        "[0m \x1b"
        "[37m━━━━━━━━━━━━━━━━━━━━\x1b"
        "[0m \x1b"
        "[1m4:09\x1b"
        "[0m 250ms/step - loss: 1.0000");
}

TEST_CASE("progbar: unknown target", "[progbar]") {
  CHECK(
      run(std::nullopt, 1, true,
          {{100.5, 1, {{"loss", 1.0}}, {}}, {103.0, 250, {{"loss", 0.5}}, {}}, {103.5, 300, {{"loss", 0.25}}, true}}) ==
      "\r      1/Unknown \x1b"
      "[1m0s\x1b"
      "[0m 500ms/step - loss: "
      "1.0000\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r    250/Unknown "
      "\x1b"
      "[1m3s\x1b"
      "[0m 10ms/step - loss: 0.5000 "
      "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r    300/Unknown \x1b"
      "[1m4s\x1b"
      "[0m 10ms/step - loss: 0.2500\n");
}

TEST_CASE("progbar: verbose 2 writes one line at the end", "[progbar]") {
  const std::vector<Step> steps = {
      {100.5, 1, {{"accuracy", 0.5}, {"loss", 1.0}}, {}},
      {100.75, 1000, {{"accuracy", 0.75}, {"loss", 0.5}}, false},
      {101.75, 1875, {{"accuracy", 0.9123}, {"loss", 0.3001}, {"val_accuracy", 0.9561}, {"val_loss", -0.1502}}, true},
  };
  CHECK(
      run(1875, 2, true, steps) ==
      "1875/1875 - 2s - 667us/step - accuracy: 0.9123 - loss: 0.3001 - val_accuracy: 0.9561 - val_loss: -1.5020e-01\n");
  CHECK(run(1875, 2, false, steps) == run(1875, 2, true, steps));
  // Keras prints nothing at verbose 2 without a known target.
  CHECK(run(std::nullopt, 2, true, {{101.0, 5, {{"loss", 1.0}}, true}}).empty());
}

TEST_CASE("progbar: not interactive, only the finished line and no control characters", "[progbar]") {
  const std::string out = run(10, 1, false, kInteractiveSteps);
  CHECK_FALSE(has_control_characters(out));
  CHECK(out ==
        "10/10 ━━━━━━━━━━━━━━━━━━━━ 4s 417ms/step - accuracy: 0.8750 - loss: 0.3750 - "
        "val_accuracy: 0.5000 - val_loss: -0.5000\n");
  // One line per bar: a bar finished by reaching its target prints once.
  CHECK(run(3, 1, false, {{100.5, 1, {}, {}}, {101.0, 2, {}, {}}, {101.5, 3, {{"loss", 0.5}}, {}}}) ==
        "3/3 ━━━━━━━━━━━━━━━━━━━━ 2s 500ms/step - loss: 0.5000\n");
}

TEST_CASE("progbar: verbose 0 is silent", "[progbar]") {
  CHECK(run(10, 0, true, kInteractiveSteps).empty());
  CHECK(run(10, 0, false, kInteractiveSteps).empty());
}

TEST_CASE("progbar: first step left out of the average", "[progbar]") {
  ProgbarOptions options;
  options.target = 100;
  ProgbarCore core(options, 0.0);
  CHECK(core.estimate_step_duration(0, 1.0) == 0.0);
  CHECK(core.estimate_step_duration(1, 2.0) == 2.0);   // (2 - 0) / 1; first step ends at t = 2
  CHECK(core.estimate_step_duration(5, 3.0) == 0.25);  // (3 - 2) / 4
}

TEST_CASE("progbar: Progbar writes to a stream, plain when it is not a terminal", "[progbar]") {
  std::ostringstream out;
  {
    strata::Progbar bar(4, 1, out);
    for (int step = 1; step <= 4; ++step) bar.update(step, {{"loss", 0.5}, {"accuracy", 0.25}});
  }
  const std::string text = out.str();
  CHECK_FALSE(has_control_characters(text));
  CHECK(text.rfind("4/4 ━━━━━━━━━━━━━━━━━━━━ 0s ", 0) == 0);
  CHECK(text.find(" - accuracy: 0.2500 - loss: 0.5000\n") != std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);

  std::ostringstream forced;
  strata::Progbar bar(2, 1, forced, true);
  bar.update(1, {});
  CHECK(forced.str().rfind("\r\x1b[1m1/2\x1b[0m ", 0) == 0);
  strata::Progbar moved = std::move(bar);
  moved.update(2, {});
  CHECK(forced.str().back() == '\n');
}
