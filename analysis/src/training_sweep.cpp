#include "neurofab/analysis/training_sweep.hpp"
#include "neurofab/analysis/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/json_fields.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/elise/schedule.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/train_spec.hpp"
#include "neurofab/quantize/bit_width_sweep.hpp"

namespace nf::analysis {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path run_dir(const fs::path& out, const RunSpec& run) { return out / "runs" / run.id; }

bool finished(const fs::path& out, const RunSpec& run) { return fs::is_regular_file(run_dir(out, run) / "run.json"); }

// The part of a sweep that must not change between starts into one folder.
json fixed_part(const TrainingSweepSpec& spec) {
  json train = json::array();
  for (const TrainSetting& setting : spec.fixed) train.push_back({setting.option, setting.text});
  return json{{"train", train}, {"eval_trials", spec.eval_trials}, {"weight_bits", spec.weight_bits}};
}

// Rank 0: a new folder, or one of the same sweep (its grid may have grown).
void prepare_folder(const TrainingSweepSpec& spec, const std::string& spec_text, const fs::path& out) {
  const fs::path previous = out / "sweep.toml";
  if (fs::exists(previous)) {
    const TrainingSweepSpec before = load_training_sweep_spec(previous);
    if (fixed_part(before) != fixed_part(spec)) {
      throw InputError(fmt::format(
          "{}: this folder holds a different sweep ([train] or [sweep] settings differ from {}); only the grid may "
          "change between starts — use another -o",
          out.string(), spec.file.string()));
    }
  } else if (fs::exists(out) && !fs::is_empty(out)) {
    throw InputError(fmt::format("{}: exists and is not a sweep folder (no sweep.toml); use another -o", out.string()));
  }
  fs::create_directories(out / "runs");
  write_file_atomically(previous, spec_text);
}

// NaN (an ELiSe run's OOD score) is written as null and read back as NaN.
json score_json(const Score& s) { return json{{"mse", s.mse}, {"success", s.success}}; }
Score score_from(const JsonFields& f) {
  constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  return {f.number_or_null("mse", kNone), f.number_or_null("success", kNone)};
}

json result_json(const RunResult& r) {
  json integer = json::object();
  for (const auto& [bits, score] : r.integer) integer[std::to_string(bits)] = score_json(score);
  json grid = json::array();
  for (const auto& [axis, value] : r.grid_values) grid.push_back({axis, value});
  json out{{"id", r.id},
              {"grid", grid},
              {"model", r.model},
              {"task", r.task},
              {"init", r.init},
              {"n_rec", r.n_rec},
              {"seed", r.seed},
              {"epochs", r.epochs},
              {"converged_epoch", r.converged_epoch},
              {"test", score_json(r.test)},
              {"ood", score_json(r.ood)},
              {"spikes_per_unit_step", r.spikes_per_unit_step ? json(*r.spikes_per_unit_step) : json(nullptr)},
              {"integer", integer},
              {"train_seconds", r.train_seconds}};
  if (r.replay) {
    out["replay"] = {{"corr_sum", r.replay->corr_sum},
                     {"corr_max", r.replay->corr_max},
                     {"mse", r.replay->mse},
                     {"mse_at_best_shift", r.replay->mse_at_best_shift}};
  }
  return out;
}

// An ELiSe run: the replay `neurofab eval` runs by default (sweep.hpp).
RunResult evaluate_elise_run(const TrainingSweepSpec& spec, const RunSpec& run, const fs::path& dir) {
  if (!spec.weight_bits.empty())
    throw InputError(fmt::format("{}: weight_bits: ELiSe networks are not quantized", spec.file.string()));
  const models::EliseArtifact a = models::load_elise_artifact(dir);
  const JsonFields training(a.training, (dir / "model.json").string(), "training");
  models::EliseReplayOptions options;
  options.cycles = kEliseSweepReplayCycles;
  options.max_shift_ms = models::schedule_from_json(training).max_shift_ms;
  models::EliseNetwork network = a.network;
  const models::EliseCycleMetrics mean = models::replay_elise(network, a.pattern_rates, options).mean();
  RunResult result;
  result.id = run.id;
  result.grid_values = run.grid_values;
  result.model = models::kEliseModelType;
  result.task = a.pattern_name;
  result.init = models::to_string(a.network.config().variant);
  result.n_rec = a.network.n_latent();
  result.seed = a.seed;
  result.epochs = models::progress_from_json(training).cycles_done;
  result.test = {mean.mse, mean.corr_max > 0 ? mean.corr_sum / mean.corr_max : 0.0};
  result.ood = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  result.replay = EliseReplayScore{mean.corr_sum, mean.corr_max, mean.mse, mean.mse_at_best_shift};
  return result;
}

// Evaluates a trained run the way `neurofab eval` does: fresh test trials, the
// OOD variant, and the integer golden model at each weight width.
RunResult evaluate_run(const TrainingSweepSpec& spec, const RunSpec& run, const fs::path& dir) {
  if (models::is_elise_artifact(dir)) return evaluate_elise_run(spec, run, dir);
  const models::Artifact artifact = models::load_artifact(dir);
  RunResult result;
  result.id = run.id;
  result.grid_values = run.grid_values;
  result.model = models::model_type(artifact);
  std::visit(
      [&](const auto& a) {
        const auto task = models::make_task(a.task_name, a.task_params);
        const auto ood_task = models::make_ood_task(*task);
        result.task = a.task_name;
        result.init = models::to_string(a.init.w_rec.scheme);
        result.n_rec = a.network.config().n_rec;
        result.seed = a.seed;
        result.epochs = a.state.epochs_done;
        result.converged_epoch = a.state.converged_epoch;
        const auto test = models::evaluate(a.network, *task, spec.eval_trials, a.seed);
        const auto ood = models::evaluate(a.network, *ood_task, spec.eval_trials, a.seed);
        result.test = {test.mse, test.success_rate};
        result.ood = {ood.mse, ood.success_rate};
        if (test.activity) result.spikes_per_unit_step = test.activity->mean_rate;
      },
      artifact);
  if (!spec.weight_bits.empty()) {
    const auto rows = quantize::bit_width_sweep(artifact, quantize::QuantizeOptions{}, spec.weight_bits, spec.eval_trials);
    for (const auto& row : rows) result.integer[row.weight_bits] = {row.integer_mse, row.integer_success};
  }
  return result;
}

// The run's options, training into `dir` in this process without a report
// (the sweep evaluates each run itself).
models::TrainSpec run_train_spec(const RunSpec& run, const fs::path& dir) {
  models::TrainSpec spec = train_spec(run);
  spec.out = dir;
  spec.quiet = true;
  spec.no_report = true;
  return spec;
}

// Trains one run; said even though the run is quiet, as `train --quiet` says
// them: each rollback and why training stopped early.
void train_run(const RunSpec& run, const fs::path& dir) {
  models::TrainSpec spec;
  if (fs::is_regular_file(dir / "model.json")) {
    // Cut off after its first checkpoint: continue exactly where it stopped.
    spec.out = dir;
    spec.resume = true;
    spec.quiet = true;
    spec.no_report = true;
  } else {
    spec = run_train_spec(run, dir);
  }
  models::PreparedTraining prepared = models::prepare_training(spec);
  models::TrainRunHooks hooks;
  hooks.on_rollback = [](const models::Rollback& r) { fmt::print(stderr, "{}\n", models::rollback_message(r)); };
  models::run_training(prepared, spec, hooks);
  if (const auto* artifact = std::get_if<models::Artifact>(&prepared)) {
    std::visit([](const auto& a) {
      if (!a.state.stopped.empty()) fmt::print(stderr, "{}\n", a.state.stopped);
    }, *artifact);
  }
}

// Checks the options of every run that will start fresh, up front, so a typo
// fails before hours of training (runs with an artifact resume its settings).
void check_runs(const std::vector<RunSpec>& runs, const fs::path& out) {
  for (const RunSpec& run : runs) {
    if (fs::exists(run_dir(out, run))) continue;
    try {
      models::TrainSpec spec = run_train_spec(run, run_dir(out, run));
      spec.check_only = true;
      models::prepare_training(spec);
    } catch (const std::exception& e) {
      throw InputError(fmt::format("run {}: {}", run.id, e.what()));
    }
  }
}

}  // namespace

