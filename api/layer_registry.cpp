// The layer registry: Keras class names to from_config functions, so configs written by
// Strata or by Keras rebuild the same layers. Filled by ordinary calls, in one place, so no
// registration depends on static-initialisation order or on a linker keeping an object file.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "strata/error.hpp"
#include "strata/layer.hpp"
#include "strata/layers/activation.hpp"
#include "strata/layers/add.hpp"
#include "strata/layers/average.hpp"
#include "strata/layers/average_pooling1d.hpp"
#include "strata/layers/average_pooling2d.hpp"
#include "strata/layers/batch_normalization.hpp"
#include "strata/layers/concatenate.hpp"
#include "strata/layers/conv1d.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/conv2d_transpose.hpp"
#include "strata/layers/cropping2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/depthwise_conv2d.hpp"
#include "strata/layers/dot.hpp"
#include "strata/layers/dropout.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/global_average_pooling1d.hpp"
#include "strata/layers/global_average_pooling2d.hpp"
#include "strata/layers/global_max_pooling2d.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/layers/layer_normalization.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/max_pooling1d.hpp"
#include "strata/layers/max_pooling2d.hpp"
#include "strata/layers/maximum.hpp"
#include "strata/layers/minimum.hpp"
#include "strata/layers/multiply.hpp"
#include "strata/layers/re_lu.hpp"
#include "strata/layers/rescaling.hpp"
#include "strata/layers/reshape.hpp"
#include "strata/layers/separable_conv2d.hpp"
#include "strata/layers/softmax.hpp"
#include "strata/layers/spatial_dropout2d.hpp"
#include "strata/layers/subtract.hpp"
#include "strata/layers/up_sampling2d.hpp"
#include "strata/layers/zero_padding2d.hpp"

namespace strata {

namespace {

using LayerFactory = std::function<std::shared_ptr<Layer>(const nlohmann::json&)>;

const std::map<std::string, LayerFactory, std::less<>>& layer_registry() {
  static const std::map<std::string, LayerFactory, std::less<>> registry = {
      {"Activation", &Activation::from_config},
      {"Dense", &Dense::from_config},
      {"Dropout", &Dropout::from_config},
      {"Flatten", &Flatten::from_config},
      {"InputLayer", &InputLayer::from_config},
      {"Reshape", &Reshape::from_config},
      // convolution
      {"Conv1D", &Conv1D::from_config},
      {"Conv2D", &Conv2D::from_config},
      {"Conv2DTranspose", &Conv2DTranspose::from_config},
      {"DepthwiseConv2D", &DepthwiseConv2D::from_config},
      {"SeparableConv2D", &SeparableConv2D::from_config},
      // pooling
      {"AveragePooling1D", &AveragePooling1D::from_config},
      {"AveragePooling2D", &AveragePooling2D::from_config},
      {"GlobalAveragePooling1D", &GlobalAveragePooling1D::from_config},
      {"GlobalAveragePooling2D", &GlobalAveragePooling2D::from_config},
      {"GlobalMaxPooling2D", &GlobalMaxPooling2D::from_config},
      {"MaxPooling1D", &MaxPooling1D::from_config},
      {"MaxPooling2D", &MaxPooling2D::from_config},
      // normalization and regularization
      {"BatchNormalization", &BatchNormalization::from_config},
      {"LayerNormalization", &LayerNormalization::from_config},
      {"SpatialDropout2D", &SpatialDropout2D::from_config},
      // reshaping and preprocessing
      {"Cropping2D", &Cropping2D::from_config},
      {"Rescaling", &Rescaling::from_config},
      {"UpSampling2D", &UpSampling2D::from_config},
      {"ZeroPadding2D", &ZeroPadding2D::from_config},
      // activations
      {"LeakyReLU", &LeakyReLU::from_config},
      {"ReLU", &ReLU::from_config},
      {"Softmax", &Softmax::from_config},
      // merging
      {"Add", &Add::from_config},
      {"Average", &Average::from_config},
      {"Concatenate", &Concatenate::from_config},
      {"Dot", &Dot::from_config},
      {"Maximum", &Maximum::from_config},
      {"Minimum", &Minimum::from_config},
      {"Multiply", &Multiply::from_config},
      {"Subtract", &Subtract::from_config},
  };
  return registry;
}

}  // namespace

std::shared_ptr<Layer> Layer::from_config(const nlohmann::json& config) {
  STRATA_CHECK(config.is_object() && config.contains("class_name"), ValueError,
               "a layer config needs a \"class_name\", received ", config.dump());
  const std::string class_name = config["class_name"].get<std::string>();
  const auto& registry = layer_registry();
  const auto it = registry.find(class_name);
  if (it == registry.end()) {
    std::string valid;
    for (const auto& [name, factory] : registry) valid += (valid.empty() ? "" : ", ") + name;
    throw ValueError(detail::concat("Could not locate class '", class_name, "'. Known layers are: ", valid));
  }
  return it->second(config.contains("config") ? config["config"] : nlohmann::json::object());
}

}  // namespace strata
