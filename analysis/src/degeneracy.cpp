// GCC 12 reports -Wmaybe-uninitialized inside Eigen's AVX-512 packet code
// (reductions, JacobiSVD, with -march=native): false positives in a system
// header, silenced for this file only (before any include, as the warnings are
// located in the intrinsics headers).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "neurofab/analysis/degeneracy.hpp"
#include "neurofab/analysis/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <type_traits>
#include <variant>

#include "neurofab/common/error.hpp"
#include "neurofab/models/training.hpp"

namespace nf::analysis {

namespace fs = std::filesystem;
using Eigen::MatrixXd;

// ---------------------------------------------------------------------------
// Options

std::string to_string(LifSignal signal) { return signal == LifSignal::kMembrane ? "membrane" : "filtered"; }

LifSignal lif_signal_from_string(const std::string& name) {
  if (name == "filtered") return LifSignal::kFilteredSpikes;
  if (name == "membrane") return LifSignal::kMembrane;
  throw InputError(fmt::format("--lif-signal must be filtered or membrane (got '{}')", name));
}

void DegeneracyOptions::validate() const {
  if (dsa_trials < 1) throw InputError(fmt::format("--trials must be 1 or more (got {})", dsa_trials));
  if (delays < 1) throw InputError(fmt::format("--delays must be 1 or more (got {})", delays));
  if (rank < 1) throw InputError(fmt::format("--rank must be 1 or more (got {})", rank));
  if (eval_trials < 1) throw InputError(fmt::format("--eval-trials must be 1 or more (got {})", eval_trials));
  if (!(filter_ms >= 0.0) || !std::isfinite(filter_ms))
    throw InputError(fmt::format("--filter-ms must be 0 or more (got {})", filter_ms));
  if (dsa_solver.max_iterations < 0 || dsa_solver.random_starts < 0)
    throw InputError("DSA solver: iterations and random starts must be 0 or more");
  if (pif_solver.max_iterations < 0 || pif_solver.max_refine_rounds < 0 || pif_solver.random_starts < 0)
    throw InputError("permutation solver: iterations, refinement rounds and random starts must be 0 or more");
}

// ---------------------------------------------------------------------------
// Statistics

double mean(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  return std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
}

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t k = values.size() / 2;
  return values.size() % 2 == 1 ? values[k] : 0.5 * (values[k - 1] + values[k]);
}

namespace {

double sum_of_squared_deviations(const std::vector<double>& values) {
  const double m = mean(values);
  double s = 0.0;
  for (const double v : values) s += (v - m) * (v - m);
  return s;
}

}  // namespace

double sample_sd(const std::vector<double>& values) {
  if (values.size() < 2) return 0.0;
  return std::sqrt(sum_of_squared_deviations(values) / double(values.size() - 1));
}

double population_sd(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  return std::sqrt(sum_of_squared_deviations(values) / double(values.size()));
}

Summary summarise(const std::vector<double>& values) {
  Summary s;
  s.count = int(values.size());
  if (values.empty()) return s;
  s.mean = mean(values);
  s.median = median(values);
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  return s;
}

std::vector<double> upper_triangle(const MatrixXd& m) {
  std::vector<double> values;
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = i + 1; j < m.cols(); ++j) values.push_back(m(i, j));
  return values;
}

// ---------------------------------------------------------------------------
// Networks

std::vector<NetworkInput> load_networks(const std::vector<fs::path>& runs) {
  std::vector<NetworkInput> networks;
  std::set<std::string> names;
  bool repeated = false;
  for (const fs::path& run : runs) {
    const std::string name = run.filename().empty() ? run.parent_path().filename().string() : run.filename().string();
    repeated = repeated || !names.insert(name).second;
    networks.push_back({name, run, models::load_artifact(run)});
  }
  if (repeated)
    for (NetworkInput& network : networks) network.label = network.path.string();
  return networks;
}

namespace {

template <typename F>
decltype(auto) visit_network(const models::Artifact& artifact, F&& f) {
  return std::visit([&](const auto& a) -> decltype(auto) { return f(a.network); }, artifact);
}

std::string task_of(const models::Artifact& artifact) {
  return std::visit([](const auto& a) { return a.task_name; }, artifact);
}
std::map<std::string, double> task_params_of(const models::Artifact& artifact) {
  return std::visit([](const auto& a) { return a.task_params; }, artifact);
}

std::string params_text(const std::map<std::string, double>& params) {
  std::string text;
  for (const auto& [name, value] : params) text += fmt::format("{}{}={}", text.empty() ? "" : ", ", name, value);
  return text.empty() ? "defaults" : text;
}

}  // namespace

