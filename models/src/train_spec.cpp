#include "neurofab/models/train_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "neurofab/common/error.hpp"
#include "neurofab/common/json_fields.hpp"
#include "neurofab/models/elise/pattern.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/tasks/task_data.hpp"

namespace nf::models {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// ---------------------------------------------------------------------------
// The option table: each option's name and where its value goes.

using Setter = std::function<void(TrainSpec&, const TrainOptionValue&, const std::string& option)>;

std::string value_text(const TrainOptionValue& value) {
  struct {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return "'" + s + "'"; }
    std::string operator()(const std::vector<std::string>& v) const { return fmt::format("[{}]", fmt::join(v, ", ")); }
  } text;
  return std::visit(text, value);
}

[[noreturn]] void wrong_kind(const std::string& option, const char* expected, const TrainOptionValue& value) {
  throw InputError(fmt::format("{}: expected {} (got {})", option, expected, value_text(value)));
}

template <typename T>
T converted(const TrainOptionValue& value, const std::string& option);

template <>
bool converted<bool>(const TrainOptionValue& value, const std::string& option) {
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  wrong_kind(option, "true or false", value);
}

template <>
double converted<double>(const TrainOptionValue& value, const std::string& option) {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  wrong_kind(option, "a number", value);
}

template <>
std::int64_t converted<std::int64_t>(const TrainOptionValue& value, const std::string& option) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  const auto* d = std::get_if<double>(&value);
  if (d != nullptr && std::isfinite(*d) && std::floor(*d) == *d && std::abs(*d) < 9.0e15) return static_cast<std::int64_t>(*d);
  wrong_kind(option, "an integer", value);
}

template <>
int converted<int>(const TrainOptionValue& value, const std::string& option) {
  const std::int64_t i = converted<std::int64_t>(value, option);
  if (i < std::numeric_limits<int>::min() || i > std::numeric_limits<int>::max()) wrong_kind(option, "an integer", value);
  return static_cast<int>(i);
}

template <>
std::uint64_t converted<std::uint64_t>(const TrainOptionValue& value, const std::string& option) {
  const std::int64_t i = converted<std::int64_t>(value, option);
  if (i < 0) wrong_kind(option, "an integer >= 0", value);
  return static_cast<std::uint64_t>(i);
}

template <>
std::string converted<std::string>(const TrainOptionValue& value, const std::string& option) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  wrong_kind(option, "a string", value);
}

// A list, or one string split at commas (as --freeze W_in,W_rec on the command line).
template <>
std::vector<std::string> converted<std::vector<std::string>>(const TrainOptionValue& value, const std::string& option) {
  if (const auto* v = std::get_if<std::vector<std::string>>(&value)) return *v;
  const auto* s = std::get_if<std::string>(&value);
  if (s == nullptr) wrong_kind(option, "a list of strings", value);
  std::vector<std::string> items;
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = s->find(',', begin);
    items.push_back(s->substr(begin, comma - begin));
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return items;
}

// A field of the spec, reached from the spec (fields are nested: spec.lif.tau_mem_ms).
template <typename T>
Setter field(T& (*of)(TrainSpec&)) {
  return [of](TrainSpec& spec, const TrainOptionValue& value, const std::string& option) {
    if constexpr (std::is_same_v<T, bool>) {
      if (!converted<bool>(value, option)) return;  // false: the flag left out
      of(spec) = true;
    } else {
      of(spec) = converted<T>(value, option);
    }
    spec.given.insert(option);
  };
}

#define NF_FIELD(type, member) field<type>(+[](TrainSpec& s) -> type& { return s.member; })

Setter model_setter() {
  return [](TrainSpec& spec, const TrainOptionValue& value, const std::string& option) {
    const std::string name = converted<std::string>(value, option);
    if (name == "rate") {
      spec.family = Family::kRate;
    } else if (name == "lif") {
      spec.family = Family::kLif;
    } else if (name == "elise") {
      spec.family = std::nullopt;
    } else {
      throw InputError(fmt::format("{}: {} not in {{rate,lif,elise}}", option, name));
    }
    spec.given.insert(option);
  };
}

struct TrainOption {
  std::string name;
  Setter set;
};

