// The mistakes a newcomer to Keras makes with the public API: training before compile, data of
// the wrong size, impossible layer arguments, unknown names. Where Keras accepts the odd input
// (epochs=0, batch_size=0, Dropout(1.0), summary before build) the case expects
// success, as measured with Keras 3.

#include <sstream>

#include "strata/strata.hpp"
#include "tests/bad_inputs/bad_case.hpp"

namespace strata_bad_inputs {

namespace {

using strata::Input;
using strata::Sequential;
using namespace strata::layers;
namespace fs = std::filesystem;
using Array = xt::xarray<float>;

Array ones(std::size_t rows, std::size_t columns) { return xt::ones<float>({rows, columns}); }

// Input (4,) -> Dense(1), compiled with SGD and mse unless `compile` is false.
std::unique_ptr<Sequential> small_model(bool compile = true) {
  auto model = std::make_unique<Sequential>(std::initializer_list<strata::SequentialItem>{Input({4}), Dense(1)});
  if (compile) model->compile("sgd", "mse");
  return model;
}

void fit_small(const strata::FitOptions& options, std::size_t x_rows = 8, std::size_t y_rows = 8) {
  small_model()->fit(ones(x_rows, 4), ones(y_rows, 1), options);
}

BadCase expect(std::string name, Outcome outcome, std::string message, void (*run)()) {
  return {std::move(name), outcome, std::move(message), false, [run](const fs::path&) { run(); }};
}
BadCase per_backend(std::string name, Outcome outcome, std::string message, void (*run)()) {
  return {std::move(name), outcome, std::move(message), true, [run](const fs::path&) { run(); }};
}

}  // namespace

std::vector<BadCase> beginner_mistake_cases() {
  std::vector<BadCase> cases;
  // ---- order of operations ----
  cases.push_back(expect("fit_before_compile", Outcome::StateError, "You must call `compile()`",
                         [] { small_model(false)->fit(ones(8, 4), ones(8, 1), {.verbose = 0}); }));
  cases.push_back(expect("evaluate_before_compile", Outcome::StateError, "You must call `compile()`",
                         [] { small_model(false)->evaluate(ones(8, 4), ones(8, 1), {.verbose = 0}); }));
  cases.push_back(expect("train_on_batch_before_compile", Outcome::StateError, "You must call `compile()`",
                         [] { small_model(false)->train_on_batch(ones(8, 4), ones(8, 1)); }));
  cases.push_back(per_backend("predict_before_build_builds_from_data", Outcome::Succeeds, "", [] {
    Sequential model({Dense(2)});
    const Array y = model.predict(ones(3, 4), {.verbose = 0});
    if (y.shape(0) != 3 || y.shape(1) != 2) throw CheckFailed("predict returned the wrong shape");
  }));
  cases.push_back(expect("count_params_before_build", Outcome::StateError, "isn't built",
                         [] { Sequential({Dense(2)}).count_params(); }));
  cases.push_back(expect("summary_before_build", Outcome::Succeeds, "", [] {
    std::ostringstream out;
    Sequential({Dense(2)}).summary(out);
  }));
  cases.push_back(expect("layer_output_before_any_call", Outcome::StateError, "", [] { Dense(2).output(); }));

  // ---- fit's arguments (Keras accepts epochs <= 0 and trains nothing) ----
  cases.push_back(per_backend("fit_epochs_zero_trains_nothing", Outcome::Succeeds, "", [] {
    auto model = small_model();
    if (!model->fit(ones(8, 4), ones(8, 1), {.epochs = 0, .verbose = 0}).epoch.empty())
      throw CheckFailed("epochs=0 ran an epoch");
  }));
  cases.push_back(expect("fit_epochs_negative_trains_nothing", Outcome::Succeeds, "", [] {
    if (!small_model()->fit(ones(8, 4), ones(8, 1), {.epochs = -3, .verbose = 0}).epoch.empty())
      throw CheckFailed("epochs=-3 ran an epoch");
  }));
  cases.push_back(expect("fit_initial_epoch_past_epochs", Outcome::Succeeds, "",
                         [] { fit_small({.epochs = 1, .verbose = 0, .initial_epoch = 3}); }));
  cases.push_back(expect("fit_batch_size_negative", Outcome::ValueError, "batch_size",
                         [] { fit_small({.batch_size = -1, .verbose = 0}); }));
  // Keras reads batch_size=0 as its default, 32.
  cases.push_back(per_backend("fit_batch_size_zero_means_default", Outcome::Succeeds, "", [] {
    auto model = small_model();
    if (model->fit(ones(40, 4), ones(40, 1), {.batch_size = 0, .verbose = 0}).params.at("steps") != 2)
      throw CheckFailed("batch_size=0 did not train in batches of 32");
  }));
  cases.push_back(expect("predict_batch_size_zero_means_default", Outcome::Succeeds, "",
                         [] { small_model()->predict(ones(8, 4), {.batch_size = 0, .verbose = 0}); }));
  cases.push_back(per_backend("fit_batch_larger_than_data", Outcome::Succeeds, "",
                              [] { fit_small({.batch_size = 1000, .verbose = 0}); }));
  cases.push_back(expect("fit_validation_split_one", Outcome::ValueError, "validation_split=1",
                         [] { fit_small({.verbose = 0, .validation_split = 1.0}); }));
  cases.push_back(expect("fit_validation_split_negative", Outcome::ValueError, "validation_split=-0.1",
                         [] { fit_small({.verbose = 0, .validation_split = -0.1}); }));
  cases.push_back(expect("fit_validation_split_leaves_no_training_sample", Outcome::ValueError, "not sufficient",
                         [] { fit_small({.verbose = 0, .validation_split = 0.5}, 1, 1); }));
  cases.push_back(expect("fit_x_and_y_lengths_differ", Outcome::ValueError, "Data cardinality is ambiguous",
                         [] { fit_small({.verbose = 0}, 8, 5); }));
  cases.push_back(
      expect("fit_no_samples", Outcome::ValueError, "at least one sample", [] { fit_small({.verbose = 0}, 0, 0); }));
  cases.push_back(expect("evaluate_no_samples", Outcome::ValueError, "at least one sample",
                         [] { small_model()->evaluate(ones(0, 4), ones(0, 1), {.verbose = 0}); }));
  cases.push_back(expect("predict_no_samples", Outcome::ValueError, "at least one sample",
                         [] { small_model()->predict(ones(0, 4), {.verbose = 0}); }));
  cases.push_back(expect("predict_wrong_feature_count", Outcome::ValueError, "incompatible",
                         [] { small_model()->predict(ones(8, 5), {.verbose = 0}); }));
  cases.push_back(expect("predict_wrong_rank", Outcome::ValueError, "incompatible", [] {
    const Array x = xt::ones<float>({8, 4, 1});
    small_model()->predict(x, {.verbose = 0});
  }));
  cases.push_back(expect("predict_scalar_array", Outcome::ValueError, "", [] {
    const Array x = 3.f;
    small_model()->predict(x, {.verbose = 0});
  }));
  cases.push_back(expect("fit_y_with_wrong_columns", Outcome::ValueError, "",
                         [] { small_model()->fit(ones(8, 4), ones(8, 3), {.verbose = 0}); }));
  cases.push_back(expect("fit_validation_data_wrong_features", Outcome::ValueError, "incompatible",
                         [] { fit_small({.verbose = 0, .validation_data = std::make_pair(ones(4, 3), ones(4, 1))}); }));
  cases.push_back(expect("fit_sparse_label_out_of_range", Outcome::ValueError, "outside the valid range", [] {
    Sequential model({Input({4}), Dense(3, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy");
    const Array y = {0.f, 1.f, 7.f, 2.f};
    model.fit(ones(4, 4), y, {.verbose = 0});
  }));

  // ---- weights ----
  cases.push_back(expect("set_weights_wrong_count", Outcome::ValueError, "", [] {
    small_model()->set_weights({xt::zeros<float>({4, 1})});
  }));
  cases.push_back(expect("set_weights_wrong_shape", Outcome::ValueError, "", [] {
    small_model()->set_weights({xt::zeros<float>({3, 1}), xt::zeros<float>({1})});
  }));

  // ---- layer arguments ----
  cases.push_back(expect("dense_units_zero", Outcome::ValueError, "Received: units=0", [] { Dense(0); }));
  cases.push_back(expect("dense_units_negative", Outcome::ValueError, "Received: units=-1", [] { Dense(-1); }));
  cases.push_back(per_backend("dropout_rate_one_trains", Outcome::Succeeds, "", [] {
    Sequential model({Input({4}), Dense(3), Dropout(1.0f), Dense(1)});
    model.compile("sgd", "mse");
    model.fit(ones(8, 4), ones(8, 1), {.verbose = 0});
  }));
  cases.push_back(expect("dropout_rate_negative", Outcome::ValueError, "Received: rate=-0.1", [] { Dropout(-0.1f); }));
  cases.push_back(expect("dropout_rate_two", Outcome::ValueError, "Received: rate=2", [] { Dropout(2.0f); }));
  cases.push_back(expect("conv2d_filters_zero", Outcome::ValueError, "Received filters=0", [] { Conv2D(0, 3); }));
  cases.push_back(
      expect("conv2d_strides_zero", Outcome::ValueError, "strides", [] { Conv2D(2, 3, "linear", {.strides = 0}); }));
  cases.push_back(expect("conv2d_kernel_larger_than_input", Outcome::ValueError,
                         "Computed output size would be zero or negative", [] {
                           Conv2D(2, 5)(Input({3, 3, 1}));
                         }));
  cases.push_back(
      expect("maxpool_larger_than_input", Outcome::ValueError, "Computed output size would be zero or negative", [] {
        MaxPooling2D(5)(Input({3, 3, 1}));
      }));
  cases.push_back(expect("upsampling_size_zero", Outcome::ValueError, "size", [] { UpSampling2D(0); }));
  // Keras reads a negative ZeroPadding2D as cropping; Strata refuses it (Cropping2D does that).
  cases.push_back(
      expect("zero_padding_negative", Outcome::ValueError, "cannot be negative", [] { ZeroPadding2D(-1); }));
  cases.push_back(expect("conv2d_unknown_padding", Outcome::ValueError, "padding",
                         [] { Conv2D(2, 3, "linear", {.padding = "full"}); }));
  cases.push_back(expect("conv2d_groups_not_dividing_filters", Outcome::ValueError, "groups",
                         [] { Conv2D(3, 3, "linear", {.groups = 2}); }));
  cases.push_back(expect("cropping_more_than_input", Outcome::ValueError, "should be smaller", [] {
    Cropping2D(2)(Input({3, 3, 1}));
  }));
  cases.push_back(
      expect("conv2d_on_vector_input", Outcome::ValueError, "expected min_ndim=4", [] { Conv2D(2, 3)(Input({4})); }));
  cases.push_back(expect("dense_reused_on_other_width", Outcome::ValueError, "incompatible", [] {
    Dense dense(3);
    dense(Input({4}));
    dense(Input({5}));
  }));
  cases.push_back(expect("input_negative_dimension", Outcome::ValueError, "Negative dimensions are not allowed",
                         [] { Input({-5}); }));
  // Keras accepts an axis of size 0; Strata refuses it (no backend op is defined on empty tensors).
  cases.push_back(expect("input_zero_dimension", Outcome::ValueError, "size 0", [] { Input({0}); }));
  cases.push_back(expect("input_nine_axes", Outcome::ValueError, "at most 8 axes", [] {
    Input({1, 1, 1, 1, 1, 1, 1, 1, 1});
  }));
  cases.push_back(expect("reshape_to_incompatible_size", Outcome::ValueError, "target_shape", [] {
    Reshape({3, 3})(Input({4}));
  }));
  cases.push_back(expect("reshape_two_unknown_axes", Outcome::ValueError, "at most one", [] { Reshape({-1, -1}); }));
  cases.push_back(expect("reshape_negative_axis", Outcome::ValueError, "target_shape", [] { Reshape({-2, 2}); }));
  cases.push_back(expect("concatenate_mismatched_shapes", Outcome::ValueError, "matching shapes", [] {
    Concatenate()({Input({4, 3}), Input({5, 3})});
  }));
  cases.push_back(expect("concatenate_axis_out_of_range", Outcome::ValueError, "axis", [] {
    Concatenate(5)({Input({3}), Input({3})});
  }));
  cases.push_back(expect("add_mismatched_shapes", Outcome::ValueError, "incompatible shapes", [] {
    Add()({Input({4}), Input({5})});
  }));
  cases.push_back(expect("batchnorm_axis_out_of_range", Outcome::ValueError, "axis",
                         [] { BatchNormalization({.axis = 5})(Input({3})); }));
  cases.push_back(per_backend("same_layer_twice_in_sequential", Outcome::Succeeds, "", [] {
    Dense dense(4);
    Sequential model({Input({4}), dense, dense});
    model.compile("sgd", "mse");
    model.fit(ones(8, 4), ones(8, 4), {.verbose = 0});
  }));
  cases.push_back(expect("functional_disconnected_output", Outcome::ValueError, "", [] {
    const auto a = Input({4});
    const auto b = Input({4});
    strata::Model(a, Dense(1)(b));
  }));

  cases.push_back(expect("softmax_axis_out_of_range_on_data", Outcome::ValueError, "", [] {
    Sequential model({Input({3}), Softmax(5)});
    model.predict(ones(2, 3), {.verbose = 0});
  }));
  cases.push_back(expect("dot_axis_out_of_range", Outcome::ValueError, "", [] { Dot(3)({Input({3}), Input({3})}); }));
  cases.push_back(
      expect("spatial_dropout_rate_two", Outcome::ValueError, "Received: rate=2", [] { SpatialDropout2D(2.0); }));
  cases.push_back(expect("leaky_relu_negative_slope", Outcome::ValueError, "negative_slope", [] { LeakyReLU(-1.0); }));
  cases.push_back(expect("relu_negative_max_value", Outcome::ValueError, "max_value", [] { ReLU(-1.0); }));
  // Keras accepts a merge layer on a single input (it passes it through).
  cases.push_back(expect("merge_layer_on_one_input", Outcome::Succeeds, "", [] { Add()({Input({3})}); }));
  cases.push_back(expect("sequential_second_input", Outcome::ValueError, "", [] {
    Sequential model({Input({4}), Dense(2)});
    model.add(Input({4}));
  }));
  cases.push_back(expect("sequential_pop_when_empty", Outcome::ValueError, "", [] { Sequential().pop(); }));
  cases.push_back(
      expect("get_layer_index_out_of_range", Outcome::ValueError, "index 5", [] { small_model()->get_layer(5); }));
  cases.push_back(expect("set_weights_before_build", Outcome::ValueError, "", [] {
    Sequential({Dense(2)}).set_weights({xt::zeros<float>({4, 2}), xt::zeros<float>({2})});
  }));
  cases.push_back(expect("loss_weights_count_differs", Outcome::ValueError, "loss weights", [] {
    small_model(false)->compile("sgd", "mse", {}, std::vector<double>{1.0, 2.0});
  }));
  cases.push_back(expect("loss_by_name_for_unknown_output", Outcome::ValueError, "loss dict", [] {
    small_model(false)->compile("sgd", {{"nope", "mse"}});
  }));
  // Keras accepts an input listed twice; Strata's Functional refuses it (see ARCHITECTURE.md).
  cases.push_back(expect("functional_input_listed_twice", Outcome::ValueError, "", [] {
    const auto a = Input({4});
    strata::Model({a, a}, Dense(1)(a));
  }));
  cases.push_back(expect("layer_called_without_inputs", Outcome::ValueError, "without inputs",
                         [] { Concatenate()(std::span<const strata::Tensor>()); }));
  cases.push_back(
      expect("layer_called_on_empty_tensor", Outcome::ValueError, "empty tensor", [] { Dense(2)(strata::Tensor()); }));

  // ---- names ----
  cases.push_back(expect("unknown_activation", Outcome::ValueError, "relux", [] { Dense(2, "relux"); }));
  cases.push_back(expect("unknown_loss", Outcome::ValueError, "Could not interpret loss identifier",
                         [] { small_model(false)->compile("sgd", "msex"); }));
  cases.push_back(
      expect("unknown_optimizer", Outcome::ValueError, "sgdx", [] { small_model(false)->compile("sgdx", "mse"); }));
  cases.push_back(expect("unknown_metric", Outcome::ValueError, "Could not interpret metric identifier",
                         [] { small_model(false)->compile("sgd", "mse", {"accx"}); }));
  cases.push_back(expect("get_layer_unknown_name", Outcome::ValueError, "", [] { small_model()->get_layer("nope"); }));

  // ---- optimizers ----
  // Keras accepts a negative learning rate (and trains uphill); Strata's optimizers refuse it
  // on purpose, with Keras's argument wording.
  cases.push_back(expect("sgd_negative_learning_rate", Outcome::ValueError, "Received: learning_rate=-0.01",
                         [] { strata::optimizers::SGD(-0.01); }));
  cases.push_back(expect("sgd_momentum_two", Outcome::ValueError, "`momentum` must be a float between [0, 1]",
                         [] { strata::optimizers::SGD(0.01, {.momentum = 2.0}); }));
  return cases;
}

}  // namespace strata_bad_inputs
