#pragma once
// Whole-file reads and crash-safe whole-file writes for the saving code. A model file is
// written once, whole, from memory: writing it atomically means a failure midway (disk full, a
// killed process, a power cut after the call returned) never leaves a half-written file where
// the user's previous model was.
//
// Errors: every failure is an IOError naming the path and the reason (strerror).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace strata::detail {

/// The marker in the name of the temporary file write_file_atomically writes beside its target:
/// `<target file name>.strata-tmp-<random>`. A process killed while writing leaves that file
/// behind (nothing can remove it then); no later call removes such orphans, because another
/// process may be writing one at that moment. The marker makes them recognisable to a person.
inline constexpr const char* kAtomicTempMarker = ".strata-tmp-";

/// Writes `bytes` to `path` so that a failure midway leaves the old file whole: a temporary file
/// beside the target (same directory, named `<target name>.strata-tmp-<random>`), written
/// fully, fsync'ed, renamed over the target, then the directory fsync'ed. The new file gets the
/// old file's permission bits when it replaces one, else 0666 less the umask (as open() gives).
/// A symbolic link at `path` is replaced by the file (rename replaces the link, not its target).
/// On any failure the temporary is removed and an IOError names the path and the reason.
void write_file_atomically(const std::string& path, std::span<const std::byte> bytes);

/// Reads a whole regular file. IOError naming the path when it is missing, unreadable, not a
/// regular file (a directory, a FIFO: never blocks on one), or larger than `max_bytes` (checked
/// before reading, and again while reading, in case the file grows meanwhile).
std::vector<std::byte> read_whole_file(const std::string& path, std::uint64_t max_bytes);

}  // namespace strata::detail
