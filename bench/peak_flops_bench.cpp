// The core's measured FP32 peak: fused multiply-adds on independent AVX2
// registers (enough chains to cover the FMA latency on both pipes), one
// thread, best of several runs. bench/side_by_side.sh divides the training
// step's FLOP rate by it. (AVX-512 has the same FLOP rate on Zen 4, whose
// 512-bit units are two 256-bit halves; on Zen 5 or an Intel server it is
// twice this, which the script does not assume.)
#include <fmt/format.h>
#include <immintrin.h>

#include <algorithm>
#include <chrono>

namespace {

constexpr int kChains = 12;

double gflops_once(long iterations) {
  __m256 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_ps(static_cast<float>(k));
  const __m256 factor = _mm256_set1_ps(0.999999f), addend = _mm256_set1_ps(1e-7f);
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_ps(acc[k], factor, addend);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  float sink = 0;
  for (int k = 0; k < kChains; ++k) sink += _mm256_cvtss_f32(acc[k]);
  if (sink == 42.0f) fmt::print("");  // keeps the chains alive
  return static_cast<double>(iterations) * kChains * 8 * 2 / seconds / 1e9;
}

}  // namespace

int main() {
  double best = 0;
  for (int run = 0; run < 5; ++run) best = std::max(best, gflops_once(100'000'000));
  fmt::print("peak {:.1f} GFLOP/s fp32 per core (AVX2 FMA, measured)\n", best);
  return 0;
}
