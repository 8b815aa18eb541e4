// write_file_atomically and read_whole_file over POSIX calls: the temporary-file-and-rename
// dance needs fsync, O_EXCL and directory handles, which std::filesystem and fstream lack.

#include "api/saving/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <string_view>
#include <utility>

#include "strata/error.hpp"

namespace strata::detail {
namespace {

[[noreturn]] void fail(const std::string& verb, const std::string& path, const std::string& step, int error) {
  throw IOError(concat("Cannot ", verb, " '", path, "': ", std::strerror(error), " (", step, ")"));
}

// Closes a descriptor when the function leaves early; close() errors matter only where the
// code checks them itself (after writing), so this one ignores them.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

int open_retrying(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do fd = ::open(path, flags, mode);
  while (fd < 0 && errno == EINTR);
  return fd;
}

std::string random_suffix() {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device device;
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string suffix(12, ' ');
  for (char& c : suffix) c = kAlphabet[pick(device)];
  return suffix;
}

// The directory holding `path` (rename and the directory fsync happen there).
std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Removes the temporary on every path out of write_file_atomically except success.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  void keep() { path_.clear(); }

 private:
  std::string path_;
};

// Reads until `size` bytes are in or the file ends; returns how many came.
std::size_t read_some(int fd, std::byte* into, std::size_t size, const std::string& path) {
  std::size_t filled = 0;
  while (filled < size) {
    const ssize_t got = ::read(fd, into + filled, std::min<std::size_t>(size - filled, std::size_t{1} << 30));
    if (got < 0) {
      if (errno == EINTR) continue;
      fail("read", path, "reading it", errno);
    }
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  return filled;
}

}  // namespace

void write_file_atomically(const std::string& path, std::span<const std::byte> bytes) {
  const std::string verb = "write";
  if (path.empty()) throw IOError("Cannot write a file with an empty path");
  if (path.back() == '/') throw IOError(concat("Cannot write '", path, "': the path names a directory"));

  // O_EXCL with a random name, retried on a collision: mkstemp would do the same but creates
  // the file 0600, and a saved model should get the permissions any other new file gets.
  int fd = -1;
  std::string temp_path;
  for (int attempt = 0; fd < 0; ++attempt) {
    temp_path = path + kAtomicTempMarker + random_suffix();
    fd = open_retrying(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt == 100)) fail(verb, path, "creating a temporary file beside it", errno);
  }
  Descriptor file(fd);
  TempFile temp(temp_path);

  struct stat old_file {};
  if (::stat(path.c_str(), &old_file) == 0 && S_ISREG(old_file.st_mode)) {
    if (::fchmod(file.get(), old_file.st_mode & 07777) != 0)
      fail(verb, path, "copying the old file's permissions", errno);
  }

  const std::byte* next = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    // One write() moves at most about 2 GiB on Linux; ask for at most 1 GiB at a time.
    const ssize_t written = ::write(file.get(), next, std::min<std::size_t>(left, std::size_t{1} << 30));
    if (written < 0) {
      if (errno == EINTR) continue;
      fail(verb, path, "writing the temporary file", errno);
    }
    next += written;
    left -= static_cast<std::size_t>(written);
  }
  if (::fsync(file.get()) != 0) fail(verb, path, "flushing the temporary file to disk", errno);
  // close() can report a delayed write error (NFS); it closes the descriptor even then.
  if (::close(file.release()) != 0) fail(verb, path, "closing the temporary file", errno);
  if (::rename(temp.path().c_str(), path.c_str()) != 0) fail(verb, path, "renaming the temporary file over it", errno);
  temp.keep();

  // The rename is durable only once the directory entry is on disk.
  const std::string directory = directory_of(path);
  Descriptor dir(open_retrying(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) fail(verb, path, "the file is written; opening its directory to flush it failed", errno);
  // Some file systems cannot fsync a directory (EINVAL); the rename is then as durable as they allow.
  if (::fsync(dir.get()) != 0 && errno != EINVAL) {
    fail(verb, path, "the file is written; flushing its directory to disk failed", errno);
  }
}

std::vector<std::byte> read_whole_file(const std::string& path, std::uint64_t max_bytes) {
  const std::string verb = "read";
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever; for a
  // regular file it changes nothing.
  Descriptor file(open_retrying(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) fail(verb, path, "opening it", errno);
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) fail(verb, path, "reading its size", errno);
  if (S_ISDIR(info.st_mode)) throw IOError(concat("Cannot read '", path, "': it is a directory"));
  if (!S_ISREG(info.st_mode)) throw IOError(concat("Cannot read '", path, "': it is not a regular file"));
  const auto declared = static_cast<std::uint64_t>(info.st_size);
  if (declared > max_bytes) {
    throw IOError(concat("Cannot read '", path, "': it holds ", declared, " bytes, more than the limit of ", max_bytes,
                         " bytes"));
  }

  std::vector<std::byte> bytes(static_cast<std::size_t>(declared));
  const std::size_t filled = read_some(file.get(), bytes.data(), bytes.size(), path);
  if (filled < bytes.size()) {  // it shrank since fstat
    bytes.resize(filled);
    return bytes;
  }
  // It may have grown since fstat: read on in small steps, up to the limit.
  std::vector<std::byte> more(std::size_t{1} << 16);
  for (std::size_t got; (got = read_some(file.get(), more.data(), more.size(), path)) > 0;) {
    if (got > max_bytes - bytes.size()) {
      throw IOError(concat("Cannot read '", path, "': it grew past the limit of ", max_bytes, " bytes while read"));
    }
    bytes.insert(bytes.end(), more.begin(), more.begin() + static_cast<std::ptrdiff_t>(got));
  }
  return bytes;
}

}  // namespace strata::detail
