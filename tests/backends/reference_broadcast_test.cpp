// The reference backend's broadcasting binary ops, keepdims reductions, transpose and slices
// against values worked out by hand (the arithmetic is in the comments).

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "strata/backend.hpp"
#include "strata/tensor.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<float> binary_of(BinaryOp op, const Tensor& a, const Tensor& b, const Shape& out_shape) {
  Tensor out(ref(), out_shape);
  ref().binary(op, a, b, out);
  return host(out);
}

std::vector<float> reduce_of(ReduceOp op, const Tensor& x, const Shape& out_shape) {
  Tensor out(ref(), out_shape);
  ref().reduce(op, x, out);
  return host(out);
}

// NaN-aware equality of host values.
bool same(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i])))) return false;
  return true;
}

}  // namespace

TEST_CASE("reference: binary ops broadcast as NumPy", "[backends][reference][broadcast]") {
  const Tensor m = tensor({2, 3}, {1, 2, 3, 4, 5, 6});
  // A row vector over rows: [[1+10, 2+20, 3+30], [4+10, 5+20, 6+30]].
  CHECK(binary_of(BinaryOp::Add, m, tensor({3}, {10, 20, 30}), {2, 3}) == std::vector<float>{11, 22, 33, 14, 25, 36});
  // The broadcast operand on the left: 10 - 1, 20 - 2, ...
  CHECK(binary_of(BinaryOp::Subtract, tensor({1, 3}, {10, 20, 30}), m, {2, 3}) ==
        std::vector<float>{9, 18, 27, 6, 15, 24});
  // A column against a row: (2, 1) - (1, 3) -> (2, 3), out[i][j] = c[i] - r[j].
  CHECK(binary_of(BinaryOp::Subtract, tensor({2, 1}, {1, 2}), tensor({1, 3}, {10, 20, 30}), {2, 3}) ==
        std::vector<float>{-9, -19, -29, -8, -18, -28});
  // A one-element operand is a scalar.
  CHECK(binary_of(BinaryOp::Multiply, m, tensor({1}, {-2}), {2, 3}) == std::vector<float>{-2, -4, -6, -8, -10, -12});
  // Divide: [1, 2, 3] / 2, and x / 0 is an infinity of x's sign, 0 / 0 NaN.
  CHECK(binary_of(BinaryOp::Divide, tensor({3}, {1, 2, 3}), tensor({1}, {2}), {3}) ==
        std::vector<float>{0.5f, 1.f, 1.5f});
  CHECK(same(binary_of(BinaryOp::Divide, tensor({3}, {1, -1, 0}), tensor({1}, {0}), {3}), {kInf, -kInf, kNaN}));
  // Rank 3 from ranks 3 and 2: a (2, 1, 2) + b (3, 1) -> (2, 3, 2), out[i][j][k] = a[i][0][k] + b[j][0].
  CHECK(binary_of(BinaryOp::Add, tensor({2, 1, 2}, {1, 2, 3, 4}), tensor({3, 1}, {10, 20, 30}), {2, 3, 2}) ==
        std::vector<float>{11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34});
}

TEST_CASE("reference: maximum and minimum propagate NaN, comparisons write 0 / 1", "[backends][reference][broadcast]") {
  const Tensor a = tensor({5}, {kNaN, 1, -kInf, 2, 0});
  const Tensor b = tensor({5}, {1, kNaN, 0, 3, 0});
  CHECK(same(binary_of(BinaryOp::Maximum, a, b, {5}), {kNaN, kNaN, 0, 3, 0}));
  CHECK(same(binary_of(BinaryOp::Minimum, a, b, {5}), {kNaN, kNaN, -kInf, 2, 0}));
  // NaN equals nothing and is not >= anything.
  CHECK(binary_of(BinaryOp::Equal, a, b, {5}) == std::vector<float>{0, 0, 0, 0, 1});
  CHECK(binary_of(BinaryOp::GreaterEqual, a, b, {5}) == std::vector<float>{0, 0, 0, 0, 1});
  // Broadcast: max of [[1, 5], [7, 2]] and the row [3, 3].
  CHECK(binary_of(BinaryOp::Maximum, tensor({2, 2}, {1, 5, 7, 2}), tensor({2}, {3, 3}), {2, 2}) ==
        std::vector<float>{3, 5, 7, 3});
}

