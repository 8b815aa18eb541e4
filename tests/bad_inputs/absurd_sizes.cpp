// Shapes too large to hold: their sizes overflow 64 bits, or their bytes exceed any machine.
// Each must fail with a ResourceExhaustedError that names the layer or weight, before memory is
// asked for, and with UBSan quiet (no size arithmetic may wrap on the way).

#include <cstdint>
#include <limits>

#include "strata/strata.hpp"
#include "tests/bad_inputs/bad_case.hpp"

namespace strata_bad_inputs {

namespace {

using strata::Input;
using namespace strata::layers;
namespace fs = std::filesystem;

constexpr std::int64_t k2to40 = std::int64_t(1) << 40;
constexpr std::int64_t k2to62 = std::int64_t(1) << 62;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

BadCase exhausted(std::string name, std::string message, bool per_backend, void (*run)()) {
  return {std::move(name), Outcome::ResourceExhaustedError, std::move(message), per_backend,
          [run](const fs::path&) { run(); }};
}

}  // namespace

std::vector<BadCase> absurd_size_cases() {
  std::vector<BadCase> cases;
  cases.push_back(exhausted("flatten_output_overflows", "Flatten", false, [] { Flatten()(Input({k2to40, k2to40})); }));
  cases.push_back(exhausted("reshape_input_overflows", "Reshape", false, [] {
    Reshape({-1})(Input({k2to40, k2to40}));
  }));
  cases.push_back(
      exhausted("dense_kernel_elements_overflow", "kernel", true, [] { (void)Dense(k2to40)(Input({k2to40})); }));
  // 2^40 floats: a size that fits in 64 bits but no machine can hold.
  cases.push_back(exhausted("dense_kernel_of_4_tib", "kernel", true, [] { Dense(1 << 20)(Input({1 << 20})); }));
  // Its output shape fits in 64 bits, its 16 TiB of floats in no machine: the call on data names
  // the layer whose output it is.
  cases.push_back(
      exhausted("upsampling_output_of_16_tib", "Layer \"up\" (UpSampling2D) cannot compute its output", true, [] {
        UpSampling2D up(1 << 20, {.name = "up"});
        const xt::xarray<float> x = xt::ones<float>({1, 2, 2, 1});
        up(strata::from_host(strata::current_backend(), x));
      }));
  // The same through predict, whose result array for the whole of x is also 16 TiB.
  cases.push_back(exhausted("predict_output_of_16_tib", "", true, [] {
    strata::Sequential model({Input({2, 2, 1}), UpSampling2D(1 << 20)});
    model.predict(xt::ones<float>({1, 2, 2, 1}), {.verbose = 0});
  }));
  cases.push_back(exhausted("upsampling_output_overflows", "UpSampling2D", false, [] {
    UpSampling2D(4)(Input({k2to62, 4, 1}));
  }));
  cases.push_back(exhausted("zero_padding_output_overflows", "ZeroPadding2D", false, [] {
    (void)ZeroPadding2D(k2to62)(Input({k2to62, 4, 1}));
  }));
  cases.push_back(exhausted("concatenate_axis_overflows", "Concatenate", false, [] {
    Concatenate()({Input({kMax - 1}), Input({kMax - 1})});
  }));
  cases.push_back(exhausted("conv_dilated_kernel_overflows", "convolution", false, [] {
    Conv2D(1, 3, "linear", {.dilation_rate = k2to62})(Input({8, 8, 1}));
  }));
  cases.push_back(exhausted("conv_same_padding_on_huge_input", "kernel", false, [] {
    Conv2D(1, {kMax / 2, 1}, "linear", {.strides = {kMax / 2, 1}, .padding = "same"})(Input({kMax - 1, 4, 1}));
  }));
  cases.push_back(exhausted("conv_transpose_output_overflows", "transposed convolution", false, [] {
    Conv2DTranspose(1, 3, "linear", {.strides = k2to62})(Input({8, 8, 1}));
  }));
  cases.push_back(exhausted("depthwise_multiplier_overflows", "DepthwiseConv2D", false, [] {
    DepthwiseConv2D(3, "linear", {.depth_multiplier = k2to62})(Input({8, 8, 4}));
  }));
  cases.push_back(exhausted("conv_kernel_weight_overflows", "kernel", false, [] {
    Conv2D(k2to40, 1)(Input({8, 8, k2to40}));
  }));
  return cases;
}

}  // namespace strata_bad_inputs
