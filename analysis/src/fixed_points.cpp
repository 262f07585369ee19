#include "neurofab/analysis/fixed_points.hpp"
#include "neurofab/analysis/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <unsupported/Eigen/NonLinearOptimization>

#include "neurofab/analysis/spectrum.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"

namespace nf::analysis {

namespace {

// Trials drawn in the figure.
constexpr int kDrawnTrials = 4;
// Steps of each drawn trial at most (longer trials are cut).
constexpr int kDrawnSteps = 4000;
// States used for the principal axes at most (evenly subsampled).
constexpr Eigen::Index kMaxPcaStates = 50000;
// Newton polishing steps after LM.
constexpr int kPolishSteps = 8;

// The residual r(h) = F(h) − h and its Jacobian J − I, in the form MINPACK's
// lmder (Eigen::LevenbergMarquardt) expects: m = n = N.
struct ResidualFunctor {
  const RateMap& map;
  Eigen::Index inputs() const { return map.w_rec.rows(); }
  Eigen::Index values() const { return map.w_rec.rows(); }
  int operator()(const Eigen::VectorXd& h, Eigen::VectorXd& r) const {
    r = map.residual(h);
    return 0;
  }
  int df(const Eigen::VectorXd& h, Eigen::MatrixXd& jac) const {
    jac = map.jacobian(h);
    jac.diagonal().array() -= 1.0;
    return 0;
  }
};

std::string num(double value) { return fmt::format("{}", value); }

nlohmann::json vector_json(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

}  // namespace

// ---------------------------------------------------------------------------
// The map
// ---------------------------------------------------------------------------

Eigen::VectorXd RateMap::step(const Eigen::VectorXd& h) const {
  Eigen::VectorXd a = w_rec * h + drive;
  const Eigen::VectorXd phi = activation == models::Activation::kTanh ? Eigen::VectorXd(a.array().tanh())
                                                                       : Eigen::VectorXd(a.array().max(0.0));
  return (1.0 - alpha) * h + alpha * phi;
}

Eigen::VectorXd RateMap::residual(const Eigen::VectorXd& h) const {
  // α (φ(a) − h) rather than F(h) − h: the same value with one rounding less.
  Eigen::VectorXd a = w_rec * h + drive;
  const Eigen::VectorXd phi = activation == models::Activation::kTanh ? Eigen::VectorXd(a.array().tanh())
                                                                       : Eigen::VectorXd(a.array().max(0.0));
  return alpha * (phi - h);
}

Eigen::MatrixXd RateMap::jacobian(const Eigen::VectorXd& h) const {
  const Eigen::VectorXd a = w_rec * h + drive;
  const Eigen::VectorXd slope = activation == models::Activation::kTanh
                                    ? Eigen::VectorXd(1.0 - a.array().tanh().square())
                                    : Eigen::VectorXd((a.array() > 0.0).cast<double>());
  Eigen::MatrixXd j = alpha * (slope.asDiagonal() * w_rec);
  j.diagonal().array() += 1.0 - alpha;
  return j;
}

double RateMap::speed(const Eigen::VectorXd& h) const { return 0.5 * residual(h).squaredNorm(); }

Eigen::VectorXd RateMap::readout(const Eigen::VectorXd& h) const {
  if (w_out.size() == 0) return {};
  return w_out * h + b_out;
}

RateMap rate_map(const models::RateRnn<float>& network, const Eigen::VectorXd& input) {
  const auto& config = network.config();
  const auto& w = network.weights();
  if (input.size() != config.n_in)
    throw InputError(fmt::format("--input: the network has {} inputs, got {} values", config.n_in, input.size()));
  RateMap map;
  map.w_rec = w.w_rec.cast<double>();
  map.drive = w.w_in.cast<double>() * input + w.b_rec.cast<double>().col(0);
  map.alpha = config.alpha();
  map.activation = config.activation;
  map.w_out = w.w_out.cast<double>();
  map.b_out = w.b_out.cast<double>().col(0);
  return map;
}

void FixedPointOptions::validate() const {
  if (starts < 1) throw InputError(fmt::format("--starts must be 1 or more (got {})", starts));
  if (!(slow_threshold > 0 && std::isfinite(slow_threshold)))
    throw InputError(fmt::format("--slow-threshold must be a finite number > 0 (got {})", slow_threshold));
  if (!(fixed_tolerance > 0 && fixed_tolerance <= slow_threshold))
    throw InputError(fmt::format("--fixed-tolerance must be > 0 and at most --slow-threshold {} (got {})",
                                 slow_threshold, fixed_tolerance));
  if (!(dedup_distance > 0 && std::isfinite(dedup_distance)))
    throw InputError(fmt::format("--dedup-distance must be a finite number > 0 (got {})", dedup_distance));
  if (!(start_noise >= 0 && std::isfinite(start_noise)))
    throw InputError(fmt::format("--start-noise must be a finite number >= 0 (got {})", start_noise));
  if (trials < 1) throw InputError(fmt::format("--trials must be 1 or more (got {})", trials));
  if (max_evaluations < 1) throw InputError(fmt::format("--max-evaluations must be 1 or more (got {})", max_evaluations));
}

// ---------------------------------------------------------------------------
// Minimisation, linearisation, search
// ---------------------------------------------------------------------------

Eigen::VectorXd minimise_speed(const RateMap& map, const Eigen::VectorXd& start, const FixedPointOptions& options) {
  Eigen::VectorXd h = start;
  // MINPACK divides by ||r|| when testing its reduction; a start that is
  // already a root (to rounding) needs no search.
  if (map.speed(h) > 0) {
    ResidualFunctor functor{map};
    Eigen::LevenbergMarquardt<ResidualFunctor> lm(functor);
    // Tight tolerances: stop on a relative step of 1e-14 or on a relative
    // reduction of ||r||² that rounding cannot beat; gtol = 0 still stops when
    // r ⟂ the Jacobian's columns exactly (r = 0 included).
    lm.parameters.ftol = 1e-28;
    lm.parameters.xtol = 1e-14;
    lm.parameters.gtol = 0.0;
    lm.parameters.maxfev = options.max_evaluations;
    lm.minimize(h);
  }
  // Newton polishing: h ← h − (J − I)⁻¹ r, kept only if it lowers q and stays
  // local (a step longer than the dedup distance would jump to another point).
  double q = map.speed(h);
  for (int k = 0; k < kPolishSteps && q > 0; ++k) {
    Eigen::MatrixXd jac = map.jacobian(h);
    jac.diagonal().array() -= 1.0;
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(jac);
    if (!lu.isInvertible()) break;
    const Eigen::VectorXd delta = lu.solve(map.residual(h));
    if (!delta.allFinite() || delta.norm() > options.dedup_distance) break;
    const Eigen::VectorXd next = h - delta;
    const double q_next = map.speed(next);
    if (!(q_next < q)) break;
    h = next;
    q = q_next;
  }
  return h;
}

std::string FixedPoint::stability() const {
  if (unstable_directions == 0) return max_modulus < 1.0 ? "stable" : "marginal";
  if (unstable_directions == static_cast<int>(eigenvalues.size())) return "unstable";
  return "saddle";
}

FixedPoint linearise(const RateMap& map, const Eigen::VectorXd& h, const FixedPointOptions& options) {
  FixedPoint p;
  p.h = h;
  p.q = map.speed(h);
  p.fixed = p.q < options.fixed_tolerance;
  p.eigenvalues = eigenvalues(map.jacobian(h));
  for (const auto lambda : p.eigenvalues) {
    p.max_modulus = std::max(p.max_modulus, std::abs(lambda));
    if (std::abs(lambda) > 1.0) ++p.unstable_directions;
  }
  p.starts = 1;
  p.readout = map.readout(h);
  return p;
}

FixedPointSearch find_fixed_points(const RateMap& map, const std::vector<Eigen::VectorXd>& starts,
                                   const FixedPointOptions& options) {
  options.validate();
  struct Candidate {
    Eigen::VectorXd h;
    double q;
  };
  std::vector<Candidate> candidates;
  FixedPointSearch search;
  for (const auto& start : starts) {
    if (start.size() != map.size())
      throw InputError(fmt::format("find_fixed_points: a start has {} values for {} units", start.size(), map.size()));
    Eigen::VectorXd h = minimise_speed(map, start, options);
    const double q = map.speed(h);
    if (std::isfinite(q) && q < options.slow_threshold) {
      candidates.push_back({std::move(h), q});
    } else {
      ++search.discarded;
    }
  }
  // Lowest q first, so each cluster is represented by its best member.
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) { return a.q < b.q; });
  std::vector<Candidate> kept;
  std::vector<int> counts;
  for (const auto& c : candidates) {
    bool merged = false;
    for (std::size_t k = 0; k < kept.size(); ++k) {
      if ((kept[k].h - c.h).norm() < options.dedup_distance) {
        ++counts[k];
        merged = true;
        break;
      }
    }
    if (!merged) {
      kept.push_back(c);
      counts.push_back(1);
    }
  }
  for (std::size_t k = 0; k < kept.size(); ++k) {
    FixedPoint p = linearise(map, kept[k].h, options);
    p.starts = counts[k];
    search.points.push_back(std::move(p));
  }
  // Fixed points before slow points; q ascending within each (already sorted).
  std::stable_partition(search.points.begin(), search.points.end(), [](const FixedPoint& p) { return p.fixed; });
  return search;
}

