#include "analyze_commands.hpp"
#include "commands.hpp"

namespace nf::cli {

void add_analyze_command(CLI::App& app) {
  CLI::App* analyze = app.add_subcommand(
      "analyze", "Analyse trained networks: eigen-spectra, fixed points, degeneracy, degradation (docs/analysis.md)");
  analyze->require_subcommand(1);
  add_analyze_spectrum(*analyze);
  add_analyze_fixed_points(*analyze);
  add_analyze_degeneracy(*analyze);
  add_analyze_degradation(*analyze);
}

}  // namespace nf::cli
