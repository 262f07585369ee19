// The success targets: >= 95 % success on the 1-bit flip-flop (N = 50)
// and on XOR, measured on fresh trials the network never trained on, seed 1.
#include <catch2/catch.hpp>

#include "target_training.hpp"

using namespace nf::models;

namespace {

void train_to_target(const std::string& task_name, const std::map<std::string, double>& params) {
  nf::test::require_target_on_seed([&](std::uint64_t seed) -> std::string {
    const auto artifact =
        nf::test::train_target_network<RateRnn<float>>(task_name, params, 50, nf::test::rate_target_training(), seed);
    const Evaluation result = evaluate(artifact.network, *make_task(task_name, params), 512, seed);
    const std::string figures = task_name + ": success " + std::to_string(result.success_rate) + " after " +
                                std::to_string(artifact.state.epochs_done) + " epochs (best epoch " +
                                std::to_string(artifact.state.best.epoch) + ")";
    fmt::print("{}\n", figures);
    if (result.success_rate >= 0.95) return "";
    return task_name + ": success " + std::to_string(result.success_rate) + " < 0.95 after " +
           std::to_string(artifact.state.epochs_done) + " epochs (test MSE " + std::to_string(result.mse) + ")";
  });
}

}  // namespace

TEST_CASE("1-bit flip-flop, N = 50, reaches >= 95% success", "[long][training]") {
  // Trials of 3 pulses (410 steps) instead of the original's 8 keep BPTT short.
  train_to_target("flipflop", {{"trial_length", 410}});
}

TEST_CASE("XOR, N = 50, reaches >= 95% success", "[long][training]") { train_to_target("xor", {}); }
