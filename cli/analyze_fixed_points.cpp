// `neurofab analyze fixed-points <runs…> -o <dir>`: fixed and slow points of
// rate networks for a constant input, with the eigenvalues of the linearised
// update at each (analysis/fixed_points.hpp). Writes fixed_points.csv,
// fixed_points.json and fixed_points.png (plots/fixed_points.py) into a folder
// assembled under a temporary name.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "analyze_commands.hpp"
#include "neurofab/analysis/fixed_points.hpp"
#include "neurofab/analysis/run_set.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/artifact.hpp"
#include "plot_runner.hpp"

namespace nf::cli {

namespace {

namespace fs = std::filesystem;

struct Options {
  std::vector<std::string> runs;
  std::string out;
  std::string input;
  analysis::FixedPointOptions search;
  bool force = false;
};

// What the figure needs beyond fixed_points.json: a few projected trajectories per network.
nlohmann::json plot_data(const std::vector<analysis::FixedPointAnalysis>& analyses) {
  nlohmann::json networks = nlohmann::json::array();
  for (const auto& a : analyses) {
    nlohmann::json trajectories = nlohmann::json::array();
    for (const Eigen::MatrixXd& t : a.trajectories) {
      nlohmann::json rows = nlohmann::json::array();
      for (Eigen::Index r = 0; r < t.rows(); ++r) {
        rows.push_back(std::vector<double>(t.cols()));
        for (Eigen::Index c = 0; c < t.cols(); ++c) rows.back()[static_cast<std::size_t>(c)] = t(r, c);
      }
      trajectories.push_back(rows);
    }
    networks.push_back({{"run", a.run}, {"trajectories", trajectories}});
  }
  return {{"networks", networks}};
}

void run_fixed_points(const Options& o) {
  o.search.validate();
  if (fs::exists(o.out) && !o.force)
    throw InputError(fmt::format("{}: already exists (use --force to replace it)", o.out));
  const auto runs = analysis::expand_runs({o.runs.begin(), o.runs.end()});
  // Load every network first, so a LIF artifact is refused before any search runs.
  std::vector<models::Artifact> artifacts;
  for (const fs::path& run : runs) {
    artifacts.push_back(models::load_artifact(run));
    if (!std::holds_alternative<models::RateRnnArtifact>(artifacts.back()))
      analysis::analyse_fixed_points(artifacts.back(), run.string(), o.input, o.search);  // throws, saying why
  }
  fmt::print("fixed-points: seed {}, {} starts per network from {} evaluation trials (noise sd {})\n", o.search.seed,
             o.search.starts, o.search.trials, o.search.start_noise);
  std::vector<analysis::FixedPointAnalysis> analyses;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    analyses.push_back(analysis::analyse_fixed_points(artifacts[k], runs[k].string(), o.input, o.search));
  }
  const nlohmann::json summary = analysis::fixed_points_json(analyses);

  StagingDir staging(o.out);
  write_file_atomically(staging.path() / "fixed_points.csv", analysis::fixed_points_csv(analyses));
  write_file_atomically(staging.path() / "fixed_points.json", summary.dump(2));
  TempFolder data;
  write_file_atomically(data.path() / "fixed_points.json", summary.dump());
  write_file_atomically(data.path() / "trajectories.json", plot_data(analyses).dump());
  run_plot_script("analyze fixed-points", plots_dir() / "fixed_points.py", data.path(),
                  staging.path() / "fixed_points.png");
  staging.commit();

  for (const auto& a : analyses) {
    int fixed = 0, stable = 0;
    std::string levels;
    for (const auto& p : a.search.points) {
      if (!p.fixed) continue;
      ++fixed;
      if (!p.stable()) continue;
      ++stable;
      for (Eigen::Index i = 0; i < p.readout.size(); ++i) levels += fmt::format("{}{:.3f}", i ? ";" : " ", p.readout(i));
    }
    fmt::print("{}: {} fixed point(s), {} stable (readouts:{}), {} slow point(s), {} start(s) discarded\n", a.run,
               fixed, stable, levels.empty() ? " none" : levels,
               static_cast<int>(a.search.points.size()) - fixed, a.search.discarded);
  }
  fmt::print("fixed-points: {}/fixed_points.csv, fixed_points.json, fixed_points.png\n", o.out);
}

}  // namespace

void add_analyze_fixed_points(CLI::App& analyze) {
  auto* cmd = analyze.add_subcommand(
      "fixed-points", "Fixed and slow points of rate networks for a constant input, with the eigenvalues of the "
                      "linearised update at each (CSV, JSON, PNG)");
  auto o = std::make_shared<Options>();
  auto& s = o->search;
  cmd->add_option("runs", o->runs, "Artifact folders or sweep folders (rate networks)")->required();
  cmd->add_option("-o,--out", o->out, "Output folder")->required();
  cmd->add_option("--input", o->input, "Constant input x* as x1,x2,... (default: zeros)");
  cmd->add_option("--starts", s.starts, "Minimisations per network (K)")->capture_default_str();
  cmd->add_option("--slow-threshold", s.slow_threshold, "Keep minima with q = |F(h) - h|^2 / 2 below this")->capture_default_str();
  cmd->add_option("--fixed-tolerance", s.fixed_tolerance, "Call a minimum a fixed point when q is below this")->capture_default_str();
  cmd->add_option("--dedup-distance", s.dedup_distance, "Merge solutions closer than this (Euclidean, state units)")->capture_default_str();
  cmd->add_option("--start-noise", s.start_noise, "Sd of the Gaussian noise added to each start")->capture_default_str();
  cmd->add_option("--trials", s.trials, "Evaluation trials the starts are drawn from")->capture_default_str();
  cmd->add_option("--max-evaluations", s.max_evaluations, "Residual evaluations per minimisation at most")->capture_default_str();
  cmd->add_option("--seed", s.seed, "Seed of the start sampling")->capture_default_str();
  cmd->add_flag("--force", o->force, "Replace an existing output folder");
  cmd->callback([o] { run_fixed_points(*o); });
}

}  // namespace nf::cli
