#include "neurofab/models/spike_encoding.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "neurofab/common/error.hpp"

namespace nf::models {

template <typename Scalar>
void encode_inputs(const LifRnnConfig& config, const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& inputs,
                   int batch_size, const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>* uniforms,
                   Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& encoded) {
  const Eigen::Index columns = inputs.cols();
  switch (config.encoding) {
    case InputEncoding::kCurrent:
      encoded = inputs;
      return;
    case InputEncoding::kPoisson: {
      if (uniforms == nullptr || uniforms->rows() != config.n_in_encoded() || uniforms->cols() != columns) {
        throw InputError("Poisson encoding needs uniform draws of shape [n_in_encoded, T*B] (sample_noise)");
      }
      const auto gain = static_cast<Scalar>(config.encoding_gain);
      encoded.resize(config.n_in_encoded(), columns);
      for (Eigen::Index c = 0; c < columns; ++c) {
        for (Eigen::Index k = 0; k < inputs.rows(); ++k) {
          const Scalar x = inputs(k, c);
          const Scalar p_on = std::min(Scalar(1), gain * std::max(x, Scalar(0)));
          const Scalar p_off = std::min(Scalar(1), gain * std::max(-x, Scalar(0)));
          encoded(2 * k, c) = (*uniforms)(2 * k, c) < p_on ? Scalar(1) : Scalar(0);
          encoded(2 * k + 1, c) = (*uniforms)(2 * k + 1, c) < p_off ? Scalar(1) : Scalar(0);
        }
      }
      return;
    }
    case InputEncoding::kDelta: {
      const auto delta = static_cast<Scalar>(config.delta_threshold);
      encoded = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>::Zero(config.n_in_encoded(), columns);
      const Eigen::Index steps = columns / batch_size;
      for (Eigen::Index b = 0; b < batch_size; ++b) {
        for (Eigen::Index k = 0; k < inputs.rows(); ++k) {
          Scalar reference = 0;
          for (Eigen::Index t = 0; t < steps; ++t) {
            const Eigen::Index c = t * batch_size + b;
            const Scalar x = inputs(k, c);
            if (x - reference >= delta) {
              encoded(2 * k, c) = 1;
              reference += delta;
            } else if (reference - x >= delta) {
              encoded(2 * k + 1, c) = 1;
              reference -= delta;
            }
          }
        }
      }
      return;
    }
  }
}

template void encode_inputs<float>(const LifRnnConfig&, const Eigen::MatrixXf&, int, const Eigen::MatrixXf*,
                                   Eigen::MatrixXf&);
template void encode_inputs<double>(const LifRnnConfig&, const Eigen::MatrixXd&, int, const Eigen::MatrixXd*,
                                    Eigen::MatrixXd&);

}  // namespace nf::models
