// `neurofab train --model elise`: an ELiSe network learns a pattern in
// training cycles (teacher on) with periodic free runs (teacher off) whose
// metrics are the learning curve; the result is an ELiSe artifact folder
// (models/elise/elise_artifact.hpp) whose training record holds the schedule,
// the pattern's description and the learning curve. --resume continues a run
// from its last checkpoint exactly (the artifact holds the whole state).
// The options are checked and mapped in models (train_spec.hpp); here are the
// progress line and the report.
#include <fmt/format.h>

#include <filesystem>

#include "elise_commands.hpp"
#include "neurofab/common/progress.hpp"
#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/elise/pattern.hpp"
#include "neurofab/models/elise/schedule.hpp"

namespace nf::cli {

namespace {

std::string progress_fields(const models::EliseTrainingProgress& p) {
  if (p.curve.empty()) return "no free run yet";
  const auto& last = p.curve.back();
  return fmt::format("free run {}: corr {:.2f}/{:.0f}  mse {:.2e}", last.cycle, last.metrics.corr_sum,
                     last.metrics.corr_max, last.metrics.mse);
}

void report(const models::EliseArtifact& a, const models::EliseTrainingSchedule& schedule,
            const models::EliseTrainingProgress& progress, const std::string& out) {
  const auto& c = a.network.config();
  fmt::print("trained ELiSe on '{}' ({} visible + {} latent, variant {}, {} dendrites, seed {}): {} cycles", a.pattern_name,
             c.n_visible, c.n_latent, models::to_string(c.variant), models::to_string(c.connectivity), a.seed,
             progress.cycles_done);
  if (schedule.free_run_every > 0) fmt::print(" (a free run every {} cycles)", schedule.free_run_every);
  fmt::print(" in {:.1f} s", progress.wall_seconds);
  if (progress.wall_seconds > 0) fmt::print(", {:.1f} cycles/s", progress.cycles_done / progress.wall_seconds);
  fmt::print("\n");
  if (!progress.curve.empty()) {
    const auto& last = progress.curve.back();
    fmt::print("  last free run (cycle {}): corr_sum {:.2f} of {:.0f} (best shift {:+.1f} ms), MSE {:.3e}\n", last.cycle,
               last.metrics.corr_sum, last.metrics.corr_max, last.metrics.best_shift_steps * c.params.dt_ms,
               last.metrics.mse);
  }
  fmt::print("  artifact: {}   (replay metrics: neurofab eval {})\n", out, out);
}

}  // namespace

void add_elise_train_options(CLI::App& cmd, models::EliseTrainOptions& o) {
  const std::string patterns = fmt::format("{}", fmt::join(models::builtin_pattern_names(), ", "));
  cmd.add_option("--pattern", o.pattern,
                 fmt::format("[elise] Pattern to learn: {} or a CSV file (header of neuron names, one row of "
                             "target rates in [0, 1] per --bin-ms)", patterns));
  cmd.add_option("--latent", o.latent, "[elise] Number of latent neurons");
  cmd.add_option("--cycles", o.cycles, "[elise] Training cycles in all, free runs included");
  cmd.add_option("--free-run-every", o.free_run_every,
                 "[elise] Every K-th training cycle runs without the teacher; its metrics are the learning curve "
                 "(0 = none)");
  cmd.add_flag("--no-free-run-plasticity", o.no_free_run_plasticity,
               "[elise] Switch plasticity off in free runs (on by default, as in the original)");
  cmd.add_option("--variant", o.variant, "[elise] elise, soma-only or reservoir");
  cmd.add_option("--connectivity", o.connectivity, "[elise] Dendritic synapses: all-to-all, limited or sparse");
  cmd.add_option("--in-degree", o.in_degree, "[elise] limited: presynaptic neurons per dendrite");
  cmd.add_option("--sparse-density", o.sparse_density, "[elise] sparse: probability of each dendritic synapse");
  cmd.add_option("--p", o.p, "[elise] Scaffold rule: P(another output | k so far) = p^k");
  cmd.add_option("--q", o.q, "[elise] Scaffold rule: a target with m inputs accepts with q^m");
  cmd.add_option("--p0", o.p0, "[elise] Scaffold rule: probability that a teacher has no outputs");
  cmd.add_option("--bin-ms", o.bin_ms, "[elise] Duration of one note slot / one CSV row in ms");
  cmd.add_option("--visible", o.visible, "[elise] random/repeated patterns: visible neurons");
  cmd.add_option("--slots", o.slots, "[elise] random/repeated patterns: note slots per cycle");
  cmd.add_option("--max-shift-ms", o.max_shift_ms, "[elise] Metrics: largest time shift searched, in ms");
}

void run_elise_train(models::EliseTraining& run, const models::TrainSpec& spec) {
  const std::string out = spec.out.string();
  if (!spec.quiet && spec.resume)
    fmt::print(stderr, "resuming {} at cycle {} of {} (pattern {}, seed {})\n", out, run.progress.cycles_done,
               run.schedule.cycles, run.artifact.pattern_name, run.artifact.seed);
  ProgressReporter reporter(stderr, run.progress.cycles_done, run.schedule.cycles, 5.0, "cycle");
  models::TrainRunHooks hooks;
  if (!spec.quiet) hooks.on_cycle = [&](const auto& p) { reporter.update(p.cycles_done, progress_fields(p)); };
  const int first = run.progress.cycles_done;
  models::run_training(run, spec, hooks);
  if (!spec.quiet && run.progress.cycles_done > first) reporter.finish(run.progress.cycles_done, progress_fields(run.progress));
  if (!spec.no_report) report(run.artifact, run.schedule, run.progress, out);
}

}  // namespace nf::cli
