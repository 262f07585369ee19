#pragma once
// Fixed points and slow points of a rate network's dynamics
// (`neurofab analyze fixed-points`, docs/analysis.md; Sussillo & Barak 2013).
//
// For a constant input x* the noise-free update is the autonomous map
//   F(h) = (1-α) h + α φ(a(h)),   a(h) = W_rec h + W_in x* + b_rec,
// and its speed is measured by
//   q(h) = ½ ||r(h)||²,   r(h) = F(h) − h = α (φ(a(h)) − h).
// We minimise q from many starts with MINPACK's Levenberg–Marquardt (Eigen's
// unsupported NonLinearOptimization module, lmder) on the residual r with its
// analytic Jacobian
//   ∂r/∂h = J − I,   J = ∂F/∂h = (1-α) I + α diag(φ'(a)) W_rec,
// φ'(a) = 1 − tanh²(a) for tanh and [a > 0] for relu (the model's convention).
// Local minima of q with q > 0 are the slow points; LM converges to them too
// (it stops where J_rᵀ r = 0). A few Newton steps, each accepted only if it
// lowers q and moves less than the de-duplication distance, polish a
// converged root to rounding level.
//
// Classification of a minimum h°:
//   fixed point   q(h°) < fixed_tolerance (tight: rounding level)
//   slow point    q(h°) < slow_threshold
//   (otherwise discarded and counted).
// Nearby solutions (Euclidean distance < dedup_distance) are merged into the
// one with the lowest q; `starts` counts how many starts ended there.
// At each point: the eigenvalues of J, stable when max |λ| < 1, the number of
// unstable directions (|λ| > 1: the saddle index), and the readout
// y = W_out h° + b_out — e.g. a flip-flop has stable points at its two output
// levels and a saddle between them.
//
// Starts: K states drawn (seeded) from the network's states h_t on evaluation
// trials of its own task (models::record_trials), plus N(0, start_noise²) noise
// per unit. LIF networks have no such map (their spike threshold makes the
// update discontinuous in the state) and are refused.

#include <cstdint>
#include <complex>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurofab/models/artifact.hpp"

namespace nf::analysis {

// The autonomous rate map F of one network and one constant input, in double.
struct RateMap {
  Eigen::MatrixXd w_rec;  // N x N
  Eigen::VectorXd drive;  // W_in x* + b_rec
  double alpha = 1.0;
  models::Activation activation = models::Activation::kTanh;
  Eigen::MatrixXd w_out;  // n_out x N (may be empty: no readout)
  Eigen::VectorXd b_out;

  int size() const { return static_cast<int>(w_rec.rows()); }
  Eigen::VectorXd step(const Eigen::VectorXd& h) const;      // F(h)
  Eigen::VectorXd residual(const Eigen::VectorXd& h) const;  // r(h) = F(h) − h
  Eigen::MatrixXd jacobian(const Eigen::VectorXd& h) const;  // J = ∂F/∂h
  double speed(const Eigen::VectorXd& h) const;              // q(h) = ½||r(h)||²
  Eigen::VectorXd readout(const Eigen::VectorXd& h) const;   // W_out h + b_out
};

// The map of a trained rate network for the constant input `input` (n_in
// values). Throws nf::InputError naming --input when the size is wrong.
RateMap rate_map(const models::RateRnn<float>& network, const Eigen::VectorXd& input);

struct FixedPointOptions {
  int starts = 64;                 // K
  double slow_threshold = 1e-6;    // q below this: a slow (or fixed) point
  double fixed_tolerance = 1e-20;  // q below this: a fixed point
  double dedup_distance = 1e-3;    // merge solutions closer than this (state units)
  double start_noise = 0.01;       // sd of the noise added to each start
  int trials = 16;                 // evaluation trials the starts are drawn from
  int max_evaluations = 2000;      // LM's budget of residual evaluations per start
  std::uint64_t seed = 1;          // of the start sampling (not of the trials: the artifact's)
  void validate() const;           // throws nf::InputError naming the option
};

struct FixedPoint {
  Eigen::VectorXd h;
  double q = 0;
  bool fixed = false;                             // else slow
  std::vector<std::complex<double>> eigenvalues;  // of J at h, sorted as analysis::eigenvalues()
  double max_modulus = 0;
  int unstable_directions = 0;  // |λ| > 1
  int starts = 0;               // starts that converged here
  Eigen::VectorXd readout;
  bool stable() const { return max_modulus < 1.0; }
  // "stable" (every |λ| < 1), "marginal" (none > 1, some = 1), "saddle"
  // (some but not all |λ| > 1) or "unstable" (every |λ| > 1).
  std::string stability() const;
};

// One minimisation of q from `start` (LM + polishing); returns the end point.
Eigen::VectorXd minimise_speed(const RateMap& map, const Eigen::VectorXd& start, const FixedPointOptions& options);

// The linearisation of F at h (eigenvalues, stability, readout); starts = 1.
FixedPoint linearise(const RateMap& map, const Eigen::VectorXd& h, const FixedPointOptions& options);

struct FixedPointSearch {
  std::vector<FixedPoint> points;  // fixed points first, then slow points, each by ascending q
  int discarded = 0;               // minima with q ≥ slow_threshold
};

// Minimises from every start, classifies, de-duplicates and linearises.
FixedPointSearch find_fixed_points(const RateMap& map, const std::vector<Eigen::VectorXd>& starts,
                                   const FixedPointOptions& options);

// Principal axes of a cloud of states (columns), for drawing.
struct Projection {
  Eigen::VectorXd mean;
  Eigen::MatrixXd axes;  // N x k, k = min(3, N), orthonormal columns by descending variance
  Eigen::VectorXd explained_variance_ratio;
  Eigen::MatrixXd project(const Eigen::MatrixXd& states) const;  // k x columns
};
Projection principal_axes(const Eigen::MatrixXd& states);

// The whole analysis of one artifact.
struct FixedPointAnalysis {
  std::string run;
  std::string task;
  Eigen::VectorXd input;  // x*
  double alpha = 1.0;
  std::string activation;
  FixedPointOptions options;
  FixedPointSearch search;
  Projection projection;                  // of the evaluation-trial states
  std::vector<Eigen::MatrixXd> trajectories;  // a few trials, projected: k x (T+1) each
};

// Parses "x1,x2,…" (empty: zeros) for a network with n_in inputs; throws
// nf::InputError naming --input.
Eigen::VectorXd parse_input(const std::string& text, int n_in);

// Throws nf::InputError for a LIF artifact (saying why) or bad options.
FixedPointAnalysis analyse_fixed_points(const models::Artifact& artifact, const std::string& run,
                                        const std::string& input, const FixedPointOptions& options);

// fixed_points.csv: run,point,kind,q,stability,unstable_directions,max_modulus,
// leading_re,leading_im,starts,readout,pc1,pc2,pc3 — readout values joined by ';'.
std::string fixed_points_csv(const std::vector<FixedPointAnalysis>& analyses);
// fixed_points.json: per run its options, seed, input, and per point h, q,
// kind, stability, eigenvalues, readout, projection.
nlohmann::json fixed_points_json(const std::vector<FixedPointAnalysis>& analyses);

}  // namespace nf::analysis