TrainingSweepSummary run_training_sweep(const TrainingSweepSpec& spec, const std::string& spec_text, const fs::path& out,
                       const TrainingSweepWorkers& workers,
                       const std::function<void(const RunResult&, int, int)>& report) {
  const std::vector<RunSpec> runs = expand_grid(spec);
  // The options are checked and the folder prepared (rank 0) before anyone
  // looks at it; if any rank fails here, every rank stops after one
  // collective with the refusing ranks' messages, so none waits forever in the next.
  std::string refusal;
  try {
    check_runs(runs, out);
    if (workers.rank == 0) prepare_folder(spec, spec_text, out);
  } catch (const std::exception& e) {
    refusal = e.what();
  }
  const std::string refusals = workers.combined_error(refusal);
  if (!refusals.empty()) throw InputError(refusals);

  std::vector<const RunSpec*> unfinished;
  for (const RunSpec& run : runs) {
    if (!finished(out, run)) unfinished.push_back(&run);
  }
  workers.barrier();  // every rank has the same list before any run finishes

  std::vector<const RunSpec*> mine;
  for (std::size_t i = static_cast<std::size_t>(workers.rank); i < unfinished.size();
       i += static_cast<std::size_t>(workers.ranks)) {
    mine.push_back(unfinished[i]);
  }

  std::atomic<std::size_t> next{0};
  std::mutex mutex;  // guards failures, done and report
  std::vector<std::string> failures;
  int done = 0;
  auto worker = [&] {
    for (std::size_t i = next++; i < mine.size(); i = next++) {
      const RunSpec& run = *mine[i];
      const fs::path dir = run_dir(out, run);
      try {
        const auto start = std::chrono::steady_clock::now();
        train_run(run, dir);
        RunResult result = evaluate_run(spec, run, dir);
        result.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        write_file_atomically(dir / "run.json", result_json(result).dump(2) + "\n");
        const std::lock_guard lock(mutex);
        ++done;
        if (report) report(result, done, static_cast<int>(mine.size()));
      } catch (const std::exception& e) {
        const std::lock_guard lock(mutex);
        failures.push_back(fmt::format("run {}: {}", run.id, e.what()));
      }
    }
  };
  const int thread_count = std::max(1, std::min<int>(workers.threads, static_cast<int>(mine.size())));
  std::vector<std::thread> threads;
  for (int t = 1; t < thread_count; ++t) threads.emplace_back(worker);
  worker();
  for (auto& thread : threads) thread.join();

  if (!failures.empty()) {
    std::string message = fmt::format("{} of {} runs failed (finished runs are kept; start again to resume):",
                                       failures.size(), mine.size());
    for (const auto& failure : failures) message += "\n  " + failure;
    throw InputError(message);
  }
  return {static_cast<int>(runs.size()), static_cast<int>(runs.size() - unfinished.size()), done};
}

