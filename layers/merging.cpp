#include "layers/merging.hpp"

#include <algorithm>
#include <sstream>

#include "strata/error.hpp"

namespace strata::detail {

namespace {

// Buffers of one element-wise merge call. The forward pass alternates between two outputs so
// no backend op writes over one of its own inputs; backward keeps its scratch apart from the
// output (Maximum and Minimum read it) and gives every input gradient a buffer of its own.
enum Slot : std::size_t { kOutputA, kOutputB, kScratch, kMask, kRemainingA, kRemainingB, kInputGrad };

BinaryOp binary_op_of(MergeKind kind) {
  switch (kind) {
    case MergeKind::Add:
    case MergeKind::Average: return BinaryOp::Add;
    case MergeKind::Subtract: return BinaryOp::Subtract;
    case MergeKind::Multiply: return BinaryOp::Multiply;
    case MergeKind::Maximum: return BinaryOp::Maximum;
    case MergeKind::Minimum: return BinaryOp::Minimum;
  }
  return BinaryOp::Add;
}

Tensor expanded(const Tensor& x, std::size_t rank) { return x.reshaped(expand_after_batch(x.shape(), rank)); }

}  // namespace

// ---- shape rules ------------------------------------------------------------------------------

std::string shapes_text(std::span<const Shape> shapes) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shapes.size(); ++i) out << (i ? ", " : "") << shapes[i].to_string();
  out << ']';
  return out.str();
}

Shape elementwise_shape(const Shape& a, const Shape& b) {
  // Keras recurses with the longer shape first, so its message names them in that order.
  if (a.rank() < b.rank()) return elementwise_shape(b, a);
  if (b.rank() == 0) return a;
  std::vector<std::int64_t> out(a.dims().begin(), a.dims().end() - static_cast<std::ptrdiff_t>(b.rank()));
  const std::size_t offset = a.rank() - b.rank();
  for (std::size_t k = 0; k < b.rank(); ++k) {
    const std::int64_t i = a.dims()[offset + k], j = b.dims()[k];
    if (i < 0 || j < 0) {
      out.push_back(kNone);
    } else if (i == 1) {
      out.push_back(j);
    } else if (j == 1 || i == j) {
      out.push_back(i);
    } else {
      throw ValueError(
          concat("Inputs have incompatible shapes. Received shapes ", a.to_string(), " and ", b.to_string()));
    }
  }
  return Shape(out);
}

void check_batch_sizes(std::span<const Shape> shapes) {
  std::int64_t batch = kNone;
  for (const Shape& s : shapes) {
    if (s.rank() == 0 || s[0] < 0) continue;
    STRATA_CHECK(batch < 0 || s[0] == batch, ValueError,
                 "Cannot merge tensors with different batch sizes. Received tensors with shapes ", shapes_text(shapes));
    batch = s[0];
  }
}

Shape merge_output_shape(std::span<const Shape> shapes) {
  check_batch_sizes(shapes);
  Shape features = shapes[0].without_batch();
  for (std::size_t i = 1; i < shapes.size(); ++i) features = elementwise_shape(features, shapes[i].without_batch());
  std::int64_t batch = kNone;
  for (const Shape& s : shapes)
    if (s[0] >= 0) batch = s[0];
  std::vector<std::int64_t> dims{batch};
  dims.insert(dims.end(), features.dims().begin(), features.dims().end());
  return Shape(dims);
}

Shape expand_after_batch(const Shape& shape, std::size_t rank) {
  std::vector<std::int64_t> dims = shape.to_vector();
  dims.insert(dims.begin() + 1, rank - std::min(rank, shape.rank()), 1);
  return Shape(dims);
}

// ---- the element-wise merges --------------------------------------------------------------------

Shape elementwise_merge_shape(MergeKind kind, std::span<const Shape> shapes) {
  const Shape out = merge_output_shape(shapes);
  // Subtract's build runs Merge.build first, so an incompatible pair reports that error first.
  STRATA_CHECK(kind != MergeKind::Subtract || shapes.size() == 2, ValueError,
               "A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=", shapes_text(shapes));
  return out;
}