// ---------------------------------------------------------------------------
// Projection
// ---------------------------------------------------------------------------

Eigen::MatrixXd Projection::project(const Eigen::MatrixXd& states) const {
  return axes.transpose() * (states.colwise() - mean);
}

Projection principal_axes(const Eigen::MatrixXd& states) {
  const Eigen::Index n = states.rows();
  if (n == 0 || states.cols() == 0) throw InputError("principal_axes: no states");
  Projection p;
  p.mean = states.rowwise().mean();
  const Eigen::MatrixXd centred = states.colwise() - p.mean;
  const Eigen::MatrixXd covariance = centred * centred.transpose() / static_cast<double>(states.cols());
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(covariance);
  const Eigen::Index k = std::min<Eigen::Index>(3, n);
  p.axes.resize(n, k);
  p.explained_variance_ratio.resize(k);
  const double total = std::max(covariance.trace(), 1e-300);
  for (Eigen::Index i = 0; i < k; ++i) {
    // Eigenvalues come in ascending order; the largest is last.
    Eigen::VectorXd axis = solver.eigenvectors().col(n - 1 - i);
    // Fix the sign (largest component positive) so the figure is reproducible.
    Eigen::Index largest = 0;
    axis.cwiseAbs().maxCoeff(&largest);
    if (axis(largest) < 0) axis = -axis;
    p.axes.col(i) = axis;
    p.explained_variance_ratio(i) = std::max(0.0, solver.eigenvalues()(n - 1 - i)) / total;
  }
  return p;
}

