// The LIF success targets: >= 90 % success on the 1-bit flip-flop and
// on XOR (N = 50), on fresh trials the network never trained on.
#include <catch2/catch.hpp>

#include "target_training.hpp"

using namespace nf::models;

namespace {

void train_to_target(const std::string& task_name, const std::map<std::string, double>& params, std::uint64_t seed) {
  const auto artifact =
      nf::test::train_target_network<LifRnn<float>>(task_name, params, 50, nf::test::lif_target_training(), seed);
  const Evaluation result = evaluate(artifact.network, *make_task(task_name, params), 512, seed);
  INFO(task_name << " seed " << seed << ": " << artifact.state.epochs_done << " epochs, converged at "
                 << artifact.state.converged_epoch << ", test MSE " << result.mse << ", success "
                 << result.success_rate << ", " << result.activity->mean_rate << " spikes/unit/step");
  CHECK(result.success_rate >= 0.90);
  CHECK(result.activity->mean_rate > 0.0);
}

}  // namespace

TEST_CASE("LIF 1-bit flip-flop, N = 50, reaches >= 90% success", "[long][training][lif]") {
  train_to_target("flipflop", {{"trial_length", 410}}, 1);
}

TEST_CASE("LIF XOR, N = 50, reaches >= 90% success", "[long][training][lif]") { train_to_target("xor", {}, 1); }
