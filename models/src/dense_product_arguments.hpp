#pragma once
// The arguments of one matrix product (see dense_products.hpp). Kept free of
// any standard-library template, because the AVX-512 translation unit
// includes it: an inline function compiled there could be the copy the linker
// keeps for the whole program.

#include <cstddef>

namespace nf::models::detail {

enum class Accumulate { kAssign, kAddResult, kContinue };

struct ProductArguments {
  float* c;
  std::ptrdiff_t ldc;
  const float* a;
  std::ptrdiff_t lda;
  const float* b;
  std::ptrdiff_t b_row_stride, b_col_stride;
  std::ptrdiff_t m, n, k;
  Accumulate mode;
};

}  // namespace nf::models::detail
