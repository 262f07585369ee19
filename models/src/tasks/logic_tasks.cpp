// AND, OR, XOR and NOT with a memory gap (Jarne & Laje 2023).
//
// Trial (defaults): inputs are 0 except a step of height 0 or 1 on each channel
// for t in [stim_start, stim_start + stim_len) = [30, 50); the target is 0
// until the response onset t_r = stim_start + stim_len + mem_gap = 70 and the
// logical result of the input levels from t_r to the end of the trial,
// t_r + response_len = 200. Gaussian noise of sd input_noise is added to every
// input sample. Each trial draws its input combination uniformly, so a batch
// covers all combinations.

#include <fmt/format.h>

#include "neurofab/models/tasks/support.hpp"

namespace nf::models::tasks {
namespace {

enum class LogicOp { kAnd, kOr, kXor, kNot };

class LogicTask final : public Task {
 public:
  explicit LogicTask(LogicOp op) : op_(op) {
    declare("mem_gap", 20, "steps from the end of the stimulus to the response onset", true);
    declare("stim_start", 30, "first step of the input stimulus", true);
    declare("stim_len", 20, "duration of the input stimulus in steps", true);
    declare("response_len", 130, "steps from the response onset to the end of the trial", true);
    // The original script defines stim_noise = 0.1 but comments the line out;
    // the networks of the paper were trained "con ruido" (with noise).
    declare("input_noise", 0.1, "sd of the Gaussian noise added to every input sample");
    declare("grace", 5, "steps after the target switches that success() does not score", true);
  }

  std::string name() const override {
    switch (op_) {
      case LogicOp::kAnd: return "and";
      case LogicOp::kOr: return "or";
      case LogicOp::kXor: return "xor";
      case LogicOp::kNot: return "not";
    }
    return "";
  }

  std::string summary() const override {
    const std::string what = op_ == LogicOp::kNot
                                 ? "NOT of a 0/1 input step"
                                 : fmt::format("{} of two 0/1 input steps", upper_name());
    return fmt::format("{}, reported {} steps after the stimulus (Jarne & Laje 2023)", what,
                       int_param("mem_gap"));
  }

  int n_in() const override { return op_ == LogicOp::kNot ? 1 : 2; }
  int n_out() const override { return 1; }
  int n_steps() const override { return response_onset() + int_param("response_len"); }

  double loss_threshold() const override {
    switch (op_) {
      case LogicOp::kAnd: return 5e-4;
      case LogicOp::kOr: return 1e-4;
      case LogicOp::kXor: return 1e-3;
      // The original reports no threshold for NOT; 1e-3 as for XOR.
      case LogicOp::kNot: return 1e-3;
    }
    return 1e-3;
  }

  Batch generate(int batch_size, Rng& rng) const override {
    Batch batch = make_zero_batch(*this, batch_size);
    const int stim_start = int_param("stim_start");
    const int stim_end = stim_start + int_param("stim_len");
    const int onset = response_onset();
    const int n_combinations = 1 << n_in();
    for (int b = 0; b < batch_size; ++b) {
      const auto combination =
          static_cast<int>(rng.below(static_cast<std::uint64_t>(n_combinations)));
      const int a = combination & 1;
      const int c = (combination >> 1) & 1;
      for (int t = stim_start; t < stim_end; ++t) {
        batch.inputs(0, batch.column(t, b)) = a;
        if (n_in() == 2) batch.inputs(1, batch.column(t, b)) = c;
      }
      const double result = apply(a, c);
      for (int t = onset; t < batch.n_steps; ++t) batch.targets(0, batch.column(t, b)) = result;
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
    // Doubling mem_gap lengthens the trial by the same amount (n_steps).
    return {{"mem_gap", 2.0 * param("mem_gap")}};
  }

 protected:
  void validate() const override {
    require_at_least(*this, "mem_gap", 0);
    require_at_least(*this, "stim_start", 0);
    require_at_least(*this, "stim_len", 1);
    require_at_least(*this, "response_len", 1);
    require_at_least(*this, "input_noise", 0);
    require_at_least(*this, "grace", 0);
    // A grace period covering the whole response would let a silent network pass.
    if (param("grace") >= param("response_len")) {
      fail_param(*this, "grace", fmt::format("< response_len = {}", param("response_len")));
    }
    require_trial_length(*this, std::int64_t{int_param("stim_start")} + int_param("stim_len") +
                                    int_param("mem_gap") + int_param("response_len"));
  }

 private:
  int response_onset() const {
    return int_param("stim_start") + int_param("stim_len") + int_param("mem_gap");
  }

  double apply(int a, int c) const {
    switch (op_) {
      case LogicOp::kAnd: return a & c;
      case LogicOp::kOr: return a | c;
      case LogicOp::kXor: return a ^ c;
      case LogicOp::kNot: return 1 - a;
    }
    return 0.0;
  }

  std::string upper_name() const {
    std::string s = name();
    for (char& ch : s) ch = static_cast<char>(ch - 'a' + 'A');
    return s;
  }

  LogicOp op_;
};

}  // namespace

std::unique_ptr<Task> make_and_task() { return std::make_unique<LogicTask>(LogicOp::kAnd); }
std::unique_ptr<Task> make_or_task() { return std::make_unique<LogicTask>(LogicOp::kOr); }
std::unique_ptr<Task> make_xor_task() { return std::make_unique<LogicTask>(LogicOp::kXor); }
std::unique_ptr<Task> make_not_task() { return std::make_unique<LogicTask>(LogicOp::kNot); }

}  // namespace nf::models::tasks
