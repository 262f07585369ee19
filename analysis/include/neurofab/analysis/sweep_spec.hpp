#pragma once
// A sweep: a grid of trainings described by one TOML file (docs/analysis.md).
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
// Values become command-line arguments: strings and numbers as they are,
// `true` a flag, `false` nothing, an array of strings a comma-separated list.
// The grid's axes run in the order of the file, the first outermost. A run's
// id names its grid values ("init=orthogonal_seed=3"), so it stays the same
// when the grid grows — which is what makes a sweep resumable.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace nf::analysis {

struct GridAxis {
  std::string name;                 // "seed", "init", "task-param.mem_gap"
  std::vector<std::string> values;  // as they go on the command line ("true"/"false" for a flag)
  bool flag = false;                // values are booleans: true passes the option, false leaves it out
};

struct SweepSpec {
  std::filesystem::path file;
  std::string name;
  int eval_trials = 512;
  std::vector<int> weight_bits;
  int threads = 0;  // 0: the default (every core, or 1 per MPI rank)
  std::vector<std::pair<std::string, std::string>> fixed;  // [train] as (option, value); value "" for a flag
  std::vector<GridAxis> grid;
};

// One training of the grid.
struct RunSpec {
  std::string id;
  std::vector<std::pair<std::string, std::string>> grid_values;  // (axis, value) in axis order
  std::vector<std::string> train_arguments;                      // for `neurofab train`, without -o
};

// Parses and checks a sweep file; throws nf::InputError naming the file, the
// line and the key of the first defect.
SweepSpec load_sweep_spec(const std::filesystem::path& file);
SweepSpec parse_sweep_spec(const std::string& text, const std::filesystem::path& file);

// Every combination of the grid, in order (one run when the grid is empty).
std::vector<RunSpec> expand_grid(const SweepSpec& spec);

}  // namespace nf::analysis
