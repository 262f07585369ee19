// Delayed discrimination (Romo's two-interval comparison, as used by Huang et
// al. 2025): which of two pulses, separated by a delay, was larger?
//
// `channels` inputs and outputs, compared independently; the timing is shared.
// Pulse 1 of amplitude f1 on t in [stim_start, stim_start + pulse_len); a
// delay of d steps, d uniform in [delay_min, delay_max]; pulse 2 of amplitude
// f2 for pulse_len steps; f1, f2 uniform in [f_min, f_max] per channel. The
// target is 0 until the end of pulse 2 and sign(f2 - f1) from then to the end
// of the trial. The trial length stim_start + 2 pulse_len + delay_max +
// response_len fits the longest delay, so every trial answers for at least
// response_len steps.

#include <fmt/format.h>

#include "neurofab/models/tasks/support.hpp"

namespace nf::models::tasks {
namespace {

class DelayedDiscriminationTask final : public Task {
 public:
  DelayedDiscriminationTask() {
    declare("channels", 1, "number of independent comparisons (inputs = outputs)", true);
    declare("stim_start", 5, "first step of pulse 1", true);
    declare("pulse_len", 5, "duration of each pulse in steps", true);
    declare("delay_min", 5, "shortest delay between the pulses in steps", true);
    declare("delay_max", 20, "longest delay between the pulses in steps", true);
    declare("response_len", 10, "steps of response after pulse 2 at the longest delay", true);
    declare("f_min", 2, "smallest pulse amplitude");
    declare("f_max", 10, "largest pulse amplitude");
    declare("grace", 3, "steps after the response onset that success() does not score", true);
  }

  std::string name() const override { return "delayed_discrimination"; }
  std::string summary() const override {
    return fmt::format(
        "report sign(f2 - f1) of two pulse amplitudes separated by a {}-{} step delay "
        "(Huang et al. 2025)",
        int_param("delay_min"), int_param("delay_max"));
  }
  int n_in() const override { return int_param("channels"); }
  int n_out() const override { return int_param("channels"); }
  int n_steps() const override {
    return int_param("stim_start") + 2 * int_param("pulse_len") + int_param("delay_max") +
           int_param("response_len");
  }
  double loss_threshold() const override { return 1e-2; }

  Batch generate(int batch_size, Rng& rng) const override {
    Batch batch = make_zero_batch(*this, batch_size);
    const int channels = n_in();
    const int start1 = int_param("stim_start");
    const int len = int_param("pulse_len");
    const int delay_min = int_param("delay_min");
    const auto delay_span = static_cast<std::uint64_t>(int_param("delay_max") - delay_min + 1);
    const double f_min = param("f_min");
    const double f_max = param("f_max");
    for (int b = 0; b < batch_size; ++b) {
      const int delay = delay_min + static_cast<int>(rng.below(delay_span));
      const int start2 = start1 + len + delay;
      const int response = start2 + len;
      for (int c = 0; c < channels; ++c) {
        const double f1 = rng.uniform(f_min, f_max);
        double f2 = rng.uniform(f_min, f_max);
        // A tie has no correct answer; redrawing keeps the generator seeded.
        while (f2 == f1) f2 = rng.uniform(f_min, f_max);
        for (int t = start1; t < start1 + len; ++t) batch.inputs(c, batch.column(t, b)) = f1;
        for (int t = start2; t < start2 + len; ++t) batch.inputs(c, batch.column(t, b)) = f2;
        const double answer = f2 > f1 ? 1.0 : -1.0;
        for (int t = response; t < batch.n_steps; ++t) {
          batch.targets(c, batch.column(t, b)) = answer;
        }
      }
    }
    return batch;
  }

  // Every channel decodes (nearest of -1, 0, +1) to its target at every step
  // outside the grace window after the response onset: within 0.5 of 0 until
  // pulse 2 has ended (no premature answer), then on the correct side of +-0.5.
  void mask_unscored_steps(Batch& batch) const override { mask_grace_steps(batch, int_param("grace")); }

  std::vector<bool> success(const Batch& batch, const Eigen::MatrixXd& outputs) const override {
    check_outputs(*this, batch, outputs);
    return level_success(batch, outputs, {-1.0, 0.0, 1.0}, int_param("grace"));
  }

  std::map<std::string, double> ood_overrides() const override {
    return {{"delay_min", 2.0 * param("delay_min")}, {"delay_max", 2.0 * param("delay_max")}};
  }

 protected:
  void validate() const override {
    require_in_range(*this, "channels", 1, 1024);
    require_at_least(*this, "stim_start", 0);
    require_at_least(*this, "pulse_len", 1);
    require_at_least(*this, "delay_min", 0);
    if (param("delay_max") < param("delay_min")) {
      fail_param(*this, "delay_max", fmt::format(">= delay_min = {}", param("delay_min")));
    }
    require_at_least(*this, "response_len", 1);
    require_above(*this, "f_min", 0);
    if (!(param("f_max") > param("f_min"))) {
      fail_param(*this, "f_max", fmt::format("> f_min = {}", param("f_min")));
    }
    require_at_least(*this, "grace", 0);
    // A grace period covering the whole response would let a silent network pass.
    if (param("grace") >= param("response_len")) {
      fail_param(*this, "grace", fmt::format("< response_len = {}", param("response_len")));
    }
    require_trial_length(*this, std::int64_t{int_param("stim_start")} +
                                    2 * std::int64_t{int_param("pulse_len")} +
                                    int_param("delay_max") + int_param("response_len"));
  }
};

}  // namespace

std::unique_ptr<Task> make_delayed_discrimination_task() {
  return std::make_unique<DelayedDiscriminationTask>();
}

}  // namespace nf::models::tasks
