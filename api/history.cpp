#include "strata/history.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "api/csv_field.hpp"
#include "api/saving/atomic_file.hpp"
#include "optimizers/config.hpp"
#include "strata/error.hpp"

extern char** environ;

namespace strata {

namespace {

// A float as Python's repr writes it (what csv and json.dumps write); json.dumps spells the
// non-finite values NaN, Infinity and -Infinity.
std::string python_float(double value, bool json) {
  if (json && std::isnan(value)) return "NaN";
  if (json && std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return optimizers::detail::py_repr(value);
}

// Every key must hold one value per epoch for a row (or an x position) to mean an epoch.
void check_lengths(const History& history, const char* what) {
  for (const auto& [key, values] : history.history)
    STRATA_CHECK(values.size() == history.epoch.size(), ValueError, what, ": \"", key, "\" holds ", values.size(),
                 " values for ", history.epoch.size(),
                 " epochs; History does not record which epochs a value belongs to (validation_freq above 1 "
                 "logs val_ keys on some epochs only)");
}

void write_text(const std::string& path, const std::string& text) {
  detail::write_file_atomically(path, std::as_bytes(std::span(text.data(), text.size())));
}

// ---- plot ----

// A gnuplot single-quoted string: nothing is interpreted but '' (one quote). Control characters
// would end the command, so they become '?'.
std::string gnuplot_string(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'')
      out += "''";
    else if (static_cast<unsigned char>(c) < 0x20)
      out += '?';
    else
      out += c;
  }
  return out + "'";
}

// Temporary files removed when the plot returns, however it returns.
struct TempFile {
  std::string path;
  int fd = -1;
  explicit TempFile(const char* stem) {
    path = (std::filesystem::temp_directory_path() / (std::string(stem) + "XXXXXX")).string();
    fd = ::mkstemp(path.data());
    STRATA_CHECK(fd >= 0, IOError, "History.plot: cannot create a temporary file in ",
                 std::filesystem::temp_directory_path().string(), ": ", std::strerror(errno));
  }
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    ::unlink(path.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

std::string read_fd(int fd) {
  std::string text;
  char buffer[4096];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  return text;
}

// The panels: loss first, then the other metrics in key order; a val_ key joins its metric.
std::vector<std::string> panel_names(const History& history, const HistoryPlotOptions& options) {
  std::set<std::string> bases;
  for (const auto& [key, values] : history.history) bases.insert(key.starts_with("val_") ? key.substr(4) : key);
  if (!options.metrics.empty()) {
    for (const auto& name : options.metrics) {
      if (bases.count(name)) continue;
      std::string known;
      for (const auto& base : bases) known += (known.empty() ? "" : ", ") + base;
      throw ValueError(detail::concat("History.plot: no metric \"", name, "\" in the history; it has: ", known));
    }
    return options.metrics;
  }
  std::vector<std::string> names;
  if (bases.count("loss")) names.push_back("loss");
  for (const auto& base : bases)
    if (base != "loss") names.push_back(base);
  return names;
}

std::string plot_script(const History& history, const HistoryPlotOptions& options, const std::string& terminal,
                        const std::string& output) {
  const std::vector<std::string> panels = panel_names(history, options);
  const int columns = std::min<int>(options.columns, static_cast<int>(panels.size()));
  const int rows = (static_cast<int>(panels.size()) + columns - 1) / columns;
  std::ostringstream s;
  // noenhanced: keys such as val_loss are text, not subscript markup.
  s << "set terminal " << terminal << " size " << options.panel_width * columns << "," << options.panel_height * rows
    << " noenhanced font 'sans,10'\n";
  s << "set output " << gnuplot_string(output) << "\n";
  // The data inline, one column per key (column 1: the 1-based epoch); NaN and infinities are
  // written as NaN, which gnuplot leaves out of the curve.
  std::map<std::string, int> column;
  s << "$history << EOD\n";
  for (std::size_t row = 0; row < history.epoch.size(); ++row) {
    s << history.epoch[row] + 1;
    int c = 2;
    for (const auto& [key, values] : history.history) {
      column[key] = c++;
      const double v = values[row];
      s << ' ';
      if (std::isfinite(v))
        s << python_float(v, false);
      else
        s << "NaN";
    }
    s << '\n';
  }
  s << "EOD\n";
  s << "set multiplot layout " << rows << "," << columns;
  if (!options.title.empty()) s << " title " << gnuplot_string(options.title) << " font 'sans,12'";
  s << "\n";
  // The legend goes below each panel, where it never hides a curve; the offsets keep the
  // first and last points off the frame (xfix: the epoch axis is not widened to the next tic).
  s << "set grid\nset key below\nset autoscale xfix\nset offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n"
    << "set xlabel 'epoch'\nset format x '%g'\n";
  if (history.epoch.size() <= 15) s << "set xtics 1\n";
  for (const std::string& panel : panels) {
    s << "set title " << gnuplot_string(panel) << "\nset ylabel " << gnuplot_string(panel) << "\nplot ";
    bool first = true;
    for (const std::string& key : {panel, "val_" + panel}) {
      if (!column.count(key)) continue;
      s << (first ? "" : ", ") << "$history using 1:" << column[key] << " with linespoints lw 2 pt 7 ps 0.6 title "
        << gnuplot_string(key);
      first = false;
    }
    s << "\n";
  }
  s << "unset multiplot\nset output\n";
  return s.str();
}

}  // namespace

std::string History::to_csv() const {
  check_lengths(*this, "History.to_csv");
  std::string out = "epoch";
  for (const auto& [key, values] : history) {
    out += ',';
    out += detail::csv_field(key);
  }
  out += "\r\n";
  for (std::size_t row = 0; row < epoch.size(); ++row) {
    out += std::to_string(epoch[row]);
    for (const auto& [key, values] : history) {
      out += ',';
      out += python_float(values[row], false);
    }
    out += "\r\n";
  }
  return out;
}

void History::to_csv(const std::string& path) const { write_text(path, to_csv()); }

std::string History::to_json() const {
  // Key strings escaped as json.dumps escapes them (ASCII only, \uXXXX beyond).
  const auto key_text = [](const std::string& key) {
    return nlohmann::json(key).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  };
  std::string out = "{\"epoch\": [";
  for (std::size_t i = 0; i < epoch.size(); ++i) out += (i ? ", " : "") + std::to_string(epoch[i]);
  out += "], \"history\": {";
  bool first = true;
  for (const auto& [key, values] : history) {
    out += (first ? "" : ", ") + key_text(key) + ": [";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + python_float(values[i], true);
    out += "]";
    first = false;
  }
  out += "}, \"params\": {";
  first = true;
  for (const auto& [key, value] : params) {
    out += (first ? "" : ", ") + key_text(key) + ": " + std::to_string(value);
    first = false;
  }
  return out + "}}";
}

void History::to_json(const std::string& path) const { write_text(path, to_json()); }

void History::plot(const std::string& path, const HistoryPlotOptions& options) const {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  STRATA_CHECK(extension == ".png" || extension == ".svg", ValueError,
               "History.plot: the file name must end in .png or .svg, received \"", path, "\"");
  STRATA_CHECK(!epoch.empty() && !history.empty(), ValueError,
               "History.plot: the history is empty (fit ran no epoch), nothing to draw");
  STRATA_CHECK(options.panel_width > 0 && options.panel_height > 0 && options.columns > 0, ValueError,
               "History.plot: panel_width, panel_height and columns must be positive");
  check_lengths(*this, "History.plot");

  TempFile script("strata_plot_"), image("strata_plot_image_"), log("strata_plot_log_");
  const std::string text = plot_script(*this, options, extension == ".png" ? "pngcairo" : "svg", image.path);
  STRATA_CHECK(::write(script.fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()), IOError,
               "History.plot: cannot write the temporary gnuplot script ", script.path, ": ", std::strerror(errno));

  // posix_spawnp, not fork: the process may run OpenMP threads, and a forked copy of a
  // threaded process may only call async-signal-safe functions.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, log.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, log.fd, 2);
  char program[] = "gnuplot";
  char* argv[] = {program, script.path.data(), nullptr};
  pid_t child = 0;
  const int spawned = ::posix_spawnp(&child, program, &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  STRATA_CHECK(spawned != ENOENT, IOError, "History.plot needs gnuplot to write \"", path,
               "\", and there is no gnuplot on PATH; install it (Debian: apt-get install gnuplot-nox)");
  STRATA_CHECK(spawned == 0, IOError, "History.plot: cannot start gnuplot: ", std::strerror(spawned));
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  STRATA_CHECK(ok, IOError, "History.plot: gnuplot failed to draw \"", path, "\" (",
               WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                 : "killed by signal " + std::to_string(WTERMSIG(status)),
               "): ", read_fd(log.fd));
  const std::string drawn = read_fd(image.fd);
  STRATA_CHECK(!drawn.empty(), IOError, "History.plot: gnuplot wrote nothing for \"", path, "\": ", read_fd(log.fd));
  write_text(path, drawn);
}

}  // namespace strata
