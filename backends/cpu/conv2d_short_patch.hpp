#pragma once
// Backward-weights of a first convolution layer on grey or RGB images: one group, a 3x3 kernel
// over 1 or 3 input channels (9 or 27 products per output), output channels in multiples of 16,
// on a CPU with AVX-512. oneDNN blocks such a layer's reduction over input channels, of which
// there are one to three, and ran the Fashion-MNIST convnet's first layer (1 channel, 32
// filters) at 18% of the sgemm rate. Here every pixel of an image adds its patch times dy into
// (taps + 1) x 16 sums held in AVX-512 registers (the last one dy's own sum, the bias gradient);
// pixels whose patch reaches into the padding skip those taps (a padded zero times an infinite
// dy would make a NaN the reference does not); each image's sums are added in double, in image
// order, so the result does not depend on the thread count. bf16 x and dy (a mixed-precision
// first layer) are widened as they are loaded and summed the same way.

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

/// dw (kh, kw, in, out) = the sum over images and pixels of x's patch times dy; db (out) = the sum
/// of dy, when not null.
void short_patch_backward_weights(const ShortPatchGeom& g, const float* x, const float* dy, float* dw, float* db);
/// The same from bf16 x and dy (their bits), summed in f32 as the f32 form: a mixed-precision
/// first layer's dw and db, still f32.
void short_patch_backward_weights(const ShortPatchGeom& g, const std::uint16_t* x, const std::uint16_t* dy, float* dw,
                                  float* db);

}  // namespace strata::backends::cpu
