// Runs a quantized artifact's integer model on evaluation trials and prints
// one FNV-1a hash of every state and output code of every step, plus the
// overflow count. Built twice — from the quantize sources compiled at -O0 and
// from the optimised library — so a test can check that the integer model
// does not depend on the optimisation level.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "neurofab/models/training.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

using namespace nf;

namespace {

struct Hash {
  std::uint64_t value = 1469598103934665603ull;
  void add(std::int64_t x) {
    for (int byte = 0; byte < 8; ++byte) {
      value ^= static_cast<std::uint64_t>(x >> (8 * byte)) & 0xff;
      value *= 1099511628211ull;
    }
  }
  template <typename Vector>
  void add_all(const Vector& v) {
    for (Eigen::Index i = 0; i < v.size(); ++i) add(v(i));
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <qdir> <trials>\n", argv[0]);
    return 2;
  }
  const quantize::QuantizedArtifact q = quantize::load_quantized(argv[1]);
  const int trials = std::atoi(argv[2]);
  const auto task = models::make_task(q.task_name, q.task_params);
  Hash hash;
  std::int64_t overflow = 0;
  std::visit(
      [&](const auto& net) {
        const auto data = models::evaluation_trials(*task, net.config(), trials, q.seed);
        const auto& batch = data.batch;
        Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic> x;
        if constexpr (std::is_same_v<std::decay_t<decltype(net)>, quantize::IntegerRateRnn>) {
          x = quantize::quantize_stimulus(batch.inputs, net.spec().input, net.spec().rounding);
          std::vector<std::int32_t> y(static_cast<std::size_t>(net.config().n_out));
          std::vector<std::int64_t> a(static_cast<std::size_t>(net.config().n_rec));
          for (int b = 0; b < batch.batch_size; ++b) {
            auto state = net.initial_state();
            for (int t = 0; t < batch.n_steps; ++t) {
              net.step(x.col(batch.column(t, b)).data(), state, y.data(), a.data());
              hash.add_all(state.h);
              for (const auto v : y) hash.add(v);
              for (const auto v : a) hash.add(v);
            }
            overflow += state.overflow.events;
          }
        } else {
          if (net.config().encoding != models::InputEncoding::kCurrent) {
            std::fprintf(stderr, "integer_replay: only current-encoded LIF networks\n");
            std::exit(2);
          }
          x = quantize::quantize_stimulus(batch.inputs, net.spec().input, net.spec().rounding);
          for (int b = 0; b < batch.batch_size; ++b) {
            auto state = net.initial_state();
            for (int t = 0; t < batch.n_steps; ++t) {
              net.step(x.col(batch.column(t, b)).data(), state);
              hash.add_all(state.current);
              hash.add_all(state.membrane);
              hash.add_all(state.spikes);
              hash.add_all(state.refractory);
              hash.add_all(state.output);
            }
            overflow += state.overflow.events;
          }
        }
      },
      q.network);
  std::printf("%016llx %lld\n", static_cast<unsigned long long>(hash.value), static_cast<long long>(overflow));
  return 0;
}