// The registration order of cli/train_command.cpp (add_train_command); the CLI checks it keeps to it.
const std::vector<TrainOption>& train_options() {
  static const std::vector<TrainOption> options = {
      {"--task", NF_FIELD(std::string, task)},
      {"--task-param", {}},  // set_train_option("task-param.NAME")
      {"--data",
       [](TrainSpec& spec, const TrainOptionValue& value, const std::string& option) {
         spec.data = converted<std::string>(value, option);
         spec.given.insert(option);
       }},
      {"--success-mse", NF_FIELD(double, success_mse)},
      {"--model", model_setter()},
      {"--n", NF_FIELD(int, n)},
      {"--init", NF_FIELD(std::string, init)},
      {"--gain", NF_FIELD(double, gain)},
      {"--density", NF_FIELD(double, density)},
      {"--init-in", NF_FIELD(std::string, init_in)},
      {"--init-out", NF_FIELD(std::string, init_out)},
      {"--rec-density", NF_FIELD(double, rec_density)},
      {"--dt", NF_FIELD(double, dt_ms)},
      {"--activation", NF_FIELD(std::string, activation)},
      {"--alpha", NF_FIELD(double, alpha)},
      {"--tau", NF_FIELD(double, tau_ms)},
      {"--noise", NF_FIELD(double, noise)},
      {"--tau-mem", NF_FIELD(double, lif.tau_mem_ms)},
      {"--tau-syn", NF_FIELD(double, lif.tau_syn_ms)},
      {"--tau-out", NF_FIELD(double, lif.tau_out_ms)},
      {"--threshold", NF_FIELD(double, lif.threshold)},
      {"--reset", NF_FIELD(std::string, lif.reset)},
      {"--refractory", NF_FIELD(int, lif.refractory_steps)},
      {"--encoding", NF_FIELD(std::string, lif.encoding)},
      {"--encoding-gain", NF_FIELD(double, lif.encoding_gain)},
      {"--delta-threshold", NF_FIELD(double, lif.delta_threshold)},
      {"--surrogate", NF_FIELD(std::string, lif.surrogate)},
      {"--surrogate-slope", NF_FIELD(double, lif.surrogate_slope)},
      {"--detach-reset", NF_FIELD(bool, lif.detach_reset)},
      {"--train-tau", NF_FIELD(bool, lif.train_tau)},
      {"--pattern", NF_FIELD(std::string, elise.pattern)},
      {"--latent", NF_FIELD(int, elise.latent)},
      {"--cycles", NF_FIELD(int, elise.cycles)},
      {"--free-run-every", NF_FIELD(int, elise.free_run_every)},
      {"--no-free-run-plasticity", NF_FIELD(bool, elise.no_free_run_plasticity)},
      {"--variant", NF_FIELD(std::string, elise.variant)},
      {"--connectivity", NF_FIELD(std::string, elise.connectivity)},
      {"--in-degree", NF_FIELD(int, elise.in_degree)},
      {"--sparse-density", NF_FIELD(double, elise.sparse_density)},
      {"--p", NF_FIELD(double, elise.p)},
      {"--q", NF_FIELD(double, elise.q)},
      {"--p0", NF_FIELD(double, elise.p0)},
      {"--bin-ms", NF_FIELD(double, elise.bin_ms)},
      {"--visible", NF_FIELD(int, elise.visible)},
      {"--slots", NF_FIELD(int, elise.slots)},
      {"--max-shift-ms", NF_FIELD(double, elise.max_shift_ms)},
      {"--dale-ratio", NF_FIELD(double, dale_ratio)},
      {"--freeze", NF_FIELD(std::vector<std::string>, freeze)},
      {"--seed", NF_FIELD(std::uint64_t, seed)},
      {"--out", {}},  // a path: set directly
      {"--resume", NF_FIELD(bool, resume)},
      {"--force", NF_FIELD(bool, force)},
      {"--quiet", NF_FIELD(bool, quiet)},
      {"--no-report", NF_FIELD(bool, no_report)},
      {"--check-only", NF_FIELD(bool, check_only)},
      {"--eval-trials", NF_FIELD(int, eval_trials)},
      {"--min-success", NF_FIELD(double, min_success_percent)},
      {"--batch", NF_FIELD(int, training.batch_size)},
      {"--threads", NF_FIELD(int, training.threads)},
      {"--epochs", NF_FIELD(int, training.max_epochs)},
      {"--steps-per-epoch", NF_FIELD(int, training.steps_per_epoch)},
      {"--lr", NF_FIELD(double, training.learning_rate)},
      {"--clip", NF_FIELD(double, training.clip_norm)},
      {"--l2", NF_FIELD(double, training.regularization.l2_weights)},
      {"--l1", NF_FIELD(double, training.regularization.l1_weights)},
      {"--rate-l2", NF_FIELD(double, training.regularization.l2_rates)},
      {"--rate-l1", NF_FIELD(double, training.regularization.l1_rates)},
      {"--target-rate", NF_FIELD(double, training.regularization.target_rate)},
      {"--target-rate-weight", NF_FIELD(double, training.regularization.target_rate_weight)},
      {"--loss-threshold", NF_FIELD(double, training.loss_threshold)},
      {"--extra-epochs", NF_FIELD(int, training.extra_epochs)},
      {"--patience", NF_FIELD(int, training.plateau_patience)},
      {"--checkpoint-every", NF_FIELD(int, training.checkpoint_every)},
      {"--validation-trials", NF_FIELD(int, training.validation_trials)},
      {"--divergence-factor", NF_FIELD(double, training.divergence_factor)},
      {"--max-rollbacks", NF_FIELD(int, training.max_rollbacks)},
      {"--loss-on-scored-steps", NF_FIELD(bool, training.loss_on_scored_steps)},
  };
  return options;
}