RunResult read_run_result(const fs::path& run_json) {
  const json root = JsonFields::parse_file(run_json);
  const JsonFields f(root, run_json.string());
  RunResult r;
  r.id = f.string("id");
  for (std::size_t i = 0; i < f.array("grid").size(); ++i) {
    const json& pair = f.array("grid")[i];
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      f.fail("grid", "expected [axis, value] string pairs");
    }
    r.grid_values.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
  r.model = f.string("model");
  r.task = f.string("task");
  r.init = f.string("init");
  r.n_rec = static_cast<int>(f.integer("n_rec"));
  r.seed = f.unsigned_integer("seed");
  r.epochs = static_cast<int>(f.integer("epochs"));
  r.converged_epoch = static_cast<int>(f.integer("converged_epoch"));
  r.test = score_from(f.object("test"));
  r.ood = score_from(f.object("ood"));
  if (!f.raw("spikes_per_unit_step").is_null()) r.spikes_per_unit_step = f.number("spikes_per_unit_step");
  const JsonFields integer = f.object("integer");
  for (const auto& [bits, score] : f.raw("integer").items()) {
    const bool digits = !bits.empty() && bits.size() <= 2 &&
                        std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) integer.fail(bits, "expected a weight width in bits as the key");
    r.integer[std::stoi(bits)] = score_from(integer.object(bits));
  }
  r.train_seconds = f.number("train_seconds");
  if (f.has("replay")) {
    const JsonFields replay = f.object("replay");
    r.replay = EliseReplayScore{replay.number("corr_sum"), replay.number("corr_max"), replay.number("mse"),
                                replay.number("mse_at_best_shift")};
  }
  return r;
}

