// The machine's single-precision GEMM rate, as the yardstick for the CNN benchmark (bench/run cnn):
// oneDNN's dnnl_sgemm (row-major, f32) at a few shapes, on the same thread count as the bench.
//
//   ./build-bench/bench/gemm_rate [--threads 2] [--reps 30]
//
// Prints one line per shape, `gemm M x K . K x N (what): median X.XXX ms = Y.Y GFLOP/s, best
// X.XXX ms = Z.Z GFLOP/s` (over `reps` timed calls after warm-up calls), then `gemm rate: Z.Z
// GFLOP/s`: the highest best-call rate over the shapes, the machine's limit the bench compares to
// (the best call rather than the median, so another process's time slice does not lower it).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.h>

#include <strata/backend.hpp>  // set_num_threads: oneDNN's OpenMP pool

namespace {

struct GemmShape {
  const char* what;
  dnnl_dim_t m, k, n;
};

struct Timing {
  double median, best;  // seconds per call
};

Timing time_gemm(int reps, dnnl_dim_t m, dnnl_dim_t k, dnnl_dim_t n) {
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n)),
      c(static_cast<std::size_t>(m * n), 0.f);
  for (float& v : a) v = u(gen);
  for (float& v : b) v = u(gen);
  const auto call = [&] {
    if (dnnl_sgemm('N', 'N', m, n, k, 1.f, a.data(), k, b.data(), n, 0.f, c.data(), n) != dnnl_success) {
      std::fprintf(stderr, "gemm_rate: dnnl_sgemm failed for %lld x %lld x %lld\n", static_cast<long long>(m),
                   static_cast<long long>(k), static_cast<long long>(n));
      std::exit(1);
    }
  };
  for (int i = 0; i < std::max(3, reps / 5); ++i) call();  // warm-up: JIT kernels, pages, caches
  std::vector<double> t(static_cast<std::size_t>(reps));
  for (double& s : t) {
    const auto start = std::chrono::steady_clock::now();
    call();
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::sort(t.begin(), t.end());
  return {t[static_cast<std::size_t>(reps / 2)], t.front()};
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  int reps = 30;
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
  strata::set_num_threads(threads);

  const GemmShape shapes[] = {
      {"square", 1024, 1024, 1024},
      // The CNN's second convolution at batch 128 as one im2col GEMM: (128*11*11) x (3*3*32) . 288 x 64.
      {"conv2 as im2col, batch 128", 128 * 11 * 11, 3 * 3 * 32, 64},
      // The MLP's first layer at batch 128: 128 x 784 . 784 x 128.
      {"dense, batch 128", 128, 784, 128},
  };
  double best = 0.0;
  std::printf("dnnl_sgemm, %d threads, %d timed calls per shape\n", threads, reps);
  for (const GemmShape& s : shapes) {
    const Timing t = time_gemm(reps, s.m, s.k, s.n);
    const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.k) * static_cast<double>(s.n);
    best = std::max(best, flops / t.best * 1e-9);
    std::printf(
        "gemm %lld x %lld . %lld x %lld (%s): median %.3f ms = %.1f GFLOP/s, "
        "best %.3f ms = %.1f GFLOP/s\n",
        static_cast<long long>(s.m), static_cast<long long>(s.k), static_cast<long long>(s.k),
        static_cast<long long>(s.n), s.what, t.median * 1e3, flops / t.median * 1e-9, t.best * 1e3,
        flops / t.best * 1e-9);
  }
  std::printf("gemm rate: %.1f GFLOP/s\n", best);
  return 0;
}
