// write_file_atomically and read_whole_file: writes and overwrites, failures that must leave
// the old file whole (a missing directory, a directory the process may not write, a file-size
// limit hit midway, a process killed with SIGKILL while writing 200 MB), and the reads' limits.

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>

#include "api/saving/atomic_file.hpp"
#include "strata/error.hpp"

using namespace strata;
using namespace strata::detail;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system's temporary directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "strata-atomic-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()));
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, ignored);
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }
  // The temporary files write_file_atomically left here.
  std::vector<std::string> temps() const {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(path_)) {
      const auto name = entry.path().filename().string();
      if (name.find(kAtomicTempMarker) != std::string::npos) found.push_back(name);
    }
    return found;
  }

 private:
  fs::path path_;
};

std::vector<std::byte> bytes_of(const std::string& text) {
  std::vector<std::byte> bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  return bytes;
}

std::string read_text(const std::string& path) {
  const auto bytes = read_whole_file(path, 1 << 30);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Runs `body` in a child process and returns its exit status (the child's own checks decide it).
int in_child(const std::function<int()>& body) {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 99;
    try {
      code = body();
    } catch (...) {
      code = 98;
    }
    ::_exit(code);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("write_file_atomically writes, overwrites and leaves no temporary file", "[saving][atomic]") {
  const ScratchDir dir;
  const auto path = dir.file("model.keras");
  write_file_atomically(path, bytes_of("first"));
  CHECK(read_text(path) == "first");
  ::chmod(path.c_str(), 0640);
  write_file_atomically(path, bytes_of("second, longer"));
  CHECK(read_text(path) == "second, longer");
  CHECK((fs::status(path).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
  write_file_atomically(path, {});
  CHECK(fs::file_size(path) == 0);
  CHECK(dir.temps().empty());
  // A path without a directory part lands in the working directory.
  const auto cwd = fs::current_path();
  fs::current_path(dir.path());
  write_file_atomically("plain.txt", bytes_of("here"));
  fs::current_path(cwd);
  CHECK(read_text(dir.file("plain.txt")) == "here");
}

TEST_CASE("write_file_atomically failures name the path and the reason and keep the old file", "[saving][atomic]") {
  const ScratchDir dir;
  const auto missing = dir.file("no-such-dir/model.keras");
  CHECK_THROWS_MATCHES(write_file_atomically(missing, bytes_of("x")), IOError,
                       Catch::Message("Cannot write '" + missing +
                                      "': No such file or directory (creating a temporary file beside it)"));
  // Renaming over a directory fails after the temporary is written: it must be removed.
  fs::create_directory(dir.file("a-directory"));
  CHECK_THROWS_WITH(write_file_atomically(dir.file("a-directory"), bytes_of("x")),
                    Contains("Is a directory (renaming the temporary file over it)"));
  CHECK(dir.temps().empty());
  CHECK_THROWS_WITH(write_file_atomically(dir.file("x/"), bytes_of("x")), Contains("the path names a directory"));
}

TEST_CASE("write_file_atomically into a directory the process may not write", "[saving][atomic]") {
  const ScratchDir dir;
  fs::create_directory(dir.file("locked"));
  const auto path = dir.file("locked/model.keras");
  write_file_atomically(path, bytes_of("old"));
  ::chmod(dir.file("locked").c_str(), 0555);
  // Root ignores directory permissions, so the write runs as nobody in a child process.
  const int status = in_child([&] {
    if (::geteuid() == 0 && ::setuid(65534) != 0) return 2;
    try {
      write_file_atomically(path, bytes_of("new"));
    } catch (const IOError& e) {
      return std::string(e.what()).find("Permission denied") != std::string::npos ? 0 : 3;
    }
    return 4;
  });
  CHECK(status == 0);
  CHECK(read_text(path) == "old");
}

TEST_CASE("write_file_atomically stopped midway by a full disk keeps the old file", "[saving][atomic]") {
  const ScratchDir dir;
  const auto path = dir.file("model.keras");
  write_file_atomically(path, bytes_of("old"));
  // A file-size limit makes write() fail partway (EFBIG), as a full disk does (ENOSPC).
  const int status = in_child([&] {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{1 << 20, 1 << 20};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 2;
    try {
      write_file_atomically(path, std::vector<std::byte>(4 << 20, std::byte{1}));
    } catch (const IOError& e) {
      return std::string(e.what()).find("File too large (writing the temporary file)") != std::string::npos ? 0 : 3;
    }
    return 4;
  });
  CHECK(status == 0);
  CHECK(read_text(path) == "old");
  CHECK(dir.temps().empty());
}

TEST_CASE("A process killed while writing atomically leaves the old file whole", "[saving][atomic]") {
  const ScratchDir dir;
  const auto path = dir.file("model.keras");
  write_file_atomically(path, bytes_of("the old model"));
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    write_file_atomically(path, std::vector<std::byte>(200 << 20, std::byte{0x42}));
    ::_exit(0);
  }
  // Kill it once its temporary file holds some, but not all, of the 200 MB.
  bool killed_midway = false;
  for (int i = 0; i < 20000 && !killed_midway; ++i) {
    for (const auto& name : dir.temps()) {
      std::error_code error;
      const auto size = fs::file_size(dir.path() / name, error);
      if (!error && size > 0 && size < (200u << 20)) {
        ::kill(child, SIGKILL);
        killed_midway = true;
      }
    }
    if (!killed_midway) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  if (!killed_midway) ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(killed_midway);
  CHECK(WIFSIGNALED(status));
  CHECK(read_text(path) == "the old model");
  // The killed writer's temporary stays behind, recognisable by its name; nothing removes it.
  const auto orphans = dir.temps();
  REQUIRE(orphans.size() == 1);
  CHECK(orphans[0].rfind("model.keras.strata-tmp-", 0) == 0);
  // The next write is unaffected by it.
  write_file_atomically(path, bytes_of("the new model"));
  CHECK(read_text(path) == "the new model");
  CHECK(dir.temps().size() == 1);
}

TEST_CASE("read_whole_file refuses missing, oversized and special files", "[saving][atomic]") {
  const ScratchDir dir;
  const auto path = dir.file("weights.h5");
  write_file_atomically(path, bytes_of("0123456789"));
  CHECK(read_whole_file(path, 10).size() == 10);
  CHECK_THROWS_MATCHES(read_whole_file(path, 9), IOError,
                       Catch::Message("Cannot read '" + path + "': it holds 10 bytes, more than the limit of 9 bytes"));
  const auto missing = dir.file("missing.h5");
  CHECK_THROWS_MATCHES(read_whole_file(missing, 100), IOError,
                       Catch::Message("Cannot read '" + missing + "': No such file or directory (opening it)"));
  CHECK_THROWS_MATCHES(read_whole_file(dir.path().string(), 100), IOError,
                       Catch::Message("Cannot read '" + dir.path().string() + "': it is a directory"));
  const auto fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_MATCHES(read_whole_file(fifo, 100), IOError,
                       Catch::Message("Cannot read '" + fifo + "': it is not a regular file"));
  write_file_atomically(dir.file("empty"), {});
  CHECK(read_whole_file(dir.file("empty"), 0).empty());
}