namespace {
// A number for the table; NaN (no such score) as an empty field.
std::string number_field(double x) { return std::isnan(x) ? std::string() : fmt::format("{:.9g}", x); }
}  // namespace

std::string results_csv(const TrainingSweepSpec& spec, const std::vector<RunResult>& rows) {
  // The replay columns only when the sweep has ELiSe runs, so other tables stay as they were.
  const bool replay = std::any_of(rows.begin(), rows.end(), [](const RunResult& r) { return r.replay.has_value(); });
  std::string csv = "id";
  for (const GridAxis& axis : spec.grid) csv += fmt::format(",{}", csv_field(axis.name));
  csv += ",model,task,init,n_rec,seed,epochs,converged_epoch,test_mse,test_success,ood_mse,ood_success,"
         "spikes_per_unit_step";
  for (const int bits : spec.weight_bits) csv += fmt::format(",int{0}_mse,int{0}_success", bits);
  if (replay) csv += ",replay_corr_sum,replay_corr_max,replay_mse,replay_mse_at_best_shift";
  csv += "\n";
  for (const RunResult& r : rows) {
    csv += csv_field(r.id);
    for (const auto& [axis, value] : r.grid_values) csv += fmt::format(",{}", csv_field(value));
    csv += fmt::format(",{},{},{},{},{},{},{},{},{},{},{},", r.model, csv_field(r.task), r.init, r.n_rec, r.seed,
                       r.epochs, r.converged_epoch, number_field(r.test.mse), number_field(r.test.success),
                       number_field(r.ood.mse), number_field(r.ood.success));
    if (r.spikes_per_unit_step) csv += fmt::format("{:.9g}", *r.spikes_per_unit_step);
    for (const int bits : spec.weight_bits) {
      const auto it = r.integer.find(bits);
      if (it == r.integer.end()) {
        csv += ",,";
      } else {
        csv += fmt::format(",{:.9g},{:.9g}", it->second.mse, it->second.success);
      }
    }
    if (replay) {
      if (r.replay) {
        csv += fmt::format(",{:.9g},{:.9g},{:.9g},{:.9g}", r.replay->corr_sum, r.replay->corr_max, r.replay->mse,
                           r.replay->mse_at_best_shift);
      } else {
        csv += ",,,,";
      }
    }
    csv += "\n";
  }
  return csv;
}

std::vector<RunResult> write_results_table(const TrainingSweepSpec& spec, const fs::path& out) {
  std::vector<RunResult> rows;
  for (const RunSpec& run : expand_grid(spec)) {
    const fs::path file = run_dir(out, run) / "run.json";
    if (!fs::is_regular_file(file)) throw InputError(fmt::format("{}: run {} is not finished", out.string(), run.id));
    rows.push_back(read_run_result(file));
  }
  write_file_atomically(out / "results.csv", results_csv(spec, rows));
  return rows;
}

}  // namespace nf::analysis
