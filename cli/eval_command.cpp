#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "elise_commands.hpp"
#include "min_success.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/npz.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/tasks/task_data.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/models/trajectories.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/integer_trajectories.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::cli {

namespace {

namespace fs = std::filesystem;

// A dump above this is refused before anything runs; above kDumpWarnBytes it is written with a warning.
// The arrays are held in memory twice while the archive is assembled (the record and the archive's copy).
constexpr std::int64_t kDumpLimitBytes = std::int64_t{1} << 30;
constexpr std::int64_t kDumpWarnBytes = std::int64_t{128} << 20;

struct Options {
  std::string dir;
  int trials = 512;
  std::uint64_t seed = 0;
  bool json = false;
  double min_success_percent = -1;
  std::string dump;      // --dump FILE.npz: the trials' trajectories
  std::string data;      // --data FILE.npz: the trials of a data file instead of the task's
  double success_mse = -1;  // with --data: the criterion when the file has none
};

std::string size_text(std::int64_t bytes) {
  const double b = static_cast<double>(bytes);
  return b >= (1 << 30) ? fmt::format("{:.1f} GiB", b / (1 << 30)) : fmt::format("{:.1f} MiB", b / (1 << 20));
}

// The trials eval runs: `trials` evaluation trials of the artifact's task, or
// the first `trials` of a data file, in its order, judged by its criterion.
struct Trials {
  std::unique_ptr<models::Task> task;       // scores the trials (for --data: the data task)
  std::unique_ptr<models::Task> ood_task;   // none for --data
  std::optional<models::Batch> data_batch;  // --data: the file's trials
  int trials = 0;
  std::uint64_t seed = 0;
  std::string source;  // for people: "'flipflop'" or "data.npz"

  int steps() const { return data_batch ? data_batch->n_steps : task->n_steps(); }

  template <typename Config>
  models::EvaluationTrials of(const Config& config) const {
    if (data_batch) return models::evaluation_trials(*data_batch, config, seed);
    return models::evaluation_trials(*task, config, trials, seed);
  }

  // "success rate" with the criterion named where it is not the task's own.
  std::string success_label() const {
    return data_batch ? fmt::format("   (masked MSE per trial < {:g}, the data's criterion)", task->param("success_mse"))
                      : std::string();
  }
};

// The first `count` trials of a batch, in order.
models::Batch first_trials(const models::Batch& batch, int count) {
  if (count == batch.batch_size) return batch;
  models::Batch out;
  out.n_steps = batch.n_steps;
  out.batch_size = count;
  const Eigen::Index columns = Eigen::Index{batch.n_steps} * count;
  out.inputs.resize(batch.inputs.rows(), columns);
  out.targets.resize(batch.targets.rows(), columns);
  out.mask.resize(batch.mask.rows(), columns);
  for (int t = 0; t < batch.n_steps; ++t) {  // step t's first `count` columns are contiguous in both
    out.inputs.middleCols(out.column(t, 0), count) = batch.inputs.middleCols(batch.column(t, 0), count);
    out.targets.middleCols(out.column(t, 0), count) = batch.targets.middleCols(batch.column(t, 0), count);
    out.mask.middleCols(out.column(t, 0), count) = batch.mask.middleCols(batch.column(t, 0), count);
  }
  return out;
}

Trials choose_trials(const Options& o, const std::string& task_name, const std::map<std::string, double>& task_params,
                     std::uint64_t seed, bool trials_given, int n_in, int n_out) {
  Trials t;
  t.seed = seed;
  if (o.data.empty()) {
    t.task = models::make_task(task_name, task_params);
    t.ood_task = models::make_ood_task(*t.task);
    t.trials = o.trials;
    t.source = fmt::format("'{}'", t.task->name());
    return t;
  }
  models::TaskData data = models::load_task_data(o.data);
  const models::Batch& file = data.batch;
  if (file.inputs.rows() != n_in || file.targets.rows() != n_out) {
    throw InputError(fmt::format("{}: its trials have {} inputs and {} outputs per step, the network {} and {}", o.data,
                                 file.inputs.rows(), file.targets.rows(), n_in, n_out));
  }
  if (trials_given && o.trials > file.batch_size) {
    throw InputError(fmt::format("--trials {}: {} holds {} trials", o.trials, o.data, file.batch_size));
  }
  std::map<std::string, double> params = models::register_task_data(o.data);
  if (o.success_mse > 0) params["success_mse"] = o.success_mse;
  t.task = models::make_task(models::kDataTaskName, params);
  t.trials = trials_given ? o.trials : file.batch_size;
  t.data_batch = first_trials(file, t.trials);
  t.source = o.data;
  return t;
}

// --dump FILE: its folder must exist, and the file must not be a folder — checked before anything runs.
void check_dump_path(const std::string& dump) {
  const fs::path path(dump);
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw InputError(fmt::format("--dump {}: the folder '{}' does not exist", dump, folder.string()));
  }
  if (fs::is_directory(path, ec)) {
    throw InputError(fmt::format("--dump {}: is a folder; give a file name such as {}", dump,
                                 (path / "trajectories.npz").string()));
  }
}

