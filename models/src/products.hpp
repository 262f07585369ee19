#pragma once
// Eigen-facing forms of dense_products.hpp's products (private to nf_models):
// the same summation order on every CPU, and for spike matrices the same bits
// from the spikes alone. Operands are column-major with contiguous columns
// (plain matrices, or column blocks of them).

#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "dense_products.hpp"
#include "neurofab/models/lif_rnn.hpp"  // SpikeEvents

namespace nf::models::detail {

template <typename Matrix>
inline constexpr bool kOwnKernel = std::is_same_v<typename std::decay_t<Matrix>::Scalar, float>;

// Double precision (the gradient checks' models) keeps Eigen's products: its
// summation order matters to nobody.
template <typename Dst, typename Product>
void eigen_product(Dst&& dst, const Product& product, Accumulate mode) {
  if (mode == Accumulate::kAssign) {
    dst.noalias() = product;
  } else {
    dst.noalias() += product;
  }
}

// dst op= lhs · rhs.
template <typename Dst, typename Lhs, typename Rhs>
void multiply(Dst&& dst, const Lhs& lhs, const Rhs& rhs, Accumulate mode) {
  eigen_assert(lhs.cols() == rhs.rows() && dst.rows() == lhs.rows() && dst.cols() == rhs.cols());
  if constexpr (kOwnKernel<Dst>) {
    dense_product({dst.data(), dst.outerStride(), lhs.data(), lhs.outerStride(), rhs.data(), 1, rhs.outerStride(),
                   dst.rows(), dst.cols(), lhs.cols(), mode});
  } else {
    eigen_product(dst, lhs * rhs, mode);
  }
}

// Columns of the shared inner index per pass of multiply_by_transpose: the
// pass's slice of lhs stays in L1 while every tile of dst is visited.
inline constexpr std::ptrdiff_t kInnerBlock = 256;

// dst = lhs · rhs^T (kAssign) or dst += it as one continued chain (kContinue):
// Σ over the shared columns c in order, e.g. a weight gradient Σ_t δ_t h_t^T.
template <typename Dst, typename Lhs, typename Rhs>
void multiply_by_transpose(Dst&& dst, const Lhs& lhs, const Rhs& rhs, Accumulate mode) {
  eigen_assert(lhs.cols() == rhs.cols() && dst.rows() == lhs.rows() && dst.cols() == rhs.rows());
  eigen_assert(mode != Accumulate::kAddResult);
  if constexpr (kOwnKernel<Dst>) {
    if (lhs.cols() == 0 && mode == Accumulate::kAssign) dst.setZero();
    for (std::ptrdiff_t first = 0; first < lhs.cols(); first += kInnerBlock) {
      const std::ptrdiff_t count = std::min<std::ptrdiff_t>(kInnerBlock, lhs.cols() - first);
      dense_product({dst.data(), dst.outerStride(), lhs.data() + first * lhs.outerStride(), lhs.outerStride(),
                     rhs.data() + first * rhs.outerStride(), rhs.outerStride(), 1, dst.rows(), dst.cols(), count,
                     first == 0 ? mode : Accumulate::kContinue});
    }
  } else {
    eigen_product(dst, lhs * rhs.transpose(), mode);
  }
}

// Below this fraction of ones a spike product adds columns; above it the
// dense kernel is faster. Either gives the same bits (dense_products.hpp).
inline constexpr double kSparseSpikeFraction = 0.25;

// Appends the ones of every column of `spikes` to `events` (see SpikeEvents).
template <typename Spikes>
void append_spike_events(const Spikes& spikes, SpikeEvents& events) {
  for (Eigen::Index j = 0; j < spikes.cols(); ++j) {
    const std::ptrdiff_t used = events.starts.back();
    if (!events.binary) {
      events.starts.push_back(used);
      continue;
    }
    const auto room = static_cast<std::size_t>(used + spikes.rows() + 8);
    if (events.rows.size() < room) events.rows.resize(std::max(room, 2 * events.rows.size()));
    const auto* column = spikes.data() + j * spikes.outerStride();
    std::ptrdiff_t count = 0;
    if constexpr (std::is_same_v<typename Spikes::Scalar, float>) {
      count = ones_of_column(column, spikes.rows(), events.rows.data() + used);
    } else {
      for (Eigen::Index i = 0; i < spikes.rows() && count >= 0; ++i) {
        if (column[i] == 1) {
          events.rows[static_cast<std::size_t>(used + count++)] = static_cast<int>(i);
        } else if (column[i] != 0) {
          count = -1;
        }
      }
    }
    if (count < 0) {
      events.binary = false;
      count = 0;
    }
    events.starts.push_back(used + count);
  }
}

// Whether columns [first, first + count) of a spike matrix with `rows` rows
// take the sparse path.
inline bool sparse_path(const SpikeEvents& events, std::ptrdiff_t first, std::ptrdiff_t count, std::ptrdiff_t rows) {
  const auto ones = static_cast<double>(events.starts[first + count] - events.starts[first]);
  return events.binary && ones <= kSparseSpikeFraction * static_cast<double>(rows * count);
}

// dst = lhs · spikes (kAssign); `spikes` is columns [first, first + cols) of
// the matrix that `events` describes.
template <typename Dst, typename Lhs, typename Spikes>
void multiply_spikes(Dst&& dst, const Lhs& lhs, const Spikes& spikes, const SpikeEvents& events,
                     std::ptrdiff_t first) {
  if (!sparse_path(events, first, spikes.cols(), spikes.rows())) {
    multiply(dst, lhs, spikes, Accumulate::kAssign);
  } else if constexpr (kOwnKernel<Dst>) {
    gather_sum({dst.data(), dst.outerStride(), lhs.data(), lhs.outerStride(), dst.rows(), dst.cols(),
                events.rows.data(), events.starts.data() + first, false});
  } else {
    dst.setZero();
    for (Eigen::Index j = 0; j < spikes.cols(); ++j) {
      for (std::ptrdiff_t e = events.starts[first + j]; e < events.starts[first + j + 1]; ++e) {
        dst.col(j) += lhs.col(events.rows[static_cast<std::size_t>(e)]);
      }
    }
  }
}

// The events of columns [first, first + count) listed by row instead: for
// each row r, the columns (from 0 at `first`) where it holds a one, in order.
inline void events_by_row(const SpikeEvents& events, std::ptrdiff_t first, std::ptrdiff_t count, std::ptrdiff_t rows,
                          SpikeEvents& by_row) {
  by_row.starts.assign(static_cast<std::size_t>(rows + 1), 0);
  const std::ptrdiff_t begin = events.starts[first], end = events.starts[first + count];
  for (std::ptrdiff_t e = begin; e < end; ++e) ++by_row.starts[static_cast<std::size_t>(events.rows[e] + 1)];
  for (std::ptrdiff_t r = 0; r < rows; ++r) by_row.starts[r + 1] += by_row.starts[r];
  by_row.rows.resize(static_cast<std::size_t>(end - begin));
  std::vector<std::ptrdiff_t> cursor(by_row.starts.begin(), by_row.starts.end() - 1);
  for (std::ptrdiff_t c = 0; c < count; ++c) {
    for (std::ptrdiff_t e = events.starts[first + c]; e < events.starts[first + c + 1]; ++e) {
      by_row.rows[static_cast<std::size_t>(cursor[static_cast<std::size_t>(events.rows[e])]++)] = static_cast<int>(c);
    }
  }
  by_row.binary = true;
}

// dst = lhs · spikes^T (kAssign) or continued (kContinue), as
// multiply_by_transpose; `spikes` and `first` as for multiply_spikes, and
// `by_row` is scratch.
template <typename Dst, typename Lhs, typename Spikes>
void multiply_by_spikes_transposed(Dst&& dst, const Lhs& lhs, const Spikes& spikes, Accumulate mode,
                                   const SpikeEvents& events, std::ptrdiff_t first, SpikeEvents& by_row) {
  eigen_assert(mode != Accumulate::kAddResult);
  if (!sparse_path(events, first, spikes.cols(), spikes.rows())) {
    multiply_by_transpose(dst, lhs, spikes, mode);
    return;
  }
  events_by_row(events, first, spikes.cols(), spikes.rows(), by_row);
  if constexpr (kOwnKernel<Dst>) {
    gather_sum({dst.data(), dst.outerStride(), lhs.data(), lhs.outerStride(), dst.rows(), dst.cols(),
                by_row.rows.data(), by_row.starts.data(), mode == Accumulate::kContinue});
  } else {
    if (mode == Accumulate::kAssign) dst.setZero();
    for (Eigen::Index j = 0; j < dst.cols(); ++j) {
      for (std::ptrdiff_t e = by_row.starts[j]; e < by_row.starts[j + 1]; ++e) {
        dst.col(j) += lhs.col(by_row.rows[static_cast<std::size_t>(e)]);
      }
    }
  }
}

}  // namespace nf::models::detail
