#pragma once
/// Softmax: exp(x_i) / sum_j exp(x_j) over the last axis, as keras.layers.Softmax.
///
/// Args: axis: only the last axis (-1, or rank - 1) is supported so far.
/// Input shape: any. Output shape: the input's.
///
///   Softmax();

#include <memory>
#include <string>

#include "strata/activation.hpp"
#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class Softmax : public LayerOf<Softmax> {
 public:
  explicit Softmax(int axis = -1, LayerOptions options = {});

  std::string class_name() const override { return "Softmax"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  int axis() const { return axis_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  int axis_;
};

}  // namespace layers
}  // namespace strata
