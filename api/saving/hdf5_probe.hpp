#pragma once
// HDF5 1.10.8 crashes on some damaged files inside its own parser (fuzzing found a null
// memcpy in H5F__accum_read when a corrupted B-tree node declares a huge size), before any
// check of Strata's can run. So an HDF5 file from outside is first read whole in a child
// process: every group, every dataset Strata could read and every attribute it looks at. If
// the child crashes or hangs, the file is refused with an error and Strata's own process never
// meets the bug; if it finishes, the file is opened here as usual (and errors it holds are
// reported as usual).

#include <cstddef>
#include <span>
#include <string>

#include "api/saving/hdf5_file.hpp"

namespace strata::detail {

/// Opens an HDF5 image from an untrusted source after probing it in a child process; a file
/// that kills or stalls the probe is refused with a ValueError naming `display_name`.
H5Reader open_untrusted_h5(std::span<const std::byte> bytes, const std::string& display_name);

}  // namespace strata::detail
