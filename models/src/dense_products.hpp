#pragma once
// The trainer's matrix products, with one summation order on every CPU
// (private to nf_models). Matrices are column-major floats.
//
//   C op= A · B     A: m×k, column p at a + p·lda (rows contiguous)
//                   B: k×n, element (p, j) at b[p·b_row_stride + j·b_col_stride]
//                   C: m×n, column j at c + j·ldc
//
// Each element of C is the chain acc = fma(a(i,p), b(p,j), acc) over
// p = 0 .. k-1 in order, starting from +0, or from C itself (kContinue);
// kAddResult stores C + acc. The instruction set (AVX2, or AVX-512 where the
// CPU has it) only changes how many chains run at once, so the bits are the
// same on every x86-64-v3 CPU. A BLAS gives no such promise: its blocking, and
// so its rounding, follows the kernels it picks for the CPU.
//
// When B holds only 0 and 1 (spikes), binary_product and
// binary_transposed_product compute the same bits from the ones alone:
// fma(a, 0, acc) = acc and fma(a, 1, acc) = acc + a for finite a, and a chain
// from +0 never holds -0. (An infinite or NaN weight meeting a 0 would give NaN
// in the dense form only; the trainer never keeps non-finite weights.)

#include <string>

#include "dense_product_arguments.hpp"

namespace nf::models::detail {

enum class ProductIsa { kAvx2, kAvx512 };

// The widest instruction set this CPU runs (chosen once).
ProductIsa fastest_product_isa();
std::string to_string(ProductIsa isa);

// C op= A · B as above, with the given instruction set (tests compare them);
// the first form takes the fastest.
void dense_product(const ProductArguments& x);
void dense_product(const ProductArguments& x, ProductIsa isa);

// dst(:, j) = Σ src(:, index[e]) over e in [starts[j], starts[j+1]), for
// j < n, each element one chain of additions in list order, from +0 or from
// dst (continue_chain): the spike products' sparse form.
struct GatherArguments {
  float* dst;
  std::ptrdiff_t ldd;
  const float* src;
  std::ptrdiff_t lds;
  std::ptrdiff_t m, n;
  const int* index;
  const std::ptrdiff_t* starts;
  bool continue_chain;
};
void gather_sum(const GatherArguments& x);

// Writes the row indices of the ones in column[0 .. rows) to `out` (room for
// `rows` + 8) and returns their count, or -1 when an entry is neither 0 nor 1.
std::ptrdiff_t ones_of_column(const float* column, std::ptrdiff_t rows, int* out);

}  // namespace nf::models::detail
