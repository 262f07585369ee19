#include <fmt/format.h>

#include <filesystem>

#include "commands.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/hls/hls_export.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::cli {
namespace fs = std::filesystem;

namespace {

struct HlsCommandOptions {
  std::string dir;
  std::string out;
  hls::HlsOptions hls;
  bool force = false;
};

void run_hls(const HlsCommandOptions& o) {
  if (fs::exists(o.out) && !o.force) throw InputError(fmt::format("{}: already exists (use --force to replace it)", o.out));
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  hls::export_project(q, o.hls, o.out, o.dir);
  fmt::print("Vitis HLS project of {} (top {}, {} lane(s), part {}, {} ns) → {}: firmware/, tb/, tb_data/ ({} "
             "trials), run_hls.tcl, README.md\n",
             o.dir, hls::top_function(q), o.hls.lanes, o.hls.part, o.hls.clock_period_ns, o.out, o.hls.trials);
}

}  // namespace

void add_hls_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("hls", "Write a Vitis HLS project (kernels, configuration, weights, C-sim testbench "
                                        "with golden vectors, run_hls.tcl) of a quantized network");
  auto o = std::make_shared<HlsCommandOptions>();
  cmd->add_option("dir", o->dir, "Quantized artifact folder")->required();
  cmd->add_option("-o,--out", o->out, "Project folder to write")->required();
  cmd->add_option("--lanes", o->hls.lanes, "Units computed in parallel (MAC lanes)");
  cmd->add_option("--trials", o->hls.trials, "Evaluation trials in the testbench's golden vectors");
  cmd->add_option("--seed", o->hls.seed, "Seed of those trials");
  cmd->add_option("--part", o->hls.part, "FPGA part for csynth");
  cmd->add_option("--clock-ns", o->hls.clock_period_ns, "Clock period for csynth, ns");
  cmd->add_flag("--force", o->force, "Replace an existing --out folder");
  cmd->callback([o] { run_hls(*o); });
}

}  // namespace nf::cli