void check_dump_size(const Options& o, const Trials& t, std::int64_t bytes) {
  if (bytes > kDumpLimitBytes) {
    throw InputError(fmt::format("--dump {}: {} trials x {} steps of this network take {} (limit {}); dump fewer "
                                 "trials (--trials)",
                                 o.dump, t.trials, t.steps(), size_text(bytes), size_text(kDumpLimitBytes)));
  }
  if (bytes > kDumpWarnBytes) {
    fmt::print(stderr, "neurofab: warning: --dump {}: {} trials x {} steps take {} of memory and disk\n", o.dump,
               t.trials, t.steps(), size_text(bytes));
  }
}

// The edge: the arrays as one .npz archive, written atomically.
void save_npz(const models::NamedArrays& arrays, const std::string& path) {
  NpzWriter writer(path);
  for (const models::NamedArray& a : arrays.arrays()) {
    std::visit([&](const auto* data) { writer.add(a.name, a.shape, data); }, a.data);
  }
  writer.commit();
}

double success_of(const models::NamedArrays& arrays) {
  const models::NamedArray& s = arrays.at("success");
  const std::uint8_t* ok = arrays.data<std::uint8_t>("success");
  double n = 0;
  for (std::int64_t b = 0; b < s.size(); ++b) n += ok[b];
  return s.size() > 0 ? n / static_cast<double>(s.size()) : 0.0;
}

// Writes the dump and reports it: a line, or the "dump" field of --json.
void write_dump(const Options& o, const Trials& t, const models::NamedArrays& arrays, const std::string& what,
                double evaluated_success, nlohmann::json* json) {
  save_npz(arrays, o.dump);
  const double success = success_of(arrays);
  if (json != nullptr) {
    (*json)["dump"] = {{"file", o.dump},   {"content", what},          {"trials", t.trials},
                       {"steps", t.steps()}, {"bytes", arrays.bytes()}, {"success_rate", success}};
    return;
  }
  fmt::print("  trajectories      {} trials x {} steps, {} → {} ({})\n", t.trials, t.steps(), what, o.dump,
             size_text(arrays.bytes()));
  if (success != evaluated_success) {
    fmt::print("                    success {:.1f}% in the dump against {:.1f}% evaluated above (a potential "
               "within float32 rounding of the threshold)\n",
               100 * success, 100 * evaluated_success);
  }
}

// What both levels report first: the run, loss, success and OOD scores (none for --data).
template <typename Result>
nlohmann::json scores_json(const Options& o, const std::string& description, const Trials& t, const Result& result,
                           const std::optional<Result>& ood) {
  nlohmann::json j = {{"artifact", o.dir}, {"model_type", description}, {"task", t.task->name()},
                      {"trials", t.trials}, {"seed", t.seed},            {"loss", result.mse},
                      {"success_rate", result.success_rate}};
  if (ood) {
    j["ood_loss"] = ood->mse;
    j["ood_success_rate"] = ood->success_rate;
  } else {
    j["data"] = o.data;
    j["success_mse"] = t.task->param("success_mse");
  }
  return j;
}

