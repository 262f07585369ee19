#pragma once
// A matrix of independent N(0, sd²) entries from `rng`, drawn column by
// column — the random weights and states the analysis tests build on.
#include <Eigen/Core>

#include "neurofab/common/rng.hpp"

namespace nf::test {

inline Eigen::MatrixXd gaussian_matrix(int rows, int cols, nf::Rng& rng, double sd = 1.0) {
  Eigen::MatrixXd m(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) m(i, j) = rng.normal(0.0, sd);
  return m;
}

}  // namespace nf::test
