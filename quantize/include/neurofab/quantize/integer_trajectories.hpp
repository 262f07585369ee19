#pragma once
// Trajectories of the integer golden model (`neurofab eval <qdir> --dump
// out.npz`): run_trials' every signal (trial_run.hpp, the golden trace — the
// integer model IS the golden reference) as named arrays for a .npz archive.
//
// Each signal becomes one array [T, B, width] of its codes, int32 or int64 as
// in the trace, with its fractional bits as a 0-d int64 array
// `<name>_frac_bits`, so codes · 2^-frac_bits are the real values (0 for
// events, counters and counts, whose codes are the values). The trace is
// [trial][step][unit]; the arrays are step-major like every dump (models/
// trajectories.hpp), so they are copies in that order. The trials' own arrays
// (inputs, targets, mask as float64, success [B] uint8) are the float dump's.
//
// Array names follow the float dump where the quantity is the same
// (dump_array_name): the golden `input` is `encoded_inputs` (the codes the
// step consumed: the stimulus quantized, or the input events), `accumulator`
// `preactivations`, `state` `rates`, `current` `currents`, `membrane`
// `membranes`, `output` `outputs`, `refractory` `refractory_counters` (steps
// left, not the float dump's 0/1 flag); `spikes` and the counts keep their
// names (docs/fixed-point.md, "Golden vectors", lists the signals).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/models/trajectories.hpp"
#include "neurofab/quantize/integer_lif_rnn.hpp"
#include "neurofab/quantize/integer_rate_rnn.hpp"

namespace nf::quantize {

// The dump's name for a golden-trace signal.
std::string dump_array_name(const std::string& signal);

// The arrays of a trace recorded on `batch` (every signal), with each trial's success.
models::NamedArrays trajectory_arrays(const golden::GoldenTrace& trace, std::shared_ptr<const models::Batch> batch,
                                      const std::vector<bool>& success);

// Runs `trials` through the integer model (every signal) and returns their
// arrays; success by `task`'s criterion on the outputs read back as reals.
models::NamedArrays integer_trajectories(const IntegerRateRnn& network, const models::EvaluationTrials& trials,
                                         const models::Task& task);
models::NamedArrays integer_trajectories(const IntegerLifRnn& network, const models::EvaluationTrials& trials,
                                         const models::Task& task);

// What integer_trajectories' arrays take for T steps and B trials, in bytes,
// known before running (the signals' widths from a one-step probe run).
std::int64_t integer_trajectory_bytes(const IntegerRateRnn& network, int steps, int trials);
std::int64_t integer_trajectory_bytes(const IntegerLifRnn& network, int steps, int trials);

}  // namespace nf::quantize
