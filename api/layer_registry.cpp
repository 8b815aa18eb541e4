// The layer registry: Keras class names to from_config functions, so configs written by
// Strata or by Keras rebuild the same layers. The built-ins are listed in one place, so no
// registration depends on static-initialisation order or on a linker keeping an object file;
// strata::register_layer adds custom classes (and subclassed models) to the same registry.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "api/registry.hpp"
#include "strata/error.hpp"
#include "strata/layer.hpp"
#include "strata/layers/activation.hpp"
#include "strata/layers/add.hpp"
#include "strata/layers/additive_attention.hpp"
#include "strata/layers/attention.hpp"
#include "strata/layers/average.hpp"
#include "strata/layers/average_pooling1d.hpp"
#include "strata/layers/average_pooling2d.hpp"
#include "strata/layers/batch_normalization.hpp"
#include "strata/layers/bidirectional.hpp"
#include "strata/layers/concatenate.hpp"
#include "strata/layers/conv1d.hpp"
#include "strata/layers/conv2d.hpp"
#include "strata/layers/conv2d_transpose.hpp"
#include "strata/layers/cropping2d.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/depthwise_conv2d.hpp"
#include "strata/layers/dot.hpp"
#include "strata/layers/dropout.hpp"
#include "strata/layers/embedding.hpp"
#include "strata/layers/flatten.hpp"
#include "strata/layers/global_average_pooling1d.hpp"
#include "strata/layers/global_average_pooling2d.hpp"
#include "strata/layers/global_max_pooling1d.hpp"
#include "strata/layers/global_max_pooling2d.hpp"
#include "strata/layers/gru.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/layers/layer_normalization.hpp"
#include "strata/layers/leaky_re_lu.hpp"
#include "strata/layers/lstm.hpp"
#include "strata/layers/masking.hpp"
#include "strata/layers/max_pooling1d.hpp"
#include "strata/layers/max_pooling2d.hpp"
#include "strata/layers/maximum.hpp"
#include "strata/layers/minimum.hpp"
#include "strata/layers/multi_head_attention.hpp"
#include "strata/layers/multiply.hpp"
#include "strata/layers/normalization.hpp"
#include "strata/layers/re_lu.hpp"
#include "strata/layers/rescaling.hpp"
#include "strata/layers/reshape.hpp"
#include "strata/layers/separable_conv2d.hpp"
#include "strata/layers/simple_rnn.hpp"
#include "strata/layers/softmax.hpp"
#include "strata/layers/spatial_dropout2d.hpp"
#include "strata/layers/subtract.hpp"
#include "strata/layers/time_distributed.hpp"
#include "strata/layers/up_sampling2d.hpp"
#include "strata/layers/zero_padding2d.hpp"
#include "strata/model.hpp"
#include "strata/sequential.hpp"