// ---------------------------------------------------------------------------
// One artifact
// ---------------------------------------------------------------------------

Eigen::VectorXd parse_input(const std::string& text, int n_in) {
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n_in);
  if (text.empty()) return x;
  std::vector<double> values;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    try {
      std::size_t used = 0;
      const double value = std::stod(item, &used);
      if (used != item.size() || !std::isfinite(value)) throw std::invalid_argument(item);
      values.push_back(value);
    } catch (const std::exception&) {
      throw InputError(fmt::format("--input: '{}' is not a number (expected x1,x2,... with {} values)", item, n_in));
    }
  }
  if (static_cast<int>(values.size()) != n_in || text.back() == ',')
    throw InputError(fmt::format("--input: the network has {} inputs, got '{}' ({} values)", n_in, text,
                                 values.size()));
  for (int i = 0; i < n_in; ++i) x(i) = values[static_cast<std::size_t>(i)];
  return x;
}

FixedPointAnalysis analyse_fixed_points(const models::Artifact& artifact, const std::string& run,
                                        const std::string& input, const FixedPointOptions& options) {
  options.validate();
  if (!std::holds_alternative<models::RateRnnArtifact>(artifact))
    throw InputError(fmt::format(
        "{}: fixed points need a rate network, and this is a {} ({}): its update thresholds the membrane "
        "(s = H(v - theta)), so F is discontinuous in the state and has no smooth fixed points or Jacobian to find; "
        "use `neurofab analyze spectrum` for its weights",
        run, models::model_description(artifact), models::model_type(artifact)));
  const auto& a = std::get<models::RateRnnArtifact>(artifact);
  const auto& network = a.network;
  const auto& config = network.config();

  FixedPointAnalysis out;
  out.run = run;
  out.task = a.task_name;
  out.input = parse_input(input, config.n_in);
  out.alpha = config.alpha();
  out.activation = models::to_string(config.activation);
  out.options = options;
  const RateMap map = rate_map(network, out.input);

  // The states of the network on its own task's evaluation trials (the
  // artifact's evaluation stream, as `neurofab eval`), h_1 .. h_T of each trial.
  const auto task = models::make_task(a.task_name, a.task_params);
  const auto recorded = models::record_trials(network, *task, options.trials, a.seed);
  const auto& traj = recorded.trajectory;
  const Eigen::Index batch = traj.batch_size;
  const Eigen::Index steps = traj.n_steps;
  const Eigen::MatrixXd visited = traj.states.rightCols(steps * batch).cast<double>();

  Rng rng = Rng::derive(options.seed, {0x66697865ULL /* "fixe" */});
  std::vector<Eigen::VectorXd> starts;
  for (int k = 0; k < options.starts; ++k) {
    const auto column = static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(visited.cols())));
    Eigen::VectorXd h = visited.col(column);
    for (Eigen::Index i = 0; i < h.size(); ++i) h(i) += options.start_noise * rng.normal();
    starts.push_back(std::move(h));
  }
  out.search = find_fixed_points(map, starts, options);

  const Eigen::Index stride = std::max<Eigen::Index>(1, (visited.cols() + kMaxPcaStates - 1) / kMaxPcaStates);
  Eigen::MatrixXd sample(visited.rows(), (visited.cols() + stride - 1) / stride);
  for (Eigen::Index c = 0; c < sample.cols(); ++c) sample.col(c) = visited.col(c * stride);
  out.projection = principal_axes(sample);

  const Eigen::Index drawn_steps = std::min<Eigen::Index>(steps + 1, kDrawnSteps);
  for (Eigen::Index b = 0; b < std::min<Eigen::Index>(batch, kDrawnTrials); ++b) {
    Eigen::MatrixXd trial(config.n_rec, drawn_steps);
    for (Eigen::Index t = 0; t < drawn_steps; ++t) trial.col(t) = traj.states.col(t * batch + b).cast<double>();
    out.trajectories.push_back(out.projection.project(trial));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

std::string fixed_points_csv(const std::vector<FixedPointAnalysis>& analyses) {
  std::string csv =
      "run,point,kind,q,stability,unstable_directions,max_modulus,leading_re,leading_im,starts,readout,pc1,pc2,pc3\n";
  for (const auto& a : analyses) {
    for (std::size_t k = 0; k < a.search.points.size(); ++k) {
      const FixedPoint& p = a.search.points[k];
      const auto leading = p.eigenvalues.front();
      std::string readout;
      for (Eigen::Index i = 0; i < p.readout.size(); ++i) {
        if (i > 0) readout += ';';
        readout += num(p.readout(i));
      }
      const Eigen::VectorXd pcs = a.projection.project(p.h);
      std::string pc_fields;
      for (Eigen::Index i = 0; i < 3; ++i) {
        pc_fields += ',';
        if (i < pcs.size()) pc_fields += num(pcs(i));
      }
      csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{}{}\n", csv_field(a.run), k, p.fixed ? "fixed" : "slow",
                         num(p.q), p.stability(), p.unstable_directions, num(p.max_modulus), num(leading.real()),
                         num(leading.imag()), p.starts, readout, pc_fields);
    }
  }
  return csv;
}

