// `neurofab analyze degradation <runs…> --axis <pruning|size|mem-gap|bits|bit-flips> -o <dir>`:
// success rate and output distance of trained networks as they are pruned,
// against their size and interval duration, and of their integer golden model
// against weight bit width and random bit flips in weight memory
// (docs/analysis-degradation.md). The work is nf::analysis::run_degradation;
// this file parses options, prints rows and writes the output folder:
//
//   degradation_<axis>.csv          one row per network × point × mode / draw seed
//   degradation_<axis>_summary.csv  mean, sd, n per (model family, mode, point)
//   degradation_<axis>.json         settings (options, seeds, networks) and the summary
//   degradation_<axis>.png          success and distance against the axis (plots/degradation.py)
//
// assembled under a temporary name (nf::StagingDir), so a failure leaves none of it.
#include <fmt/format.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "analyze_commands.hpp"
#include "neurofab/analysis/degradation.hpp"
#include "neurofab/analysis/run_set.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "plot_runner.hpp"

namespace nf::cli {

namespace {

namespace fs = std::filesystem;
using analysis::Axis;

struct Options {
  std::vector<std::string> runs;
  std::string axis;
  std::string out;
  analysis::DegradationOptions d;
  std::vector<std::string> modes;
  std::vector<std::string> memories;
  bool force = false;
};

// The options that belong to one axis only, and the axes they apply to.
const std::map<std::string, std::set<Axis>>& axis_options() {
  static const std::map<std::string, std::set<Axis>> table = {
      {"--fractions", {Axis::kPruning}},
      {"--modes", {Axis::kPruning}},
      {"--draw-seeds", {Axis::kPruning, Axis::kBitFlips}},
      {"--mem-gaps", {Axis::kMemGap}},
      {"--bits", {Axis::kBits, Axis::kBitFlips}},
      {"--state-bits", {Axis::kBits, Axis::kBitFlips}},
      {"--flips", {Axis::kBitFlips}},
      {"--bit-error-rates", {Axis::kBitFlips}},
      {"--memories", {Axis::kBitFlips}},
  };
  return table;
}

std::string axis_list(const std::set<Axis>& axes) {
  std::vector<std::string> names;
  for (const Axis a : axes) names.push_back(analysis::to_string(a));
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string describe(const analysis::DegradationRow& r) {
  std::string where = r.point ? fmt::format("{} {}", r.mode, *r.point) : r.mode;
  if (r.draw_seed) where += fmt::format(" seed {}", *r.draw_seed);
  if (r.changed > 0) where += fmt::format(" ({} changed)", r.changed);
  return fmt::format("  {} [{}]: {}: success {:.3f}, distance {:.4g}", r.network, r.model, where,
                     r.scores.success_rate, r.scores.distance);
}

// What the figure needs besides the summary CSV.
nlohmann::json plot_meta(const analysis::DegradationOptions& d, std::size_t networks, const fs::path& out) {
  nlohmann::json meta = {{"axis", analysis::to_string(d.axis)}, {"trials", d.trials}, {"seed", d.seed}};
  switch (d.axis) {
    case Axis::kPruning:
      meta["xlabel"] = "fraction of recurrent weights removed";
      meta["xscale"] = "linear";
      break;
    case Axis::kSize:
      meta["xlabel"] = "network size N (recurrent units)";
      meta["xscale"] = "linear";
      break;
    case Axis::kMemGap:
      meta["xlabel"] = "mem_gap (steps)";
      meta["xscale"] = "linear";
      break;
    case Axis::kBits:
      meta["xlabel"] = "weight bits";
      meta["xscale"] = "linear";
      break;
    case Axis::kBitFlips:
      meta["xlabel"] = d.bit_error_rates.empty() ? "bits flipped in weight memory" : "bit-error rate";
      meta["xscale"] = "symlog";
      break;
  }
  meta["title"] = fmt::format("degradation vs {}: {} network{}, {} trials (seed {})", analysis::to_string(d.axis),
                              networks, networks == 1 ? "" : "s", d.trials, d.seed);
  meta["output"] = out.string();
  return meta;
}

void run(const Options& o, const CLI::App& cmd) {
  analysis::DegradationOptions d = o.d;
  d.axis = analysis::axis_from_string(o.axis);
  for (const auto& [option, axes] : axis_options()) {
    if (cmd.count(option) > 0 && axes.count(d.axis) == 0)
      throw InputError(fmt::format("{} applies to --axis {} only, not --axis {}", option, axis_list(axes), o.axis));
  }
  try {
    if (cmd.count("--modes") > 0) {
      d.modes.clear();
      for (const auto& m : o.modes) d.modes.push_back(analysis::prune_mode_from_string(m));
    }
  } catch (const InputError& e) {
    throw InputError(fmt::format("--modes: {}", e.what()));
  }
  try {
    if (cmd.count("--memories") > 0) {
      d.memories.clear();
      for (const auto& m : o.memories) d.memories.push_back(analysis::weight_memory_from_string(m));
    }
  } catch (const InputError& e) {
    throw InputError(fmt::format("--memories: {}", e.what()));
  }
  if (d.axis == Axis::kBitFlips && cmd.count("--bits") > 0) {
    if (d.bits.size() != 1)
      throw InputError(fmt::format("--bits: --axis bit-flips quantizes at one width (got {})", d.bits.size()));
    d.fault_bits = d.bits.front();
  }
  if (cmd.count("--bit-error-rates") > 0 && cmd.count("--flips") == 0) d.flips.clear();
  d.validate();

  std::vector<fs::path> arguments(o.runs.begin(), o.runs.end());
  const std::vector<fs::path> runs = analysis::expand_runs(arguments);
  const fs::path out = o.out;
  if (fs::exists(out) && !o.force) throw InputError(fmt::format("{}: already exists (use --force to replace it)", out.string()));
  if (fs::exists(out) && !fs::is_directory(out))
    throw InputError(fmt::format("-o {}: exists and is not a folder", out.string()));

  fmt::print("degradation vs {}: {} network(s), {} trials of evaluation seed {}\n", o.axis, runs.size(), d.trials,
             d.seed);
  const auto result = analysis::run_degradation(
      runs, d, [](const analysis::DegradationRow& r) { fmt::print("{}\n", describe(r)); });

  const std::string stem = "degradation_" + analysis::to_string(d.axis);
  StagingDir staging(out);
  write_file_atomically(staging.path() / (stem + ".csv"), analysis::rows_csv(result.rows));
  const std::string summary = analysis::summary_csv(result.summary);
  write_file_atomically(staging.path() / (stem + "_summary.csv"), summary);
  write_file_atomically(staging.path() / (stem + ".json"), analysis::result_json(result).dump(2) + "\n");
  TempFolder data;
  write_file_atomically(data.path() / "summary.csv", summary);
  write_file_atomically(data.path() / "meta.json", plot_meta(d, runs.size(), out / (stem + ".png")).dump(2));
  run_plot_script("analyze degradation", plots_dir() / "degradation.py", data.path(), staging.path() / (stem + ".png"));
  staging.commit();

  fmt::print("summary (mean ± sd over n rows):\n");
  for (const auto& s : result.summary) {
    fmt::print("  {} {}{}: success {:.3f} ± {:.3f}, distance {:.4g} ± {:.4g} (n = {}, {} network(s))\n", s.model, s.mode,
               s.point ? fmt::format(" {}", *s.point) : std::string(), s.success_mean, s.success_sd.value_or(0.0),
               s.distance_mean, s.distance_sd.value_or(0.0), s.n, s.networks);
  }
  fmt::print("degradation: {}/{}.csv, {}_summary.csv, {}.json, {}.png\n", out.string(), stem, stem, stem, stem);
}

}  // namespace

void add_analyze_degradation(CLI::App& analyze) {
  auto* cmd = analyze.add_subcommand(
      "degradation",
      "Success rate and output distance against pruning, size, mem_gap, weight bits or bit flips "
      "(docs/analysis-degradation.md)");
  auto o = std::make_shared<Options>();
  auto& d = o->d;
  cmd->add_option("runs", o->runs, "Artifact folders or sweep folders")->required();
  cmd->add_option("--axis", o->axis, "What to vary: " + analysis::axis_names())->required();
  cmd->add_option("-o,--out", o->out, "Output folder (assembled under a temporary name)")->required();
  cmd->add_flag("--force", o->force, "Replace an existing output folder");
  cmd->add_option("--trials", d.trials, "Evaluation trials per point (K)")->capture_default_str();
  cmd->add_option("--seed", d.seed, "Seed of the evaluation trials")->capture_default_str();
  cmd->add_option("--draw-seeds", d.draw_seeds, "[pruning, bit-flips] Seeds of the random draws, one row each")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--fractions", d.fractions, "[pruning] Fractions of W_rec's synapses to remove")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--modes", o->modes, "[pruning] Modes: " + analysis::prune_mode_names() + " (default: all)")
      ->delimiter(',');
  cmd->add_option("--mem-gaps", d.mem_gaps, "[mem-gap] Also evaluate every network at these mem_gap values")
      ->delimiter(',');
  cmd->add_option("--bits", d.bits, "[bits] Weight bit widths (default 4,5,6,8,10,12,16); [bit-flips] the one width (default 8)")
      ->delimiter(',');
  cmd->add_option("--state-bits", d.state_bits, "[bits, bit-flips] Bits of states, currents, membranes, outputs")
      ->capture_default_str();
  cmd->add_option("--flips", d.flips, "[bit-flips] Numbers of bits flipped")->delimiter(',')->capture_default_str();
  cmd->add_option("--bit-error-rates", d.bit_error_rates,
                  "[bit-flips] Bit-error rates instead of counts (k = round(rate · memory bits))")
      ->delimiter(',');
  cmd->add_option("--memories", o->memories, "[bit-flips] Weight memories hit: W_rec (default), W_in, W_out")
      ->delimiter(',');
  cmd->callback([o, cmd] { run(*o, *cmd); });
}

}  // namespace nf::cli
