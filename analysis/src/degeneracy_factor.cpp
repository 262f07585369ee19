// GCC 12 reports -Wmaybe-uninitialized inside Eigen's AVX-512 packet code
// (with -march=native): false positives in a system header, silenced for this
// file only (before any include, as the warnings are located in the intrinsics headers).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "neurofab/analysis/degeneracy_factor.hpp"
#include "neurofab/analysis/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <variant>

#include "neurofab/analysis/training_sweep.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"

namespace nf::analysis {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTaskParamPrefix = "task-param.";
constexpr const char* kArtifactFactors = "n, init, model, seed, task, task-param.<name>";

// A value that reads as a finite number in full becomes that number, written
// back in the shortest form that round-trips ("1.0" → "1", "1e3" → "1000"),
// so a grid value and the same value taken from an artifact group together.
FactorValue normalised(const std::string& text) {
  if (!text.empty() && !std::isspace(static_cast<unsigned char>(text.front()))) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() + text.size() && std::isfinite(v)) {
      return {fmt::format("{}", v == 0.0 ? 0.0 : v), v};  // -0 and 0 are one value
    }
  }
  return {text, std::nullopt};
}

FactorValue number_value(double v) { return normalised(fmt::format("{}", v)); }

std::string run_name(const NetworkInput& network) { return network.path.string(); }

}  // namespace

FactorValue factor_value(const NetworkInput& network, const std::string& factor) {
  if (factor.empty()) throw InputError("--factor: give a factor name (" + std::string(kArtifactFactors) + ", or a grid axis)");
  // 1. A grid axis of the run's sweep.
  const fs::path run_json = network.path / "run.json";
  std::vector<std::string> axes;
  if (fs::is_regular_file(run_json)) {
    const RunResult run = read_run_result(run_json);
    for (const auto& [axis, value] : run.grid_values) {
      if (axis == factor) return normalised(value);
      axes.push_back(axis);
    }
  }
  // 2. A property of the artifact.
  const models::Artifact& artifact = network.artifact;
  if (factor == "n")
    return number_value(std::visit([](const auto& a) { return double(a.network.config().n_rec); }, artifact));
  if (factor == "init")
    return normalised(std::visit([](const auto& a) { return models::to_string(a.init.w_rec.scheme); }, artifact));
  if (factor == "model") return normalised(models::model_type(artifact));
  if (factor == "seed") return number_value(double(std::visit([](const auto& a) { return a.seed; }, artifact)));
  const std::string task = std::visit([](const auto& a) { return a.task_name; }, artifact);
  if (factor == "task") return normalised(task);
  if (factor.rfind(kTaskParamPrefix, 0) == 0) {
    const std::string name = factor.substr(std::string(kTaskParamPrefix).size());
    // Defaults filled in: an artifact that omits a parameter has its default.
    const auto params =
        models::make_task(task, std::visit([](const auto& a) { return a.task_params; }, artifact))->param_values();
    const auto it = params.find(name);
    if (it != params.end()) return number_value(it->second);
    std::string known;
    for (const auto& [param, value] : params) known += (known.empty() ? "" : ", ") + param;
    throw InputError(fmt::format("--factor {}: {} is trained on task '{}', which has no parameter '{}' (its "
                                 "parameters: {})",
                                 factor, run_name(network), task, name, known.empty() ? "none" : known));
  }
  std::string where = "it is not in a sweep (no run.json)";
  if (fs::is_regular_file(run_json)) {
    std::string list;
    for (const auto& axis : axes) list += (list.empty() ? "" : ", ") + axis;
    where = fmt::format("its sweep's grid axes are {}", list.empty() ? "none" : list);
  }
  throw InputError(fmt::format("--factor {}: unknown factor for {} ({}; artifact properties: {})", factor,
                               run_name(network), where, kArtifactFactors));
}

