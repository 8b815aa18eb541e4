// Backend::matmul in float32 against bfloat16 operands, at the shapes of the bf16 MLP
// (784-1024-1024-10 at batch 256: forward, and the two gradients of the middle layer): how much
// of oneDNN's bf16 path (AMX where the CPU has it, avx512_bf16 otherwise) a mixed_bfloat16 model
// can hope for. The bf16 products write f32, as a variable's gradient is.
//
//   ./build-bench/bench/matmul_dtypes [--threads 2] [--reps 50]
//
// Prints per shape `matmul N x K . K x M (what): f32 X.XXX ms = A GFLOP/s, bf16 Y.YYY ms = B
// GFLOP/s, bf16 / f32 rate R.RR` (each the best of `reps` calls after warm-up calls).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <strata/backend.hpp>
#include <strata/tensor.hpp>

using namespace strata;

namespace {

struct Shape3 {
  const char* what;
  std::int64_t n, k, m;
  bool transpose_a, transpose_b;
};

// The best time in ms of `reps` calls of c = op(a) op(b) after a few untimed ones.
double best_ms(Backend& be, const Tensor& a, const Tensor& b, Tensor& c, const Shape3& s, int reps) {
  for (int i = 0; i < 5; ++i) be.matmul(a, s.transpose_a, b, s.transpose_b, c);
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    be.matmul(a, s.transpose_a, b, s.transpose_b, c);
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, reps = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (flag == "--reps")
      reps = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  set_num_threads(threads);
  Backend& be = get_backend("cpu");
  const std::vector<Shape3> shapes = {
      {"forward, 784 -> 1024", 256, 784, 1024, false, false},
      {"forward, 1024 -> 1024", 256, 1024, 1024, false, false},
      {"kernel gradient x^T dy, 1024 x 1024", 1024, 256, 1024, true, false},
      {"input gradient dy w^T, 1024 x 1024", 256, 1024, 1024, false, true},
  };
  std::printf("cpu backend matmul, %d threads, best of %d calls\n", threads, reps);
  for (const Shape3& s : shapes) {
    const Shape sa = s.transpose_a ? Shape{s.k, s.n} : Shape{s.n, s.k};
    const Shape sb = s.transpose_b ? Shape{s.m, s.k} : Shape{s.k, s.m};
    double ms[2];
    for (int bf16 = 0; bf16 < 2; ++bf16) {
      const DType t = bf16 ? DType::BF16 : DType::F32;
      Tensor a(be, sa, t), b(be, sb, t), c(be, Shape{s.n, s.m});
      Tensor fa(be, sa), fb(be, sb);
      be.fill(fa, 0.5f);
      be.fill(fb, 0.25f);
      be.cast(fa, a);
      be.cast(fb, b);
      ms[bf16] = best_ms(be, a, b, c, s, reps);
    }
    const double gflop = 2.0 * double(s.n) * double(s.k) * double(s.m) * 1e-9;
    std::printf(
        "matmul %lld x %lld . %lld x %lld (%s): f32 %.3f ms = %.1f GFLOP/s, bf16 %.3f ms = %.1f GFLOP/s, "
        "bf16 / f32 rate %.2f\n",
        static_cast<long long>(s.n), static_cast<long long>(s.k), static_cast<long long>(s.k),
        static_cast<long long>(s.m), s.what, ms[0], gflop / ms[0] * 1e3, ms[1], gflop / ms[1] * 1e3, ms[0] / ms[1]);
  }
  return 0;
}
