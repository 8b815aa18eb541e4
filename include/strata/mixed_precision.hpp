#pragma once
/// @file
/// Keras's dtype policies (`keras.mixed_precision`): which dtype a layer keeps its variables in
/// and which it computes in. Under "mixed_bfloat16" a layer keeps float32 variables and computes
/// in bfloat16: its floating inputs are cast to bfloat16 when it is called (Keras's autocast),
/// its weights are read as bfloat16 copies made once per call, and the gradients that reach the
/// variables are float32. Losses and metrics compute in float32 whatever the model's output.
///
///     strata::mixed_precision::set_global_policy("mixed_bfloat16");
///     Sequential model({Input({28, 28, 1}), Conv2D(32, 3, "relu"), ...,
///                       Dense(10, "softmax", {.dtype = "float32"})});  // Keras's advice for the output
///
/// A layer takes the global policy when it is constructed (set the policy before building the
/// model), or its own through the `dtype` option of its constructor.

#include <string>
#include <string_view>

#include "strata/dtype.hpp"

namespace strata::mixed_precision {

/// Keras's DTypePolicy: "float32" (the default) or "mixed_bfloat16". Keras's float16 policies
/// and the all-bfloat16 policy (variables in bfloat16) are refused with a ValueError.
class DTypePolicy {
 public:
  /// "float32".
  DTypePolicy() = default;
  /// The policy of this name; ValueError for a name Strata does not provide.
  explicit DTypePolicy(std::string_view name);
  /// "float32" or "mixed_bfloat16", as Keras names it.
  const std::string& name() const { return name_; }
  /// The dtype a layer computes in: F32, or BF16 under "mixed_bfloat16".
  DType compute_dtype() const { return compute_; }
  /// The dtype a layer keeps its variables in: F32 under every policy Strata provides.
  DType variable_dtype() const { return DType::F32; }
  /// Same name.
  bool operator==(const DTypePolicy& other) const { return name_ == other.name_; }

 private:
  std::string name_ = "float32";
  DType compute_ = DType::F32;
};

/// Sets the policy that layers constructed from now on take (Keras's `set_global_policy`).
void set_global_policy(std::string_view name);
/// The same with a policy object.
void set_global_policy(const DTypePolicy& policy);
/// The global policy ("float32" until set).
const DTypePolicy& global_policy();

}  // namespace strata::mixed_precision
