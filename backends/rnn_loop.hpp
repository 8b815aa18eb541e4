#pragma once
// The recurrent loop of rnn_forward / rnn_backward (include/strata/backend.hpp), written once
// over the two things the host backends do differently: the matrix products (a Gemm callable,
// row-major, C = op(A) op(B) + beta C) and where scratch memory comes from. The reference
// backend hands it a double-accumulating loop product, the cpu backend oneDNN's sgemm; the
// Keras goldens check both. Private to backends/.
//
// Layout. Steps are taken in processing order s = 0 .. T-1, reading input step
// t = go_backwards ? T-1-s : s. The workspace holds, for backward:
//   h     (T+1, B, H)     the state before each step and after the last (h[0] = h0)
//   c     (T+1, B, H)     LSTM's cell state likewise
//   gates (T, B, G*H)     the activated gates of each step: SimpleRNN its new output; LSTM
//                         i, f, g, o; GRU z, r, n
//   extra (T, B, H)       LSTM: act(c') of each step (its output is o act(c'), its backward needs
//                         act(c') again); GRU with reset_after: the recurrent candidate h U_h + b_rh
// Masked rows keep their states and output the carried state (as Keras's masked rnn, whose
// output at a masked step is states[0]); their gradients pass the state gradients through and
// add nothing to the weights.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "strata/backend.hpp"