#undef NF_FIELD

// Options that belong to one model family only: given for another, they are refused.
const std::vector<std::string> kRateOnlyOptions = {"--activation", "--alpha", "--tau", "--noise"};
const std::vector<std::string> kLifOnlyOptions = {
    "--tau-mem",  "--tau-syn",   "--tau-out",     "--threshold",    "--reset",        "--refractory",
    "--encoding", "--encoding-gain", "--delta-threshold", "--surrogate", "--surrogate-slope", "--detach-reset",
    "--train-tau", "--target-rate", "--target-rate-weight"};
const std::vector<std::string> kEliseOnlyOptions = {
    "--pattern", "--latent", "--cycles", "--free-run-every", "--no-free-run-plasticity", "--variant",
    "--connectivity", "--in-degree", "--sparse-density", "--p", "--q", "--p0", "--bin-ms", "--visible", "--slots",
    "--max-shift-ms"};
// Options of `train` that --model elise accepts besides its own.
const std::vector<std::string> kEliseSharedOptions = {"--model", "--seed",       "--out",       "--resume",
                                                      "--force", "--quiet",      "--no-report", "--check-only",
                                                      "--checkpoint-every"};

// The given options, in registration order.
std::vector<std::string> given_in_order(const TrainSpec& spec) {
  std::vector<std::string> given;
  for (const std::string& name : train_option_names()) {
    if (spec.was_given(name)) given.push_back(name);
  }
  return given;
}

// ---------------------------------------------------------------------------
// Rate and LIF.

void refuse_other_family_options(const TrainSpec& spec) {
  const bool rate = spec.family == Family::kRate;
  const std::string model(short_name(*spec.family));
  for (const auto& name : rate ? kLifOnlyOptions : kRateOnlyOptions) {
    if (spec.was_given(name)) {
      throw InputError(fmt::format("{} is an option of the {} model, not of --model {}", name, rate ? "lif" : "rate", model));
    }
  }
  for (const auto& name : kEliseOnlyOptions) {
    if (spec.was_given(name)) {
      throw InputError(fmt::format("{} is an option of the elise model, not of --model {}", name, model));
    }
  }
}

