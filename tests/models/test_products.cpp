// The trainer's product kernels (models/src/products.hpp): every element is
// the documented chain of fused multiply-adds, bit for bit, whatever the
// instruction set, the tile remainders, or the sparse path for spikes.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "neurofab/common/rng.hpp"
#include "products.hpp"

using namespace nf::models::detail;
using Matrix = Eigen::MatrixXf;

namespace {

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, nf::Rng& rng) {
  Matrix m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = static_cast<float>(rng.normal());
  return m;
}

Matrix random_spikes(Eigen::Index rows, Eigen::Index cols, double fraction, nf::Rng& rng) {
  Matrix m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = rng.uniform() < fraction ? 1.0f : 0.0f;
  return m;
}

// The specification: acc = fma(a(i,p), b(p,j), acc) for p in order.
Matrix reference_product(const Matrix& c, const Matrix& a, const Matrix& b, Accumulate mode) {
  Matrix out(a.rows(), b.cols());
  for (Eigen::Index j = 0; j < b.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      float acc = mode == Accumulate::kContinue ? c(i, j) : 0.0f;
      for (Eigen::Index p = 0; p < a.cols(); ++p) acc = std::fma(a(i, p), b(p, j), acc);
      out(i, j) = mode == Accumulate::kAddResult ? c(i, j) + acc : acc;
    }
  }
  return out;
}

bool same_bits(const Matrix& x, const Matrix& y) {
  return x.rows() == y.rows() && x.cols() == y.cols() &&
         std::memcmp(x.data(), y.data(), sizeof(float) * static_cast<std::size_t>(x.size())) == 0;
}

}  // namespace

TEST_CASE("dense products equal the fma chain bit for bit, on AVX2 and AVX-512") {
  const std::uint64_t seed = 23;
  INFO("seed " << seed << ", fastest ISA here " << to_string(fastest_product_isa()));
  nf::Rng rng(seed);
  // Row counts around the tile heights (16 rows AVX2, 32 AVX-512) and column
  // counts around the tile widths (6, 8), so every remainder path runs.
  for (const int m : {1, 7, 8, 9, 16, 17, 31, 33, 50, 100}) {
    for (const int n : {1, 5, 6, 7, 8, 13, 16, 64}) {
      const int k = (m * 7 + n) % 37 + 1;
      const Matrix a = random_matrix(m, k, rng), b = random_matrix(k, n, rng), c = random_matrix(m, n, rng);
      for (const Accumulate mode : {Accumulate::kAssign, Accumulate::kAddResult, Accumulate::kContinue}) {
        INFO("m " << m << ", n " << n << ", k " << k << ", mode " << static_cast<int>(mode));
        const Matrix expected = reference_product(c, a, b, mode);
        Matrix avx2 = c, wide = c;
        const ProductArguments args{avx2.data(), m, a.data(), m, b.data(), 1, k, m, n, k, mode};
        dense_product(args, ProductIsa::kAvx2);
        CHECK(same_bits(avx2, expected));
        if (fastest_product_isa() == ProductIsa::kAvx512) {
          ProductArguments wide_args = args;
          wide_args.c = wide.data();
          dense_product(wide_args, ProductIsa::kAvx512);
          CHECK(same_bits(wide, expected));
        }
      }
    }
  }
}

TEST_CASE("products of column blocks and of a transpose continue one chain across inner blocks") {
  const std::uint64_t seed = 24;
  INFO("seed " << seed);
  nf::Rng rng(seed);
  const Matrix big = random_matrix(40, 700, rng), other = random_matrix(23, 700, rng);
  // lhs · rhs^T over 700 shared columns: three inner blocks of 256.
  Matrix product(40, 23);
  multiply_by_transpose(product, big, other, Accumulate::kAssign);
  CHECK(same_bits(product, reference_product(product, big, other.transpose(), Accumulate::kAssign)));
  // A column block as the operand and the destination.
  Matrix destination = random_matrix(40, 30, rng);
  const Matrix before = destination;
  const Matrix square = random_matrix(40, 40, rng);
  multiply(destination.middleCols(10, 12), square, big.middleCols(100, 12), Accumulate::kAddResult);
  Matrix expected = before;
  expected.middleCols(10, 12) = reference_product(before.middleCols(10, 12), square, big.middleCols(100, 12),
                                                  Accumulate::kAddResult);
  CHECK(same_bits(destination, expected));
}

TEST_CASE("spike products from the ones alone equal the dense chain bit for bit") {
  // Fractions below and above kSparseSpikeFraction: the sparse and the dense path.
  const std::uint64_t seed = 25;
  INFO("seed " << seed);
  nf::Rng rng(seed);
  nf::models::SpikeEvents events;
  for (const double fraction : {0.0, 0.02, 0.1, 0.2, 0.6}) {
    INFO("fraction of ones " << fraction);
    const Matrix weights = random_matrix(100, 100, rng);
    const Matrix spikes = random_spikes(100, 16, fraction, rng);
    Matrix sparse(100, 16);
    events.clear();
    append_spike_events(spikes, events);
    multiply_spikes(sparse, weights, spikes, events, 0);
    CHECK(same_bits(sparse, reference_product(sparse, weights, spikes, Accumulate::kAssign)));

    const Matrix deltas = random_matrix(100, 600, rng), history = random_spikes(100, 600, fraction, rng);
    Matrix gradient = random_matrix(100, 100, rng);
    const Matrix start = gradient;
    events.clear();
    append_spike_events(history.leftCols(7), events);  // columns before the block: `first` offsets them
    append_spike_events(history, events);
    nf::models::SpikeEvents by_row;
    multiply_by_spikes_transposed(gradient, deltas, history, Accumulate::kContinue, events, 7, by_row);
    CHECK(same_bits(gradient, reference_product(start, deltas, history.transpose(), Accumulate::kContinue)));
  }
  // A smooth (non-binary) spike matrix takes the dense path with the same result.
  Matrix smooth = random_spikes(30, 8, 0.1, rng);
  smooth(3, 2) = 0.5f;
  const Matrix weights = random_matrix(30, 30, rng);
  Matrix product(30, 8);
  events.clear();
  append_spike_events(smooth, events);
  CHECK_FALSE(events.binary);
  multiply_spikes(product, weights, smooth, events, 0);
  CHECK(same_bits(product, reference_product(product, weights, smooth, Accumulate::kAssign)));
}
