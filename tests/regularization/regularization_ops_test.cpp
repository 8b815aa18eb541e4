// Backend::regularize and Backend::constrain: the cpu backend against the reference oracle on
// random weights with NaN and infinities among them, and the orthogonal penalty's gradient
// against central differences (Keras's goldens cover the values; this covers larger shapes).

#include <catch2/catch.hpp>

#include <cmath>

#include "strata/backend.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

RegularizerParams l1_l2(float l1, float l2) {
  RegularizerParams p;
  p.l1 = l1;
  p.l2 = l2;
  return p;
}

RegularizerParams orthogonal(float factor, bool rows) {
  RegularizerParams p;
  p.kind = RegularizerKind::Orthogonal;
  p.factor = factor;
  p.rows = rows;
  return p;
}

void compare_regularize(const Shape& shape, const RegularizerParams& p, const std::vector<float>& values, double rel) {
  Twin x = twin(shape, values);
  Twin total = twin(Shape{1}, {0.75f});
  Twin grad = twin(shape, uniform(shape.num_elements(), -1.f, 1.f, 9));
  cpu().regularize(x.c, p, 0.5f, total.c, &grad.c);
  ref().regularize(x.r, p, 0.5f, total.r, &grad.r);
  expect_close(total.c, total.r, rel, 1e-6, "total");
  expect_close(grad.c, grad.r, rel, 1e-6, "grad");
}

}  // namespace

TEST_CASE("regularize: cpu matches reference", "[regularizers][backend]") {
  const Shape big{300, 130};  // past the cpu backend's serial threshold
  const auto values = uniform(big.num_elements(), -2.f, 2.f, 1);
  compare_regularize(big, l1_l2(0.01f, 0.f), values, 1e-5);
  compare_regularize(big, l1_l2(0.f, 0.02f), values, 1e-5);
  compare_regularize(big, l1_l2(0.03f, 0.04f), values, 1e-5);
  compare_regularize(big, l1_l2(0.03f, 0.04f), with_specials(values, 2), 1e-5);
  const Shape matrix{40, 24};
  const auto m = uniform(matrix.num_elements(), -1.f, 1.f, 3);
  compare_regularize(matrix, orthogonal(0.1f, true), m, 1e-4);
  compare_regularize(matrix, orthogonal(0.1f, false), m, 1e-4);
  compare_regularize(matrix, orthogonal(0.1f, true), with_specials(m, 4, 50), 1e-4);
}

TEST_CASE("regularize: the orthogonal gradient is the penalty's derivative", "[regularizers][backend]") {
  for (const bool rows : {true, false}) {
    INFO((rows ? "rows" : "columns"));
    Backend& b = ref();
    Tensor x = tensor(Shape{6, 4}, uniform(24, -1.f, 1.f, rows ? 5 : 6));
    Tensor total(b, Shape{1});
    const RegularizerParams p = orthogonal(0.3f, rows);
    const auto penalty = [&] {
      b.fill(total, 0.f);
      b.regularize(x, p, 1.f, total, nullptr);
      return double(host(total)[0]);
    };
    Tensor grad(b, x.shape());
    b.fill(grad, 0.f);
    b.fill(total, 0.f);
    b.regularize(x, p, 1.f, total, &grad);
    const auto analytic = host(grad);
    for (std::size_t i = 0; i < analytic.size(); ++i) {
      INFO("element " << i);
      CHECK(central_difference(x, i, 1e-3f, penalty) == Approx(analytic[i]).margin(2e-3));
    }
  }
}

TEST_CASE("constrain: cpu matches reference", "[regularizers][backend]") {
  const Shape conv{3, 3, 16, 40};
  const auto values = uniform(conv.num_elements(), -1.f, 1.f, 11);
  struct Case {
    ConstraintKind kind;
    std::uint32_t axes;
  };
  for (const Case c : {Case{ConstraintKind::MaxNorm, 0b0111u}, Case{ConstraintKind::MaxNorm, 0b0001u},
                       Case{ConstraintKind::MinMaxNorm, 0b1000u}, Case{ConstraintKind::UnitNorm, 0b0101u},
                       Case{ConstraintKind::UnitNorm, 0b1111u}, Case{ConstraintKind::NonNeg, 0u}}) {
    INFO("kind " << static_cast<int>(c.kind) << " axes " << c.axes);
    ConstraintParams p;
    p.kind = c.kind;
    p.min_value = 0.4f;
    p.max_value = 1.1f;
    p.rate = 0.6f;
    p.axes = c.axes;
    for (const auto& v : {values, with_specials(values, 12, 300)}) {
      Twin w = twin(conv, v);
      cpu().constrain(w.c, p);
      ref().constrain(w.r, p);
      expect_close(w.c, w.r, 2e-6, 1e-7, "w");
    }
  }
}