template <typename Result>
void print_scores(const Options& o, const std::string& description, int n_rec, const Trials& t, const Result& result,
                  const std::optional<Result>& ood) {
  fmt::print("{}: {} on {}, N = {}, {} trials (seed {})\n", o.dir, description, t.source, n_rec, t.trials, t.seed);
  fmt::print("  loss (MSE)        {:.4e}\n", result.mse);
  fmt::print("  success rate      {:.1f}%{}\n", 100 * result.success_rate, t.success_label());
  if (ood) {
    fmt::print("  OOD loss (MSE)    {:.4e}   ({} steps per trial)\n", ood->mse, t.ood_task->n_steps());
    fmt::print("  OOD success rate  {:.1f}%\n", 100 * ood->success_rate);
  }
}

template <typename Network>
double report(const models::TrainedArtifact<Network>& artifact, const std::string& description, const Options& o,
              const Trials& t) {
  const auto& config = artifact.network.config();
  if (!o.dump.empty()) check_dump_size(o, t, models::float_trajectory_bytes(config, t.steps(), t.trials));
  const models::EvaluationTrials trials = t.of(config);
  const auto result = models::evaluate(artifact.network, trials, *t.task);
  std::optional<models::Evaluation> ood;
  if (t.ood_task) ood = models::evaluate(artifact.network, *t.ood_task, t.trials, t.seed);
  std::optional<models::NamedArrays> dump;
  if (!o.dump.empty()) dump = models::float_trajectories(artifact.network, trials, *t.task);
  const std::string dumped = "float64 run";

  if (o.json) {
    nlohmann::json j = scores_json(o, description, t, result, ood);
    if (const auto& a = result.activity) {
      j["mean_rate"] = a->mean_rate;
      j["mean_rate_hz"] = a->mean_rate_hz;
      j["spikes_per_step"] = a->spikes_per_step;
      j["synops_per_step"] = a->synops_per_step;
      j["input_macs_per_step"] = a->input_macs_per_step;
    }
    if (dump) write_dump(o, t, *dump, dumped, result.success_rate, &j);
    fmt::print("{}\n", j.dump(2));
    return result.success_rate;
  }
  print_scores(o, description, config.n_rec, t, result, ood);
  if (const auto& a = result.activity) {
    fmt::print("  mean firing rate  {:.4f} spikes/unit/step ({:.1f} Hz)\n", a->mean_rate, a->mean_rate_hz);
    fmt::print("  spikes per step   {:.2f}\n", a->spikes_per_step);
    fmt::print("  SynOps per step   {:.1f}   (spikes x fan-out, recurrent + readout{})\n", a->synops_per_step,
               a->input_macs_per_step > 0 ? "" : " + input spikes");
    if (a->input_macs_per_step > 0) fmt::print("  input MACs/step   {:.0f}   (dense current input)\n", a->input_macs_per_step);
  }
  if (dump) write_dump(o, t, *dump, dumped, result.success_rate, nullptr);
  return result.success_rate;
}

