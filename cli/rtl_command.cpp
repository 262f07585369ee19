#include <fmt/format.h>

#include <filesystem>

#include "commands.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/rtl/rtl_generator.hpp"
#include "neurofab/sim/lockstep.hpp"

namespace nf::cli {
namespace fs = std::filesystem;

namespace {

struct RtlCommandOptions {
  std::string dir;
  std::string out;
  int lanes = 1;
  bool force = false;
};

void run_rtl(const RtlCommandOptions& o) {
  if (fs::exists(o.out) && !o.force) throw InputError(fmt::format("{}: already exists (use --force to replace it)", o.out));
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  rtl::generate_rtl(q, {o.lanes}, o.out);
  fmt::print("RTL configuration of {} ({} lanes) → {}: nf_config_pkg.sv, memory images, files.f, rtl.json\n", o.dir,
             o.lanes, o.out);
}

struct VerifyCommandOptions {
  std::string dir;
  sim::VerifyOptions verify;
  std::string cache;
  std::string keep;
  std::string harness = "verilator";
};

void run_verify(const VerifyCommandOptions& o) {
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  sim::VerifyOptions options = o.verify;
  options.cache_dir = o.cache;
  options.keep_dir = o.keep;
  options.harness = sim::harness_from_string(o.harness);
  const sim::VerifyResult r = sim::verify(q, options);
  fmt::print("{}testbench {} ({})\n", r.log, r.testbench.string(), r.built ? "built" : "cached");
  if (!r.passed) {
    throw VerificationError(fmt::format("{}: the RTL differs from the integer golden model (see above{})", o.dir,
                                        o.keep.empty() ? "; --keep <dir> keeps the waveform" : ", waveform in " + o.keep));
  }
}

}  // namespace

void add_rtl_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("rtl", "Write the RTL configuration (parameter package, memory images) of a "
                                        "quantized network");
  auto o = std::make_shared<RtlCommandOptions>();
  cmd->add_option("dir", o->dir, "Quantized artifact folder")->required();
  cmd->add_option("--lanes", o->lanes, "Parallel MAC lanes P");
  cmd->add_option("-o,--out", o->out, "RTL folder to write")->required();
  cmd->add_flag("--force", o->force, "Replace an existing --out folder");
  cmd->callback([o] { run_rtl(*o); });
}

void add_verify_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("verify", "Run the RTL core (Verilator or SystemC) in lock step with the integer golden model");
  auto o = std::make_shared<VerifyCommandOptions>();
  cmd->add_option("dir", o->dir, "Quantized artifact folder")->required();
  cmd->add_option("--lanes", o->verify.lanes, "Parallel MAC lanes P");
  cmd->add_option("--trials", o->verify.trials, "Evaluation trials to run");
  cmd->add_option("--seed", o->verify.seed, "Seed of the random back-pressure");
  cmd->add_option("--max-stall", o->verify.max_stall, "Longest random stall of either stream, in cycles");
  cmd->add_option("--cache", o->cache, "Cache of Verilated builds (default $NEUROFAB_CACHE or ~/.cache/neurofab)");
  cmd->add_option("--harness", o->harness, "verilator (C++ testbench) or systemc (the core in a SystemC top)");
  cmd->add_option("--keep", o->keep, "Keep the work folder (RTL, vectors, log, mismatch waveform) here");
  cmd->callback([o] { run_verify(*o); });
}

}  // namespace nf::cli