Tensor elementwise_forward(const MergeCall& call, MergeKind kind, std::span<const Tensor> inputs) {
  Shape shapes[8];
  for (std::size_t i = 0; i < inputs.size(); ++i) shapes[i] = inputs[i].shape();
  const Shape out_shape = elementwise_merge_shape(kind, std::span<const Shape>(shapes, inputs.size()));
  const std::size_t rank = out_shape.rank();
  Backend& b = call.backend();
  MergeState& state = call.state();
  state.inputs.assign(inputs.begin(), inputs.end());

  Tensor out;
  if (inputs.size() == 1) {
    out = call.buffer(kOutputA, out_shape);
    b.copy(inputs[0], out);
  }
  // Keras folds left: ((x0 op x1) op x2) ..., each step written at the full output shape.
  Tensor acc = expanded(inputs[0], rank);
  for (std::size_t i = 1; i < inputs.size(); ++i) {
    out = call.buffer((i - 1) % 2 == 0 ? kOutputA : kOutputB, out_shape);
    b.binary(binary_op_of(kind), acc, expanded(inputs[i], rank), out);
    acc = out;
  }
  if (kind == MergeKind::Average) b.scale(out, 1.f / static_cast<float>(inputs.size()));
  state.output = out;
  return out;
}

void elementwise_backward(const MergeCall& call, MergeKind kind, const Tensor& dy, std::span<Tensor> dxs,
                          std::uint32_t need_mask) {
  Backend& b = call.backend();
  const MergeState& state = call.state();
  const std::vector<Tensor>& inputs = state.inputs;
  const Shape& out_shape = dy.shape();
  const std::size_t rank = out_shape.rank();
  const auto needed = [&](std::size_t i) { return (need_mask >> i & 1u) != 0; };
  // dL/d input i from `g`, the gradient at the output's shape: summed over the broadcast axes.
  const auto unbroadcast = [&](std::size_t i, const Tensor& g) {
    const Shape shape_i = expand_after_batch(inputs[i].shape(), rank);
    Tensor& dx = call.buffer(kInputGrad + i, shape_i);
    b.reduce(ReduceOp::Sum, g, dx);
    dxs[i] = dx.reshaped(inputs[i].shape());
  };

  switch (kind) {
    case MergeKind::Add:
    case MergeKind::Average:
    case MergeKind::Subtract: {
      const bool average = kind == MergeKind::Average;
      const float factor = average ? 1.f / static_cast<float>(inputs.size()) : -1.f;
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!needed(i)) continue;
        const bool scaled = average || (kind == MergeKind::Subtract && i == 1);
        if (inputs[i].shape() == out_shape && !scaled) {
          dxs[i] = dy;  // d(x0 + x1)/dx0 = 1: the output gradient itself
          continue;
        }
        unbroadcast(i, dy);
        if (scaled) b.scale(dxs[i], factor);
      }
      return;
    }
    case MergeKind::Multiply: {
      // d(x0 x1 ... )/dxi = the product of the others.
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!needed(i)) continue;
        Tensor product = dy;
        std::size_t step = 0;
        for (std::size_t j = 0; j < inputs.size(); ++j) {
          if (j == i) continue;
          Tensor& next = call.buffer(step++ % 2 == 0 ? kScratch : kMask, out_shape);
          b.binary(BinaryOp::Multiply, product, expanded(inputs[j], rank), next);
          product = next;
        }
        unbroadcast(i, product);
      }
      return;
    }
    case MergeKind::Maximum:
    case MergeKind::Minimum: {
      // The gradient goes where an input equals the output, to the first such input in order
      // (the one Keras's left fold keeps on a tie): `remaining` is 1 where no earlier input
      // took it.
      std::size_t last = 0;
      for (std::size_t i = 0; i < inputs.size(); ++i)
        if (needed(i)) last = i;
      Tensor remaining = call.buffer(kRemainingA, out_shape);
      b.fill(remaining, 1.f);
      for (std::size_t i = 0; i <= last; ++i) {
        Tensor& scratch = call.buffer(kScratch, out_shape);
        Tensor& takes = call.buffer(kMask, out_shape);
        b.binary(BinaryOp::Equal, expanded(inputs[i], rank), state.output, scratch);
        b.binary(BinaryOp::Multiply, scratch, remaining, takes);
        if (needed(i)) {
          b.binary(BinaryOp::Multiply, dy, takes, scratch);
          unbroadcast(i, scratch);
        }
        if (i < last) {
          Tensor& next = call.buffer(i % 2 == 0 ? kRemainingB : kRemainingA, out_shape);
          b.binary(BinaryOp::Subtract, remaining, takes, next);
          remaining = next;
        }
      }
      return;
    }
  }
}

}  // namespace strata::detail
