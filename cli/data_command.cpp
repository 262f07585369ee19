// `neurofab data`: a built-in task's trials as a data file (docs/own-data.md),
// the format `neurofab train --data` reads.

#include <fmt/format.h>

#include <cmath>

#include "commands.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/tasks/task_data.hpp"
#include "task_options.hpp"

namespace nf::cli {
namespace {

struct DataOptions {
  std::string task;
  std::vector<std::string> task_params;
  int trials = 256;
  std::uint64_t seed = 1;
  std::string out;
  double success_mse = 0;
};

void run_data(const DataOptions& o, bool success_given) {
  const auto task = models::make_task(o.task, parse_task_params(o.task_params));
  if (success_given && !(std::isfinite(o.success_mse) && o.success_mse > 0)) {
    throw InputError(fmt::format("--success-mse: must be a finite number > 0 (got {})", o.success_mse));
  }
  Rng rng(o.seed);
  models::TaskData data{task->generate(o.trials, rng), 0};
  data.success_mse = success_given ? o.success_mse : models::default_success_mse(data.batch);
  models::save_task_data(o.out, data);
  fmt::print("wrote {} trials of '{}' ({} steps, {} inputs, {} outputs, seed {}) to {}; success_mse {:.6g}{}\n",
             o.trials, o.task, data.batch.n_steps, data.batch.inputs.rows(), data.batch.targets.rows(), o.seed,
             o.out, data.success_mse, success_given ? "" : " (a tenth of the targets' variance)");
}

}  // namespace

void add_data_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "data", "Write a task's trials as an .npz data file (inputs, targets, mask, success_mse) for train --data");
  auto o = std::make_shared<DataOptions>();
  cmd->add_option("--task", o->task, "Task name (see `neurofab tasks`)")->required();
  cmd->add_option("--task-param", o->task_params, "Task parameter NAME=VALUE (repeatable)");
  cmd->add_option("--trials", o->trials, "Number of trials")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", o->seed, "Seed of the trials");
  cmd->add_option("-o,--out", o->out, "The .npz file to write")->required();
  auto* success = cmd->add_option(
      "--success-mse", o->success_mse,
      "A trial succeeds when its masked MSE is below this (default: a tenth of the targets' variance)");
  cmd->callback([o, success] { run_data(*o, success->count() > 0); });
}

}  // namespace nf::cli
