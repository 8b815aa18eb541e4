#pragma once
/// @class strata::losses::Huber
/// Huber: the mean over the last axis of 0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta),
/// e = y_pred - y_true (Keras's keras.losses.Huber).

#include <memory>
#include <string>

#include "strata/losses/loss.hpp"

namespace strata::losses {

/// The options of Huber beyond its positional arguments, with Keras's defaults.
struct HuberOptions {
  double delta = 1.0;  ///< where the loss turns from quadratic to linear; must be > 0
  /// How per-sample losses combine; Keras's default sums and divides by the batch size.
  Reduction reduction = Reduction::SumOverBatchSize;
  /// The name the loss reports in logs.
  std::string name = "huber_loss";
};

class Huber : public Loss {
 public:
  /// The options type, also reachable as Huber::Options.
  using Options = HuberOptions;
  /// `Huber()`, `Huber({.delta = 2.0})`.
  explicit Huber(Options options = {});

  std::string class_name() const override { return "Huber"; }
  /// {"name", "reduction", "delta"}. Keras 3's own Huber.get_config() leaves "delta" out (so a
  /// Keras round trip loses it); Strata writes it, and Keras's Huber(**config) accepts it.
  nlohmann::json get_config() const override;
  LossParams params() const override;
  /// Where the loss turns from quadratic to linear.
  double delta() const { return delta_; }

  /// From the "config" of Keras's serialized Huber: {"name", "reduction", "delta"?}.
  static std::shared_ptr<Huber> from_config(const nlohmann::json& config);

 private:
  double delta_;
};

}  // namespace strata::losses