// A quantized artifact: the integer golden model on the same trials.
double report_quantized(const Options& o, bool seed_given, bool trials_given) {
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  return std::visit(
      [&](const auto& net) -> double {
        const auto& config = net.config();
        const Trials t = choose_trials(o, q.task_name, q.task_params, seed_given ? o.seed : q.seed, trials_given,
                                       config.n_in, config.n_out);
        if (!o.dump.empty()) check_dump_size(o, t, quantize::integer_trajectory_bytes(net, t.steps(), t.trials));
        const models::EvaluationTrials trials = t.of(config);
        const auto result = quantize::evaluate_integer(net, trials, *t.task);
        std::optional<quantize::IntegerEvaluation> ood;
        if (t.ood_task) ood = quantize::evaluate_integer(net, *t.ood_task, t.trials, t.seed);
        std::optional<models::NamedArrays> dump;
        if (!o.dump.empty()) dump = quantize::integer_trajectories(net, trials, *t.task);
        const std::string dumped = "integer codes";
        constexpr bool lif = std::is_same_v<std::decay_t<decltype(net)>, quantize::IntegerLifRnn>;
        const std::string description = lif ? "integer LIF RNN" : "integer rate RNN";
        if (o.json) {
          nlohmann::json j = scores_json(o, description, t, result, ood);
          j["overflow_events"] = result.overflow_events;
          if (lif) {
            j["spikes_per_step"] = result.spikes_per_step;
            j["synaptic_events_per_step"] = result.synaptic_events_per_step;
          }
          if (dump) write_dump(o, t, *dump, dumped, result.success_rate, &j);
          fmt::print("{}\n", j.dump(2));
          return result.success_rate;
        }
        print_scores(o, description, config.n_rec, t, result, ood);
        fmt::print("  overflow events   {}\n", result.overflow_events);
        if (lif) {
          fmt::print("  spikes per step   {:.2f}\n", result.spikes_per_step);
          fmt::print("  synaptic events   {:.1f} per step\n", result.synaptic_events_per_step);
        }
        if (dump) write_dump(o, t, *dump, dumped, result.success_rate, nullptr);
        return result.success_rate;
      },
      q.network);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "eval", "Evaluate a trained artifact: loss, success rate, OOD success rate (LIF: firing rate, SynOps; ELiSe: "
              "replay metrics)");
  auto o = std::make_shared<Options>();
  auto elise = std::make_shared<EliseEvalOptions>();
  cmd->add_option("dir", o->dir, "Artifact folder")->required();
  cmd->add_option("--trials", o->trials, "Number of fresh trials (with --data: the file's first K; default all)");
  cmd->add_option("--seed", o->seed, "Seed of the evaluation trials (default: the artifact's)");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->add_option("--dump", o->dump,
                  "Write the trials' per-step signals to this .npz file (float: a float64 run; quantized: the "
                  "integer codes)");
  cmd->add_option("--data", o->data, "Run on the trials of a data file (.npz: inputs, targets, mask, success_mse)");
  cmd->add_option("--success-mse", o->success_mse,
                  "With --data: a trial succeeds when its masked MSE is below this (default: the file's)")
      ->check(CLI::PositiveNumber);
  add_min_success_option(*cmd, o->min_success_percent);
  add_elise_eval_options(*cmd, *elise);
  cmd->callback([o, elise, cmd] {
    if (models::is_elise_artifact(o->dir)) {
      if (o->min_success_percent >= 0) {
        throw InputError(fmt::format("{}: --min-success applies to rate and LIF artifacts (an ELiSe network is scored "
                                     "by its replay, not a success rate)", o->dir));
      }
      for (const char* name : {"--dump", "--data", "--success-mse"}) {
        if (cmd->count(name) > 0) {
          throw InputError(fmt::format("{}: {} applies to rate and LIF artifacts, not to an ELiSe network", o->dir,
                                       name));
        }
      }
      return run_elise_eval(o->dir, *elise, o->json, *cmd);
    }
    for (const auto& name : elise_only_eval_options()) {
      if (cmd->count(name) > 0) throw InputError(fmt::format("{} applies to ELiSe artifacts only", name));
    }
    // Checked here, not by CLI11, so that a bad count is one plain line (exit 1) like every other bad request.
    if (o->trials < 1) throw InputError(fmt::format("--trials {}: evaluation needs at least 1 trial", o->trials));
    if (cmd->count("--success-mse") > 0 && o->data.empty()) throw InputError("--success-mse applies with --data only");
    if (!o->dump.empty()) check_dump_path(o->dump);
    const bool seed_given = cmd->count("--seed") > 0;
    const bool trials_given = cmd->count("--trials") > 0;
    if (quantize::is_quantized_artifact(o->dir)) {
      require_success(report_quantized(*o, seed_given, trials_given), o->min_success_percent,
                      o->dir + ": integer success");
      return;
    }
    const models::Artifact artifact = models::load_artifact(o->dir);
    const double success = std::visit(
        [&](const auto& a) {
          const auto& config = a.network.config();
          const Trials t = choose_trials(*o, a.task_name, a.task_params, seed_given ? o->seed : a.seed, trials_given,
                                         config.n_in, config.n_out);
          return report(a, models::model_description(artifact), *o, t);
        },
        artifact);
    require_success(success, o->min_success_percent, o->dir + ": float success");
  });
}

}  // namespace nf::cli
