#pragma once
// A training sweep (`neurofab sweep`): a grid of trainings described by one
// TOML file (docs/analysis.md). Not quantize's bit-width sweep, which
// evaluates one network at many weight widths.
//
//   [sweep]                     everything optional
//   name = "flipflop-bits"
//   eval_trials = 512           trials of each run's test and OOD evaluation
//   weight_bits = [4, 6, 8]     also evaluate the integer golden model at these weight widths
//   threads = 2                 local worker threads (default: every core; 1 per MPI rank)
//
//   [train]                     options of `neurofab train`, without the dashes
//   task = "nbit_flipflop"
//   epochs = 300
//   task-param = { bits = 2 }   task parameters (--task-param NAME=VALUE)
//
//   [grid]                      every combination of these (an array each) is one run
//   seed = { from = 1, to = 10 }        an integer range, inclusive
//   init = ["normal", "orthogonal"]
//   task-param.mem_gap = [20, 40]
//
// Each value sets one option of the run's models::TrainSpec (set_train_option):
// `true` sets a flag, `false` leaves it unset, an array is a list. `--list`
// shows a run as the equivalent `neurofab train` command line: strings and
// numbers as they are, an array comma-separated.
// The grid's axes run in the order of the file, the first outermost. A run's
// id names its grid values ("init=orthogonal_seed=3"), so it stays the same
// when the grid grows — which is what makes a sweep resumable.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "neurofab/models/train_spec.hpp"

namespace nf::analysis {

// One option of a run, from [train] or a grid axis.
struct TrainSetting {
  std::string option;              // the key: "epochs", "task-param.bits"
  models::TrainOptionValue value;  // as the file holds it
  std::string text;                // as written on a command line ("0.001", "W_in,W_out", "true")
};

struct GridAxis {
  std::string name;                 // "seed", "init", "task-param.mem_gap"
  std::vector<std::string> values;  // as text (run ids, the results table; "true"/"false" for a flag)
  std::vector<models::TrainOptionValue> settings;  // the same values as the file holds them
  bool flag = false;                // values are booleans: true sets the option, false leaves it unset
};

struct TrainingSweepSpec {
  std::filesystem::path file;
  std::string name;
  int eval_trials = 512;
  std::vector<int> weight_bits;
  int threads = 0;  // 0: the default (every core, or 1 per MPI rank)
  std::vector<TrainSetting> fixed;  // [train], in file order (a flag set false is left out)
  std::vector<GridAxis> grid;
};

// One training of the grid.
struct RunSpec {
  std::string id;
  std::vector<std::pair<std::string, std::string>> grid_values;  // (axis, value) in axis order
  std::vector<TrainSetting> settings;  // [train], then the grid values, in axis order
  // The equivalent `neurofab train` arguments (without -o), for people (--list); never parsed.
  std::vector<std::string> train_arguments;
};

// The run's options as a TrainSpec (without out); throws nf::InputError naming
// the option for an unknown one or a value of the wrong kind.
models::TrainSpec train_spec(const RunSpec& run);

// Parses and checks a sweep file; throws nf::InputError naming the file, the
// line and the key of the first defect.
TrainingSweepSpec load_training_sweep_spec(const std::filesystem::path& file);
TrainingSweepSpec parse_training_sweep_spec(const std::string& text, const std::filesystem::path& file);

// Every combination of the grid, in order (one run when the grid is empty).
std::vector<RunSpec> expand_grid(const TrainingSweepSpec& spec);

}  // namespace nf::analysis
