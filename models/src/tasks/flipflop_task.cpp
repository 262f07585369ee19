// The 1-bit flip-flop of Jarne & Laje 2023.
//
// Two inputs, set (channel 0) and reset (channel 1). Pulses of height 1 and
// pulse_len steps start at first_pulse + k * pulse_period (50, 170, 290, ...),
// each on a channel drawn with equal probability, for every k whose response
// still begins inside the trial. Gaussian noise of sd input_noise is added to
// every input sample. The target is 1 after a set and 0 after a reset, switched
// mem_gap steps after the end of the pulse, and 0 before the first switch (the
// original's baseline). The default trial_length of 1010 is the original's
// 8 pulses: 50 + 7 * 120 + 20 + 100.

#include <fmt/format.h>

#include "neurofab/models/tasks/support.hpp"

namespace nf::models::tasks {
namespace {

class FlipflopTask final : public Task {
 public:
  FlipflopTask() {
    declare("trial_length", 1010, "trial length in steps", true);
    declare("first_pulse", 50, "start of the first pulse", true);
    declare("pulse_period", 120, "steps from the start of one pulse to the start of the next",
            true);
    declare("pulse_len", 20, "duration of a set or reset pulse in steps", true);
    declare("mem_gap", 20, "steps from the end of a pulse to the switch of the output", true);
    declare("input_noise", 0.1, "sd of the Gaussian noise added to every input sample");
    declare("grace", 5, "steps after the target switches that success() does not score", true);
  }

  std::string name() const override { return "flipflop"; }
  std::string summary() const override {
    return fmt::format(
        "1-bit flip-flop: the output holds the last set/reset pulse, switching {} steps after it "
        "(Jarne & Laje 2023)",
        int_param("mem_gap"));
  }
  int n_in() const override { return 2; }
  int n_out() const override { return 1; }
  int n_steps() const override { return int_param("trial_length"); }
  double loss_threshold() const override { return 1e-3; }

  Batch generate(int batch_size, Rng& rng) const override {
    Batch batch = make_zero_batch(*this, batch_size);
    const int first = int_param("first_pulse");
    const int period = int_param("pulse_period");
    const int len = int_param("pulse_len");
    const int gap = int_param("mem_gap");
    const int n_steps = batch.n_steps;
    for (int b = 0; b < batch_size; ++b) {
      for (int start = first; start + len + gap < n_steps; start += period) {
        const int channel = static_cast<int>(rng.below(2));  // 0 = set, 1 = reset
        for (int t = start; t < start + len; ++t) batch.inputs(channel, batch.column(t, b)) = 1.0;
        // Holds until the next pulse overwrites it, so writing to the end is right.
        const double level = channel == 0 ? 1.0 : 0.0;
        for (int t = start + len + gap; t < n_steps; ++t) {
          batch.targets(0, batch.column(t, b)) = level;
        }
      }
    }
    add_input_noise(batch, param("input_noise"), rng);
    return batch;
  }

  void mask_unscored_steps(Batch& batch) const override { mask_grace_steps(batch, int_param("grace")); }

  std::vector<bool> success(const Batch& batch, const Eigen::MatrixXd& outputs) const override {
    check_outputs(*this, batch, outputs);
    return level_success(batch, outputs, {0.0, 1.0}, int_param("grace"));
  }

  std::map<std::string, double> ood_overrides() const override {
    return {{"trial_length", 2.0 * param("trial_length")}};
  }

 protected:
  void validate() const override {
    require_at_least(*this, "trial_length", 1);
    require_at_least(*this, "first_pulse", 0);
    require_at_least(*this, "pulse_len", 1);
    require_at_least(*this, "mem_gap", 0);
    require_at_least(*this, "input_noise", 0);
    require_at_least(*this, "grace", 0);
    // Overlapping pulses would make "the last pulse" ambiguous.
    if (param("pulse_period") < param("pulse_len")) {
      fail_param(*this, "pulse_period", fmt::format(">= pulse_len = {}", param("pulse_len")));
    }
    require_trial_length(*this, int_param("trial_length"));
    require(std::int64_t{int_param("first_pulse")} + int_param("pulse_len") + int_param("mem_gap") <
                int_param("trial_length"),
            *this,
            fmt::format("trial_length ({}) must exceed first_pulse + pulse_len + mem_gap ({}) so "
                        "that at least one pulse is answered",
                        int_param("trial_length"),
                        std::int64_t{int_param("first_pulse")} + int_param("pulse_len") +
                            int_param("mem_gap")));
  }
};

}  // namespace

std::unique_ptr<Task> make_flipflop_task() { return std::make_unique<FlipflopTask>(); }

}  // namespace nf::models::tasks
