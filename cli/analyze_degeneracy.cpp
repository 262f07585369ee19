// `neurofab analyze degeneracy <runs…> -o <dir>`: solution degeneracy of
// networks trained on one task — behaviour (σ_OOD), dynamics (DSA), weights
// (permutation-invariant distance). The analysis is nf::analysis
// (degeneracy.hpp); this file parses options and writes the folder:
//
//   degeneracy.json    everything: per-network behaviour, σ_OOD, both pairwise
//                      matrices (raw and normalised), null DSA distances,
//                      summaries, the matched permutations, the solver settings
//   behaviour.csv      one row per network
//   pairwise_dsa.csv   K x K DSA distances, labelled
//   pairwise_pif.csv   K x K d_PIF, labelled
//   degeneracy.png     heat maps of both matrices and the OOD MSE per network
//
// assembled under a temporary name (StagingDir), so a failure leaves nothing.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "analyze_commands.hpp"
#include "neurofab/analysis/degeneracy.hpp"
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
  analysis::DegeneracyOptions analysis;
};

void run_degeneracy(DegeneracyCommandOptions& o) {
  o.analysis.lif_signal = analysis::lif_signal_from_string(o.lif_signal);
  o.analysis.validate();
  const auto runs = analysis::expand_runs({o.runs.begin(), o.runs.end()});
  const auto networks = analysis::load_networks(runs);
  const analysis::DegeneracyResult result = analysis::analyse_degeneracy(networks, o.analysis);

  StagingDir staging(o.out);
  const fs::path& dir = staging.path();
  const std::string json = analysis::degeneracy_json(result, o.analysis).dump(2) + "\n";
  write_file_atomically(dir / "degeneracy.json", json);
  write_file_atomically(dir / "behaviour.csv", analysis::behaviour_csv(result));
  write_file_atomically(dir / "pairwise_dsa.csv", analysis::matrix_csv(result.dsa, result.networks));
  write_file_atomically(dir / "pairwise_pif.csv", analysis::matrix_csv(result.pif, result.networks));
  {
    TempFolder tmp;
    write_file_atomically(tmp.path() / "degeneracy.json", json);
    run_plot_script("analyze degeneracy", plots_dir() / "degeneracy.py", tmp.path(), dir / "degeneracy.png");
  }
  staging.commit();

  fmt::print("degeneracy of {} networks on '{}': sigma_OOD {:.4g} (sample sd of OOD MSE); "
             "DSA mean {:.4g} (null mean {:.4g}); d_PIF mean {:.4g} ({:.4g} per parameter); written to {}\n",
             result.networks.size(), result.task, result.sigma_ood, result.dsa_summary.mean,
             result.null_dsa_summary.mean, result.pif_summary.mean, result.pif_normalised_summary.mean, o.out);
}

}  // namespace

void add_analyze_degeneracy(CLI::App& analyze) {
  auto* cmd = analyze.add_subcommand(
      "degeneracy",
      "Solution degeneracy of networks trained on one task: behaviour (sigma_OOD), dynamics (DSA), weights "
      "(permutation-invariant distance) (docs/analysis.md)");
  auto o = std::make_shared<DegeneracyCommandOptions>();
  auto& a = o->analysis;
  cmd->add_option("runs", o->runs, "Artifact folders or sweep folders (at least 2 networks, one task)")->required();
  cmd->add_option("-o,--out", o->out, "Output folder")->required();
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
