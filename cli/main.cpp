#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "commands.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/version.hpp"

// Exit codes: 0 success, 1 a failure (bad input file, I/O), 2 bad usage,
// 3 a verification mismatch, 4 a result below the target required of it.
int main(int argc, char** argv) {
  CLI::App app{"neurofab — recurrent rate and spiking networks from training to FPGA", "neurofab"};
  app.require_subcommand(1);
  app.set_version_flag("--version", nf::kVersionString);
  nf::cli::add_train_command(app);
  nf::cli::add_eval_command(app);
  nf::cli::add_tasks_command(app);
  nf::cli::add_data_command(app);
  nf::cli::add_quantize_command(app);
  nf::cli::add_vectors_command(app);
  nf::cli::add_raster_command(app);
  nf::cli::add_rtl_command(app);
  nf::cli::add_verify_command(app);
  nf::cli::add_hls_command(app);
  nf::cli::add_build_command(app);
  nf::cli::add_hil_command(app);
  nf::cli::add_board_sim_command(app);
  nf::cli::add_sweep_command(app);
  nf::cli::add_analyze_command(app);
  nf::cli::add_compare_command(app);
  nf::cli::add_nir_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the usage error
    return code == 0 ? 0 : 2;
  } catch (const nf::InputError& e) {
    fmt::print(stderr, "neurofab: error: {}\n", e.what());
    return 1;
  } catch (const nf::VerificationError& e) {
    fmt::print(stderr, "neurofab: verification failed: {}\n", e.what());
    return 3;
  } catch (const nf::TargetMissedError& e) {
    fmt::print(stderr, "neurofab: target missed: {}\n", e.what());
    return 4;
  } catch (const std::exception& e) {
    fmt::print(stderr, "neurofab: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
