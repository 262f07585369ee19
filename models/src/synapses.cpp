#include "neurofab/models/synapses.hpp"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "neurofab/common/error.hpp"

namespace nf::models {

Connectivity Connectivity::full(int n_in, int n_rec, int n_out) {
  return {Eigen::MatrixXf::Ones(n_rec, n_in), Eigen::MatrixXf::Ones(n_rec, n_rec),
          Eigen::MatrixXf::Ones(n_out, n_rec)};
}

void Connectivity::check_shapes(int n_in, int n_rec, int n_out) const {
  const auto check = [](const char* name, const Eigen::MatrixXf& m, int rows, int cols) {
    if (m.rows() != rows || m.cols() != cols) {
      throw InputError(fmt::format("mask '{}' has shape [{}, {}], the model needs [{}, {}]", name, m.rows(),
                                   m.cols(), rows, cols));
    }
  };
  check("mask_W_in", mask_in, n_rec, n_in);
  check("mask_W_rec", mask_rec, n_rec, n_rec);
  check("mask_W_out", mask_out, n_out, n_rec);
}

int excitatory_count(double dale_ratio, int n_rec) {
  return dale_ratio > 0.0 ? static_cast<int>(std::lround(dale_ratio * n_rec)) : n_rec;
}

SynapseConstraints::SynapseConstraints(Connectivity connectivity, double dale_ratio)
    : connectivity_(std::move(connectivity)), dale_(dale_ratio > 0.0) {
  const auto n_rec = static_cast<int>(connectivity_.mask_rec.rows());
  dale_sign_ = Eigen::VectorXf::Ones(n_rec);
  if (dale_) {
    const int n_inh = n_rec - excitatory_count(dale_ratio, n_rec);
    dale_sign_.tail(n_inh).setConstant(-1.0f);
    connectivity_.mask_out.rightCols(n_inh).setZero();  // only excitatory units project to the readout
  }
}

template <typename Matrix>
void SynapseConstraints::mask_gradients(Matrix& g_in, Matrix& g_rec, Matrix& g_out) const {
  using Scalar = typename Matrix::Scalar;
  g_in.array() *= connectivity_.mask_in.template cast<Scalar>().array();
  g_rec.array() *= connectivity_.mask_rec.template cast<Scalar>().array();
  g_out.array() *= connectivity_.mask_out.template cast<Scalar>().array();
}

template <typename Matrix>
void SynapseConstraints::apply(Matrix& w_in, Matrix& w_rec, Matrix& w_out) const {
  using Scalar = typename Matrix::Scalar;
  mask_gradients(w_in, w_rec, w_out);  // the same masking, applied to the weights
  if (!dale_) return;
  for (Eigen::Index j = 0; j < w_rec.cols(); ++j) {
    auto column = w_rec.col(j);
    if (dale_sign_(j) > 0) {
      column = column.cwiseMax(Scalar(0));
    } else {
      column = column.cwiseMin(Scalar(0));
    }
  }
  w_out = w_out.cwiseMax(Scalar(0));
}

template <typename Matrix>
std::string SynapseConstraints::violation(const Matrix& w_in, const Matrix& w_rec, const Matrix& w_out) const {
  const auto masked = [](const char* name, const Matrix& w, const Eigen::MatrixXf& mask) -> std::string {
    for (Eigen::Index j = 0; j < w.cols(); ++j)
      for (Eigen::Index i = 0; i < w.rows(); ++i)
        if (mask(i, j) == 0 && w(i, j) != 0) {
          return fmt::format("tensor '{}' is {} at [{}, {}] where its mask has no synapse", name, w(i, j), i, j);
        }
    return "";
  };
  for (const auto& message : {masked("W_in", w_in, connectivity_.mask_in), masked("W_rec", w_rec, connectivity_.mask_rec),
                              masked("W_out", w_out, connectivity_.mask_out)}) {
    if (!message.empty()) return message;
  }
  if (!dale_) return "";
  for (Eigen::Index j = 0; j < w_rec.cols(); ++j)
    for (Eigen::Index i = 0; i < w_rec.rows(); ++i)
      if (w_rec(i, j) * dale_sign_(j) < 0) {
        return fmt::format("tensor 'W_rec' is {} at [{}, {}], against Dale's law (unit {} is {})", w_rec(i, j), i,
                           j, j, dale_sign_(j) > 0 ? "excitatory" : "inhibitory");
      }
  if ((w_out.array() < 0).any()) return "tensor 'W_out' has a negative weight, against Dale's law";
  return "";
}

#define NF_INSTANTIATE(Matrix)                                                                       \
  template void SynapseConstraints::mask_gradients<Matrix>(Matrix&, Matrix&, Matrix&) const;         \
  template void SynapseConstraints::apply<Matrix>(Matrix&, Matrix&, Matrix&) const;                  \
  template std::string SynapseConstraints::violation<Matrix>(const Matrix&, const Matrix&, const Matrix&) const;
NF_INSTANTIATE(Eigen::MatrixXf)
NF_INSTANTIATE(Eigen::MatrixXd)
#undef NF_INSTANTIATE

}  // namespace nf::models
