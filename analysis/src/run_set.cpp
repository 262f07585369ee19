#include "neurofab/analysis/run_set.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "neurofab/common/error.hpp"

namespace nf::analysis {

namespace fs = std::filesystem;

bool is_sweep_folder(const fs::path& dir) {
  return fs::is_regular_file(dir / "sweep.toml") && fs::is_directory(dir / "runs");
}

namespace {

std::vector<fs::path> finished_runs(const fs::path& sweep) {
  std::vector<fs::path> runs;
  for (const auto& entry : fs::directory_iterator(sweep / "runs")) {
    if (entry.is_directory() && fs::is_regular_file(entry.path() / "run.json")) runs.push_back(entry.path());
  }
  std::sort(runs.begin(), runs.end());
  if (runs.empty()) throw InputError(fmt::format("{}: the sweep has no finished run yet", sweep.string()));
  return runs;
}

}  // namespace

std::vector<fs::path> expand_runs(const std::vector<fs::path>& arguments) {
  if (arguments.empty()) throw InputError("no runs given: name artifact folders or sweep folders");
  std::vector<fs::path> runs;
  for (const fs::path& argument : arguments) {
    if (is_sweep_folder(argument)) {
      const auto sweep_runs = finished_runs(argument);
      runs.insert(runs.end(), sweep_runs.begin(), sweep_runs.end());
    } else if (fs::is_regular_file(argument / "model.json")) {
      runs.push_back(argument);
    } else {
      throw InputError(fmt::format(
          "{}: neither an artifact folder (no model.json) nor a sweep folder (no sweep.toml and runs/)", argument.string()));
    }
  }
  return runs;
}

}  // namespace nf::analysis
