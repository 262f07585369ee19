#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "commands.hpp"
#include "elise_commands.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/progress.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/training.hpp"
#include "min_success.hpp"
#include "task_options.hpp"

namespace nf::cli {
namespace fs = std::filesystem;

namespace {

// Options of the LIF model family (LifRnnConfig), in user units.
struct LifOptions {
  double tau_mem_ms = 20.0;
  double tau_syn_ms = 5.0;
  double tau_out_ms = 20.0;
  double threshold = 1.0;
  std::string reset = "subtract";
  int refractory_steps = 0;
  std::string encoding = "current";
  double encoding_gain = 1.0;
  double delta_threshold = 0.5;
  std::string surrogate = "fast_sigmoid";
  double surrogate_slope = 5.0;
  bool detach_reset = false;
  bool train_tau = false;
};

// Options that belong to one model family only: given for the other, they are refused.
const std::vector<std::string> kRateOnlyOptions = {"--activation", "--alpha", "--tau", "--noise"};
const std::vector<std::string> kLifOnlyOptions = {
    "--tau-mem",  "--tau-syn",   "--tau-out",     "--threshold",    "--reset",        "--refractory",
    "--encoding", "--encoding-gain", "--delta-threshold", "--surrogate", "--surrogate-slope", "--detach-reset",
    "--train-tau", "--target-rate", "--target-rate-weight"};

struct TrainOptions {
  std::string task;
  std::vector<std::string> task_params;
  std::string model = "rate";
  int n = 50;
  std::string init = "normal";
  double gain = 1.0;
  double density = 0.1;
  std::string init_in = "glorot_uniform";
  std::string init_out = "glorot_uniform";
  double rec_density = 1.0;
  std::string activation = "tanh";
  double alpha = -1;  // if given, sets tau = dt / alpha
  double dt_ms = 1.0;
  double tau_ms = 1.0;
  double noise = 0.0;
  double dale_ratio = 0.0;
  std::vector<std::string> freeze;
  std::uint64_t seed = 1;
  std::string out;
  bool resume = false;
  bool force = false;
  bool quiet = false;
  bool no_report = false;   // hidden: the sweep trains in-process and evaluates itself
  bool check_only = false;  // hidden: build the fresh network and stop (the sweep checks its runs up front)
  int eval_trials = 512;
  double min_success_percent = -1;  // < 0: no requirement
  LifOptions lif;
  EliseTrainOptions elise;
  models::TrainingConfig training;
};

std::string epoch_fields(const models::TrainingState& s) {
  const auto& r = s.log.back();
  return fmt::format("loss {:.3e}  task {:.3e}  success {:5.1f}%  lr {:.1e}", r.loss, r.task_loss,
                     100 * r.validation_success, r.learning_rate);
}

void refuse_other_family_options(const TrainOptions& o, const CLI::App& cmd) {
  const auto& foreign = o.model == "rate" ? kLifOnlyOptions : kRateOnlyOptions;
  for (const auto& name : foreign) {
    if (cmd.count(name) > 0) {
      throw InputError(fmt::format("{} is an option of the {} model, not of --model {}", name,
                                   o.model == "rate" ? "lif" : "rate", o.model));
    }
  }
  for (const auto& name : elise_only_train_options()) {
    if (cmd.count(name) > 0) {
      throw InputError(fmt::format("{} is an option of the elise model, not of --model {}", name, o.model));
    }
  }
}

// --model elise, or --resume of a folder that holds an ELiSe artifact.
bool is_elise_run(const TrainOptions& o) {
  return o.model == "elise" || (o.resume && models::is_elise_artifact(o.out));
}

void run_elise(const TrainOptions& o, const CLI::App& cmd) {
  EliseCommonTrainOptions common;
  common.seed = o.seed;
  common.out = o.out;
  common.resume = o.resume;
  common.force = o.force;
  common.quiet = o.quiet;
  common.no_report = o.no_report;
  common.check_only = o.check_only;
  // The rate/LIF default (every 10 epochs) would rewrite the folder every 10 cycles of 25 ms;
  // ELiSe checkpoints every kEliseCheckpointEvery cycles unless --checkpoint-every is given.
  common.checkpoint_every = cmd.count("--checkpoint-every") > 0 ? o.training.checkpoint_every : kEliseCheckpointEvery;
  run_elise_train(o.elise, common, cmd);
}

models::NetworkInit network_init(const TrainOptions& o) {
  models::NetworkInit init;
  init.w_rec = {models::init_scheme_from_string(o.init), o.gain, o.density};
  init.w_in = {models::init_scheme_from_string(o.init_in), 1.0, o.density};
  init.w_out = {models::init_scheme_from_string(o.init_out), 1.0, o.density};
  init.rec_density = o.rec_density;
  return init;
}

models::RateRnnArtifact fresh_rate_artifact(const TrainOptions& o, const models::Task& task) {
  models::RateRnnConfig config;
  config.n_in = task.n_in();
  config.n_rec = o.n;
  config.n_out = task.n_out();
  config.activation = models::activation_from_string(o.activation);
  config.dt_ms = o.dt_ms;
  config.tau_ms = o.alpha > 0 ? o.dt_ms / o.alpha : o.tau_ms;
  config.noise_sd = o.noise;
  config.dale_ratio = o.dale_ratio;
  config.frozen = {o.freeze.begin(), o.freeze.end()};
  const models::NetworkInit init = network_init(o);
  return {models::make_rate_rnn(config, init, o.seed), init, task.name(), task.param_values(), o.seed, o.training, {}};
}

models::LifRnnArtifact fresh_lif_artifact(const TrainOptions& o, const models::Task& task) {
  const LifOptions& l = o.lif;
  models::LifRnnConfig config;
  config.n_in = task.n_in();
  config.n_rec = o.n;
  config.n_out = task.n_out();
  config.dt_ms = o.dt_ms;
  config.tau_mem_ms = l.tau_mem_ms;
  config.tau_syn_ms = l.tau_syn_ms;
  config.tau_out_ms = l.tau_out_ms;
  config.threshold = l.threshold;
  config.reset = models::reset_mode_from_string(l.reset);
  config.refractory_steps = l.refractory_steps;
  config.encoding = models::input_encoding_from_string(l.encoding);
  config.encoding_gain = l.encoding_gain;
  config.delta_threshold = l.delta_threshold;
  config.surrogate = models::surrogate_from_string(l.surrogate);
  config.surrogate_slope = l.surrogate_slope;
  config.detach_reset = l.detach_reset;
  config.train_tau = l.train_tau;
  config.dale_ratio = o.dale_ratio;
  config.frozen = {o.freeze.begin(), o.freeze.end()};
  const models::NetworkInit init = network_init(o);
  return {models::make_lif_rnn(config, init, o.seed), init, task.name(), task.param_values(), o.seed, o.training, {}};
}

models::Artifact fresh_artifact(const TrainOptions& o, const models::Task& task) {
  o.training.validate();
  models::Artifact artifact = o.model == "lif" ? models::Artifact(fresh_lif_artifact(o, task))
                                               : models::Artifact(fresh_rate_artifact(o, task));
  std::visit([&](auto& a) { a.state.optimizer = models::Adam(o.training.adam); }, artifact);
  return artifact;
}

models::Artifact load_for_resume(const TrainOptions& o, const CLI::App& cmd) {
  for (const CLI::Option* option : cmd.get_options()) {
    const std::string name = option->get_name();
    if (option->count() > 0 && name != "--resume" && name != "--out" && name != "--epochs" && name != "--quiet" &&
        name != "--eval-trials" && name != "--help" && name != "--no-report" && name != "--min-success") {
      throw InputError(fmt::format(
          "{} cannot be combined with --resume: a resumed run keeps the artifact's settings (only --epochs "
          "may change)", name));
    }
  }
  models::Artifact artifact = models::load_artifact(o.out);
  std::visit(
      [&](auto& a) {
        if (cmd.count("--epochs")) a.training.max_epochs = o.training.max_epochs;
        if (!o.quiet) fmt::print(stderr, "resuming {} at epoch {} (task {}, seed {})\n", o.out, a.state.epochs_done, a.task_name,
                   a.seed);
      },
      artifact);
  return artifact;
}

// Trains, checkpointing into `out`, then reports the test and OOD evaluation.
template <typename Network>
void train_and_report(models::TrainedArtifact<Network>& artifact, const std::string& description,
                      const TrainOptions& o) {
  const fs::path out = o.out;
  const auto task = models::make_task(artifact.task_name, artifact.task_params);
  ProgressReporter progress(stderr, artifact.state.epochs_done, artifact.training.max_epochs);
  models::TrainingHooks hooks;
  std::size_t rollbacks_reported = artifact.state.rollbacks.size();
  hooks.on_epoch = [&](const models::TrainingState& s) {
    // A rollback is said even with --quiet: the run did not go as planned.
    for (; rollbacks_reported < s.rollbacks.size(); ++rollbacks_reported) {
      const models::Rollback& r = s.rollbacks[rollbacks_reported];
      if (!o.quiet && progress.is_terminal()) fmt::print(stderr, "\n");  // end the live line
      fmt::print(stderr, "epoch {}: rolled back to the last good epoch ({}); learning rate now {:.1e}\n", r.epoch,
                 r.reason, r.learning_rate);
    }
    if (!o.quiet) progress.update(s.epochs_done, epoch_fields(s));
  };
  hooks.on_checkpoint = [&](const models::TrainingState& s) {
    artifact.state = s;
    models::save_artifact(out, artifact);
  };
  models::TrainingState state = std::move(artifact.state);
  models::train(artifact.network, *task, artifact.training, artifact.seed, state, hooks);
  if (!o.quiet && !state.log.empty()) progress.finish(state.epochs_done, epoch_fields(state));
  if (!state.stopped.empty()) fmt::print(stderr, "{}\n", state.stopped);
  if (o.no_report) return;

  const auto eval = models::evaluate(artifact.network, *task, o.eval_trials, artifact.seed);
  const auto ood_task = models::make_ood_task(*task);
  const auto ood = models::evaluate(artifact.network, *ood_task, o.eval_trials, artifact.seed);
  const std::string convergence =
      state.converged_epoch >= 0 ? fmt::format("loss threshold reached at epoch {}", state.converged_epoch)
                                 : "loss threshold not reached";
  fmt::print("trained {} on '{}' (N = {}, seed {}): {} epochs, {}\n", description, task->name(),
             artifact.network.config().n_rec, artifact.seed, state.epochs_done, convergence);
  if (state.best.epoch > 0) {
    fmt::print("  kept the best network: epoch {} (validation success {:.1f}%, MSE {:.3e}){}\n", state.best.epoch,
               100 * state.best.validation_success, state.best.validation_loss,
               state.rollbacks.empty() ? ""
                                       : fmt::format("; {} divergent epoch(s) rolled back", state.rollbacks.size()));
  }
  fmt::print("  test ({} fresh trials): MSE {:.3e}, success {:.1f}%   OOD: MSE {:.3e}, success {:.1f}%\n",
             eval.trials, eval.mse, 100 * eval.success_rate, ood.mse, 100 * ood.success_rate);
  if (eval.activity) {
    fmt::print("  activity: {:.3f} spikes/unit/step ({:.1f} Hz), {:.1f} SynOps/step\n", eval.activity->mean_rate,
               eval.activity->mean_rate_hz, eval.activity->synops_per_step);
  }
  fmt::print("  artifact: {}\n", out.string());
  require_success(eval.success_rate, o.min_success_percent, out.string() + ": test success");
}

void run_train(const TrainOptions& o, const CLI::App& cmd) {
  if (is_elise_run(o)) return run_elise(o, cmd);
  const fs::path out = o.out;
  models::Artifact artifact = [&] {
    if (o.resume) return load_for_resume(o, cmd);
    if (fs::exists(out) && !o.force) {
      throw InputError(fmt::format("{}: already exists (use --resume to continue it or --force to replace it)",
                                   out.string()));
    }
    if (o.task.empty()) throw InputError("--task is required (see `neurofab tasks`)");
    refuse_other_family_options(o, cmd);
    const auto task = models::make_task(o.task, parse_task_params(o.task_params));
    return fresh_artifact(o, *task);
  }();
  if (o.check_only) return;
  const std::string description = models::model_description(artifact);
  std::visit([&](auto& a) { train_and_report(a, description, o); }, artifact);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "train", "Train a network on a task (--model elise: on a pattern) and save it as an artifact folder");
  auto o = std::make_shared<TrainOptions>();
  auto& t = o->training;
  cmd->add_option("--task", o->task, "Task name (see `neurofab tasks`)");
  cmd->add_option("--task-param", o->task_params, "Task parameter NAME=VALUE (repeatable)");
  cmd->add_option("--model", o->model, "Model family (elise: docs/elise.md)")
      ->check(CLI::IsMember({"rate", "lif", "elise"}));
  cmd->add_option("-n,--n", o->n, "Number of recurrent units N")->check(CLI::PositiveNumber);
  cmd->add_option("--init", o->init, "W_rec initialisation: " + models::init_scheme_names());
  cmd->add_option("--gain", o->gain, "Gain g of the W_rec initialisation");
  cmd->add_option("--density", o->density, "Density of the 'sparse' initialisation");
  cmd->add_option("--init-in", o->init_in, "W_in initialisation");
  cmd->add_option("--init-out", o->init_out, "W_out initialisation");
  cmd->add_option("--rec-density", o->rec_density, "Fixed connectivity mask: fraction of recurrent synapses present");
  cmd->add_option("--dt", o->dt_ms, "Step dt in ms");
  cmd->add_option("--activation", o->activation, "[rate] tanh or relu");
  cmd->add_option("--alpha", o->alpha, "[rate] Leak alpha = dt/tau (overrides --tau)");
  cmd->add_option("--tau", o->tau_ms, "[rate] Time constant tau in ms");
  cmd->add_option("--noise", o->noise, "[rate] Recurrent noise sd sigma");
  auto& l = o->lif;
  cmd->add_option("--tau-mem", l.tau_mem_ms, "[lif] Membrane time constant in ms (beta = exp(-dt/tau_mem))");
  cmd->add_option("--tau-syn", l.tau_syn_ms, "[lif] Synaptic time constant in ms; 0 = current-free neuron");
  cmd->add_option("--tau-out", l.tau_out_ms, "[lif] Readout time constant in ms; 0 = memory-less readout");
  cmd->add_option("--threshold", l.threshold, "[lif] Firing threshold theta");
  cmd->add_option("--reset", l.reset, "[lif] Reset: subtract or zero");
  cmd->add_option("--refractory", l.refractory_steps, "[lif] Refractory period in steps");
  cmd->add_option("--encoding", l.encoding, "[lif] Input encoding: current, poisson or delta");
  cmd->add_option("--encoding-gain", l.encoding_gain, "[lif] Poisson: spike probability per step per unit input");
  cmd->add_option("--delta-threshold", l.delta_threshold, "[lif] Delta encoding: input change per event");
  cmd->add_option("--surrogate", l.surrogate, "[lif] Surrogate gradient: fast_sigmoid, atan or triangle");
  cmd->add_option("--surrogate-slope", l.surrogate_slope, "[lif] Slope k of the surrogate");
  cmd->add_flag("--detach-reset", l.detach_reset, "[lif] No gradient through the reset");
  cmd->add_flag("--train-tau", l.train_tau, "[lif] Train the per-unit decays beta and alpha_syn");
  add_elise_train_options(*cmd, o->elise);
  cmd->add_option("--dale-ratio", o->dale_ratio, "Fraction of excitatory units (Dale's law); 0 = off");
  cmd->add_option("--freeze", o->freeze, "Tensors not trained: W_in W_rec b_rec W_out b_out (lif: beta alpha_syn)")
      ->delimiter(',');
  cmd->add_option("--seed", o->seed, "Seed of initialisation, data and noise");
  cmd->add_option("-o,--out", o->out, "Artifact folder to write")->required();
  cmd->add_flag("--resume", o->resume,
                "Continue the run in --out from its last checkpoint; the model, task and training options are "
                "the artifact's, only --epochs may be raised");
  cmd->add_flag("--force", o->force, "Replace an existing --out folder");
  cmd->add_flag("-q,--quiet", o->quiet, "No progress output");
  cmd->add_flag("--no-report", o->no_report)->group("");  // see train_from_arguments
  cmd->add_flag("--check-only", o->check_only)->group("");
  cmd->add_option("--eval-trials", o->eval_trials, "Trials of the final evaluation")->check(CLI::PositiveNumber);
  add_min_success_option(*cmd, o->min_success_percent);
  cmd->add_option("--batch", t.batch_size, "Minibatch size");
  cmd->add_option("--epochs", t.max_epochs, "Maximum epochs");
  cmd->add_option("--steps-per-epoch", t.steps_per_epoch, "Minibatches per epoch");
  cmd->add_option("--lr", t.learning_rate, "Adam learning rate");
  cmd->add_option("--clip", t.clip_norm, "Gradient-norm clipping (0 = off)");
  cmd->add_option("--l2", t.regularization.l2_weights, "L2 weight penalty (mean of squares)");
  cmd->add_option("--l1", t.regularization.l1_weights, "L1 weight penalty (mean of magnitudes)");
  cmd->add_option("--rate-l2", t.regularization.l2_rates, "L2 activity penalty: mean h^2 (rate), mean s^2 (lif)");
  cmd->add_option("--rate-l1,--spike-penalty", t.regularization.l1_rates,
                  "L1 activity penalty: mean |h| (rate); for lif the cost per spike, mean s");
  cmd->add_option("--target-rate", t.regularization.target_rate, "[lif] Target firing rate, spikes/unit/step");
  cmd->add_option("--target-rate-weight", t.regularization.target_rate_weight,
                  "[lif] Weight of the firing-rate term mean_i (r_i - target)^2");
  cmd->add_option("--loss-threshold", t.loss_threshold, "Stop when the epoch MSE is below (default: the task's)");
  cmd->add_option("--extra-epochs", t.extra_epochs, "Epochs after reaching the threshold");
  cmd->add_option("--patience", t.plateau_patience, "Plateau epochs before halving the learning rate");
  cmd->add_option("--checkpoint-every", t.checkpoint_every,
                  "Epochs (elise: cycles) between checkpoints (0 = at the end only)");
  cmd->add_option("--validation-trials", t.validation_trials,
                  "Trials of the per-epoch validation batch (it picks the best network, which is saved)");
  cmd->add_option("--divergence-factor", t.divergence_factor,
                  "Roll an epoch back when its loss exceeds this x the lowest, once converged (0 = off)");
  cmd->add_option("--max-rollbacks", t.max_rollbacks, "Rollbacks after divergence before training stops");
  cmd->add_flag("--loss-on-scored-steps", t.loss_on_scored_steps,
                "Leave the steps the task's success criterion does not score (grace after a switch) out of the loss");
  cmd->callback([o, cmd] { run_train(*o, *cmd); });
}

void train_from_arguments(const std::vector<std::string>& arguments) {
  CLI::App app{"neurofab"};
  add_train_command(app);
  std::vector<std::string> reversed = {"train"};
  reversed.insert(reversed.end(), arguments.begin(), arguments.end());
  std::reverse(reversed.begin(), reversed.end());  // CLI11 takes the arguments as a reversed vector
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw InputError(e.what());
  }
}

}  // namespace nf::cli
