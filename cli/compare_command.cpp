// `neurofab compare <runs or sweeps…> [--levels …] [--boards …] -o <dir>`:
// accuracy, operation counts, latency and modelled energy of trained networks
// at every level of the pipeline, side by side (analysis/compare.hpp,
// docs/compare.md). Writes compare.json, compare.csv, summary.md, three
// figures (plots/compare.py) and work/ (golden vectors, RTL runs, board
// builds) into a folder assembled under a temporary name.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "commands.hpp"
#include "neurofab/analysis/compare.hpp"
#include "neurofab/analysis/run_set.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "min_success.hpp"
#include "plot_runner.hpp"

namespace nf::cli {

namespace {

namespace fs = std::filesystem;

struct Options {
  std::vector<std::string> runs;
  std::string out;
  std::vector<std::string> levels = {"float", "integer", "rtl"};
  std::vector<std::string> boards;
  std::string energy_table;
  std::string cache_dir;
  analysis::CompareOptions compare;
  bool force = false;
  bool quiet = false;
  double min_success_percent = -1;
};

// --min-success: every row must have run and reached the figure.
void require_every_row(const std::vector<analysis::CompareRow>& rows, double min_percent) {
  if (min_percent < 0) return;
  for (const auto& r : rows) {
    const std::string what =
        fmt::format("{} at level {}{}", r.run, r.level,
                    r.weight_bits > 0 ? fmt::format(" ({}-bit weights)", r.weight_bits) : std::string());
    if (!r.ok) throw TargetMissedError(fmt::format("{} failed: {}", what, r.error));
    if (r.success_rate) require_success(*r.success_rate, min_percent, what + ": success");
  }
}

void run_compare_command(Options& o) {
  o.compare.boards = o.boards;
  o.compare.set_levels(o.levels);
  o.compare.energy_table = o.energy_table.empty() ? analysis::shipped_energy_table() : fs::path(o.energy_table);
  o.compare.cache_dir = o.cache_dir;
  o.compare.validate();
  const analysis::EnergyTable table = analysis::load_energy_table(o.compare.energy_table);
  if (fs::exists(o.out) && !o.force) throw InputError(fmt::format("{}: already exists (use --force to replace it)", o.out));
  const auto runs = analysis::expand_runs({o.runs.begin(), o.runs.end()});

  StagingDir staging(o.out);
  const auto progress = [&](const std::string& message) {
    if (o.quiet) return;
    fmt::print("compare: {}\n", message);
    std::fflush(stdout);  // progress of a long comparison, also when piped to a log
  };
  const auto rows = analysis::run_compare(runs, o.compare, table, staging.path() / "work", progress);
  const nlohmann::json json = analysis::compare_to_json(rows, o.compare, table);
  write_file_atomically(staging.path() / "compare.json", json.dump(2));
  write_file_atomically(staging.path() / "compare.csv", analysis::compare_csv(rows));
  const std::string summary = analysis::compare_markdown(rows, table);
  write_file_atomically(staging.path() / "summary.md", summary);
  TempFolder data;
  write_file_atomically(data.path() / "compare.json", json.dump());
  for (const char* figure : {"accuracy_energy.png", "latency_vs_n.png", "energy_vs_bits.png"}) {
    run_plot_script("compare", plots_dir() / "compare.py", data.path(), staging.path() / figure);
  }
  staging.commit();

  int failed = 0;
  for (const auto& r : rows) failed += r.ok ? 0 : 1;
  fmt::print("{}", summary.substr(0, summary.find("\n## ")));
  fmt::print("\ncompare: {}/summary.md, compare.csv, compare.json, accuracy_energy.png, latency_vs_n.png, "
             "energy_vs_bits.png ({} network(s), {} row(s), {} failed)\n",
             o.out, runs.size(), rows.size(), failed);
  require_every_row(rows, o.min_success_percent);
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "compare", "Accuracy, operation counts, latency and modelled energy per level (float, integer, RTL, boards)");
  auto o = std::make_shared<Options>();
  cmd->add_option("runs", o->runs, "Artifact folders or sweep folders")->required();
  cmd->add_option("-o,--out", o->out, "Output folder")->required();
  cmd->add_option("--levels", o->levels, "Levels to run: float, integer, rtl (default all three)")->delimiter(',');
  cmd->add_option("--boards", o->boards, "Board builds to add (names or board files), e.g. icebreaker")->delimiter(',');
  cmd->add_option("--weight-bits", o->compare.weight_bits, "Weight widths of the integer, RTL and board levels")
      ->delimiter(',');
  cmd->add_option("--trials", o->compare.trials, "Evaluation trials of the success rates");
  cmd->add_option("--vector-trials", o->compare.vector_trials,
                  "Golden-vector trials: operation counts, energy and the RTL lock-step run");
  cmd->add_option("--lanes", o->compare.lanes, "MAC lanes P of the RTL cores and board builds");
  cmd->add_option("--energy-table", o->energy_table,
                  "Energy table (JSON, docs/compare.md); default: Horowitz ISSCC 2014, 45 nm");
  cmd->add_option("--cache", o->cache_dir, "Verilator build cache (default $NEUROFAB_CACHE or ~/.cache/neurofab)");
  cmd->add_flag("--force", o->force, "Replace an existing output folder");
  cmd->add_flag("-q,--quiet", o->quiet, "No progress lines");
  add_min_success_option(*cmd, o->min_success_percent);
  cmd->callback([o] { run_compare_command(*o); });
}

}  // namespace nf::cli
