#pragma once
// Private to metrics/: the confusion counts at thresholds Precision, Recall and AUC keep on the
// device (Backend::confusion_update), with Keras's shape rules and the host-side arithmetic of
// their results.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "strata/backend.hpp"
#include "strata/metrics/thresholds.hpp"
#include "strata/tensor.hpp"

namespace strata::detail {

class ConfigReader;

/// Keras's metrics_utils.NEG_INF: the threshold Precision and Recall use with top_k.
inline constexpr double kNegInf = -1e10;

/// Keras's is_evenly_distributed_thresholds: at least 3, each within 1e-7 of i / (T - 1).
bool evenly_distributed(const std::vector<double>& thresholds);

/// Keras's assert_thresholds_range: every threshold in [0, 1].
void check_threshold_range(const std::vector<double>& thresholds);

class ConfusionCounts {
 public:
  struct Config {
    std::vector<float> thresholds;
    bool evenly_spaced = false;
    bool multi_label = false;
    std::int64_t top_k = 0;
    std::int64_t class_id = -1;
    bool from_logits = false;
    std::vector<float> label_weights;
  };

  explicit ConfusionCounts(Config config) : config_(std::move(config)) {}
  /// A copy has the configuration and no state.
  ConfusionCounts(const ConfusionCounts& other) : config_(other.config_) {}
  ConfusionCounts& operator=(const ConfusionCounts& other) {
    config_ = other.config_;
    state_ = Tensor();
    labels_ = 0;
    return *this;
  }

  /// Checks the shapes as Keras does and adds the batch's counts on y_pred's backend.
  void update(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, const std::string& name);
  /// Zeroes the counts.
  void reset();
  /// The counts read back, (4, T, L): tp, fp, tn, fn; all zero before any update.
  std::vector<double> read() const;
  /// T.
  std::size_t thresholds() const { return config_.thresholds.size(); }
  /// L: the columns of multi_label counts (known after the first update, else 1).
  std::size_t labels() const { return labels_ == 0 ? 1 : labels_; }
  /// The counts on the device; undefined until the first update.
  const Tensor& state() const { return state_; }

 private:
  Config config_;
  Tensor state_;
  std::size_t labels_ = 0;
};

/// Precision's and Recall's counts: thresholds checked and defaulted as Keras's
/// parse_init_thresholds (0.5, or -1e10 with top_k), top_k >= 1, class_id >= 0.
ConfusionCounts::Config precision_recall_counts(const metrics::Thresholds& thresholds,
                                                std::optional<std::int64_t> top_k,
                                                std::optional<std::int64_t> class_id);
/// "thresholds" as Keras writes it: null, a number or a list.
nlohmann::json thresholds_json(const metrics::Thresholds& thresholds);
/// "thresholds" read back.
metrics::Thresholds read_thresholds(ConfigReader& reader);
/// An integer key that may be null.
std::optional<std::int64_t> read_optional_int(ConfigReader& reader, const char* key);
/// null or the integer.
nlohmann::json optional_json(const std::optional<std::int64_t>& value);

}  // namespace strata::detail