namespace strata::backends::rnn {

using Index = std::int64_t;

/// The sizes of one call and the offsets of its workspace blocks.
struct Geometry {
  Index batch, steps, features, units, gates;
  bool lstm, gru, reset_after;
  Index h_offset() const { return 0; }
  Index c_offset() const { return (steps + 1) * batch * units; }
  Index gates_offset() const { return c_offset() * (lstm ? 2 : 1); }
  Index extra_offset() const { return gates_offset() + steps * batch * gates * units; }
  Index size() const { return extra_offset() + (lstm || (gru && reset_after) ? steps * batch * units : 0); }
};

inline Geometry geometry(const RnnParams& p, Index batch, Index steps, Index features, Index units) {
  const bool gru = p.kind == RnnKind::GRU;
  return {batch, steps, features, units, rnn_gates(p.kind), p.kind == RnnKind::LSTM, gru, gru && p.reset_after};
}

/// e^x within about one float ulp for x in [-87, 88], saturating outside it (e^88 and e^-87,
/// which the gates' sigmoid and tanh turn into their limits); NaN stays NaN. Inline and free of
/// library calls, so a step's element-wise loops stay in registers: e^x = 2^n e^r with
/// n = round(x / ln 2), r = x - n ln 2 (ln 2 in two parts, Cody and Waite), e^r by its series
/// to r^6 (|r| <= ln 2 / 2: truncation below 1.3e-7).
inline float fast_exp(float x) {
  const float c = x == x ? std::min(std::max(x, -87.f), 88.f) : 0.f;
  const float n = std::floor(c * 1.44269504f + 0.5f);
  const float r = (c - n * 0.693145752f) - n * 1.42860677e-6f;
  const float p =
      1.f + r * (1.f + r * (0.5f + r * (1.f / 6.f + r * (1.f / 24.f + r * (1.f / 120.f + r * (1.f / 720.f))))));
  const float scale = std::bit_cast<float>((static_cast<std::int32_t>(n) + 127) << 23);
  return x == x ? p * scale : x;
}

/// tanh(z) through one exponential, a few times faster than libm's tanhf (which goes through
/// expm1f), which was the loop's largest cost. Near 0, where 1 - 2 / (e^2|z| + 1) would lose digits, its series to
/// z^7 (truncation below 2e-10 relative for |z| < 0.125); elsewhere within a few float ulps.
/// NaN stays NaN, infinities give +-1.
inline float fast_tanh(float z) {
  const float a = std::fabs(z);
  if (a < 0.125f) {
    const float z2 = z * z;
    return z * (1.f + z2 * (-1.f / 3.f + z2 * (2.f / 15.f + z2 * (-17.f / 315.f))));
  }
  return std::copysign(1.f - 2.f / (fast_exp(2.f * a) + 1.f), z);
}

/// f(z) for the activations the cells take.
inline float activate(ActivationKind kind, float z) {
  switch (kind) {
    case ActivationKind::Tanh: return fast_tanh(z);
    case ActivationKind::Sigmoid: return 1.f / (1.f + fast_exp(-z));
    case ActivationKind::Relu: return z > 0.f ? z : (z == z ? 0.f : z);  // NaN stays NaN
    default: return z;
  }
}

/// f'(z) from y = f(z).
inline float derivative(ActivationKind kind, float y) {
  switch (kind) {
    case ActivationKind::Tanh: return 1.f - y * y;
    case ActivationKind::Sigmoid: return y * (1.f - y);
    case ActivationKind::Relu: return y > 0.f ? 1.f : 0.f;
    default: return 1.f;
  }
}

/// to[0, n) = from's values, or zeros when from is null (an absent initial state or gradient).
inline void copy_or_zero(const float* from, float* to, Index n) {
  if (from)
    std::memcpy(to, from, sizeof(float) * static_cast<std::size_t>(n));
  else
    std::fill(to, to + n, 0.f);
}

/// Whether batch row b keeps input step t (no mask: every step).
inline bool kept(const float* mask, Index steps, Index b, Index t) { return !mask || mask[b * steps + t] != 0.f; }

/// The tensors of one forward call as raw memory.
struct ForwardArgs {
  const float* x;
  const float* kernel;
  const float* recurrent;
  const float* bias;  // null: none; GRU reset_after: (2, 3H)
  const float* h0;
  const float* c0;
  const float* mask;
  float* outputs;
  float* h_last;
  float* c_last;
  float* workspace;
};

/// rnn_forward. `scratch(n)` returns n floats of memory the call may use; `rows(n, body)` runs
/// body(b0, b1) over the batch rows [0, n), on one thread or split between threads (the
/// element-wise work of a step, its transcendentals most of all, is per row).
template <class Gemm, class Scratch, class Rows>
void forward(const RnnParams& p, const Geometry& g, const ForwardArgs& a, Gemm&& gemm, Scratch&& scratch, Rows&& rows) {
  const Index B = g.batch, T = g.steps, I = g.features, H = g.units, G = g.gates, GH = G * H;
  const ActivationKind act = p.activation.kind, ract = p.recurrent_activation.kind;
  float* hs = a.workspace + g.h_offset();
  float* cs = a.workspace + g.c_offset();
  float* gates = a.workspace + g.gates_offset();
  float* extra = a.workspace + g.extra_offset();  // LSTM: act(c'); GRU reset_after: h U_h + b_rh
  float* rec = scratch(B * GH);                   // h U (+ recurrent bias) of the step, GRU only
  copy_or_zero(a.h0, hs, B * H);
  if (g.lstm) copy_or_zero(a.c0, cs, B * H);
  const float* bias_in = a.bias;
  const float* bias_rec = a.bias && g.reset_after ? a.bias + GH : nullptr;
  for (Index s = 0; s < T; ++s) {
    const Index t = p.go_backwards ? T - 1 - s : s;
    const float* h = hs + s * B * H;
    float* h_next = hs + (s + 1) * B * H;
    float* z = gates + s * B * GH;
    // z = x_t W (+ h U where the cell adds it whole).
    gemm(false, false, B, GH, I, a.x + t * I, T * I, a.kernel, GH, 0.f, z, GH);
    if (!g.gru) {
      gemm(false, false, B, GH, H, h, H, a.recurrent, GH, 1.f, z, GH);
    } else if (g.reset_after) {
      gemm(false, false, B, GH, H, h, H, a.recurrent, GH, 0.f, rec, GH);
    } else {
      gemm(false, false, B, 2 * H, H, h, H, a.recurrent, GH, 0.f, rec, GH);  // z and r blocks only
    }
    rows(B, [&](Index b0, Index b1) {
      for (Index b = b0; b < b1; ++b) {
        float* zb = z + b * GH;
        if (bias_in)
          for (Index j = 0; j < GH; ++j) zb[j] += bias_in[j];
        const float* rb = rec + b * GH;
        if (g.gru) {
          for (Index j = 0; j < 2 * H; ++j) zb[j] = activate(ract, zb[j] + rb[j] + (bias_rec ? bias_rec[j] : 0.f));
        }
        if (g.gru && g.reset_after) {
          float* rh = extra + (s * B + b) * H;
          for (Index j = 0; j < H; ++j) {
            rh[j] = rb[2 * H + j] + (bias_rec ? bias_rec[2 * H + j] : 0.f);
            zb[2 * H + j] = activate(act, zb[2 * H + j] + zb[H + j] * rh[j]);
          }
        }
        if (p.kind == RnnKind::SimpleRNN)
          for (Index j = 0; j < H; ++j) zb[j] = activate(act, zb[j]);
        if (g.lstm) {
          for (Index j = 0; j < H; ++j) {
            zb[j] = activate(ract, zb[j]);
            zb[H + j] = activate(ract, zb[H + j]);
            zb[2 * H + j] = activate(act, zb[2 * H + j]);
            zb[3 * H + j] = activate(ract, zb[3 * H + j]);
          }
        }
      }
    });
    if (g.gru && !g.reset_after) {
      // n = act(x_h + (r h) U_h): the product r h, then its matmul with U's last block, both in
      // `rec`, whose z and r blocks are consumed.
      float* rh = rec;
      for (Index b = 0; b < B; ++b)
        for (Index j = 0; j < H; ++j) rh[b * H + j] = z[b * GH + H + j] * h[b * H + j];
      float* n_pre = rec + B * H;
      gemm(false, false, B, H, H, rh, H, a.recurrent + 2 * H, GH, 0.f, n_pre, H);
      for (Index b = 0; b < B; ++b)
        for (Index j = 0; j < H; ++j) z[b * GH + 2 * H + j] = activate(act, z[b * GH + 2 * H + j] + n_pre[b * H + j]);
    }
    // The new states, kept only where the mask keeps the step.
    rows(B, [&](Index b0, Index b1) {
      for (Index b = b0; b < b1; ++b) {
        const bool keep = kept(a.mask, T, b, t);
        const float* zb = z + b * GH;
        const float* hb = h + b * H;
        float* hn = h_next + b * H;
        float* out = a.outputs + (b * T + s) * H;
        if (!keep) {
          // The states carry over and the output is the carried state (Keras's output_tm1 =
          // states[0]: the previous output, or the initial state before the first kept step).
          std::memcpy(hn, hb, sizeof(float) * H);
          if (g.lstm) std::memcpy(cs + ((s + 1) * B + b) * H, cs + (s * B + b) * H, sizeof(float) * H);
          std::memcpy(out, hb, sizeof(float) * H);
          continue;
        }
        if (p.kind == RnnKind::SimpleRNN) {
          std::memcpy(hn, zb, sizeof(float) * H);
        } else if (g.lstm) {
          const float* c = cs + (s * B + b) * H;
          float* cn = cs + ((s + 1) * B + b) * H;
          float* act_c = extra + (s * B + b) * H;
          for (Index j = 0; j < H; ++j) {
            cn[j] = zb[H + j] * c[j] + zb[j] * zb[2 * H + j];
            act_c[j] = activate(act, cn[j]);
            hn[j] = zb[3 * H + j] * act_c[j];
          }
        } else {
          for (Index j = 0; j < H; ++j) hn[j] = zb[j] * hb[j] + (1.f - zb[j]) * zb[2 * H + j];
        }
        std::memcpy(out, hn, sizeof(float) * H);
      }
    });
  }
  std::memcpy(a.h_last, hs + T * B * H, sizeof(float) * B * H);
  if (g.lstm && a.c_last) std::memcpy(a.c_last, cs + T * B * H, sizeof(float) * B * H);
}

/// The tensors of one backward call as raw memory.
struct BackwardArgs {
  const float* x;
  const float* kernel;
  const float* recurrent;
  bool has_bias;
  const float* mask;
  const float* workspace;
  const float* d_outputs;  // null: zeros
  const float* d_h_last;   // null: zeros
  float* dx;               // null: not wanted
  float* d_kernel;
  float* d_recurrent;
  float* d_bias;  // null when there is no bias
  float* d_h0;
  float* d_c0;
};

/// rnn_backward, with forward's helpers.
template <class Gemm, class Scratch, class Rows>
void backward(const RnnParams& p, const Geometry& g, const BackwardArgs& a, Gemm&& gemm, Scratch&& scratch,
              Rows&& rows) {
  const Index B = g.batch, T = g.steps, I = g.features, H = g.units, G = g.gates, GH = G * H;
  const ActivationKind act = p.activation.kind, ract = p.recurrent_activation.kind;
  const float* hs = a.workspace + g.h_offset();
  const float* cs = a.workspace + g.c_offset();
  const float* gates = a.workspace + g.gates_offset();
  const float* extra = a.workspace + g.extra_offset();
  float* mem = scratch(B * (2 * GH + 5 * H + 1));
  float* dz = mem;              // (B, GH): gradient of the input part x_t W + b
  float* dr = dz + B * GH;      // (B, GH): gradient of the recurrent part h U (+ b_r)
  float* dh = dr + B * GH;      // (B, H): dL/d state h after the step
  float* dc = dh + B * H;       // (B, H): dL/d cell state after the step (LSTM)
  float* dh_prev = dc + B * H;  // (B, H)
  float* dn = dh_prev + B * H;  // (B, H): GRU reset_before, dL/d the candidate's pre-activation
  float* d_rh = dn + B * H;     // (B, H): GRU reset_before, dL/d (r h)
  float* ones = d_rh + B * H;   // (B): the bias gradients' column sums
  std::fill(ones, ones + B, 1.f);
  copy_or_zero(a.d_h_last, dh, B * H);
  std::fill(dc, dc + B * H, 0.f);
  std::fill(a.d_kernel, a.d_kernel + I * GH, 0.f);
  std::fill(a.d_recurrent, a.d_recurrent + H * GH, 0.f);
  if (a.d_bias) std::fill(a.d_bias, a.d_bias + (g.reset_after ? 2 : 1) * GH, 0.f);
  for (Index s = T - 1; s >= 0; --s) {
    const Index t = p.go_backwards ? T - 1 - s : s;
    const float* h = hs + s * B * H;
    const float* z = gates + s * B * GH;
    rows(B, [&](Index b0, Index b1) {
      for (Index b = b0; b < b1; ++b) {
        const bool keep = kept(a.mask, T, b, t);
        float* dzb = dz + b * GH;
        float* drb = dr + b * GH;
        float* dhb = dh + b * H;
        float* dcb = dc + b * H;
        float* dpb = dh_prev + b * H;
        const float* d_out = a.d_outputs ? a.d_outputs + (b * T + s) * H : nullptr;
        // The step's output is its new state where kept, else the carried state: either way the
        // output's gradient joins the state's.
        if (d_out)
          for (Index j = 0; j < H; ++j) dhb[j] += d_out[j];
        if (!keep) {
          // The states pass through unchanged (dc stays as it is).
          std::fill(dzb, dzb + GH, 0.f);
          if (g.reset_after) std::fill(drb, drb + GH, 0.f);  // dr is read by GRU reset_after only
          std::memcpy(dpb, dhb, sizeof(float) * H);
          if (g.gru && !g.reset_after) std::fill(dn + b * H, dn + (b + 1) * H, 0.f);
          continue;
        }
        const float* zb = z + b * GH;
        const float* hb = h + b * H;
        if (p.kind == RnnKind::SimpleRNN) {
          for (Index j = 0; j < H; ++j) dzb[j] = dhb[j] * derivative(act, zb[j]);
          std::fill(dpb, dpb + H, 0.f);
        } else if (g.lstm) {
          const float* c = cs + (s * B + b) * H;
          const float* act_c = extra + (s * B + b) * H;
          for (Index j = 0; j < H; ++j) {
            const float i = zb[j], f = zb[H + j], gg = zb[2 * H + j], o = zb[3 * H + j];
            const float tc = act_c[j];
            const float dct = dcb[j] + dhb[j] * o * derivative(act, tc);
            dzb[j] = dct * gg * derivative(ract, i);
            dzb[H + j] = dct * c[j] * derivative(ract, f);
            dzb[2 * H + j] = dct * i * derivative(act, gg);
            dzb[3 * H + j] = dhb[j] * tc * derivative(ract, o);
            dcb[j] = dct * f;
          }
          std::fill(dpb, dpb + H, 0.f);
        } else {
          for (Index j = 0; j < H; ++j) {
            const float zz = zb[j], r = zb[H + j], n = zb[2 * H + j];
            const float d_pre = dhb[j] * (1.f - zz) * derivative(act, n);
            dzb[j] = dhb[j] * (hb[j] - n) * derivative(ract, zz);
            dzb[2 * H + j] = d_pre;
            dpb[j] = dhb[j] * zz;
            if (g.reset_after) {
              const float rhj = extra[(s * B + b) * H + j];
              dzb[H + j] = d_pre * rhj * derivative(ract, r);
              drb[2 * H + j] = d_pre * r;
            } else {
              dn[b * H + j] = d_pre;  // times U_h^T below, then split into r and h
            }
          }
          if (g.reset_after)
            for (Index j = 0; j < 2 * H; ++j) drb[j] = dzb[j];
        }
      }
    });
    if (g.gru && !g.reset_after) {
      // d(r h) = dn U_h^T; then dr = d(r h) h, and h gets d(r h) r directly.
      gemm(false, true, B, H, H, dn, H, a.recurrent + 2 * H, GH, 0.f, d_rh, H);
      for (Index b = 0; b < B; ++b) {
        if (!kept(a.mask, T, b, t)) continue;
        const float* zb = z + b * GH;
        const float* hb = h + b * H;
        for (Index j = 0; j < H; ++j) {
          const float r = zb[H + j];
          dz[b * GH + H + j] = d_rh[b * H + j] * hb[j] * derivative(ract, r);
          dh_prev[b * H + j] += d_rh[b * H + j] * r;
        }
      }
      // dU_h += (r h)^T dn, with r h recomputed into dr's memory (unused by this cell).
      float* r_h = dr;
      for (Index b = 0; b < B; ++b)
        for (Index j = 0; j < H; ++j) r_h[b * H + j] = z[b * GH + H + j] * h[b * H + j];
      gemm(true, false, H, H, B, r_h, H, dn, H, 1.f, a.d_recurrent + 2 * H, GH);
      // dU_zr += h^T [dz_z, dz_r]; dh_prev += [dz_z, dz_r] U_zr^T.
      gemm(true, false, H, 2 * H, B, h, H, dz, GH, 1.f, a.d_recurrent, GH);
      gemm(false, true, B, H, 2 * H, dz, GH, a.recurrent, GH, 1.f, dh_prev, H);
    } else {
      const float* d_rec = g.gru ? dr : dz;  // GRU reset_after: the recurrent part has its own gradient
      gemm(true, false, H, GH, B, h, H, d_rec, GH, 1.f, a.d_recurrent, GH);
      gemm(false, true, B, H, GH, d_rec, GH, a.recurrent, GH, 1.f, dh_prev, H);
      // The bias gradients are column sums, taken as products with a row of ones.
      if (a.d_bias && g.reset_after) gemm(false, false, 1, GH, B, ones, B, dr, GH, 1.f, a.d_bias + GH, GH);
    }
    gemm(true, false, I, GH, B, a.x + t * I, T * I, dz, GH, 1.f, a.d_kernel, GH);
    if (a.d_bias) gemm(false, false, 1, GH, B, ones, B, dz, GH, 1.f, a.d_bias, GH);
    if (a.dx) gemm(false, true, B, I, GH, dz, GH, a.kernel, GH, 0.f, a.dx + t * I, T * I);
    std::memcpy(dh, dh_prev, sizeof(float) * B * H);
  }
  if (a.d_h0) std::memcpy(a.d_h0, dh, sizeof(float) * B * H);
  if (a.d_c0 && g.lstm) std::memcpy(a.d_c0, dc, sizeof(float) * B * H);
}

}  // namespace strata::backends::rnn