nlohmann::json fixed_points_json(const std::vector<FixedPointAnalysis>& analyses) {
  nlohmann::json out;
  out["networks"] = nlohmann::json::array();
  for (const auto& a : analyses) {
    const auto& o = a.options;
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : a.search.points) {
      nlohmann::json eig = nlohmann::json::array();
      for (const auto lambda : p.eigenvalues) eig.push_back({lambda.real(), lambda.imag()});
      points.push_back({{"kind", p.fixed ? "fixed" : "slow"},
                        {"q", p.q},
                        {"stability", p.stability()},
                        {"unstable_directions", p.unstable_directions},
                        {"max_modulus", p.max_modulus},
                        {"starts", p.starts},
                        {"readout", vector_json(p.readout)},
                        {"h", vector_json(p.h)},
                        {"projection", vector_json(a.projection.project(p.h))},
                        {"eigenvalues", eig}});
    }
    int n_fixed = 0, n_stable = 0;
    for (const auto& p : a.search.points) {
      n_fixed += p.fixed ? 1 : 0;
      n_stable += p.fixed && p.stable() ? 1 : 0;
    }
    out["networks"].push_back(
        {{"run", a.run},
         {"task", a.task},
         {"alpha", a.alpha},
         {"activation", a.activation},
         {"input", vector_json(a.input)},
         {"seed", o.seed},
         {"starts", o.starts},
         {"trials", o.trials},
         {"start_noise", o.start_noise},
         {"slow_threshold", o.slow_threshold},
         {"fixed_tolerance", o.fixed_tolerance},
         {"dedup_distance", o.dedup_distance},
         {"max_evaluations", o.max_evaluations},
         {"solver", "Levenberg-Marquardt (MINPACK lmder, Eigen unsupported NonLinearOptimization), analytic "
                    "Jacobian, then local Newton polishing"},
         {"fixed_points", n_fixed},
         {"stable_fixed_points", n_stable},
         {"slow_points", static_cast<int>(a.search.points.size()) - n_fixed},
         {"discarded", a.search.discarded},
         {"explained_variance_ratio", vector_json(a.projection.explained_variance_ratio)},
         {"points", points}});
  }
  return out;
}

}  // namespace nf::analysis
