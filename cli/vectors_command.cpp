#include <fmt/format.h>

#include <filesystem>

#include "commands.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/golden/golden_vectors.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::cli {
namespace fs = std::filesystem;

namespace {

struct Options {
  std::string dir;
  std::string out;
  int trials = 0;
  std::uint64_t seed = 0;
  bool force = false;
};

void run_vectors(const Options& o, bool seed_given) {
  // --trials is checked here, not by CLI11, so that K < 1 is a failure (exit 1) like every other bad request.
  if (o.trials < 1) throw InputError(fmt::format("--trials {}: golden vectors need at least 1 trial", o.trials));
  if (fs::exists(o.out) && !o.force) {
    throw InputError(fmt::format("{}: already exists (use --force to replace it)", o.out));
  }
  std::error_code ec;
  if (fs::exists(o.out) && fs::equivalent(o.out, o.dir, ec)) {
    throw InputError(fmt::format("{}: is the quantized artifact itself; write the vectors to another folder", o.out));
  }
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);  // names a float artifact as such
  const std::uint64_t seed = seed_given ? o.seed : q.seed;
  const golden::GoldenVectorsSummary s = golden::write_golden_vectors(q, o.trials, seed, o.out, o.dir);
  const bool lif = std::holds_alternative<quantize::IntegerLifRnn>(q.network);
  fmt::print("golden vectors of {} ({} on '{}'): {} trials x {} steps (seed {}), {} overflow events → {}\n", o.dir,
             lif ? "integer LIF RNN" : "integer rate RNN", q.task_name, s.trials, s.steps, seed, s.overflow_events,
             o.out);
  fmt::print("  signals: {} ({:.1f} KiB)\n", fmt::join(s.signals, ", "), static_cast<double>(s.bytes) / 1024.0);
}

}  // namespace

void add_vectors_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "vectors", "Write golden vectors: the integer model's stimulus, state and output per trial and timestep");
  auto o = std::make_shared<Options>();
  cmd->add_option("dir", o->dir, "Quantized artifact folder")->required();
  cmd->add_option("--trials", o->trials, "Number of evaluation trials to record (K)")->required();
  cmd->add_option("--seed", o->seed, "Seed of the trials (default: the artifact's, as `neurofab eval`)");
  cmd->add_option("-o,--out", o->out, "Golden-vector folder to write")->required();
  cmd->add_flag("--force", o->force, "Replace an existing --out folder");
  cmd->callback([o, cmd] { run_vectors(*o, cmd->count("--seed") > 0); });
}

}  // namespace nf::cli
