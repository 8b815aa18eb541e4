#pragma once
/// @file
/// Strata: Keras for C++. The one include a user needs.
///
///     #include <strata/strata.hpp>
///     using namespace strata;
///     Sequential model({Input({28, 28}), Flatten(), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax")});
///     model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
///     model.fit(x_train, y_train, {.epochs = 5, .validation_split = 0.1});

// The xtensor a user's data code reaches for (arrays, views, eval, math, expand_dims, printing),
// so the README's programs need no other include.
#include <xtensor/xarray.hpp>
#include <xtensor/xeval.hpp>
#include <xtensor/xio.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>
// Custom classes read their configs (strata/registry.hpp) with nlohmann::json.
#include <nlohmann/json.hpp>

#include "strata/activation.hpp"
#include "strata/backend.hpp"
#include "strata/constraints.hpp"
#include "strata/error.hpp"
#include "strata/handle.hpp"
#include "strata/history.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/model.hpp"
#include "strata/ops.hpp"
#include "strata/plot_model.hpp"
#include "strata/progbar.hpp"
#include "strata/random.hpp"
#include "strata/registry.hpp"
#include "strata/regularizers.hpp"
#include "strata/saving.hpp"
#include "strata/sequential.hpp"
#include "strata/shape.hpp"
#include "strata/tensor.hpp"
#include "strata/tensor_host.hpp"
#include "strata/version.hpp"

#include "strata/callbacks/callback.hpp"

#include "strata/data/py_dataset.hpp"
#include "strata/datasets/fashion_mnist.hpp"

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
#include "strata/layers/conv_args.hpp"
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
#include "strata/layers/pooling_options.hpp"
#include "strata/layers/re_lu.hpp"
#include "strata/layers/rescaling.hpp"
#include "strata/layers/reshape.hpp"
#include "strata/layers/separable_conv2d.hpp"
#include "strata/layers/sides2.hpp"
#include "strata/layers/softmax.hpp"
#include "strata/layers/spatial_dropout2d.hpp"
#include "strata/layers/subtract.hpp"
#include "strata/layers/up_sampling2d.hpp"
#include "strata/layers/zero_padding2d.hpp"

#include "strata/losses/binary_crossentropy.hpp"
#include "strata/losses/categorical_crossentropy.hpp"
#include "strata/losses/huber.hpp"
#include "strata/losses/loss.hpp"
#include "strata/losses/mean_absolute_error.hpp"
#include "strata/losses/mean_squared_error.hpp"
#include "strata/losses/sparse_categorical_crossentropy.hpp"

#include "strata/metrics/accuracy.hpp"
#include "strata/metrics/binary_accuracy.hpp"
#include "strata/metrics/categorical_accuracy.hpp"
#include "strata/metrics/mean.hpp"
#include "strata/metrics/mean_absolute_error.hpp"
#include "strata/metrics/mean_squared_error.hpp"
#include "strata/metrics/metric.hpp"
#include "strata/metrics/sparse_categorical_accuracy.hpp"

#include "strata/optimizers/adagrad.hpp"
#include "strata/optimizers/adam.hpp"
#include "strata/optimizers/adamw.hpp"
#include "strata/optimizers/optimizer.hpp"
#include "strata/optimizers/rmsprop.hpp"
#include "strata/optimizers/sgd.hpp"
