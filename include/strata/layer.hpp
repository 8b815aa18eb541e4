#pragma once
/// Layer: Keras's contract in C++. The constructor stores configuration (Keras's argument
/// names and defaults); build() creates the weights on first use, so Dense(128) needs no input
/// size; forward() and backward() are explicit. The public entry points are non-virtual so
/// the input checks, the lazy build and the buffer reuse are the same for every layer.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "strata/input_spec.hpp"
#include "strata/shape.hpp"
#include "strata/tensor.hpp"
#include "strata/variable.hpp"

namespace strata {

class Backend;
class Initializer;

class Layer {
 public:
  virtual ~Layer() = default;
  Layer(const Layer&) = default;
  Layer& operator=(const Layer&) = default;
  Layer(Layer&&) = default;
  Layer& operator=(Layer&&) = default;

  /// "dense", "dense_1", ...: unique in the process unless given.
  const std::string& name() const { return name_; }
  /// Keras's class name ("Dense"), the registry key.
  virtual std::string class_name() const = 0;

  bool trainable() const { return trainable_; }
  void set_trainable(bool trainable) { trainable_ = trainable; }

  bool built() const { return built_; }
  /// The shape the layer was built for, batch axis None.
  const Shape& build_input_shape() const { return build_input_shape_; }
  /// Checks `input_shape` against the input spec, then creates the weights (once).
  void build(const Shape& input_shape);
  /// Output shape for an input shape; the batch axis passes through.
  virtual Shape compute_output_shape(const Shape& input_shape) const;

  /// Runs the layer on a batch that lives on the layer's backend (builds it on first use).
  /// With training = true the layer keeps what backward() needs.
  Tensor call(const Tensor& x, bool training);
  /// From dL/dy of the last training call: writes the weight gradients and returns dL/dx
  /// (an undefined tensor when need_input_grad is false, which saves the work).
  Tensor backward(const Tensor& dy, bool need_input_grad);

  /// Keras's order: trainable weights first, then non-trainable.
  std::vector<Variable*> weights();
  std::vector<Variable*> trainable_weights();
  std::vector<Variable*> non_trainable_weights();
  std::vector<const Variable*> weights() const;
  /// Whether the optimizer would update any weight of this layer (allocates nothing).
  bool has_trainable_weights() const;
  std::int64_t count_params() const;

  /// The constructor arguments, under Keras's keys: {"name", "trainable", "dtype", ...}.
  virtual nlohmann::json get_config() const;
  /// {"input_shape": [null, ...]} once built, else null.
  nlohmann::json get_build_config() const;
  /// Rebuilds a layer from {"class_name", "config"} through the layer registry.
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  const InputSpec& input_spec() const { return input_spec_; }
  /// The backend holding this layer's weights and buffers (the current one at build time).
  Backend& backend() const;

 protected:
  /// `prefix` is Keras's snake_case class name used for automatic names ("dense").
  Layer(std::string_view prefix, std::string name);

  /// Creates the weights for `input_shape` with add_weight. Default: no weights.
  virtual void build_weights(const Shape& input_shape);
  virtual Tensor forward(const Tensor& x, bool training) = 0;
  virtual Tensor backward_impl(const Tensor& dy, bool need_input_grad) = 0;

  /// A weight initialised on the host and uploaded once; trainable ones get a gradient tensor.
  Variable& add_weight(std::string name, const Shape& shape, const Initializer& initializer,
                       bool trainable = true);
  /// A tensor the layer keeps between steps, reused while the shape stays the same: the hot
  /// loop allocates nothing once every batch shape has been seen.
  Tensor& buffer(std::size_t slot, const Shape& shape);
  /// Reads {"name", "trainable"} from a config into this layer (for from_config constructors).
  void read_base_config(const nlohmann::json& config);

  InputSpec input_spec_;

 private:
  std::string name_;
  bool trainable_ = true;
  bool built_ = false;
  Shape build_input_shape_;
  Backend* backend_ = nullptr;
  std::vector<std::shared_ptr<Variable>> weights_;
  std::deque<Tensor> buffers_;  // a deque: growing it keeps references from buffer() valid
};

/// A unique layer name for `prefix`: "dense", then "dense_1", "dense_2", ... (per process).
std::string unique_layer_name(std::string_view prefix);

}  // namespace strata