Artifact fresh_artifact(const TrainSpec& spec, const Task& task) {
  spec.training.validate();
  const NetworkInit init = network_init(spec);
  Artifact artifact = [&]() -> Artifact {
    if (spec.family == Family::kLif) {
      return LifRnnArtifact{make_lif_rnn(lif_config(spec, task), init, spec.seed), init, task.name(), task.param_values(),
                            spec.seed, spec.training, {}};
    }
    return RateRnnArtifact{make_rate_rnn(rate_config(spec, task), init, spec.seed), init, task.name(), task.param_values(),
                           spec.seed, spec.training, {}};
  }();
  std::visit([&](auto& a) { a.state.optimizer = Adam(spec.training.adam); }, artifact);
  return artifact;
}

// The options a resumed run may be given: where it is, how far it goes, what is reported.
const std::vector<std::string> kResumeOptions = {"--resume",      "--out",       "--epochs",     "--quiet",
                                                 "--eval-trials", "--no-report", "--check-only", "--min-success",
                                                 "--threads"};

Artifact load_for_resume(const TrainSpec& spec) {
  for (const std::string& name : given_in_order(spec)) {
    if (!contains(kResumeOptions, name)) {
      throw InputError(fmt::format(
          "{} cannot be combined with --resume: a resumed run keeps the artifact's settings (only --epochs "
          "may change)", name));
    }
  }
  Artifact artifact = load_artifact(spec.out);
  std::visit([&](auto& a) {
    if (spec.was_given("--epochs")) a.training.max_epochs = spec.training.max_epochs;
    a.training.threads = spec.training.threads;  // not part of the artifact: it changes no result
  }, artifact);
  return artifact;
}

// --data: the user's own trials replace --task and its parameters.
void check_data_options(const TrainSpec& spec) {
  if (spec.was_given("--task") || !spec.task.empty()) {
    throw InputError("--data and --task: give one of them (--data FILE.npz trains on your own trials)");
  }
  if (spec.was_given("--task-param")) {
    throw InputError("--task-param applies to --task; with --data the criterion is --success-mse");
  }
  if (spec.data.empty()) throw InputError("--data: needs a file name");
  if (spec.was_given("--success-mse") && !(std::isfinite(spec.success_mse) && spec.success_mse > 0)) {
    throw InputError(fmt::format("--success-mse: must be a finite number > 0 (got {})", spec.success_mse));
  }
}

// Registers the file's trials (task_data.hpp) and names them, with --success-mse if given.
std::map<std::string, double> data_task_params(const TrainSpec& spec) {
  std::map<std::string, double> params = register_task_data(spec.data);
  if (spec.was_given("--success-mse")) params["success_mse"] = spec.success_mse;
  return params;
}

// ---------------------------------------------------------------------------
// ELiSe.

// Every option given must be ELiSe's or one of the shared ones.
void refuse_foreign_elise_options(const TrainSpec& spec) {
  for (const std::string& name : given_in_order(spec)) {
    if (!contains(kEliseOnlyOptions, name) && !contains(kEliseSharedOptions, name)) {
      throw InputError(fmt::format("{} is an option of the rate and lif models, not of --model elise", name));
    }
  }
}

// Options that only make sense with some other option's value.
void refuse_inapplicable_elise_options(const TrainSpec& spec) {
  const EliseTrainOptions& o = spec.elise;
  const bool synthetic = o.pattern == "random" || o.pattern == "repeated";
  for (const char* name : {"--visible", "--slots"}) {
    if (spec.was_given(name) && !synthetic)
      throw InputError(fmt::format("{} applies to the random and repeated patterns only (--pattern {})", name, o.pattern));
  }
  if (spec.was_given("--in-degree") && o.connectivity != "limited")
    throw InputError("--in-degree applies to --connectivity limited only");
  if (spec.was_given("--sparse-density") && o.connectivity != "sparse")
    throw InputError("--sparse-density applies to --connectivity sparse only");
}

EliseParameters elise_parameters(const EliseTrainOptions& o) {
  EliseParameters params;
  params.scaffold_p = o.p;
  params.scaffold_q = o.q;
  params.scaffold_p0 = o.p0;
  params.validate();
  return params;
}

EliseConfig elise_config(const EliseTrainOptions& o, const EliseParameters& params, int n_visible) {
  EliseConfig c;
  c.n_visible = n_visible;
  c.n_latent = o.latent;
  c.params = params;
  c.variant = elise_variant_from_string(o.variant);
  c.connectivity = elise_connectivity_from_string(o.connectivity);
  c.limited_in_degree = o.in_degree;
  c.sparse_density = o.sparse_density;
  c.validate();
  return c;
}

