// `neurofab train --model elise`: an ELiSe network learns a pattern in
// training cycles (teacher on) with periodic free runs (teacher off) whose
// metrics are the learning curve; the result is an ELiSe artifact folder
// (models/elise/elise_artifact.hpp) whose training record holds the schedule,
// the pattern's description and the learning curve. --resume continues a run
// from its last checkpoint exactly (the artifact holds the whole state).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "elise_commands.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/progress.hpp"
#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/elise/pattern.hpp"
#include "neurofab/models/elise/schedule.hpp"

namespace nf::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool given(const CLI::App& cmd, const std::string& name) { return cmd.count(name) > 0; }

// Every option given must be ELiSe's or one of the shared ones.
void refuse_foreign_options(const CLI::App& cmd) {
  for (const CLI::Option* option : cmd.get_options()) {
    const std::string name = option->get_name();  // "" for the hidden --no-report and --check-only
    if (option->count() == 0 || name.empty() || contains(elise_only_train_options(), name) ||
        contains(elise_shared_train_options(), name)) {
      continue;
    }
    throw InputError(fmt::format("{} is an option of the rate and lif models, not of --model elise", name));
  }
}

// Options that only make sense with some other option's value.
void refuse_inapplicable_options(const EliseTrainOptions& o, const CLI::App& cmd) {
  const bool synthetic = o.pattern == "random" || o.pattern == "repeated";
  for (const char* name : {"--visible", "--slots"}) {
    if (given(cmd, name) && !synthetic)
      throw InputError(fmt::format("{} applies to the random and repeated patterns only (--pattern {})", name, o.pattern));
  }
  if (given(cmd, "--in-degree") && o.connectivity != "limited")
    throw InputError("--in-degree applies to --connectivity limited only");
  if (given(cmd, "--sparse-density") && o.connectivity != "sparse")
    throw InputError("--sparse-density applies to --connectivity sparse only");
}

models::EliseParameters elise_parameters(const EliseTrainOptions& o) {
  models::EliseParameters params;
  params.scaffold_p = o.p;
  params.scaffold_q = o.q;
  params.scaffold_p0 = o.p0;
  params.validate();
  return params;
}

models::EliseConfig elise_config(const EliseTrainOptions& o, const models::EliseParameters& params, int n_visible) {
  models::EliseConfig c;
  c.n_visible = n_visible;
  c.n_latent = o.latent;
  c.params = params;
  c.variant = models::elise_variant_from_string(o.variant);
  c.connectivity = models::elise_connectivity_from_string(o.connectivity);
  c.limited_in_degree = o.in_degree;
  c.sparse_density = o.sparse_density;
  c.validate();
  return c;
}

models::ElisePattern elise_pattern(const EliseTrainOptions& o, const models::EliseParameters& params,
                                   std::uint64_t seed) {
  if (o.pattern.empty())
    throw InputError(fmt::format("--pattern is required with --model elise ({} or a CSV file)",
                                 fmt::join(models::builtin_pattern_names(), ", ")));
  models::ElisePatternOptions po;
  po.dt_ms = params.dt_ms;
  po.bin_ms = o.bin_ms;
  po.n_visible = o.visible;
  po.slots = o.slots;
  po.seed = seed;
  po.levels = models::default_pattern_levels(params);
  return models::make_elise_pattern(o.pattern, po);
}

json pattern_record(const models::ElisePattern& p, const EliseTrainOptions& o, const models::EliseParameters& params,
                    std::uint64_t seed) {
  json record = {{"name", p.name},       {"labels", p.labels},         {"bin_ms", o.bin_ms},
                 {"dt_ms", p.dt_ms},     {"steps", p.steps()},         {"n_visible", p.n_visible()},
                 {"cycle_ms", p.cycle_ms()}};
  if (o.pattern == "random" || o.pattern == "repeated") {
    record["slots"] = o.slots;
    record["seed"] = seed;
  }
  if (models::is_builtin_pattern(o.pattern)) {
    const auto levels = models::default_pattern_levels(params);
    record["on_rate"] = levels.on_rate;
    record["off_rate"] = levels.off_rate;
  }
  return record;
}

std::string progress_fields(const models::EliseTrainingProgress& p) {
  if (p.curve.empty()) return "no free run yet";
  const auto& last = p.curve.back();
  return fmt::format("free run {}: corr {:.2f}/{:.0f}  mse {:.2e}", last.cycle, last.metrics.corr_sum,
                     last.metrics.corr_max, last.metrics.mse);
}