void check_comparable(const std::vector<NetworkInput>& networks) {
  if (networks.size() < 2)
    throw InputError(fmt::format("degeneracy compares networks: give at least 2 (got {})", networks.size()));
  const NetworkInput& first = networks.front();
  const std::string task = task_of(first.artifact);
  // Compare the full parameter sets (defaults filled in), so an explicit default equals an omitted one.
  const auto full_params = [](const NetworkInput& n) {
    return models::make_task(task_of(n.artifact), task_params_of(n.artifact))->param_values();
  };
  const auto params = full_params(first);
  const auto sizes = [](const NetworkInput& n) {
    return visit_network(n.artifact, [](const auto& net) {
      return std::pair<int, int>{net.config().n_in, net.config().n_out};
    });
  };
  for (const NetworkInput& other : networks) {
    const std::string other_task = task_of(other.artifact);
    if (other_task != task)
      throw InputError(fmt::format("{}: trained on task '{}', but {} on task '{}'; degeneracy compares networks "
                                   "trained on one task",
                                   other.path.string(), other_task, first.path.string(), task));
    const auto other_params = full_params(other);
    if (other_params != params)
      throw InputError(fmt::format("{}: task parameters ({}) differ from those of {} ({}); degeneracy compares "
                                   "networks trained on one task",
                                   other.path.string(), params_text(other_params), first.path.string(),
                                   params_text(params)));
    if (sizes(other) != sizes(first))
      throw InputError(fmt::format("{}: {} inputs and {} outputs, but {} has {} and {}", other.path.string(),
                                   sizes(other).first, sizes(other).second, first.path.string(), sizes(first).first,
                                   sizes(first).second));
  }
}

std::vector<MatrixXd> hidden_trajectories(const models::RateRnn<float>& network, const models::Task& task, int trials,
                                          std::uint64_t seed) {
  const auto recorded = models::record_trials(network, task, trials, seed);
  const auto& traj = recorded.trajectory;
  const int n_steps = traj.n_steps, batch = traj.batch_size;
  std::vector<MatrixXd> out;
  for (int b = 0; b < batch; ++b) {
    MatrixXd trial(traj.states.rows(), n_steps);
    for (int t = 1; t <= n_steps; ++t) trial.col(t - 1) = traj.states.col(Eigen::Index(t) * batch + b).cast<double>();
    out.push_back(std::move(trial));
  }
  return out;
}

std::vector<MatrixXd> hidden_trajectories(const models::LifRnn<float>& network, const models::Task& task, int trials,
                                          std::uint64_t seed, LifSignal signal, double filter_ms) {
  const auto recorded = models::record_trials(network, task, trials, seed);
  const auto& traj = recorded.trajectory;
  const int n_steps = traj.n_steps, batch = traj.batch_size;
  // Spikes are 0/1 and mostly 0: a linear fit on them is ill-posed, so they are
  // smoothed as a synapse would (τ_f = 0 keeps them raw).
  const double kappa = filter_ms > 0.0 ? std::exp(-network.config().dt_ms / filter_ms) : 0.0;
  std::vector<MatrixXd> out;
  for (int b = 0; b < batch; ++b) {
    MatrixXd trial(traj.spikes.rows(), n_steps);
    Eigen::VectorXd filtered = Eigen::VectorXd::Zero(traj.spikes.rows());
    for (int t = 1; t <= n_steps; ++t) {
      const Eigen::Index column = Eigen::Index(t) * batch + b;
      if (signal == LifSignal::kMembrane) {
        trial.col(t - 1) = traj.membranes.col(column).cast<double>();
      } else {
        filtered = kappa * filtered + traj.spikes.col(column).cast<double>();
        trial.col(t - 1) = filtered;
      }
    }
    out.push_back(std::move(trial));
  }
  return out;
}

// ---------------------------------------------------------------------------
// The analysis

namespace {

std::vector<MatrixXd> trajectories_of(const models::Artifact& artifact, const models::Task& task,
                                      const DegeneracyOptions& o, std::uint64_t seed) {
  if (const auto* rate = std::get_if<models::RateRnnArtifact>(&artifact))
    return hidden_trajectories(rate->network, task, o.dsa_trials, seed);
  return hidden_trajectories(std::get<models::LifRnnArtifact>(artifact).network, task, o.dsa_trials, seed,
                             o.lif_signal, o.filter_ms);
}

DelayDmd fit_for(const NetworkInput& network, const std::vector<MatrixXd>& trajectories, const DegeneracyOptions& o) {
  try {
    return fit_delay_dmd(trajectories, o.delays, o.rank);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", network.path.string(), e.what()));
  }
}

}  // namespace

