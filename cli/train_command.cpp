#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "commands.hpp"
#include "elise_commands.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/progress.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/tasks/task_data.hpp"
#include "neurofab/models/train_spec.hpp"
#include "neurofab/models/training.hpp"
#include "min_success.hpp"
#include "task_options.hpp"

namespace nf::cli {
namespace fs = std::filesystem;

namespace {

// The command line binds to a TrainSpec (models/train_spec.hpp: the options'
// checks and what they map to); --model and --task-param are text here.
struct TrainOptions {
  models::TrainSpec spec;
  std::string model = "rate";
  std::vector<std::string> task_params;
};

std::string epoch_fields(const models::TrainingState& s) {
  const auto& r = s.log.back();
  return fmt::format("loss {:.3e}  task {:.3e}  success {:5.1f}%  lr {:.1e}", r.loss, r.task_loss,
                     100 * r.validation_success, r.learning_rate);
}

// The test and OOD evaluation of the trained network.
template <typename Network>
void report(const models::TrainedArtifact<Network>& artifact, const std::string& description,
            const models::TrainSpec& o) {
  if (o.no_report) return;
  const fs::path out = o.out;
  const auto task = models::make_task(artifact.task_name, artifact.task_params);
  const models::TrainingState& state = artifact.state;

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
  // A data task's trials are the file's, not fresh ones (and its OOD variant is the same trials).
  const bool from_file = task->name() == models::kDataTaskName;
  fmt::print("  test ({} {}): MSE {:.3e}, success {:.1f}%   OOD: MSE {:.3e}, success {:.1f}%\n",
             eval.trials, from_file ? "trials drawn from the data file" : "fresh trials", eval.mse,
             100 * eval.success_rate, ood.mse, 100 * ood.success_rate);
  if (eval.activity) {
    fmt::print("  activity: {:.3f} spikes/unit/step ({:.1f} Hz), {:.1f} SynOps/step\n", eval.activity->mean_rate,
               eval.activity->mean_rate_hz, eval.activity->synops_per_step);
  }
  fmt::print("  artifact: {}\n", out.string());
  require_success(eval.success_rate, o.min_success_percent, out.string() + ": test success");
}

// Trains into spec.out with the progress line; a rollback is said even with
// --quiet (the run did not go as planned), and so is why training stopped.
void train(models::Artifact& artifact, const models::TrainSpec& o) {
  const auto [epochs_done, max_epochs] =
      std::visit([](const auto& a) { return std::pair{a.state.epochs_done, a.training.max_epochs}; }, artifact);
  ProgressReporter progress(stderr, epochs_done, max_epochs);
  models::TrainRunHooks hooks;
  hooks.on_rollback = [&](const models::Rollback& r) {
    if (!o.quiet && progress.is_terminal()) fmt::print(stderr, "\n");  // end the live line
    fmt::print(stderr, "{}\n", models::rollback_message(r));
  };
  if (!o.quiet) hooks.on_epoch = [&](const models::TrainingState& s) { progress.update(s.epochs_done, epoch_fields(s)); };
  models::run_training(artifact, o, hooks);
  std::visit(
      [&](const auto& a) {
        if (!o.quiet && !a.state.log.empty()) progress.finish(a.state.epochs_done, epoch_fields(a.state));
        if (!a.state.stopped.empty()) fmt::print(stderr, "{}\n", a.state.stopped);
      },
      artifact);
}

void run_train(TrainOptions& options, const CLI::App& cmd) {
  models::TrainSpec& o = options.spec;
  for (const CLI::Option* option : cmd.get_options()) {
    if (option->count() == 0 || option->get_lnames().empty()) continue;
    o.given.insert(models::canonical_train_option("--" + option->get_lnames().front()));
  }
  o.family = options.model == "elise" ? std::nullopt
                                      : std::optional(options.model == "lif" ? models::Family::kLif : models::Family::kRate);
  o.task_params = parse_task_params(options.task_params);
  models::PreparedTraining prepared = models::prepare_training(o);
  if (auto* elise = std::get_if<models::EliseTraining>(&prepared)) {
    if (o.check_only) return;
    return run_elise_train(*elise, o);
  }
  auto& artifact = std::get<models::Artifact>(prepared);
  if (o.resume && !o.quiet) {
    std::visit([&](const auto& a) {
      fmt::print(stderr, "resuming {} at epoch {} (task {}, seed {})\n", o.out.string(), a.state.epochs_done, a.task_name,
                 a.seed);
    }, artifact);
  }
  if (o.check_only) return;
  train(artifact, o);
  const std::string description = models::model_description(artifact);
  std::visit([&](const auto& a) { report(a, description, o); }, artifact);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "train", "Train a network on a task (--model elise: on a pattern) and save it as an artifact folder");
  auto options = std::make_shared<TrainOptions>();
  models::TrainSpec* o = &options->spec;
  auto& t = o->training;
  cmd->add_option("--task", o->task, "Task name (see `neurofab tasks`)");
  cmd->add_option("--task-param", options->task_params, "Task parameter NAME=VALUE (repeatable)");
  cmd->add_option("--data", o->data,
                  "Your own task instead of --task: an .npz file of inputs, targets and mask [T, B, C] "
                  "(docs/own-data.md)");
  cmd->add_option("--success-mse", o->success_mse,
                  "With --data: a trial succeeds when its masked MSE is below this (default: the file's "
                  "success_mse)");
  cmd->add_option("--model", options->model, "Model family (elise: docs/elise.md)")
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
  cmd->add_flag("--no-report", o->no_report)->group("");  // scripts that evaluate on their own
  cmd->add_flag("--check-only", o->check_only)->group("");
  cmd->add_option("--eval-trials", o->eval_trials, "Trials of the final evaluation")->check(CLI::PositiveNumber);
  add_min_success_option(*cmd, o->min_success_percent);
  cmd->add_option("--batch", t.batch_size, "Minibatch size");
  t.threads = 0;
  cmd->add_option("--threads", t.threads,
                  "Threads of each training step (0 = every core); the trained network is the same for any count")
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            int value = 0;
            return CLI::detail::lexical_cast(text, value) && value >= 0
                       ? ""
                       : "must be a whole number >= 0 (0 uses every core), got '" + text + "'";
          },
          "INT >= 0"));
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
  // One list of train's options: the models library checks them by these names.
  for (const CLI::Option* option : cmd->get_options()) {
    if (option->get_lnames().empty() || option->get_lnames().front() == "help") continue;
    const std::string name = "--" + option->get_lnames().front();
    const auto& known = models::train_option_names();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw std::logic_error(name + " is not in models::train_option_names()");
    }
  }
  cmd->callback([options, cmd] { run_train(*options, *cmd); });
}

}  // namespace nf::cli