// Trains artifact.network from `progress` on, checkpointing into `out`.
void train_and_save(models::EliseArtifact& artifact, const models::EliseTrainingSchedule& schedule,
                    models::EliseTrainingProgress& progress, const EliseCommonTrainOptions& common) {
  const fs::path out = common.out;
  const json pattern = artifact.training.value("pattern", json::object());
  auto record = [&](const models::EliseTrainingProgress& p) {
    json training = models::training_record_json(schedule, p);
    training["pattern"] = pattern;
    return training;
  };
  ProgressReporter reporter(stderr, progress.cycles_done, schedule.cycles, 5.0, "cycle");
  models::EliseTrainingHooks hooks;
  if (!common.quiet) hooks.on_cycle = [&](const auto& p) { reporter.update(p.cycles_done, progress_fields(p)); };
  hooks.checkpoint_every = common.checkpoint_every;
  hooks.on_checkpoint = [&](const models::EliseTrainingProgress& p) {
    artifact.training = record(p);
    models::save_elise_artifact(out, artifact);
  };
  const int first = progress.cycles_done;
  models::train_elise(artifact.network, artifact.pattern_rates, schedule, progress, hooks);
  if (progress.cycles_done == first) {  // nothing to train: still leave a complete artifact
    artifact.training = record(progress);
    models::save_elise_artifact(out, artifact);
  }
  if (!common.quiet && progress.cycles_done > first) reporter.finish(progress.cycles_done, progress_fields(progress));
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

void resume(const EliseTrainOptions& o, const EliseCommonTrainOptions& common, const CLI::App& cmd) {
  for (const CLI::Option* option : cmd.get_options()) {
    const std::string name = option->get_name();
    if (option->count() > 0 && !name.empty() && !contains({"--resume", "--out", "--cycles", "--quiet", "--no-report", "--model",
                                          "--checkpoint-every", "--help"}, name)) {
      throw InputError(fmt::format("{} cannot be combined with --resume: a resumed ELiSe run keeps the artifact's "
                                   "settings (only --cycles may be raised)", name));
    }
  }
  models::EliseArtifact artifact = models::load_elise_artifact(common.out);
  const std::string model_json = (fs::path(common.out) / "model.json").string();
  const JsonFields training(artifact.training, model_json, "training");
  models::EliseTrainingSchedule schedule = models::schedule_from_json(training);
  models::EliseTrainingProgress progress = models::progress_from_json(training);
  if (given(cmd, "--cycles")) {
    if (o.cycles < progress.cycles_done)
      throw InputError(fmt::format("--cycles {} is below the {} cycles already trained in {}", o.cycles,
                                   progress.cycles_done, common.out));
    schedule.cycles = o.cycles;
  }
  if (common.check_only) return;
  if (!common.quiet)
    fmt::print(stderr, "resuming {} at cycle {} of {} (pattern {}, seed {})\n", common.out, progress.cycles_done,
               schedule.cycles, artifact.pattern_name, artifact.seed);
  train_and_save(artifact, schedule, progress, common);
  if (!common.no_report) report(artifact, schedule, progress, common.out);
}

}  // namespace

const std::vector<std::string>& elise_only_train_options() {
  static const std::vector<std::string> names = {
      "--pattern", "--latent", "--cycles", "--free-run-every", "--no-free-run-plasticity", "--variant",
      "--connectivity", "--in-degree", "--sparse-density", "--p", "--q", "--p0", "--bin-ms", "--visible", "--slots",
      "--max-shift-ms"};
  return names;
}

const std::vector<std::string>& elise_shared_train_options() {
  static const std::vector<std::string> names = {"--model",   "--seed",       "--out",        "--resume",
                                                 "--force",   "--quiet",      "--no-report",  "--check-only",
                                                 "--checkpoint-every", "--help"};
  return names;
}

void add_elise_train_options(CLI::App& cmd, EliseTrainOptions& o) {
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

void run_elise_train(const EliseTrainOptions& o, const EliseCommonTrainOptions& common, const CLI::App& cmd) {
  refuse_foreign_options(cmd);
  if (common.resume) return resume(o, common, cmd);
  const fs::path out = common.out;
  if (fs::exists(out) && !common.force) {
    throw InputError(fmt::format("{}: already exists (use --resume to continue it or --force to replace it)",
                                 out.string()));
  }
  if (common.checkpoint_every < 0)
    throw InputError(fmt::format("--checkpoint-every must be 0 or more (got {})", common.checkpoint_every));
  refuse_inapplicable_options(o, cmd);
  models::EliseTrainingSchedule schedule;
  schedule.cycles = o.cycles;
  schedule.free_run_every = o.free_run_every;
  schedule.plasticity_in_free_runs = !o.no_free_run_plasticity;
  schedule.max_shift_ms = o.max_shift_ms;
  schedule.validate();
  const models::EliseParameters params = elise_parameters(o);
  const models::ElisePattern pattern = elise_pattern(o, params, common.seed);  // it fixes n_visible
  const models::EliseConfig config = elise_config(o, params, pattern.n_visible());
  if (common.check_only) return;

  models::EliseArtifact artifact{models::EliseNetwork(config, common.seed), common.seed, pattern.name, pattern.rates,
                                 json{{"pattern", pattern_record(pattern, o, params, common.seed)}}};
  models::EliseTrainingProgress progress;
  train_and_save(artifact, schedule, progress, common);
  if (!common.no_report) report(artifact, schedule, progress, common.out);
}

}  // namespace nf::cli
