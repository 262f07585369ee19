#pragma once
// Sub-commands of the neurofab CLI. Each add_* registers its options on the
// app and sets the callback that runs it; errors propagate as exceptions and
// main() turns them into one message and a non-zero exit.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace nf::cli {

void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_tasks_command(CLI::App& app);
void add_data_command(CLI::App& app);  // a task's trials as an .npz file for train --data
void add_raster_command(CLI::App& app);
void add_quantize_command(CLI::App& app);
void add_vectors_command(CLI::App& app);
void add_rtl_command(CLI::App& app);
void add_verify_command(CLI::App& app);
void add_hls_command(CLI::App& app);
void add_build_command(CLI::App& app);  // build and boards
void add_hil_command(CLI::App& app);
void add_board_sim_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_analyze_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_nir_commands(CLI::App& app);  // export-nir, import-nir

}  // namespace nf::cli