ElisePattern elise_pattern(const EliseTrainOptions& o, const EliseParameters& params, std::uint64_t seed) {
  if (o.pattern.empty())
    throw InputError(fmt::format("--pattern is required with --model elise ({} or a CSV file)",
                                 fmt::join(builtin_pattern_names(), ", ")));
  ElisePatternOptions po;
  po.dt_ms = params.dt_ms;
  po.bin_ms = o.bin_ms;
  po.n_visible = o.visible;
  po.slots = o.slots;
  po.seed = seed;
  po.levels = default_pattern_levels(params);
  return make_elise_pattern(o.pattern, po);
}

json pattern_record(const ElisePattern& p, const EliseTrainOptions& o, const EliseParameters& params,
                    std::uint64_t seed) {
  json record = {{"name", p.name},       {"labels", p.labels},         {"bin_ms", o.bin_ms},
                 {"dt_ms", p.dt_ms},     {"steps", p.steps()},         {"n_visible", p.n_visible()},
                 {"cycle_ms", p.cycle_ms()}};
  if (o.pattern == "random" || o.pattern == "repeated") {
    record["slots"] = o.slots;
    record["seed"] = seed;
  }
  if (is_builtin_pattern(o.pattern)) {
    const auto levels = default_pattern_levels(params);
    record["on_rate"] = levels.on_rate;
    record["off_rate"] = levels.off_rate;
  }
  return record;
}

const std::vector<std::string> kEliseResumeOptions = {"--resume", "--out",   "--cycles",          "--quiet",
                                                      "--no-report", "--model", "--checkpoint-every", "--check-only"};

EliseTraining elise_for_resume(const TrainSpec& spec, int checkpoint_every) {
  for (const std::string& name : given_in_order(spec)) {
    if (!contains(kEliseResumeOptions, name)) {
      throw InputError(fmt::format("{} cannot be combined with --resume: a resumed ELiSe run keeps the artifact's "
                                   "settings (only --cycles may be raised)", name));
    }
  }
  EliseArtifact artifact = load_elise_artifact(spec.out);
  const std::string model_json = (spec.out / "model.json").string();
  const JsonFields training(artifact.training, model_json, "training");
  EliseTrainingSchedule schedule = schedule_from_json(training);
  EliseTrainingProgress progress = progress_from_json(training);
  if (spec.was_given("--cycles")) {
    if (spec.elise.cycles < progress.cycles_done)
      throw InputError(fmt::format("--cycles {} is below the {} cycles already trained in {}", spec.elise.cycles,
                                   progress.cycles_done, spec.out.string()));
    schedule.cycles = spec.elise.cycles;
  }
  return {std::move(artifact), schedule, progress, checkpoint_every};
}

EliseTraining prepare_elise(const TrainSpec& spec) {
  refuse_foreign_elise_options(spec);
  // The rate/LIF default (every 10 epochs) would rewrite the folder every 10 cycles of 25 ms.
  const int checkpoint_every = spec.was_given("--checkpoint-every") ? spec.training.checkpoint_every : kEliseCheckpointEvery;
  if (spec.resume) return elise_for_resume(spec, checkpoint_every);
  if (fs::exists(spec.out) && !spec.force) {
    throw InputError(fmt::format("{}: already exists (use --resume to continue it or --force to replace it)",
                                 spec.out.string()));
  }
  if (checkpoint_every < 0)
    throw InputError(fmt::format("--checkpoint-every must be 0 or more (got {})", checkpoint_every));
  refuse_inapplicable_elise_options(spec);
  const EliseTrainOptions& o = spec.elise;
  EliseTrainingSchedule schedule;
  schedule.cycles = o.cycles;
  schedule.free_run_every = o.free_run_every;
  schedule.plasticity_in_free_runs = !o.no_free_run_plasticity;
  schedule.max_shift_ms = o.max_shift_ms;
  schedule.validate();
  const EliseParameters params = elise_parameters(o);
  const ElisePattern pattern = elise_pattern(o, params, spec.seed);  // it fixes n_visible
  const EliseConfig config = elise_config(o, params, pattern.n_visible());
  EliseArtifact artifact{EliseNetwork(config, spec.seed), spec.seed, pattern.name, pattern.rates,
                         json{{"pattern", pattern_record(pattern, o, params, spec.seed)}}};
  return {std::move(artifact), schedule, EliseTrainingProgress{}, checkpoint_every};
}

