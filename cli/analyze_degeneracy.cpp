// `neurofab analyze degeneracy <runs…> -o <dir> [--factor <name>]`: solution
// degeneracy of networks trained on one task — behaviour (σ_OOD), dynamics
// (DSA), weights (permutation-invariant distance). The analysis is
// nf::analysis (degeneracy.hpp, degeneracy_factor.hpp); this file parses
// options and writes the folder:
//
//   degeneracy.json    everything: per-network behaviour, σ_OOD, both pairwise
//                      matrices (raw and normalised), null DSA distances,
//                      summaries, the matched permutations, the solver settings
//   behaviour.csv      one row per network
//   pairwise_dsa.csv   K x K DSA distances, labelled
//   pairwise_pif.csv   K x K d_PIF, labelled
//   degeneracy.png     heat maps of both matrices and the OOD MSE per network
//
// With --factor the networks are grouped by their value of the factor and
// each group gets those files in a subfolder <factor>=<value>/, beside
//
//   factor.csv         one row per group: σ_OOD, DSA, null, d_PIF summaries
//   factor.png         each measure against the factor
//
// The folder is assembled under a temporary name (StagingDir), so a failure
// leaves nothing; an existing folder is replaced only with --force.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "analyze_commands.hpp"
#include "neurofab/analysis/degeneracy.hpp"
#include "neurofab/analysis/degeneracy_factor.hpp"
#include "neurofab/analysis/run_set.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "plot_runner.hpp"

namespace nf::cli {

namespace {

namespace fs = std::filesystem;

struct DegeneracyCommandOptions {
  std::vector<std::string> runs;
  std::string out;
  std::string lif_signal = "filtered";
  std::string factor;
  bool force = false;
  analysis::DegeneracyOptions analysis;
};

// The files of one degeneracy analysis, into `dir` (which exists).
void write_degeneracy_files(const fs::path& dir, const analysis::DegeneracyResult& result,
                            const analysis::DegeneracyOptions& options) {
  const std::string json = analysis::degeneracy_json(result, options).dump(2) + "\n";
  write_file_atomically(dir / "degeneracy.json", json);
  write_file_atomically(dir / "behaviour.csv", analysis::behaviour_csv(result));
  write_file_atomically(dir / "pairwise_dsa.csv", analysis::matrix_csv(result.dsa, result.networks));
  write_file_atomically(dir / "pairwise_pif.csv", analysis::matrix_csv(result.pif, result.networks));
  TempFolder tmp;
  write_file_atomically(tmp.path() / "degeneracy.json", json);
  run_plot_script("analyze degeneracy", plots_dir() / "degeneracy.py", tmp.path(), dir / "degeneracy.png");
}

void run_single(const DegeneracyCommandOptions& o, const std::vector<analysis::NetworkInput>& networks) {
  const analysis::DegeneracyResult result = analysis::analyse_degeneracy(networks, o.analysis);
  StagingDir staging(o.out);
  write_degeneracy_files(staging.path(), result, o.analysis);
  staging.commit();
  fmt::print("degeneracy of {} networks on '{}': sigma_OOD {:.4g} (sample sd of OOD MSE); "
             "DSA mean {:.4g} (null mean {:.4g}); d_PIF mean {:.4g} ({:.4g} per parameter); written to {}\n",
             result.networks.size(), result.task, result.sigma_ood, result.dsa_summary.mean,
             result.null_dsa_summary.mean, result.pif_summary.mean, result.pif_normalised_summary.mean, o.out);
}

void run_by_factor(const DegeneracyCommandOptions& o, std::vector<analysis::NetworkInput> networks) {
  const analysis::FactorGrouping grouping = analysis::group_by_factor(std::move(networks), o.factor);
  const auto result = analysis::analyse_degeneracy_by_factor(
      grouping, o.analysis, [&](std::size_t i, const analysis::FactorGroup& group) {
        fmt::print("group {}/{}: {}={} ({} networks)\n", i + 1, grouping.groups.size(), o.factor, group.value.text,
                   group.networks.size());
        std::fflush(stdout);
      });

  StagingDir staging(o.out);
  const fs::path& dir = staging.path();
  const std::string csv = analysis::factor_csv(result);
  TempFolder plot_data;  // the plot reads factor.csv and each group's degeneracy.json, laid out as in the output
  write_file_atomically(plot_data.path() / "factor.csv", csv);
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    const std::string& folder = result.rows[i].folder;
    fs::create_directory(dir / folder);
    write_degeneracy_files(dir / folder, result.results[i], o.analysis);
    fs::create_directory(plot_data.path() / folder);
    fs::copy_file(dir / folder / "degeneracy.json", plot_data.path() / folder / "degeneracy.json");
  }
  write_file_atomically(dir / "factor.csv", csv);
  run_plot_script("analyze degeneracy", plots_dir() / "degeneracy_factor.py", plot_data.path(), dir / "factor.png");
  staging.commit();

