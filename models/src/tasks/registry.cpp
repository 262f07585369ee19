// Task names -> factories, and the OOD variant of a configured task.

#include <fmt/format.h>

#include <utility>

#include "neurofab/common/error.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/tasks/support.hpp"
#include "neurofab/models/tasks/task_data.hpp"

namespace nf::models {
namespace {

using Factory = std::unique_ptr<Task> (*)();

// The order is the order `neurofab tasks` lists them: the Jarne & Laje tasks,
// then the Huang et al. tasks, as in docs/tasks.md.
const std::vector<std::pair<std::string, Factory>>& registry() {
  static const std::vector<std::pair<std::string, Factory>> entries = {
      {"and", &tasks::make_and_task},
      {"or", &tasks::make_or_task},
      {"xor", &tasks::make_xor_task},
      {"not", &tasks::make_not_task},
      {"flipflop", &tasks::make_flipflop_task},
      {"oscillator", &tasks::make_oscillator_task},
      {"time_pulse", &tasks::make_time_pulse_task},
      {"nbit_flipflop", &tasks::make_nbit_flipflop_task},
      {"delayed_discrimination", &tasks::make_delayed_discrimination_task},
      {"sine_wave", &tasks::make_sine_wave_task},
      {"path_integration_2d", &tasks::make_path_integration_2d_task},
  };
  return entries;
}

}  // namespace

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

std::unique_ptr<Task> make_task(const std::string& name,
                                const std::map<std::string, double>& overrides) {
  // A user's own trials: not listed by task_names(), they exist only once a file is registered.
  if (name == kDataTaskName) return make_data_task(overrides);
  for (const auto& [task_name, factory] : registry()) {
    if (task_name != name) continue;
    std::unique_ptr<Task> task = factory();
    // Always through set_params, so the defaults pass validate() too.
    task->set_params(overrides);
    return task;
  }
  std::string valid;
  for (const std::string& n : task_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw InputError(fmt::format("unknown task '{}' (valid: {})", name, valid));
}

std::unique_ptr<Task> make_ood_task(const Task& task) {
  std::map<std::string, double> values = task.param_values();
  for (const auto& [key, value] : task.ood_overrides()) values[key] = value;
  return make_task(task.name(), values);
}

}  // namespace nf::models
