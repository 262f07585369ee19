#include "neurofab/sim/hil.hpp"

#include <fmt/format.h>


#include "golden_steps.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/trial_run.hpp"
#include "neurofab/rtl/rtl_generator.hpp"

namespace nf::sim {
namespace fs = std::filesystem;

namespace {

// Refuses a board whose family, sizes or config id are not the artifact's.
void check_board(const quantize::QuantizedArtifact& artifact, const BoardInfo& board, const GoldenSteps& golden,
                 std::uint32_t expected_id) {
  const std::string_view family = models::model_type_name(artifact.family());
  if (board.model_family() != artifact.family() || board.units != golden.units() || board.inputs != golden.inputs() ||
      board.outputs != golden.outputs()) {
    throw InputError(fmt::format(
        "the board runs a {} network with N = {}, {} inputs, {} outputs; the artifact is a {} network with N = {}, "
        "{} inputs, {} outputs (build its bitstream: neurofab build --board <name> <qdir>)",
        board.family_name(), board.units, board.inputs, board.outputs, family, golden.units(), golden.inputs(),
        golden.outputs()));
  }
  if (board.config_id != expected_id) {
    throw InputError(fmt::format("the board's config id is {:08x}, the artifact's at {} lanes is {:08x}: the board "
                                 "carries another network or other weights (rebuild its bitstream from this artifact)",
                                 board.config_id, board.lanes, expected_id));
  }
}

class Comparison {
 public:
  Comparison(HilResult& result, int max_reported) : result_(result), max_reported_(max_reported) {}
  void check(int trial, int step, const char* what, int index, std::int64_t expected, std::int64_t actual) {
    ++result_.values_compared;
    if (expected == actual) return;
    ++result_.mismatches;
    if (static_cast<int>(result_.first_mismatches.size()) < max_reported_) {
      result_.first_mismatches.push_back({trial, step, index, what, expected, actual});
    }
  }

 private:
  HilResult& result_;
  int max_reported_;
};

// Every state value of step t through READ_STATE, grouped by select.
void check_state(HostLink& link, const GoldenSteps& golden, int trial, int t, Comparison& compare) {
  const std::vector<DebugRead> reads = golden.state_reads(trial, t);
  std::size_t k = 0;
  while (k < reads.size()) {
    std::size_t end = k;
    while (end < reads.size() && reads[end].select == reads[k].select) ++end;
    const int first = reads[k].address;
    const auto values = link.read_state(reads[k].select, first, static_cast<int>(end - k));
    for (std::size_t j = k; j < end; ++j) {
      compare.check(trial, t, reads[j].what, reads[j].address, reads[j].expected, values[j - k]);
    }
    k = end;
  }
}

// The task's success criterion on outputs (codes of trial-major [trial][step][m]) read back as reals.
template <typename Net>
double success_rate(const Net& net, const quantize::QuantizedArtifact& artifact, int trials, std::uint64_t seed,
                    const std::vector<std::int64_t>& codes) {
  const auto task = models::make_task(artifact.task_name, artifact.task_params);
  const models::EvaluationTrials data = models::evaluation_trials(*task, net.config(), trials, seed);
  const models::Batch& batch = data.batch;
  const int outputs = net.config().n_out;
  Eigen::MatrixXd y(outputs, batch.inputs.cols());
  for (int b = 0; b < batch.batch_size; ++b) {
    for (int t = 0; t < batch.n_steps; ++t) {
      for (int m = 0; m < outputs; ++m) {
        const std::size_t at = (static_cast<std::size_t>(b) * batch.n_steps + t) * outputs + m;
        y(m, batch.column(t, b)) = quantize::dequantize(codes[at], net.spec().output);
      }
    }
  }
  return models::success_rate(*task, batch, y);
}

}  // namespace

std::string describe(const HilMismatch& m) {
  return fmt::format("trial {} timestep {}: {} [{}] expected {}, actual {}", m.trial, m.step, m.what, m.index,
                     m.expected, m.actual);
}

StateCheck state_check_from_string(const std::string& name) {
  if (name == "none") return StateCheck::kNone;
  if (name == "last") return StateCheck::kLast;
  if (name == "every") return StateCheck::kEvery;
  throw InputError(fmt::format("--state: unknown '{}' (expected none, last or every)", name));
}

std::uint32_t expected_config_id(const quantize::QuantizedArtifact& artifact, int lanes) {
  return rtl::rtl_configuration(artifact, {lanes}).config_id;
}

HilResult run_hil(const quantize::QuantizedArtifact& artifact, HostLink& link, const HilOptions& o) {
  if (o.trials < 1) throw InputError(fmt::format("--trials: must be >= 1 (got {})", o.trials));
  HilResult result;
  const FirstContact contact = link.connect(o.connect_attempts);
  result.board = contact.info;
  result.connect_attempts = contact.attempts;
  result.stray_bytes = contact.stray_bytes;
  const int lanes = std::max(1, result.board.lanes);
  const std::uint64_t seed = o.seed != 0 ? o.seed : artifact.seed;
  const golden::GoldenTrace trace = quantize::run_trials(artifact, o.trials, seed);
  const GoldenSteps golden(trace, lanes);
  check_board(artifact, result.board, golden, expected_config_id(artifact, lanes));

  result.trials = golden.trials();
  result.steps_per_trial = golden.steps();
  Comparison compare(result, o.max_reported);
  std::vector<std::int64_t> board_outputs;
  board_outputs.reserve(static_cast<std::size_t>(golden.trials()) * golden.steps() * golden.outputs());
  const std::uint64_t sent0 = link.bytes_sent(), received0 = link.bytes_received();
  const auto start = std::chrono::steady_clock::now();
  for (int trial = 0; trial < golden.trials(); ++trial) {
    link.clear();
    for (int t = 0; t < golden.steps(); ++t) {
      const std::int32_t* x = golden.input(trial, t);
      const StepReport r = link.step(std::vector<std::int64_t>(x, x + golden.inputs()));
      ++result.timesteps;
      for (int m = 0; m < golden.outputs(); ++m) {
        compare.check(trial, t, "output y", m, golden.output(trial, t, m), r.outputs[static_cast<std::size_t>(m)]);
        board_outputs.push_back(r.outputs[static_cast<std::size_t>(m)]);
      }
      compare.check(trial, t, "step cycles (cycle model)", 0, golden.cycles(trial, t), r.step_cycles);
      compare.check(trial, t, "overflow events", 0, golden.overflow_events(trial, t), r.overflow_events);
      const bool last = t + 1 == golden.steps();
      if (o.state == StateCheck::kEvery || (o.state == StateCheck::kLast && last)) {
        check_state(link, golden, trial, t, compare);
      }
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.timesteps_per_second = static_cast<double>(result.timesteps) / std::max(result.seconds, 1e-9);
  result.bytes_sent = link.bytes_sent() - sent0;
  result.bytes_received = link.bytes_received() - received0;
  std::visit(
      [&](const auto& net) {
        result.board_success_rate = success_rate(net, artifact, o.trials, seed, board_outputs);
        // The golden model's outputs are in the trace already: scored the same way, not run again.
        const std::vector<std::int32_t>& golden_codes = trace.values<std::int32_t>("output");
        result.golden_success_rate = success_rate(net, artifact, o.trials, seed,
                                                  std::vector<std::int64_t>(golden_codes.begin(), golden_codes.end()));
      },
      artifact.network);
  return result;
}

}  // namespace nf::sim
