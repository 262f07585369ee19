// The AVX-512 form of dense_products.cpp's kernel. This file alone is compiled
// with -mavx512f; it includes nothing but the intrinsics and the argument
// struct, and its kernel has internal linkage, so no AVX-512 code can stand in
// for a function the rest of the program calls on any CPU.
#include <immintrin.h>

#include "dense_product_arguments.hpp"

namespace nf::models::detail {
namespace {

// Tiles of 2 × 16 rows by 8 columns: sixteen accumulators.
struct Simd {
  using Vector = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  static constexpr int kRowVectors = 2;
  static constexpr int kColumns = 8;
  static Mask all() { return static_cast<Mask>(0xFFFF); }
  static Mask first_lanes(int count) { return static_cast<Mask>((1u << count) - 1u); }
  static Vector zero() { return _mm512_setzero_ps(); }
  static Vector load(const float* p) { return _mm512_loadu_ps(p); }
  static Vector load(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Vector v) { _mm512_storeu_ps(p, v); }
  static void store(float* p, Vector v, Mask m) { _mm512_mask_storeu_ps(p, m, v); }
  static Vector broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Vector fma(Vector a, Vector b, Vector c) { return _mm512_fmadd_ps(a, b, c); }
  static Vector add(Vector a, Vector b) { return _mm512_add_ps(a, b); }
};

#include "dense_product_kernel.inc"

}  // namespace

void dense_product_avx512(const ProductArguments& x) { product_all_tiles(x); }

}  // namespace nf::models::detail
