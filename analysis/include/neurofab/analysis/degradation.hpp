#pragma once
// How trained networks degrade: success rate and output distance against
// pruning of W_rec, network size, the interval duration mem_gap, the weight
// bit width of the integer golden model, and random bit flips in its weight
// memory (`neurofab analyze degradation`, docs/analysis-degradation.md).
//
// Every point runs K fresh evaluation trials of one seed (the evaluation
// stream of models::evaluation_trials, which training never draws from; the
// same trials for every network, point and level) and reports
//
//   success rate  S = (1/K) Σ_b [trial b meets the task's criterion]
//   distance      D = (1/K) Σ_b √( Σ_t Σ_m (y_{m,t,b} − z_{m,t,b})² )
//                 the performance measure of Jarne & Laje: the Euclidean
//                 distance between output y and target z over the whole trial
//                 (every step, scored or not), averaged over trials
//   mse           the masked task MSE, as models::evaluate reports it
//
// per network, and aggregated over the rows of each (model family, mode,
// point): mean, sample standard deviation (n − 1; empty for n < 2) and n.
// Rate and LIF networks are summarised apart, never mixed in one mean.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "neurofab/analysis/fault_injection.hpp"
#include "neurofab/analysis/pruning.hpp"
#include "neurofab/models/lif_rnn.hpp"
#include "neurofab/models/rate_rnn.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/quantize/integer_lif_rnn.hpp"
#include "neurofab/quantize/integer_rate_rnn.hpp"

namespace nf::analysis {

// ---------------------------------------------------------------------------
// Scores of one evaluation
// ---------------------------------------------------------------------------

struct Scores {
  double success_rate = 0;
  double distance = 0;
  double mse = 0;
  int trials = 0;
  std::int64_t overflow_events = 0;  // integer model only
};

// S, D and mse as models::score_outputs computes them (models/output_scores.hpp).
// The float model on `trials` evaluation trials of `seed` (what models::evaluate runs).
Scores evaluate_float(const models::RateRnn<float>& network, const models::Task& task, int trials,
                      std::uint64_t seed);
Scores evaluate_float(const models::LifRnn<float>& network, const models::Task& task, int trials,
                      std::uint64_t seed);

// The integer golden model on the same trials (quantize::integer_outputs).
Scores evaluate_integer_model(const quantize::IntegerRateRnn& network, const models::Task& task, int trials,
                              std::uint64_t seed);
Scores evaluate_integer_model(const quantize::IntegerLifRnn& network, const models::Task& task, int trials,
                              std::uint64_t seed);

// ---------------------------------------------------------------------------
// The analysis
// ---------------------------------------------------------------------------

enum class Axis { kPruning, kSize, kMemGap, kBits, kBitFlips };
std::string to_string(Axis axis);                 // "pruning", "size", "mem-gap", "bits", "bit-flips"
Axis axis_from_string(const std::string& name);   // throws nf::InputError listing the axes
std::string axis_names();

struct DegradationOptions {
  Axis axis = Axis::kPruning;
  int trials = 200;                   // K
  std::uint64_t seed = 1;             // of the evaluation trials
  std::vector<std::uint64_t> draw_seeds = {1, 2, 3};  // random pruning and bit flips: one row per seed
  // pruning
  std::vector<double> fractions = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
  std::vector<PruneMode> modes = {PruneMode::kMagnitude, PruneMode::kPositive, PruneMode::kNegative,
                                  PruneMode::kRandom};
  // mem-gap: evaluate every network at each of these too (empty: only at its own)
  std::vector<int> mem_gaps;
  // bits: the weight widths
  std::vector<int> bits = {4, 5, 6, 8, 10, 12, 16};
  int state_bits = 16;  // bits and bit-flips
  // bit-flips: the weight width quantized at
  int fault_bits = 8;
  // bit-flips: counts k, or bit-error rates (one of the two)
  std::vector<std::int64_t> flips = {0, 1, 2, 4, 8, 16, 32, 64};
  std::vector<double> bit_error_rates;
  std::vector<WeightMemory> memories = {WeightMemory::kWRec};

  void validate() const;  // throws nf::InputError naming the option
};

// One network at one point (and mode, draw seed).
struct DegradationRow {
  std::string network;   // artifact folder
  std::string model;     // rate_rnn, lif_rnn
  std::string task;
  int n_rec = 0;
  std::string mode;              // pruning mode; float / quantized_weights / integer; trained mem_gap …
  std::optional<double> point;   // the axis value (none: a reference row, e.g. the float model for bits)
  std::optional<std::uint64_t> draw_seed;
  std::int64_t changed = 0;      // weights removed or bits flipped
  Scores scores;
};

struct SummaryRow {
  std::string model;  // rate_rnn, lif_rnn
  std::string mode;
  std::optional<double> point;
  int n = 0;         // rows aggregated
  int networks = 0;  // distinct networks among them
  double success_mean = 0, distance_mean = 0, mse_mean = 0;
  std::optional<double> success_sd, distance_sd;  // n ≥ 2 only
};

struct DegradationResult {
  std::vector<DegradationRow> rows;
  std::vector<SummaryRow> summary;
  nlohmann::json settings;  // options, networks, definitions (the JSON file's "settings")
};

// Runs the analysis on artifact folders (expand_runs first for sweep folders).
// `on_row` sees every row as it is computed. Throws nf::InputError naming the
// folder for an unreadable artifact, and for --axis mem-gap a task without a
// mem_gap parameter, before any evaluation runs.
DegradationResult run_degradation(const std::vector<std::filesystem::path>& runs, const DegradationOptions& options,
                                  const std::function<void(const DegradationRow&)>& on_row = {});

// Groups rows by (model, mode, point) in order of first appearance.
std::vector<SummaryRow> summarize(const std::vector<DegradationRow>& rows);

// CSV texts (header line first) and the JSON document of a result.
std::string rows_csv(const std::vector<DegradationRow>& rows);
std::string summary_csv(const std::vector<SummaryRow>& summary);
nlohmann::json result_json(const DegradationResult& result);

}  // namespace nf::analysis