void train_elise_into(EliseTraining& run, const fs::path& out, const TrainRunHooks& hooks) {
  EliseArtifact& artifact = run.artifact;
  const json pattern = artifact.training.value("pattern", json::object());
  auto record = [&](const EliseTrainingProgress& p) {
    json training = training_record_json(run.schedule, p);
    training["pattern"] = pattern;
    return training;
  };
  EliseTrainingHooks elise_hooks;
  elise_hooks.on_cycle = hooks.on_cycle;
  elise_hooks.checkpoint_every = run.checkpoint_every;
  elise_hooks.on_checkpoint = [&](const EliseTrainingProgress& p) {
    artifact.training = record(p);
    save_elise_artifact(out, artifact);
  };
  const int first = run.progress.cycles_done;
  train_elise(artifact.network, artifact.pattern_rates, run.schedule, run.progress, elise_hooks);
  if (run.progress.cycles_done == first) {  // nothing to train: still leave a complete artifact
    artifact.training = record(run.progress);
    save_elise_artifact(out, artifact);
  }
}

// Rate / LIF: trains, checkpointing into `out`.
template <typename Network>
void train_into(TrainedArtifact<Network>& artifact, const fs::path& out, const TrainRunHooks& hooks) {
  const auto task = make_task(artifact.task_name, artifact.task_params);
  TrainingHooks training_hooks;
  std::size_t rollbacks_reported = artifact.state.rollbacks.size();
  training_hooks.on_epoch = [&](const TrainingState& s) {
    for (; rollbacks_reported < s.rollbacks.size(); ++rollbacks_reported) {
      if (hooks.on_rollback) hooks.on_rollback(s.rollbacks[rollbacks_reported]);
    }
    if (hooks.on_epoch) hooks.on_epoch(s);
  };
  training_hooks.on_checkpoint = [&](const TrainingState& s) {
    artifact.state = s;
    save_artifact(out, artifact);
  };
  TrainingState state = std::move(artifact.state);
  train(artifact.network, *task, artifact.training, artifact.seed, state, training_hooks);
  artifact.state = std::move(state);
}

}  // namespace

const std::vector<std::string>& train_option_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const TrainOption& option : train_options()) out.push_back(option.name);
    return out;
  }();
  return names;
}

std::string canonical_train_option(const std::string& option) {
  return option == "--spike-penalty" ? "--rate-l1" : option;
}

void set_train_option(TrainSpec& spec, const std::string& name, const TrainOptionValue& value) {
  if (name.rfind("task-param.", 0) == 0) {
    const std::string param = name.substr(11);
    const std::string entry = param + "=" + value_text(value);
    if (const auto* text = std::get_if<std::string>(&value)) {  // a number written as a string, as on the command line
      double number = 0;
      const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), number);
      if (ec != std::errc() || end != text->data() + text->size()) {
        throw InputError(fmt::format("--task-param '{}={}': '{}' is not a number", param, *text, *text));
      }
      spec.task_params[param] = number;
    } else {
      spec.task_params[param] = converted<double>(value, "--task-param " + param);
    }
    spec.given.insert("--task-param");
    return;
  }
  const std::string option = canonical_train_option("--" + name);
  for (const TrainOption& entry : train_options()) {
    if (entry.name != option) continue;
    if (option == "--out") {
      spec.out = converted<std::string>(value, option);
      spec.given.insert(option);
    } else if (!entry.set) {
      break;
    } else {
      entry.set(spec, value, option);
    }
    return;
  }
  throw InputError(fmt::format("--{}: not an option of `neurofab train`", name));
}

