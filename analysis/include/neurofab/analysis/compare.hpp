#pragma once
// `neurofab compare <runs or sweep> [--boards …] -o <dir>` (docs/compare.md):
// for each trained network and each level it runs — float model on the CPU,
// integer golden model on the CPU (per weight width), the RTL core in
// Verilator, and each board build — one row with:
//   - success rate and output error at that level;
//   - operations per timestep (MACs, SynOps, table look-ups, memory reads and
//     writes by memory and width) from the golden vectors; at the RTL level
//     the counts the RTL's activity counters measured, checked == golden;
//   - latency: measured CPU time per timestep; RTL cycles per timestep (the
//     cycle model the lock-step run checked); on a board, cycles / Fmax from
//     the place-and-route report and at the board's clock;
//   - energy per timestep and per trial from the energy table (energy_model.hpp),
//     and for a board the FPGA estimate (dynamic gap and static power).
// What is measured and what is modelled is recorded per value ("basis").
//
// A level that fails (a network that does not fit a board, a lock-step
// mismatch) is a row with status "error" and the message; bad input (a
// folder that is not a run, a malformed energy table, an unknown board or
// level) stops everything before any work, with one nf::InputError.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "neurofab/common/progress.hpp"
#include "neurofab/models/family.hpp"
#include "neurofab/analysis/energy_model.hpp"

namespace nf::analysis {

struct CompareOptions {
  bool float_level = true, integer_level = true, rtl_level = true;
  std::vector<std::string> boards;     // board names or board files
  std::vector<int> weight_bits = {8};  // integer, RTL and board levels, one row each
  int trials = 256;                    // evaluation trials of the success rates
  int vector_trials = 4;               // golden-vector trials: operation counts and the RTL run
  int lanes = 4;                       // P of the RTL cores and board builds
  std::filesystem::path energy_table;  // the table's file
  std::filesystem::path cache_dir;     // Verilator builds (empty: the default cache)

  void validate() const;  // throws nf::InputError naming the option
  // The levels from their names (float, integer, rtl; `boards` must be set
  // first): throws nf::InputError for an unknown name, and for the rtl level
  // or boards without the integer level they build on.
  void set_levels(const std::vector<std::string>& levels);
};

// One network at one level.
struct CompareRow {
  // The network.
  std::string run;         // its folder, as given
  models::Family family = models::Family::kRate;  // written as model_type: rate_rnn, lif_rnn
  std::string task;
  int n_rec = 0;
  std::string encoding;    // LIF input encoding ("" for rate)
  double spike_penalty = 0;  // LIF: the training's activity (L1 spike) penalty
  int steps_per_trial = 0;
  // The level.
  std::string level;       // float-cpu, integer-cpu, rtl-verilator, board:<name>
  int weight_bits = 0;     // 0: float
  bool ok = false;
  std::string error;
  // Accuracy.
  std::optional<double> success_rate, mse;
  // Operations per timestep (means over the golden-vector trials).
  StepCounts counts;
  std::optional<bool> counts_match;  // RTL: activity counters == golden model, every step
  // Latency.
  std::optional<double> cpu_us_per_step;      // measured latency: one trial at a time, median of kLatencyRepeats
  std::optional<double> cpu_batched_us_per_step;  // measured throughput: the batched evaluation's time / (trials · T)
  std::optional<double> cycles_per_step;      // RTL / board: mean over the golden trials
  std::optional<double> fmax_mhz, clock_mhz;  // board: P&R Fmax, board clock
  std::optional<double> latency_us_per_step;  // board: cycles / Fmax
  std::optional<double> steps_per_second;     // CPU: 1 / single-trial latency; board: Fmax / cycles
  // Energy (modelled from the measured counts).
  std::optional<EnergyEstimate> energy;       // per timestep, the table's process
  std::optional<double> energy_pj_per_step;   // the level's figure (board: FPGA estimate)
  std::optional<double> energy_nj_per_trial;
  std::string energy_basis;
  nlohmann::json detail;  // level-specific extras (utilisation, build folder, log tail)
};

using CompareProgress = std::function<void(const std::string& message)>;

// Runs every level of every network (artifact folders; expand sweeps with
// expand_runs first). Board builds go to `work_dir`/builds/. `progress` gets
// the CLI's lines (each level as it starts, each error); `steps`, optional,
// is called as each network x level starts (done: the levels finished, total:
// compare_steps) and once more at the end with done == total.
std::vector<CompareRow> run_compare(const std::vector<std::filesystem::path>& runs, const CompareOptions& options,
                                    const EnergyTable& table, const std::filesystem::path& work_dir,
                                    const CompareProgress& progress = {}, const ProgressCallback& steps = {});

// The rows (network x level) run_compare makes for `runs` networks.
int compare_steps(std::size_t runs, const CompareOptions& options);

// The outputs: one JSON document (options, table, rows), one flat CSV row per
// level, and the markdown summary (side-by-side table, rate vs spiking at equal
// accuracy, the effect of the LIF spike penalty).
nlohmann::json compare_to_json(const std::vector<CompareRow>& rows, const CompareOptions& options,
                               const EnergyTable& table);
std::string compare_csv(const std::vector<CompareRow>& rows);
std::string compare_markdown(const std::vector<CompareRow>& rows, const EnergyTable& table);

}  // namespace nf::analysis
