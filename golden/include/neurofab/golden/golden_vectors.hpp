#pragma once
// Golden vectors: the file form of a golden trace (golden_trace.hpp) — the
// integer golden model's stimulus and response, timestep by timestep, as the
// files the later stages compare against bit for bit (the C++ tests, the HLS
// C-simulation, the Verilator testbench; as hls4ml's tb_data). They are the
// trials `neurofab eval <qdir>` runs: the batch and noise of
// models::evaluation_trials(task, config, K, seed), the stimulus quantized by
// quantize::quantize_stimulus (or spike-encoded by models::encode_inputs),
// recorded by quantize::run_trials. docs/fixed-point.md, "Golden vectors", is
// the normative text.
//
// One folder per case:
//
//   <vdir>/vectors.json
//     format "neurofab-golden-vectors", format_version 1, generator "neurofab <version>",
//     model_type ("rate_rnn" | "lif_rnn"), model (the float model's hyper-parameters,
//     as in model.json), quantized_artifact (the folder given, may be ""),
//     source_artifact (the float artifact it was quantized from), task {name, params},
//     seed, trials K, steps T, layout,
//     fixed_point {rounding, overflow, formats {NAME: {total_bits, frac_bits, q}}, and
//                  rate: accumulator_frac_bits, accumulator_bits /
//                  LIF: synapse_frac_bits, accumulator_bits, threshold},
//     overflow_events_per_trial [K totals],
//     signals [{name, dtype "int32"|"int64", width, file, description,
//               format {total_bits, frac_bits, q} or null}]
//   <vdir>/<name>.bin
//     K·T·width values of the signal, raw two's complement little-endian, no header,
//     in [trial][step][unit] order: value (k, t, i) is at index (k·T + t)·width + i.
//
// Signals. Inputs are what step t consumes; every other signal is the value
// after step t (t = 0 is the first step, from the all-zero initial state).
//   rate: input (n_in, int32, Q_x), accumulator a (n_rec, int64, Q(W_a, F_a)),
//         state h (n_rec, int32, Q_h), output y (n_out, int32, Q_y),
//         macs, table_lookups (1, int64: the step's operation counts)
//   LIF:  input X (n_in_encoded, int32: Q_x codes, or the events 0/1 of a spike encoding),
//         current I, membrane v (after reset), spikes s (0/1), refractory c, all n_rec int32,
//         output y (n_out, int32, Q_y),
//         input_macs, synaptic_events, decays, spike_count (1, int64: LifStepCounts of the step)
//   both: overflow_events (1, int64): values saturated or wrapped during the step; their
//         sum over a trial's steps is that trial's entry of overflow_events_per_trial.
//
// Written atomically: the folder is staged under a temporary name and renamed
// into place (an existing folder is replaced whole), so a reader never sees a
// half-written case. GoldenTrace::load (golden_trace.hpp) reads it with no project library.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "neurofab/common/version.hpp"
#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::golden {

// "neurofab <version>", the version of project(neurofab VERSION ...) (neurofab/common/version.hpp).
inline constexpr const char* kGoldenVectorsGenerator = kVersionString;

struct GoldenVectorsSummary {
  int trials = 0;                      // K
  int steps = 0;                       // T
  std::vector<std::string> signals;    // in the order of vectors.json
  std::int64_t overflow_events = 0;    // over all trials
  std::uintmax_t bytes = 0;            // of the .bin files
};

// Writes `trace` (every signal, as quantize::run_trials records it) as the
// folder `out_dir`, replacing one that exists; `quantized_dir` is recorded as
// the case's source. Throws nf::InputError for a trace with values missing.
GoldenVectorsSummary save_golden_vectors(const GoldenTrace& trace, const std::filesystem::path& out_dir,
                                         const std::string& quantized_dir = {});

// Runs `trials` evaluation trials of `seed` through the integer model of `q`
// (quantize::run_trials) and saves them. Throws nf::InputError for trials < 1.
GoldenVectorsSummary write_golden_vectors(const quantize::QuantizedArtifact& q, int trials, std::uint64_t seed,
                                          const std::filesystem::path& out_dir,
                                          const std::string& quantized_dir = {});

}  // namespace nf::golden