namespace strata {

namespace {

// Keras layer classes Strata does not have yet: named in the error, so a file using one says
// what is missing rather than suggesting a registration.
constexpr std::string_view kKerasOnlyLayers[] = {"EinsumDense",
                                                 "Identity",
                                                 "Lambda",
                                                 "PReLU",
                                                 "ELU",
                                                 "Conv3D",
                                                 "Conv1DTranspose",
                                                 "Conv3DTranspose",
                                                 "DepthwiseConv1D",
                                                 "SeparableConv1D",
                                                 "MaxPooling3D",
                                                 "AveragePooling3D",
                                                 "GlobalAveragePooling3D",
                                                 "GlobalMaxPooling3D",
                                                 "GroupNormalization",
                                                 "RMSNormalization",
                                                 "SpectralNormalization",
                                                 "UnitNormalization",
                                                 "SpatialDropout1D",
                                                 "SpatialDropout3D",
                                                 "GaussianDropout",
                                                 "GaussianNoise",
                                                 "AlphaDropout",
                                                 "ActivityRegularization",
                                                 "Permute",
                                                 "RepeatVector",
                                                 "Cropping1D",
                                                 "Cropping3D",
                                                 "UpSampling1D",
                                                 "UpSampling3D",
                                                 "ZeroPadding1D",
                                                 "ZeroPadding3D",
                                                 "RNN",
                                                 "SimpleRNNCell",
                                                 "LSTMCell",
                                                 "GRUCell",
                                                 "StackedRNNCells",
                                                 "ConvLSTM1D",
                                                 "ConvLSTM2D",
                                                 "ConvLSTM3D",
                                                 "GroupQueryAttention",
                                                 "Normalization",
                                                 "Resizing",
                                                 "CenterCrop",
                                                 "TextVectorization",
                                                 "StringLookup",
                                                 "IntegerLookup",
                                                 "CategoryEncoding",
                                                 "Hashing",
                                                 "HashedCrossing",
                                                 "Discretization",
                                                 "RandomFlip",
                                                 "RandomRotation",
                                                 "RandomZoom",
                                                 "RandomTranslation",
                                                 "RandomContrast",
                                                 "RandomBrightness",
                                                 "RandomCrop"};

}  // namespace

detail::Registry<Layer>& detail::layer_registry() {
  static detail::Registry<Layer> registry("layer", "register_layer",
                                          {
                                              {"Activation", &Activation::from_config},
                                              {"AdditiveAttention", &AdditiveAttention::from_config},
                                              {"Attention", &Attention::from_config},
                                              {"Dense", &Dense::from_config},
                                              {"Dropout", &Dropout::from_config},
                                              {"GRU", &GRU::from_config},
                                              {"LSTM", &LSTM::from_config},
                                              {"MultiHeadAttention", &MultiHeadAttention::from_config},
                                              {"SimpleRNN", &SimpleRNN::from_config},
                                              // wrappers
                                              {"Bidirectional", &Bidirectional::from_config},
                                              {"TimeDistributed", &TimeDistributed::from_config},
                                              {"Embedding", &Embedding::from_config},
                                              {"Flatten", &Flatten::from_config},
                                              {"InputLayer", &InputLayer::from_config},
                                              {"Masking", &Masking::from_config},
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
                                              {"GlobalMaxPooling1D", &GlobalMaxPooling1D::from_config},
                                              {"GlobalMaxPooling2D", &GlobalMaxPooling2D::from_config},
                                              {"MaxPooling1D", &MaxPooling1D::from_config},
                                              {"MaxPooling2D", &MaxPooling2D::from_config},
                                              // normalization and regularization
                                              {"BatchNormalization", &BatchNormalization::from_config},
                                              {"LayerNormalization", &LayerNormalization::from_config},
                                              {"SpatialDropout2D", &SpatialDropout2D::from_config},
                                              // reshaping and preprocessing
                                              {"Cropping2D", &Cropping2D::from_config},
                                              {"Normalization", &Normalization::from_config},
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
                                              // models used as layers
                                              {"Sequential", &Sequential::from_config},
                                              {"Functional", &Model::from_config},
                                              {"Model", &Model::from_config},
                                          });
  return registry;
}

void register_layer(const std::string& name, ConfigFactory<Layer> factory) {
  detail::layer_registry().add(name, std::move(factory));
}

std::shared_ptr<Layer> Layer::from_config(const nlohmann::json& config) {
  STRATA_CHECK(config.is_object() && config.contains("class_name") && config["class_name"].is_string(), ValueError,
               "a layer config needs a \"class_name\", received ", config.dump());
  const std::string class_name = config["class_name"].get<std::string>();
  const auto& registry = detail::layer_registry();
  const auto make = registry.find(config);
  if (!make) {
    const auto registered = config.find("registered_name");
    const std::string name =
        registered != config.end() && registered->is_string() ? registered->get<std::string>() : class_name;
    for (std::string_view keras_only : kKerasOnlyLayers)
      STRATA_CHECK(
          keras_only != class_name, ValueError, "layer class '", class_name,
          "' is not supported yet by Strata (layer \"",
          config.contains("config") && config["config"].is_object() ? config["config"].value("name", "?") : "?", "\")");
    throw ValueError(detail::concat("Could not locate class '", name, "'. Known layers are: ", registry.known_names(),
                                    ". If '", name, "' is a custom class, ", registry.how_to_register(name), "."));
  }
  return make(config.contains("config") ? config["config"] : nlohmann::json::object());
}

}  // namespace strata
