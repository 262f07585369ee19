#pragma once
// Running a training sweep (`neurofab sweep`): every run of the grid
// (training_sweep_spec.hpp) trained in this process from its models::TrainSpec,
// evaluated and gathered into one table — on local threads, or spread over the ranks of
// an MPI job, with the same table either way.
//
// A sweep folder:
//   <out>/sweep.toml           the sweep file it was started with
//   <out>/runs/<id>/           each run's artifact, checkpointed while it trains
//   <out>/runs/<id>/run.json   the run's evaluation, written once it is finished
//   <out>/results.csv          one row per run, in grid order
//
// Resuming: a run with run.json is finished and skipped; a run with an
// artifact but no run.json was cut off and continues from its last checkpoint
// (`train --resume`, exact); any other run starts fresh. So a killed sweep
// loses at most the epochs since the last checkpoint of the runs in flight.
// Grid axes may gain values between starts (run ids name their grid values);
// the fixed options may not change.
//
// Work split: the unfinished runs, in grid order, are dealt round-robin to the
// ranks; each rank's runs go to its worker threads as they free up. Training is
// deterministic in (options, seed, build), so who trains a run never changes its row.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "neurofab/analysis/training_sweep_spec.hpp"

namespace nf::analysis {

// Where this process stands in the job. barrier() waits for every rank;
// all(ok) waits too and tells whether every rank passed `ok` (both trivial
// for a single process).
struct TrainingSweepWorkers {
  int rank = 0;
  int ranks = 1;
  int threads = 1;
  std::function<void()> barrier = [] {};
  // MpiWorld::combined_error: every rank's error message, on every rank.
  std::function<std::string(const std::string&)> combined_error = [](const std::string& error) { return error; };
};

struct Score {
  double mse = 0;
  double success = 0;
};

// An ELiSe run (models/elise): no task trials but a replay without the
// teacher, kEliseSweepReplayCycles cycles from the trained state, plasticity
// off; the means over its cycles (models/elise/metrics.hpp). Such a run's
// test score is (replay MSE, corr_sum / corr_max) and its OOD score NaN
// (null in run.json, empty in results.csv).
inline constexpr int kEliseSweepReplayCycles = 100;
struct EliseReplayScore {
  double corr_sum = 0;
  double corr_max = 0;
  double mse = 0;
  double mse_at_best_shift = 0;
};

// A finished run's evaluation (run.json).
struct RunResult {
  std::string id;
  std::vector<std::pair<std::string, std::string>> grid_values;
  std::string model;  // rate_rnn, lif_rnn, elise
  std::string task;   // elise: the pattern
  std::string init;   // the W_rec scheme; elise: the variant
  int n_rec = 0;      // elise: latent neurons
  std::uint64_t seed = 0;
  int epochs = 0;            // elise: training cycles
  int converged_epoch = -1;
  Score test, ood;
  std::optional<double> spikes_per_unit_step;  // LIF
  std::map<int, Score> integer;                 // by weight width
  std::optional<EliseReplayScore> replay;       // ELiSe runs only
  double train_seconds = 0;                     // wall time, this start only (not in results.csv)
};

struct TrainingSweepSummary {
  int runs = 0;               // in the grid
  int finished_before = 0;    // skipped: already finished when this start began
  int trained = 0;            // finished by this process
};

// Prepares the folder (rank 0), checks every run's options, then trains and
// evaluates this rank's share of the unfinished runs; `report` is called
// after each (from worker threads, serialised). Throws nf::InputError for a
// bad option (naming the run) or a folder of a different sweep.
TrainingSweepSummary run_training_sweep(const TrainingSweepSpec& spec, const std::string& spec_text, const std::filesystem::path& out,
                       const TrainingSweepWorkers& workers,
                       const std::function<void(const RunResult&, int done, int total)>& report = {});

// Gathers run.json of every run of the grid into <out>/results.csv (atomic);
// throws nf::InputError naming a run that is not finished. Returns the rows.
std::vector<RunResult> write_results_table(const TrainingSweepSpec& spec, const std::filesystem::path& out);

RunResult read_run_result(const std::filesystem::path& run_json);
std::string results_csv(const TrainingSweepSpec& spec, const std::vector<RunResult>& rows);

}  // namespace nf::analysis
