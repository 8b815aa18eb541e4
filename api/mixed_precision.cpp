#include "strata/mixed_precision.hpp"

#include "strata/error.hpp"

namespace strata::mixed_precision {

namespace {

// The global policy is process-wide, as Keras's is; layers copy it when they are constructed.
DTypePolicy& global() {
  static DTypePolicy policy;
  return policy;
}

}  // namespace

DTypePolicy::DTypePolicy(std::string_view name) : name_(name) {
  if (name == "float32") return;
  if (name == "mixed_bfloat16") {
    compute_ = DType::BF16;
    return;
  }
  STRATA_CHECK(name != "bfloat16", ValueError,
               "The dtype policy \"bfloat16\" keeps variables in bfloat16, which Strata's optimizers do not update; "
               "use \"mixed_bfloat16\" (variables in float32, computation in bfloat16).");
  STRATA_CHECK(name != "mixed_float16" && name != "float16", ValueError, "The dtype policy \"", name,
               "\" needs float16 tensors, which Strata does not have; use \"mixed_bfloat16\".");
  throw ValueError(detail::concat("Cannot convert '", name,
                                  "' to a mixed precision DTypePolicy. Valid policies are \"float32\" and "
                                  "\"mixed_bfloat16\"."));
}

void set_global_policy(std::string_view name) { global() = DTypePolicy(name); }

void set_global_policy(const DTypePolicy& policy) { global() = policy; }

const DTypePolicy& global_policy() { return global(); }

}  // namespace strata::mixed_precision
