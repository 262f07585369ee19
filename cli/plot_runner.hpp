#pragma once
// Running the matplotlib scripts of cli/plots/ — the figures of every command
// are drawn by Debian's /usr/bin/python3 with python3-matplotlib, never by a
// home-made plotter. Data goes to the script through a private temporary
// folder; the script writes its PNG under a temporary name and renames it, so
// a failure never leaves a half-written figure.

#include <filesystem>
#include <string>

#include "neurofab/common/temp_folder.hpp"

namespace nf::cli {

using nf::TempFolder;

// The folder of the plot scripts: $NEUROFAB_PLOTS_DIR, or cli/plots installed in
// share/neurofab/plots (neurofab/common/resources.hpp).
std::filesystem::path plots_dir();

// Runs `python -E <script> <data_dir> <out>`, its output logged in data_dir.
// Throws nf::IoError with the script's last lines and what it needs (named
// for `command`, e.g. "raster") when python, the script or matplotlib fails.
void run_plot_script(const std::string& command, const std::filesystem::path& script,
                     const std::filesystem::path& data_dir, const std::filesystem::path& out);

}  // namespace nf::cli
