#pragma once
// The subcommands of `neurofab analyze <what> <runs…> -o <dir>`, one file each
// (analyze_<what>.cpp). Every analysis reads the networks named by its
// arguments (artifact or sweep folders, nf::analysis::expand_runs), writes its
// data (CSV and/or JSON) and a figure (matplotlib, plot_runner.hpp) into the
// output folder, assembled under a temporary name (nf::StagingDir) so a
// failure leaves no half-written folder.

#include <CLI/CLI.hpp>

namespace nf::cli {

void add_analyze_spectrum(CLI::App& analyze);
void add_analyze_fixed_points(CLI::App& analyze);
void add_analyze_degeneracy(CLI::App& analyze);
void add_analyze_degradation(CLI::App& analyze);

}  // namespace nf::cli