TEST_CASE("reference: keepdims reductions", "[backends][reference][broadcast]") {
  const Tensor m = tensor({2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(reduce_of(ReduceOp::Sum, m, {1, 3}) == std::vector<float>{5, 7, 9});  // columns
  CHECK(reduce_of(ReduceOp::Sum, m, {2, 1}) == std::vector<float>{6, 15});    // rows
  CHECK(reduce_of(ReduceOp::Sum, m, {1, 1}) == std::vector<float>{21});       // everything
  CHECK(reduce_of(ReduceOp::Mean, m, {1, 3}) == std::vector<float>{2.5f, 3.5f, 4.5f});
  CHECK(reduce_of(ReduceOp::Mean, m, {2, 1}) == std::vector<float>{2, 5});
  CHECK(reduce_of(ReduceOp::Max, m, {2, 1}) == std::vector<float>{3, 6});
  CHECK(reduce_of(ReduceOp::Min, m, {1, 3}) == std::vector<float>{1, 2, 3});
  CHECK(reduce_of(ReduceOp::Sum, m, {2, 3}) == std::vector<float>{1, 2, 3, 4, 5, 6});  // nothing reduced
  // The middle axis of (2, 3, 2): out[i][0][k] = sum over j of x[i][j][k]:
  // [1+3+5, 2+4+6, 7+9+11, 8+10+12].
  const Tensor x = tensor({2, 3, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  CHECK(reduce_of(ReduceOp::Sum, x, {2, 1, 2}) == std::vector<float>{9, 12, 27, 30});
  // The outer two axes: [1+3+5+7+9+11, 2+4+...+12] = [36, 42]; max: [11, 12].
  CHECK(reduce_of(ReduceOp::Sum, x, {1, 1, 2}) == std::vector<float>{36, 42});
  CHECK(reduce_of(ReduceOp::Max, x, {1, 1, 2}) == std::vector<float>{11, 12});
  // NaN wins max and min wherever it appears; +inf and -inf sum to NaN.
  const Tensor s = tensor({2, 2}, {kNaN, 1, kInf, -kInf});
  CHECK(same(reduce_of(ReduceOp::Max, s, {2, 1}), {kNaN, kInf}));
  CHECK(same(reduce_of(ReduceOp::Min, s, {1, 2}), {kNaN, -kInf}));
  CHECK(same(reduce_of(ReduceOp::Sum, s, {2, 1}), {kNaN, kNaN}));
  // Sums run in double: 2^24 + 1 + 1 - 2^24 is 2, not 0 as in f32.
  CHECK(reduce_of(ReduceOp::Sum, tensor({4}, {16777216.f, 1, 1, -16777216.f}), {1}) == std::vector<float>{2});
}

TEST_CASE("reference: transpose permutes axes", "[backends][reference][broadcast]") {
  Tensor out(ref(), {3, 2});
  const int swap[] = {1, 0};
  ref().transpose(tensor({2, 3}, {1, 2, 3, 4, 5, 6}), swap, out);
  CHECK(host(out) == std::vector<float>{1, 4, 2, 5, 3, 6});
  // x (2, 3, 2), perm (2, 0, 1): out[k][i][j] = x[i][j][k], out (2, 2, 3).
  Tensor out3(ref(), {2, 2, 3});
  const int perm[] = {2, 0, 1};
  ref().transpose(tensor({2, 3, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), perm, out3);
  CHECK(host(out3) == std::vector<float>{1, 3, 5, 7, 9, 11, 2, 4, 6, 8, 10, 12});
}

TEST_CASE("reference: slice and slice_assign along one axis", "[backends][reference][broadcast]") {
  const Tensor x = tensor({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor cols(ref(), {2, 2});
  ref().slice(x, 1, 1, cols);  // x[:, 1:3]
  CHECK(host(cols) == std::vector<float>{2, 3, 6, 7});
  Tensor row(ref(), {1, 4});
  ref().slice(x, 0, 1, row);  // x[1:2, :]
  CHECK(host(row) == std::vector<float>{5, 6, 7, 8});

  // Concatenation of a (2, 1) and a (2, 2) along axis 1 writes each at its offset.
  Tensor cat(ref(), {2, 3});
  ref().fill(cat, -1);
  ref().slice_assign(tensor({2, 1}, {10, 20}), 1, 0, cat);
  CHECK(host(cat) == std::vector<float>{10, -1, -1, 20, -1, -1});  // the rest untouched
  ref().slice_assign(tensor({2, 2}, {1, 2, 3, 4}), 1, 1, cat);
  CHECK(host(cat) == std::vector<float>{10, 1, 2, 20, 3, 4});
  // The middle axis of a rank-3 tensor: (2, 1, 2) into (2, 3, 2) at index 2.
  Tensor mid(ref(), {2, 3, 2});
  ref().fill(mid, 0);
  ref().slice_assign(tensor({2, 1, 2}, {1, 2, 3, 4}), 1, 2, mid);
  CHECK(host(mid) == std::vector<float>{0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 3, 4});
}