DegeneracyResult analyse_degeneracy(const std::vector<NetworkInput>& networks, const DegeneracyOptions& options) {
  options.validate();
  check_comparable(networks);
  const auto task = models::make_task(task_of(networks.front().artifact), task_params_of(networks.front().artifact));
  const auto ood = models::make_ood_task(*task);

  DegeneracyResult result;
  result.task = task->name();
  result.task_params = task->param_values();
  result.ood_params = ood->param_values();

  const std::size_t k = networks.size();
  std::vector<MatrixXd> operators, w_rec;
  for (const NetworkInput& input : networks) {
    NetworkDegeneracy net;
    net.label = input.label;
    net.path = input.path;
    net.model_type = models::model_type(input.artifact);
    visit_network(input.artifact, [&](const auto& network) {
      net.n_rec = network.config().n_rec;
      const models::Evaluation in_distribution = models::evaluate(network, *task, options.eval_trials, options.seed);
      const models::Evaluation shifted = models::evaluate(network, *ood, options.eval_trials, options.seed);
      net.mse = in_distribution.mse;
      net.success_rate = in_distribution.success_rate;
      net.ood_mse = shifted.mse;
      net.ood_success_rate = shifted.success_rate;
      w_rec.push_back(network.weights().w_rec.template cast<double>());
    });
    const DelayDmd fit = fit_for(input, trajectories_of(input.artifact, *task, options, options.seed), options);
    const DelayDmd resampled =
        fit_for(input, trajectories_of(input.artifact, *task, options, options.seed + 1), options);
    const OrthogonalMatch null = dsa_distance(fit.a, resampled.a, options.dsa_solver);
    net.null_dsa = null.distance;
    net.null_dsa_normalised = null.normalised;
    const Eigen::Index shown = std::min<Eigen::Index>(fit.singular_values.size(), 2 * options.rank);
    for (Eigen::Index i = 0; i < shown; ++i) net.hankel_singular_values.push_back(fit.singular_values(i));
    operators.push_back(fit.a);
    result.networks.push_back(std::move(net));
  }

  std::vector<double> ood_mse;
  for (const auto& net : result.networks) ood_mse.push_back(net.ood_mse);
  result.sigma_ood = sample_sd(ood_mse);
  result.sigma_ood_population = population_sd(ood_mse);
  result.ood_mse = summarise(ood_mse);

  const Eigen::Index n = Eigen::Index(k);
  result.dsa = result.dsa_normalised = result.pif = result.pif_normalised = MatrixXd::Zero(n, n);
  for (Eigen::Index a = 0; a < n; ++a) {
    for (Eigen::Index b = a + 1; b < n; ++b) {
      const OrthogonalMatch dsa = dsa_distance(operators[std::size_t(a)], operators[std::size_t(b)], options.dsa_solver);
      const PermutationMatch pif =
          permutation_distance(w_rec[std::size_t(a)], w_rec[std::size_t(b)], options.pif_solver);
      result.dsa(a, b) = result.dsa(b, a) = dsa.distance;
      result.dsa_normalised(a, b) = result.dsa_normalised(b, a) = dsa.normalised;
      result.pif(a, b) = result.pif(b, a) = pif.distance;
      result.pif_normalised(a, b) = result.pif_normalised(b, a) = pif.normalised;
      result.pairs.push_back({int(a), int(b), dsa.start, dsa.iterations, pif.permutation, pif.start, pif.rms});
    }
  }
  std::vector<double> null, null_normalised;
  for (const auto& net : result.networks) {
    null.push_back(net.null_dsa);
    null_normalised.push_back(net.null_dsa_normalised);
  }
  result.dsa_summary = summarise(upper_triangle(result.dsa));
  result.dsa_normalised_summary = summarise(upper_triangle(result.dsa_normalised));
  result.null_dsa_summary = summarise(null);
  result.null_dsa_normalised_summary = summarise(null_normalised);
  result.pif_summary = summarise(upper_triangle(result.pif));
  result.pif_normalised_summary = summarise(upper_triangle(result.pif_normalised));
  return result;
}

// ---------------------------------------------------------------------------
// Output

namespace {

nlohmann::json to_json(const Summary& s) {
  return {{"mean", s.mean}, {"median", s.median}, {"min", s.min}, {"max", s.max}, {"count", s.count}};
}

nlohmann::json to_json(const MatrixXd& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(m(i, j));
    rows.push_back(row);
  }
  return rows;
}

std::string number(double v) { return fmt::format("{:.10g}", v); }

}  // namespace

