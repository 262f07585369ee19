#include "dense_products.hpp"

#include <immintrin.h>

#include <cstdlib>

namespace nf::models::detail {

void dense_product_avx512(const ProductArguments& x);  // dense_products_avx512.cpp

namespace {

// AVX2 + FMA (the x86-64-v3 floor): tiles of 2 × 8 rows by 6 columns, twelve
// accumulators, enough independent chains to keep both FMA pipes busy.
struct Simd {
  using Vector = __m256;
  using Mask = __m256i;
  static constexpr int kLanes = 8;
  static constexpr int kRowVectors = 2;
  static constexpr int kColumns = 6;
  static Mask all() { return _mm256_set1_epi32(-1); }
  static Mask first_lanes(int count) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), lane);
  }
  static Vector zero() { return _mm256_setzero_ps(); }
  static Vector load(const float* p) { return _mm256_loadu_ps(p); }
  static Vector load(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, Vector v) { _mm256_storeu_ps(p, v); }
  static void store(float* p, Vector v, Mask m) { _mm256_maskstore_ps(p, m, v); }
  static Vector broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Vector fma(Vector a, Vector b, Vector c) { return _mm256_fmadd_ps(a, b, c); }
  static Vector add(Vector a, Vector b) { return _mm256_add_ps(a, b); }
};

#include "dense_product_kernel.inc"

}  // namespace

std::ptrdiff_t ones_of_column(const float* column, std::ptrdiff_t rows, int* out) {
  std::ptrdiff_t count = 0, i = 0;
  const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  for (; i + 8 <= rows; i += 8) {
    const __m256 values = _mm256_loadu_ps(column + i);
    const auto ones = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(values, one, _CMP_EQ_OQ)));
    const auto zeros = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(values, zero, _CMP_EQ_OQ)));
    if ((ones | zeros) != 0xFFu) return -1;
    // Branch-free: every lane writes its row, only the ones advance (a branch
    // per spike would mispredict at the activities spiking networks have).
    for (unsigned lane = 0; lane < 8; ++lane) {
      out[count] = static_cast<int>(i + lane);
      count += (ones >> lane) & 1u;
    }
  }
  for (; i < rows; ++i) {
    if (column[i] == 1.0f) {
      out[count++] = static_cast<int>(i);
    } else if (column[i] != 0.0f) {
      return -1;
    }
  }
  return count;
}

namespace {

// Sums of listed columns, `kVectors` vectors of rows at a time (the last one
// masked when kMasked), accumulated in registers over the whole list.
template <int kVectors, bool kMasked>
void gather_rows(const GatherArguments& x, std::ptrdiff_t row, __m256i last_mask) {
  for (std::ptrdiff_t j = 0; j < x.n; ++j) {
    float* out = x.dst + j * x.ldd + row;
    const auto load = [&](const float* p, int v) {
      return kMasked && v == kVectors - 1 ? _mm256_maskload_ps(p, last_mask) : _mm256_loadu_ps(p);
    };
    __m256 acc[kVectors];
    for (int v = 0; v < kVectors; ++v) acc[v] = x.continue_chain ? load(out + 8 * v, v) : _mm256_setzero_ps();
    for (std::ptrdiff_t e = x.starts[j]; e < x.starts[j + 1]; ++e) {
      const float* column = x.src + static_cast<std::ptrdiff_t>(x.index[e]) * x.lds + row;
      for (int v = 0; v < kVectors; ++v) acc[v] = _mm256_add_ps(acc[v], load(column + 8 * v, v));
    }
    for (int v = 0; v < kVectors; ++v) {
      if (kMasked && v == kVectors - 1) {
        _mm256_maskstore_ps(out + 8 * v, last_mask, acc[v]);
      } else {
        _mm256_storeu_ps(out + 8 * v, acc[v]);
      }
    }
  }
}

}  // namespace

void gather_sum(const GatherArguments& x) {
  constexpr int kVectors = 4;  // 32 rows per pass over a list
  std::ptrdiff_t row = 0;
  for (; row + 8 * kVectors <= x.m; row += 8 * kVectors) gather_rows<kVectors, false>(x, row, Simd::all());
  const std::ptrdiff_t rest = x.m - row;
  if (rest == 0) return;
  const int vectors = static_cast<int>((rest + 7) / 8);
  const __m256i mask = Simd::first_lanes(static_cast<int>(rest - 8 * (vectors - 1)));
  switch (vectors) {
    case 1: gather_rows<1, true>(x, row, mask); break;
    case 2: gather_rows<2, true>(x, row, mask); break;
    case 3: gather_rows<3, true>(x, row, mask); break;
    default: gather_rows<4, true>(x, row, mask); break;
  }
}

ProductIsa fastest_product_isa() {
  static const ProductIsa isa = [] {
    // For benchmarks: the instruction set can be chosen, the result cannot.
    if (const char* chosen = std::getenv("NEUROFAB_PRODUCT_ISA"); chosen && std::string(chosen) == "avx2") {
      return ProductIsa::kAvx2;
    }
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? ProductIsa::kAvx512 : ProductIsa::kAvx2;
  }();
  return isa;
}

std::string to_string(ProductIsa isa) { return isa == ProductIsa::kAvx512 ? "AVX-512" : "AVX2"; }

void dense_product(const ProductArguments& x) { dense_product(x, fastest_product_isa()); }

void dense_product(const ProductArguments& x, ProductIsa isa) {
  if (x.m <= 0 || x.n <= 0) return;
  if (isa == ProductIsa::kAvx512) {
    dense_product_avx512(x);
  } else {
    product_all_tiles(x);
  }
}

}  // namespace nf::models::detail
