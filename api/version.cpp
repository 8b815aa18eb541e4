#include "strata/version.hpp"

namespace strata {

// Compiled into the library, so a program linked against a shared libstrata reports the
// library it runs with, not the headers it was built with.
const char* version() noexcept { return STRATA_VERSION_STRING; }

}  // namespace strata