nlohmann::json degeneracy_json(const DegeneracyResult& r, const DegeneracyOptions& o) {
  nlohmann::json networks = nlohmann::json::array();
  for (const auto& n : r.networks) {
    networks.push_back({{"label", n.label},
                        {"path", n.path.string()},
                        {"model_type", n.model_type},
                        {"n_rec", n.n_rec},
                        {"mse", n.mse},
                        {"success_rate", n.success_rate},
                        {"ood_mse", n.ood_mse},
                        {"ood_success_rate", n.ood_success_rate},
                        {"null_dsa", n.null_dsa},
                        {"null_dsa_normalised", n.null_dsa_normalised},
                        {"hankel_singular_values", n.hankel_singular_values}});
  }
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& p : r.pairs) {
    pairs.push_back({{"a", p.a},
                     {"b", p.b},
                     {"dsa_start", p.dsa_start},
                     {"dsa_iterations", p.dsa_iterations},
                     {"pif_start", p.pif_start},
                     {"pif_rms", p.pif_rms},
                     {"permutation", p.permutation}});
  }
  std::vector<std::string> labels;
  for (const auto& n : r.networks) labels.push_back(n.label);
  return {
      {"analysis", "degeneracy"},
      {"task", r.task},
      {"task_params", r.task_params},
      {"ood_task_params", r.ood_params},
      {"labels", labels},
      {"networks", networks},
      {"behaviour",
       {{"sigma_ood", r.sigma_ood},
        {"sigma_ood_definition", "sample standard deviation (divisor K - 1) of ood_mse across networks"},
        {"sigma_ood_population", r.sigma_ood_population},
        {"ood_mse", to_json(r.ood_mse)}}},
      {"dsa",
       {{"distance", to_json(r.dsa)},
        {"normalised", to_json(r.dsa_normalised)},
        {"normalisation", "distance / ((||A_x||_F + ||A_y||_F) / 2)"},
        {"null", [&] {
           std::vector<double> v;
           for (const auto& n : r.networks) v.push_back(n.null_dsa);
           return v;
         }()},
        {"null_normalised", [&] {
           std::vector<double> v;
           for (const auto& n : r.networks) v.push_back(n.null_dsa_normalised);
           return v;
         }()},
        {"summary", to_json(r.dsa_summary)},
        {"normalised_summary", to_json(r.dsa_normalised_summary)},
        {"null_summary", to_json(r.null_dsa_summary)},
        {"null_normalised_summary", to_json(r.null_dsa_normalised_summary)}}},
      {"pif",
       {{"distance", to_json(r.pif)},
        {"normalised", to_json(r.pif_normalised)},
        {"normalisation", "distance / n^2 (n: the larger W_rec's size; the smaller is zero-padded)"},
        {"summary", to_json(r.pif_summary)},
        {"normalised_summary", to_json(r.pif_normalised_summary)}}},
      {"pairs", pairs},
      {"settings",
       {{"seed", o.seed},
        {"null_seed", o.seed + 1},
        {"eval_trials", o.eval_trials},
        {"dsa_trials", o.dsa_trials},
        {"delays", o.delays},
        {"rank", o.rank},
        {"lif_signal", to_string(o.lif_signal)},
        {"filter_ms", o.filter_ms},
        {"dsa_solver",
         {{"method", "Riemannian gradient descent on O(r), Cayley retraction, Barzilai-Borwein step with Armijo backtracking"},
          {"starts", "identity, reflection, procrustes, random"},
          {"max_iterations", o.dsa_solver.max_iterations},
          {"gradient_tolerance", o.dsa_solver.gradient_tolerance},
          {"random_starts", o.dsa_solver.random_starts},
          {"random_seed", o.dsa_solver.seed}}},
        {"pif_solver",
         {{"method", "FAQ Frank-Wolfe + linear-assignment and 2-swap refinement"},
          {"starts", "barycentre, identity, sorted-features (with Frank-Wolfe), random (refined directly)"},
          {"random_starts", o.pif_solver.random_starts},
          {"random_seed", o.pif_solver.seed},
          {"max_iterations", o.pif_solver.max_iterations},
          {"tolerance", o.pif_solver.tolerance},
          {"max_refine_rounds", o.pif_solver.max_refine_rounds}}}}},
  };
}

std::string behaviour_csv(const DegeneracyResult& r) {
  std::string csv =
      "network,path,model_type,n_rec,mse,success_rate,ood_mse,ood_success_rate,null_dsa,null_dsa_normalised\n";
  for (const auto& n : r.networks) {
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(n.label), csv_field(n.path.string()),
                       n.model_type, n.n_rec, number(n.mse), number(n.success_rate), number(n.ood_mse),
                       number(n.ood_success_rate), number(n.null_dsa), number(n.null_dsa_normalised));
  }
  return csv;
}

std::string matrix_csv(const MatrixXd& m, const std::vector<NetworkDegeneracy>& networks) {
  std::string csv = "network";
  for (const auto& n : networks) {
    csv += ',';
    csv += csv_field(n.label);
  }
  csv += "\n";
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    csv += csv_field(networks[std::size_t(i)].label);
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      csv += ',';
      csv += number(m(i, j));
    }
    csv += "\n";
  }
  return csv;
}

}  // namespace nf::analysis