FactorGrouping group_by_factor(std::vector<NetworkInput> networks, const std::string& factor) {
  FactorGrouping grouping;
  grouping.factor = factor;
  std::map<std::string, std::size_t> index;  // value text → group
  for (NetworkInput& network : networks) {
    FactorValue value = factor_value(network, factor);
    auto [it, inserted] = index.emplace(value.text, grouping.groups.size());
    if (inserted) grouping.groups.push_back({std::move(value), {}});
    grouping.groups[it->second].networks.push_back(std::move(network));
  }
  grouping.numeric = !grouping.groups.empty() &&
                     std::all_of(grouping.groups.begin(), grouping.groups.end(),
                                 [](const FactorGroup& g) { return g.value.number.has_value(); });
  if (grouping.numeric) {
    std::stable_sort(grouping.groups.begin(), grouping.groups.end(),
                     [](const FactorGroup& a, const FactorGroup& b) { return *a.value.number < *b.value.number; });
  }
  // Every small group in one message, so one run of the command tells the whole story.
  std::string small;
  for (const FactorGroup& g : grouping.groups) {
    if (g.networks.size() >= 2) continue;
    std::string members;
    for (const auto& n : g.networks) members += (members.empty() ? "" : ", ") + n.path.string();
    small += fmt::format("\n  {}={}: {} network ({})", factor, g.value.text, g.networks.size(), members);
  }
  if (!small.empty())
    throw InputError(fmt::format("--factor {}: degeneracy compares networks within each group, so every group "
                                 "needs at least 2; too small:{}",
                                 factor, small));
  return grouping;
}

std::string group_folder_name(const std::string& factor, const FactorValue& value) {
  std::string name = factor + "=" + value.text;
  for (char& c : name) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '=' ||
                      c == '+' || c == ',';
    if (!safe) c = '_';
  }
  if (name.front() == '.') name.front() = '_';  // never a hidden folder (or "..")
  return name;
}

FactorRow factor_row(const FactorValue& value, const std::string& factor, const DegeneracyResult& r) {
  FactorRow row;
  row.value = value;
  row.folder = group_folder_name(factor, value);
  row.networks = int(r.networks.size());
  row.sigma_ood = r.sigma_ood;
  row.dsa_mean = r.dsa_summary.mean;
  row.dsa_median = r.dsa_summary.median;
  row.dsa_normalised_mean = r.dsa_normalised_summary.mean;
  row.null_dsa_mean = r.null_dsa_summary.mean;
  row.null_dsa_normalised_mean = r.null_dsa_normalised_summary.mean;
  row.pif_mean = r.pif_summary.mean;
  row.pif_median = r.pif_summary.median;
  row.pif_normalised_mean = r.pif_normalised_summary.mean;
  row.pif_normalised_median = r.pif_normalised_summary.median;
  std::vector<double> success, mse;
  for (const auto& n : r.networks) {
    success.push_back(n.success_rate);
    mse.push_back(n.mse);
  }
  row.test_success_mean = mean(success);
  row.test_mse_mean = mean(mse);
  row.ood_mse_mean = r.ood_mse.mean;
  return row;
}

FactorDegeneracy analyse_degeneracy_by_factor(const FactorGrouping& grouping, const DegeneracyOptions& options,
                                              const std::function<void(std::size_t, const FactorGroup&)>& progress) {
  options.validate();
  FactorDegeneracy result;
  result.factor = grouping.factor;
  result.numeric = grouping.numeric;
  std::set<std::string> folders;
  for (std::size_t i = 0; i < grouping.groups.size(); ++i) {
    const FactorGroup& group = grouping.groups[i];
    if (progress) progress(i, group);
    try {
      result.results.push_back(analyse_degeneracy(group.networks, options));
    } catch (const InputError& e) {
      throw InputError(fmt::format("--factor {}, group {}={}: {}", grouping.factor, grouping.factor, group.value.text,
                                   e.what()));
    }
    FactorRow row = factor_row(group.value, grouping.factor, result.results.back());
    // Two values that differ only in characters unsafe in a file name would share a folder.
    const std::string base = row.folder;
    for (int k = 2; !folders.insert(row.folder).second; ++k) row.folder = fmt::format("{}_{}", base, k);
    result.rows.push_back(std::move(row));
  }
  return result;
}

namespace {

}  // namespace

std::string factor_csv(const FactorDegeneracy& result) {
  std::string csv = csv_field(result.factor) +
                    ",folder,networks,sigma_ood,dsa_mean,dsa_median,dsa_normalised_mean,null_dsa_mean,"
                    "null_dsa_normalised_mean,pif_mean,pif_median,pif_normalised_mean,pif_normalised_median,"
                    "test_success_mean,test_mse_mean,ood_mse_mean\n";
  // "{}": the shortest text that reads back as the same double, so the table equals degeneracy.json exactly.
  for (const FactorRow& r : result.rows) {
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(r.value.text),
                       csv_field(r.folder), r.networks, r.sigma_ood, r.dsa_mean, r.dsa_median, r.dsa_normalised_mean,
                       r.null_dsa_mean, r.null_dsa_normalised_mean, r.pif_mean, r.pif_median, r.pif_normalised_mean,
                       r.pif_normalised_median, r.test_success_mean, r.test_mse_mean, r.ood_mse_mean);
  }
  return csv;
}

}  // namespace nf::analysis
