#pragma once
// Internals of the task suite shared by the task implementations in
// models/src/tasks/: the factory of each built-in task (the registry maps names
// to them) and the checks and signal shapes several tasks need. Users go
// through neurofab/models/task.hpp; nothing here is part of that interface.

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "neurofab/common/rng.hpp"
#include "neurofab/models/task.hpp"

namespace nf::models::tasks {

// ---------------------------------------------------------------------------
// Factories, one per task (definitions in the task's own .cpp).
// ---------------------------------------------------------------------------
// Jarne & Laje 2023 (logic_tasks.cpp, flipflop_task.cpp, oscillator_task.cpp,
// time_pulse_task.cpp).
std::unique_ptr<Task> make_and_task();
std::unique_ptr<Task> make_or_task();
std::unique_ptr<Task> make_xor_task();
std::unique_ptr<Task> make_not_task();
std::unique_ptr<Task> make_flipflop_task();
std::unique_ptr<Task> make_oscillator_task();
std::unique_ptr<Task> make_time_pulse_task();
// Huang et al. 2025 (nbit_flipflop_task.cpp, delayed_discrimination_task.cpp,
// sine_wave_task.cpp, path_integration_task.cpp).
std::unique_ptr<Task> make_nbit_flipflop_task();
std::unique_ptr<Task> make_delayed_discrimination_task();
std::unique_ptr<Task> make_sine_wave_task();
std::unique_ptr<Task> make_path_integration_2d_task();

// ---------------------------------------------------------------------------
// Parameter checks for Task::validate(). Each throws nf::InputError worded
// "task '<task>': parameter '<param>' must be <requirement> (got <value>)".
// ---------------------------------------------------------------------------
[[noreturn]] void fail_param(const Task& task, const std::string& param,
                             const std::string& requirement);
void require_at_least(const Task& task, const std::string& param, double min);
void require_above(const Task& task, const std::string& param, double bound);
void require_in_range(const Task& task, const std::string& param, double low, double high);
// For a relation between parameters: "task '<task>': <message>".
void require(bool ok, const Task& task, const std::string& message);
// Trial lengths derived from several parameters are summed in 64 bits and
// must lie in [1, kMaxSteps], so n_steps() can return them as int.
inline constexpr std::int64_t kMaxSteps = 10'000'000;
void require_trial_length(const Task& task, std::int64_t n_steps);

// ---------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------
// A zero-filled batch of the task's shape with an all-ones mask. Throws
// nf::InputError when batch_size < 1 or the batch has more columns than an int
// indexes (Batch::column returns int).
Batch make_zero_batch(const Task& task, int batch_size);
// Adds N(0, sd^2) to every input sample, drawn column by column so the batch
// depends on nothing but the Rng state.
void add_input_noise(Batch& batch, double sd, Rng& rng);
// Throws nf::InputError unless outputs is n_out x (T*B) of the batch.
void check_outputs(const Task& task, const Batch& batch, const Eigen::MatrixXd& outputs);

// ---------------------------------------------------------------------------
// Signal shapes
// ---------------------------------------------------------------------------
// A box of `length` ones convolved with a symmetric Hann window of `window`
// samples normalised to unit sum, keeping the central `length` samples
// (scipy.signal.convolve(box, hann(window), mode='same') / sum(hann) — how the
// original Jarne & Laje generators smooth their stimulus pulses). The plateau
// stays at 1 and the edges ramp down towards about one half.
std::vector<double> hann_smoothed_pulse(int length, int window);

// ---------------------------------------------------------------------------
// Success criteria
// ---------------------------------------------------------------------------
// Categorical targets. Each output sample is decoded to the nearest of `levels`
// (an exact tie decodes to neither, so it fails). A trial succeeds when the
// decoded level equals the target at every scored step (mask > 0) of every
// output channel, except the `grace` steps starting at each change of that
// channel's target — time a network needs to switch. For levels {0, 1} this is
// "the output is on the correct side of 0.5".
std::vector<bool> level_success(const Batch& batch, const Eigen::MatrixXd& outputs,
                                const std::vector<double>& levels, int grace);
// Zeroes the mask on the steps level_success() skips: the `grace` steps
// starting at each change of a channel's target.
void mask_grace_steps(Batch& batch, int grace);

}  // namespace nf::models::tasks