  fmt::print("degeneracy against {} ({} groups, {} axis):\n", o.factor, result.rows.size(),
             result.numeric ? "numeric" : "categorical");
  for (const auto& r : result.rows) {
    fmt::print("  {}={}: {} networks, sigma_OOD {:.4g}, DSA mean {:.4g} (null {:.4g}), d_PIF mean {:.4g} "
               "({:.4g} per parameter), test success {:.3g}\n",
               o.factor, r.value.text, r.networks, r.sigma_ood, r.dsa_mean, r.null_dsa_mean, r.pif_mean,
               r.pif_normalised_mean, r.test_success_mean);
  }
  fmt::print("written to {}\n", o.out);
}

void run_degeneracy(DegeneracyCommandOptions& o) {
  o.analysis.lif_signal = analysis::lif_signal_from_string(o.lif_signal);
  o.analysis.validate();
  // The random draws, so a run can be replayed (the solver's are in degeneracy.json too).
  fmt::print("seeds: input set and behaviour {}, DSA null {}\n", o.analysis.seed, o.analysis.seed + 1);
  if (fs::exists(o.out) && !o.force)
    throw InputError(fmt::format("{}: already exists (use --force to replace it)", o.out));
  if (fs::exists(o.out) && !fs::is_directory(o.out))
    throw InputError(fmt::format("-o {}: exists and is not a folder", o.out));
  const auto runs = analysis::expand_runs({o.runs.begin(), o.runs.end()});
  auto networks = analysis::load_networks(runs);
  if (o.factor.empty()) {
    run_single(o, networks);
  } else {
    run_by_factor(o, std::move(networks));
  }
}

}  // namespace

void add_analyze_degeneracy(CLI::App& analyze) {
  auto* cmd = analyze.add_subcommand(
      "degeneracy",
      "Solution degeneracy of networks trained on one task: behaviour (sigma_OOD), dynamics (DSA), weights "
      "(permutation-invariant distance); with --factor, within each group of a factor and against it "
      "(docs/analysis.md)");
  auto o = std::make_shared<DegeneracyCommandOptions>();
  auto& a = o->analysis;
  cmd->add_option("runs", o->runs, "Artifact folders or sweep folders (at least 2 networks, one task)")->required();
  cmd->add_option("-o,--out", o->out, "Output folder")->required();
  cmd->add_flag("--force", o->force, "Replace an existing output folder");
  cmd->add_option("--factor", o->factor,
                  "Group the networks by this factor and analyse each group: a grid axis of the sweep "
                  "(e.g. task-param.bits, seed, init) or n, init, model, seed, task, task-param.<name>");
  cmd->add_option("--trials", a.dsa_trials, "Trials of the common input set for DSA")->capture_default_str();
  cmd->add_option("--delays", a.delays, "Delays of the Hankel embedding")->capture_default_str();
  cmd->add_option("--rank", a.rank, "Rank of the DMD operator")->capture_default_str();
  cmd->add_option("--seed", a.seed, "Seed of the input set and the evaluation (the DSA null uses seed + 1)")
      ->capture_default_str();
  cmd->add_option("--eval-trials", a.eval_trials, "Trials of the behavioural evaluation (test and OOD)")
      ->capture_default_str();
  cmd->add_option("--lif-signal", o->lif_signal, "LIF state for DSA: filtered (spikes) or membrane")
      ->capture_default_str();
  cmd->add_option("--filter-ms", a.filter_ms, "Time constant of the LIF spike filter (0: raw spikes)")
      ->capture_default_str();
  cmd->add_option("--dsa-random-starts", a.dsa_solver.random_starts,
                  "Random orthogonal starts of the DSA solver (besides identity, reflection, Procrustes)")
      ->capture_default_str();
  cmd->add_option("--dsa-iterations", a.dsa_solver.max_iterations, "Iterations per start of the DSA solver")
      ->capture_default_str();
  cmd->callback([o] { run_degeneracy(*o); });
}

}  // namespace nf::cli
