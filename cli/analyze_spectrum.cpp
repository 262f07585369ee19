// `neurofab analyze spectrum <runs…> -o <dir>`: eigenvalues of W_rec at
// initialisation and after training, and of the linearised update (rate: J0;
// LIF: W_eff), with outliers and their oscillation frequencies
// (analysis/spectrum.hpp). Writes spectrum.csv, outliers.csv, spectrum.json
// and spectrum.png (plots/spectrum.py) into a folder assembled under a
// temporary name.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "analyze_commands.hpp"
#include "neurofab/analysis/run_set.hpp"
#include "neurofab/analysis/spectrum.hpp"
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
  double outlier_margin = -1;  // unset: the default rule
  bool force = false;
};

void run_spectrum(const Options& o, bool margin_given) {
  analysis::SpectrumOptions options;
  if (margin_given) options.outlier_margin = o.outlier_margin;
  options.validate();
  if (fs::exists(o.out) && !o.force)
    throw InputError(fmt::format("{}: already exists (use --force to replace it)", o.out));
  const auto runs = analysis::expand_runs({o.runs.begin(), o.runs.end()});

  std::vector<analysis::NetworkSpectrum> networks;
  for (const fs::path& run : runs) {
    networks.push_back(analysis::network_spectrum(models::load_artifact(run), run.string(), options));
  }
  const nlohmann::json summary = analysis::spectrum_json(networks, options);

  StagingDir staging(o.out);
  write_file_atomically(staging.path() / "spectrum.csv", analysis::spectrum_csv(networks));
  write_file_atomically(staging.path() / "outliers.csv", analysis::outliers_csv(networks));
  write_file_atomically(staging.path() / "spectrum.json", summary.dump(2));
  TempFolder data;
  write_file_atomically(data.path() / "spectrum.json", summary.dump());
  run_plot_script("analyze spectrum", plots_dir() / "spectrum.py", data.path(), staging.path() / "spectrum.png");
  staging.commit();

  for (const auto& n : networks) {
    // spectra: init W_rec, init J0|W_eff, trained W_rec, trained J0|W_eff.
    const auto& init = n.spectra[0];
    const auto& trained = n.spectra[2];
    const auto& map = n.spectra[3];
    fmt::print("{}: {} N = {}, spectral radius of W_rec {:.4f} (init) -> {:.4f} (trained), {} outlier(s) of trained {}\n",
               n.run, n.model_type, n.n_rec, init.spectral_radius, trained.spectral_radius, map.outlier_count(),
               map.matrix);
  }
  fmt::print("spectrum: {}/spectrum.csv, outliers.csv, spectrum.json, spectrum.png ({} network(s))\n", o.out,
             networks.size());
}

}  // namespace

void add_analyze_spectrum(CLI::App& analyze) {
  auto* cmd = analyze.add_subcommand(
      "spectrum", "Eigenvalues of W_rec (init and trained) and of the linearised update, with outliers and "
                  "their oscillation frequencies (CSV, JSON, PNG)");
  auto o = std::make_shared<Options>();
  cmd->add_option("runs", o->runs, "Artifact folders or sweep folders")->required();
  cmd->add_option("-o,--out", o->out, "Output folder")->required();
  cmd->add_option("--outlier-margin", o->outlier_margin,
                  "Outlier when |lambda - c| > (1 + margin) r, r the circular-law radius (default sqrt(ln N / N))");
  cmd->add_flag("--force", o->force, "Replace an existing output folder");
  cmd->callback([o, cmd] { run_spectrum(*o, cmd->count("--outlier-margin") > 0); });
}

}  // namespace nf::cli