RateRnnConfig rate_config(const TrainSpec& spec, const Task& task) {
  RateRnnConfig config;
  config.n_in = task.n_in();
  config.n_rec = spec.n;
  config.n_out = task.n_out();
  config.activation = activation_from_string(spec.activation);
  config.dt_ms = spec.dt_ms;
  config.tau_ms = spec.alpha > 0 ? spec.dt_ms / spec.alpha : spec.tau_ms;
  config.noise_sd = spec.noise;
  config.dale_ratio = spec.dale_ratio;
  config.frozen = {spec.freeze.begin(), spec.freeze.end()};
  return config;
}

LifRnnConfig lif_config(const TrainSpec& spec, const Task& task) {
  const LifTrainOptions& l = spec.lif;
  LifRnnConfig config;
  config.n_in = task.n_in();
  config.n_rec = spec.n;
  config.n_out = task.n_out();
  config.dt_ms = spec.dt_ms;
  config.tau_mem_ms = l.tau_mem_ms;
  config.tau_syn_ms = l.tau_syn_ms;
  config.tau_out_ms = l.tau_out_ms;
  config.threshold = l.threshold;
  config.reset = reset_mode_from_string(l.reset);
  config.refractory_steps = l.refractory_steps;
  config.encoding = input_encoding_from_string(l.encoding);
  config.encoding_gain = l.encoding_gain;
  config.delta_threshold = l.delta_threshold;
  config.surrogate = surrogate_from_string(l.surrogate);
  config.surrogate_slope = l.surrogate_slope;
  config.detach_reset = l.detach_reset;
  config.train_tau = l.train_tau;
  config.dale_ratio = spec.dale_ratio;
  config.frozen = {spec.freeze.begin(), spec.freeze.end()};
  return config;
}

NetworkInit network_init(const TrainSpec& spec) {
  NetworkInit init;
  init.w_rec = {init_scheme_from_string(spec.init), spec.gain, spec.density};
  init.w_in = {init_scheme_from_string(spec.init_in), 1.0, spec.density};
  init.w_out = {init_scheme_from_string(spec.init_out), 1.0, spec.density};
  init.rec_density = spec.rec_density;
  return init;
}

PreparedTraining prepare_training(const TrainSpec& spec) {
  // --model elise, or --resume of a folder that holds an ELiSe artifact.
  if (spec.is_elise() || (spec.resume && is_elise_artifact(spec.out))) return prepare_elise(spec);
  if (spec.resume) return load_for_resume(spec);
  if (fs::exists(spec.out) && !spec.force) {
    throw InputError(fmt::format("{}: already exists (use --resume to continue it or --force to replace it)",
                                 spec.out.string()));
  }
  const bool data = spec.was_given("--data") || !spec.data.empty();
  if (data) check_data_options(spec);
  if (spec.was_given("--success-mse") && !data) {
    throw InputError("--success-mse is the criterion of --data (a built-in task has its own)");
  }
  if (spec.task.empty() && !data) {
    throw InputError("--task is required (see `neurofab tasks`), or --data FILE.npz for your own trials");
  }
  if (spec.n <= 0) throw InputError(fmt::format("--n: must be positive (got {})", spec.n));
  if (spec.eval_trials <= 0) throw InputError(fmt::format("--eval-trials: must be positive (got {})", spec.eval_trials));
  refuse_other_family_options(spec);
  const auto task = data ? make_task(kDataTaskName, data_task_params(spec)) : make_task(spec.task, spec.task_params);
  return fresh_artifact(spec, *task);
}

void run_training(Artifact& artifact, const TrainSpec& spec, const TrainRunHooks& hooks) {
  std::visit([&](auto& a) { train_into(a, spec.out, hooks); }, artifact);
}

void run_training(EliseTraining& run, const TrainSpec& spec, const TrainRunHooks& hooks) {
  train_elise_into(run, spec.out, hooks);
}

void run_training(PreparedTraining& prepared, const TrainSpec& spec, const TrainRunHooks& hooks) {
  std::visit([&](auto& p) { run_training(p, spec, hooks); }, prepared);
}

std::string rollback_message(const Rollback& r) {
  return fmt::format("epoch {}: rolled back to the last good epoch ({}); learning rate now {:.1e}", r.epoch, r.reason,
                     r.learning_rate);
}

}  // namespace nf::models
