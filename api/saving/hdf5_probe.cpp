#include "api/saving/hdf5_probe.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "strata/error.hpp"

namespace strata::detail {

namespace {

// Attributes the loaders read; the probe reads each one everywhere it exists.
constexpr const char* kAttributes[] = {"name",  "layer_names",   "weight_names", "model_config", "training_config",
                                       "dtype", "keras_version", "backend"};

// Reads everything below `path`, going on past refusals, so that it touches at least what a
// loader touches. Recursion depth is bounded: HDF5 paths in real files are a handful deep.
void walk(const H5Reader& file, const std::string& path, std::size_t image_bytes, int depth) {
  if (depth > 64) return;
  for (const char* attribute : kAttributes) {
    try {
      (void)file.string_attribute(path, attribute);
    } catch (const Error&) {
    }
    try {
      (void)file.string_list_attribute(path, attribute);
    } catch (const Error&) {
    }
  }
  std::vector<std::string> children;
  try {
    children = file.children(path);
  } catch (const Error&) {
    return;
  }
  for (const std::string& child : children) {
    const std::string child_path = path == "/" ? child : path + "/" + child;
    try {
      if (file.has_group(child_path)) {
        walk(file, child_path, image_bytes, depth + 1);
      } else if (file.has_dataset(child_path)) {
        const H5DatasetInfo info = file.dataset_info(child_path);
        // Data far beyond what the image could hold even compressed is refused by the loaders
        // before they read it; the probe reads the rest.
        double elements = 1;
        for (auto d : info.shape) elements *= static_cast<double>(d);
        if (elements * 4 <= 2048.0 * static_cast<double>(image_bytes) + (64 << 20)) {
          if (info.shape.empty() && (info.type == H5Type::int32 || info.type == H5Type::int64))
            (void)file.read_int_scalar(child_path);
          else
            (void)file.read_float(child_path, info.shape);
        }
        for (const char* attribute : kAttributes) {
          try {
            (void)file.string_attribute(child_path, attribute);
          } catch (const Error&) {
          }
        }
      }
    } catch (const Error&) {
    } catch (const std::bad_alloc&) {
    }
  }
}

}  // namespace

H5Reader open_untrusted_h5(std::span<const std::byte> bytes, const std::string& display_name) {
  const pid_t child = fork();
  STRATA_CHECK(child >= 0, IOError, "'", display_name, "': could not start the process that checks the file (",
               std::strerror(errno), ")");
  if (child == 0) {
    // The child only reads and exits; it never returns into the caller's code. A crash must
    // end it quietly, not run the program's own handlers (a test framework's report, say).
    for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(signal, SIG_DFL);
    try {
      const H5Reader file(bytes, display_name);
      walk(file, "/", bytes.size(), 0);
    } catch (...) {
    }
    _exit(0);
  }
  // HDF5 reads a healthy file of any size in well under this; a stall is a parser loop.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30) +
                        std::chrono::milliseconds(bytes.size() / (1 << 20) * 100);
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) break;
    if (done < 0 && errno != EINTR) throw IOError(concat("'", display_name, "': lost the checking process"));
    if (std::chrono::steady_clock::now() > deadline) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      throw ValueError(concat("'", display_name,
                              "': HDF5 did not finish reading the file (it is damaged or "
                              "crafted to make the reader loop); refused"));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  STRATA_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, ValueError, "'", display_name,
               "': the HDF5 library crashes reading this file (signal ", WIFSIGNALED(status) ? WTERMSIG(status) : 0,
               " in the process that checked it): it is damaged or "
               "crafted; refused");
  return H5Reader(bytes, display_name);
}

}  // namespace strata::detail
