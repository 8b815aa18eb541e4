// Parity of the cpu backend's broadcasting binary ops, keepdims reductions, transpose and
// slices with the reference backend, over ranks 1 to 5, odd sizes, every broadcast pattern the
// cpu backend coalesces differently (same shapes, row vector, column, scalar, both operands
// broadcast), sizes past the fork threshold, and inputs holding NaN, +inf and -inf.
//
// Tolerances: binary ops, max / min, transpose and slices are exact (one f32 operation, or a
// copy, per element in both backends; the reference's double result rounds to the same f32).
// Sum and mean: the cpu backend sums rows in f32 where the reference sums in double, so
// rel 1e-5 and abs 1e-6 sqrt(count).

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "strata/backend.hpp"
#include "strata/tensor.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

const BinaryOp kBinaryOps[] = {BinaryOp::Add,     BinaryOp::Subtract, BinaryOp::Multiply, BinaryOp::Divide,
                               BinaryOp::Maximum, BinaryOp::Minimum,  BinaryOp::Equal,    BinaryOp::GreaterEqual};
const ReduceOp kReduceOps[] = {ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min};

// NumPy's broadcast of two shapes.
Shape broadcast(const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.rank(), b.rank());
  std::vector<std::int64_t> dims(rank);
  for (std::size_t k = 0; k < rank; ++k) {
    const std::int64_t da = k + a.rank() >= rank ? a.dims()[k + a.rank() - rank] : 1;
    const std::int64_t db = k + b.rank() >= rank ? b.dims()[k + b.rank() - rank] : 1;
    dims[k] = std::max(da, db);
  }
  return Shape(dims);
}

// `shape` with the axes whose bit is set in `mask` set to 1.
Shape keepdims(const Shape& shape, unsigned mask) {
  std::vector<std::int64_t> dims = shape.to_vector();
  for (std::size_t k = 0; k < dims.size(); ++k)
    if (mask & (1u << k)) dims[k] = 1;
  return Shape(dims);
}

}  // namespace

TEST_CASE("parity: binary ops over every broadcast pattern", "[backends][parity][broadcast]") {
  struct Case {
    Shape a, b;
  };
  const std::vector<Case> cases = {
      {{7}, {7}},                          // same shapes: one flat loop
      {{1}, {1}},                          // one element
      {{300, 257}, {300, 257}},            // past the fork threshold
      {{2, 3, 4, 5, 6}, {2, 3, 4, 5, 6}},  // rank 5, same shapes
      {{300, 257}, {257}},                 // a row vector over rows
      {{5, 7}, {1, 7}},
      {{257}, {300, 257}},     // the row vector on the left
      {{300, 257}, {300, 1}},  // a column over columns
      {{4, 5}, {1}},           // a scalar
      {{1}, {3, 9}},
      {{3, 1, 5}, {4, 1}},                 // both operands broadcast
      {{2, 1, 3, 1, 5}, {1, 4, 1, 6, 1}},  // rank 5, alternating
      {{8, 1, 16, 32, 17}, {8, 5, 1, 32, 1}},
      {{13, 1, 11}, {13, 9, 11}},  // a middle axis
      {{6, 1}, {1, 1, 6}},
      {{1000, 3}, {3}},  // short rows: the row vector repeated into a tile
      {{3}, {1000, 3}},
      {{300, 100}, {1, 100}},  // several rows per tile, a partial last tile
      {{700, 5}, {700, 1}},    // short rows, a column: blocks of rows
      {{40, 30, 3}, {30, 1}},
  };
  std::uint32_t seed = 100;
  for (const Case& cs : cases) {
    const Shape out_shape = broadcast(cs.a, cs.b);
    seed += 4;
    const Twin a = twin(cs.a, with_specials(uniform(cs.a.num_elements(), -3.f, 3.f, seed), seed + 1));
    const Twin b = twin(cs.b, with_specials(uniform(cs.b.num_elements(), -3.f, 3.f, seed + 2), seed + 3));
    for (const BinaryOp op : kBinaryOps) {
      Twin out = output(out_shape);
      cpu().binary(op, a.c, b.c, out.c);
      ref().binary(op, a.r, b.r, out.r);
      std::ostringstream what;
      what << "binary op " << static_cast<int>(op) << " of " << cs.a << " and " << cs.b;
      expect_equal(out.c, out.r, what.str());
    }
  }
}

