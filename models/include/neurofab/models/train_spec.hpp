#pragma once
// TrainSpec: every option of `neurofab train` as a typed value, the checks
// train makes on them, and what they map to — the model configuration, the
// initial artifact (or the one a resumed run continues) and the training run
// that checkpoints into the artifact folder. The CLI binds its options to a
// TrainSpec; a training sweep (analysis/training_sweep.hpp) builds one per
// run from its sweep file with set_train_option. Neither passes command-line
// text to the other.
//
// Which options were *given* matters, not only their values: an option of
// another model family is refused, a resumed run takes no settings but
// --epochs (ELiSe: --cycles), and ELiSe checkpoints on its own interval unless
// --checkpoint-every is given. TrainSpec::given holds the names of the options
// set, as the command line spells them ("--tau-mem").
//
// Names of schemes and modes (--init, --activation, --reset, ...) stay the text
// the user wrote until prepare_training() resolves them, so an unknown name is
// reported with the library's message, in the order train always checked.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "neurofab/models/artifact.hpp"
#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/elise/schedule.hpp"
#include "neurofab/models/family.hpp"
#include "neurofab/models/training.hpp"

namespace nf::models {

// Options of the LIF family (LifRnnConfig), in user units.
struct LifTrainOptions {
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

// Options of `train --model elise` that no other model family has (docs/elise.md).
struct EliseTrainOptions {
  std::string pattern;
  int latent = 50;
  int cycles = 10000;
  int free_run_every = 20;
  bool no_free_run_plasticity = false;
  std::string variant = "elise";
  std::string connectivity = "all_to_all";
  int in_degree = 10;
  double sparse_density = 0.16;
  double p = 0.2;
  double q = 0.15;
  double p0 = 0.04;
  double bin_ms = 10.0;
  int visible = 13;  // random / repeated patterns
  int slots = 25;    // random / repeated patterns
  double max_shift_ms = 25.0;
};

// Cycles between ELiSe checkpoints when --checkpoint-every is not given (a few seconds of training).
inline constexpr int kEliseCheckpointEvery = 1000;

struct TrainSpec {
  // --model: a Family, or none for ELiSe (models/elise), which has no fixed-point path and so is no Family.
  std::optional<Family> family = Family::kRate;
  std::string task;
  std::map<std::string, double> task_params;
  // --data: the trials of the user's own task, an .npz file (models/tasks/task_data.hpp,
  // docs/own-data.md), instead of --task; --success-mse: its criterion, which replaces the
  // file's success_mse (and is required when the file has none).
  std::filesystem::path data;
  double success_mse = 0;
  int n = 50;
  std::string init = "normal";
  double gain = 1.0;
  double density = 0.1;
  std::string init_in = "glorot_uniform";
  std::string init_out = "glorot_uniform";
  double rec_density = 1.0;
  double dt_ms = 1.0;
  // Rate family.
  std::string activation = "tanh";
  double alpha = -1;  // if > 0, sets tau = dt / alpha
  double tau_ms = 1.0;
  double noise = 0.0;
  LifTrainOptions lif;
  EliseTrainOptions elise;
  double dale_ratio = 0.0;
  std::vector<std::string> freeze;
  std::uint64_t seed = 1;
  // The artifact folder, and what to do when it exists.
  std::filesystem::path out;
  bool resume = false;
  bool force = false;
  // Reporting (the CLI's): progress, the final evaluation and its requirement.
  bool quiet = false;
  bool no_report = false;   // no final evaluation and report (a training sweep evaluates itself)
  bool check_only = false;  // check every option and build the fresh network, train nothing
  int eval_trials = 512;
  double min_success_percent = -1;  // < 0: no requirement
  TrainingConfig training;
  // The options given, as the command line spells them ("--tau-mem"; an alias
  // under its first name: "--rate-l1" for --spike-penalty).
  std::set<std::string> given;

  bool is_elise() const { return !family.has_value(); }
  bool was_given(const std::string& option) const { return given.count(option) > 0; }
};

// The options of `train`, in the order the CLI registers them (the first
// offending option is the one an error names). Each is "--name"; the CLI's
// short forms (-n, -o, -q) and the alias --spike-penalty are not listed.
const std::vector<std::string>& train_option_names();
// "--spike-penalty" -> "--rate-l1"; every other name as it is.
std::string canonical_train_option(const std::string& option);

// A value for set_train_option, as a structured file (a sweep's TOML) holds it.
using TrainOptionValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;

// Sets option `name` ("epochs", "tau-mem", "task-param.bits": a sweep file's
// keys, the option without its dashes) to `value` and records it as given.
// `false` for a flag leaves it unset, as leaving the flag out does. Numbers
// convert where no precision is lost (an integer to a real, 4.0 to 4); a list
// is also accepted as one comma-separated string. Throws nf::InputError naming
// the option for an unknown name or a value of the wrong kind.
void set_train_option(TrainSpec& spec, const std::string& name, const TrainOptionValue& value);

// What a TrainSpec trains, checked and built (prepare_training).
struct EliseTraining {
  EliseArtifact artifact;
  EliseTrainingSchedule schedule;
  EliseTrainingProgress progress;
  int checkpoint_every = kEliseCheckpointEvery;  // cycles; 0: at the end only
};
using PreparedTraining = std::variant<Artifact, EliseTraining>;

// Checks the options exactly as `neurofab train` does, in the same order and
// with the same messages (nf::InputError), and builds the network to train:
// fresh, or with spec.resume the artifact in spec.out (its settings kept, only
// --epochs / --cycles may change). With spec.check_only the result is only
// what was checked and must not be trained.
PreparedTraining prepare_training(const TrainSpec& spec);

// The rate/LIF model configuration and initialisation the options map to.
RateRnnConfig rate_config(const TrainSpec& spec, const Task& task);
LifRnnConfig lif_config(const TrainSpec& spec, const Task& task);
NetworkInit network_init(const TrainSpec& spec);

struct TrainRunHooks {
  std::function<void(const Rollback&)> on_rollback;           // each rollback, as it happens
  std::function<void(const TrainingState&)> on_epoch;          // rate/LIF: after every epoch (after on_rollback)
  std::function<void(const EliseTrainingProgress&)> on_cycle;  // ELiSe: after every cycle
};

// Trains what prepare_training built, checkpointing into spec.out; on return
// the artifact's state (ELiSe: progress) is where training ended, and the
// folder holds the finished artifact.
void run_training(PreparedTraining& prepared, const TrainSpec& spec, const TrainRunHooks& hooks = {});
void run_training(Artifact& artifact, const TrainSpec& spec, const TrainRunHooks& hooks = {});
void run_training(EliseTraining& run, const TrainSpec& spec, const TrainRunHooks& hooks = {});

// "epoch 12: rolled back to the last good epoch (non-finite loss); learning rate now 5.0e-04"
std::string rollback_message(const Rollback& rollback);

}  // namespace nf::models
