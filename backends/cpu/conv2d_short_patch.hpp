#pragma once
// Forward and backward-weights of a first convolution layer on grey or RGB images: one group, a
// 3x3 kernel over 1 or 3 input channels (9 or 27 products per output), output channels in
// multiples of 16, on a CPU with AVX-512. oneDNN blocks such a layer's reduction over input
// channels, of which there are one to three: it ran the Fashion-MNIST convnet's first layer (1
// channel, 32 filters) backward-weights at 18% of the sgemm rate, and its bf16 forward slower
// than its f32 one. Backward-weights: every pixel of an image adds its patch times dy into
// (taps + 1) x 16 sums held in AVX-512 registers (the last one dy's own sum, the bias gradient);
// each image's sums are added in double, in image order, so the result does not depend on the
// thread count. Forward: each block of output channels keeps its taps' weights in registers
// across the image's pixels, bias and relu fused. Both skip the taps of a patch that fall in the
// padding (a padded zero times an infinity would make a NaN the reference does not), and both
// take bf16 tensors (a mixed-precision first layer) as their bits, widened as they are loaded,
// summed in f32 and rounded once.

#include <cstdint>

#include "backends/cpu/kernels.hpp"
#include "strata/backend.hpp"

namespace strata::backends::cpu {

/// Every extent the kernel needs: x (n, h, w, in), dy (n, oh, ow, out), the kernel (kh, kw, in, out).
struct ShortPatchGeom {
  Index n, h, w, in, kh, kw, out, oh, ow;
  Conv2DParams p;
};

/// Whether short_patch_backward_weights takes this convolution on this CPU.
bool short_patch(const ShortPatchGeom& g, Index groups);

/// y = b + the convolution of x with w (Keras's layout), relu'd when `relu` (NaN kept): the
/// forward of such a layer, whose one to three input channels oneDNN's kernels use poorly (its bf16
/// one took 730 µs on the MNIST convnet's first layer at batch 128, its f32 one 470). b may be
/// null.
void short_patch_forward(const ShortPatchGeom& g, const float* x, const float* w, const float* b, bool relu, float* y);
/// The same on bf16 x, w and y (their bits), each output summed in f32 and rounded once.
void short_patch_forward(const ShortPatchGeom& g, const std::uint16_t* x, const std::uint16_t* w, const float* b,
                         bool relu, std::uint16_t* y);
/// dw (kh, kw, in, out) = the sum over images and pixels of x's patch times dy; db (out) = the sum
/// of dy, when not null.
void short_patch_backward_weights(const ShortPatchGeom& g, const float* x, const float* dy, float* dw, float* db);
/// The same from bf16 x and dy (their bits), summed in f32 as the f32 form: a mixed-precision
/// first layer's dw and db, still f32.
void short_patch_backward_weights(const ShortPatchGeom& g, const std::uint16_t* x, const std::uint16_t* dy, float* dw,
                                  float* db);

}  // namespace strata::backends::cpu