TEST_CASE("parity: keepdims reductions over every axis subset", "[backends][parity][broadcast]") {
  const std::vector<Shape> shapes = {{9},          {100003}, {300, 257}, {5, 6, 7}, {3, 1, 4, 5}, {2, 3, 4, 5, 6},
                                     {64, 33, 40}, {1, 1},   {30000, 3}};
  std::uint32_t seed = 200;
  for (const Shape& shape : shapes) {
    const auto values = uniform(shape.num_elements(), -2.f, 2.f, ++seed);
    const Twin plain = twin(shape, values);
    const Twin special = twin(shape, with_specials(values, ++seed, 50));
    for (unsigned mask = 0; mask < (1u << shape.rank()); ++mask) {
      const Shape out_shape = keepdims(shape, mask);
      const double count = static_cast<double>(shape.num_elements()) / static_cast<double>(out_shape.num_elements());
      for (const ReduceOp op : kReduceOps) {
        for (const Twin* x : {&plain, &special}) {
          Twin out = output(out_shape);
          cpu().reduce(op, x->c, out.c);
          ref().reduce(op, x->r, out.r);
          std::ostringstream what;
          what << "reduce op " << static_cast<int>(op) << " of " << shape << " to " << out_shape
               << (x == &special ? " with NaN / inf" : "");
          if (op == ReduceOp::Max || op == ReduceOp::Min)
            expect_equal(out.c, out.r, what.str());
          else
            expect_close(out.c, out.r, 1e-5, 1e-6 * std::sqrt(count), what.str());
        }
      }
    }
  }
}

TEST_CASE("parity: transpose, every permutation up to rank 4 and some of rank 5", "[backends][parity][broadcast]") {
  std::vector<std::pair<Shape, std::vector<int>>> cases;
  for (const Shape& shape :
       std::vector<Shape>{{5}, {3, 7}, {300, 257}, {2, 3, 4}, {4, 65, 70}, {2, 1, 3, 5}, {3, 4, 5, 6}}) {
    std::vector<int> perm(shape.rank());
    std::iota(perm.begin(), perm.end(), 0);
    do cases.emplace_back(shape, perm);
    while (std::next_permutation(perm.begin(), perm.end()));
  }
  const Shape five = {2, 3, 4, 5, 6};
  for (const std::vector<int>& perm : std::vector<std::vector<int>>{
           {4, 3, 2, 1, 0}, {0, 1, 2, 4, 3}, {1, 0, 3, 2, 4}, {2, 4, 0, 3, 1}, {0, 2, 1, 4, 3}})
    cases.emplace_back(five, perm);
  std::uint32_t seed = 300;
  for (const auto& [shape, perm] : cases) {
    std::vector<std::int64_t> out_dims(shape.rank());
    for (std::size_t k = 0; k < perm.size(); ++k) out_dims[k] = shape.dims()[static_cast<std::size_t>(perm[k])];
    const Twin x = twin(shape, uniform(shape.num_elements(), -1.f, 1.f, ++seed));
    Twin out = output(Shape(out_dims));
    cpu().transpose(x.c, perm, out.c);
    ref().transpose(x.r, perm, out.r);
    std::ostringstream what;
    what << "transpose of " << shape << " by (";
    for (const int p : perm) what << p << ' ';
    what << ")";
    expect_bitwise_equal(out.c, out.r, what.str());
  }
}

TEST_CASE("parity: slice and slice_assign along every axis", "[backends][parity][broadcast]") {
  const std::vector<Shape> shapes = {{11}, {300, 257}, {4, 5, 6}, {2, 3, 4, 5, 6}, {1, 7, 1}};
  std::uint32_t seed = 400;
  for (const Shape& shape : shapes) {
    const Twin x = twin(shape, uniform(shape.num_elements(), -1.f, 1.f, ++seed));
    for (std::size_t axis = 0; axis < shape.rank(); ++axis) {
      const std::int64_t length = shape.dims()[axis];
      for (const std::int64_t start : {std::int64_t{0}, length / 3}) {
        std::vector<std::int64_t> dims = shape.to_vector();
        dims[axis] = std::max<std::int64_t>(1, length - start - length / 4);
        const Shape part_shape(dims);
        std::ostringstream what;
        what << "axis " << axis << ", start " << start << ", " << part_shape << " of " << shape;

        Twin part = output(part_shape);
        cpu().slice(x.c, static_cast<int>(axis), start, part.c);
        ref().slice(x.r, static_cast<int>(axis), start, part.r);
        expect_bitwise_equal(part.c, part.r, "slice " + what.str());

        // Written back into a sentinel-filled whole: the rest must stay untouched on both.
        Twin whole = output(shape);
        cpu().slice_assign(part.c, static_cast<int>(axis), start, whole.c);
        ref().slice_assign(part.r, static_cast<int>(axis), start, whole.r);
        expect_bitwise_equal(whole.c, whole.r, "slice_assign " + what.str());
      }
    }
  }
}
