#pragma once
// Dynamical Similarity Analysis (DSA, Ostrow et al. NeurIPS 2023): compares
// the dynamics of two systems through linear operators fitted to their delay-
// embedded state trajectories, up to an orthogonal change of coordinates.
//
// 1. Delay embedding. Each trial is a state sequence x_1 .. x_T (n-vectors).
//    With d delays, z_t = [x_t; x_{t−1}; …; x_{t−d+1}] (n·d) for t = d .. T;
//    the Hankel matrix H (n·d x M) holds z_t of every trial side by side
//    (M = Σ_trials (T − d + 1)); embedding windows never cross trials.
// 2. Reduction. H = U Σ Vᵀ; the rank-r coordinates of z_t are the row of V_r
//    (M x r) for that column, v_t = Σ_r⁻¹ U_rᵀ z_t (whitened principal
//    components, as DSA's reference code fits on V). Computed from the
//    eigen-decomposition of the smaller Gram matrix (H Hᵀ or Hᵀ H), accurate
//    for the leading components; r must stay below the numerical rank
//    (σ_r ≥ 1e-6 σ_1, else an nf::InputError names the rank available).
// 3. DMD. The next-step operator A (r x r) is the least-squares fit of
//    v_{t+1} ≈ A v_t over every consecutive pair within a trial:
//    A = argmin ||Y − A X||_F (column-pivoted QR).
// 4. Distance. d(x, y) = min over orthogonal C of ||A_x − C A_y Cᵀ||_F,
//    symmetric in x, y. A relabelling or rotation of the units leaves A up to
//    such a C (the SVD fixes V only up to signs and rotations in degenerate
//    subspaces), so d is 0 between a network and its permuted copy.
//    Normalised: d / ((||A_x||_F + ||A_y||_F) / 2).
//
// Solver (descend_orthogonal): Riemannian gradient descent on O(r) with the
// Cayley retraction (Wen & Yin 2013). With f(C) = ||A_x − C A_y Cᵀ||²_F and
// E = C A_y Cᵀ − A_x, the Euclidean gradient is G = 2(E C A_yᵀ + Eᵀ C A_y).
// Around the current C the iterate is C(S) = C · (I − S)(I + S)⁻¹ with S skew,
// whose gradient at S = 0 is −2 Ω, Ω = skew(Cᵀ G) = (CᵀG − GᵀC)/2; a step
// takes S = η Ω. Step size η: Armijo backtracking (halve until f falls by at
// least 10⁻⁴ · 2η||Ω||²_F), starting from the Barzilai–Borwein step below
// (first: 1 / (||A_x||²_F + ||A_y||²_F), the inverse curvature scale). Stops when
// ||Ω||_F ≤ gradient_tolerance · (||A_x||²_F + ||A_y||²_F), when f is at
// rounding level, when backtracking fails, or after max_iterations.
// The Cayley map reaches only the component of O(r) its start lies in, so
// the starts cover both: the identity, a reflection diag(−1, 1, …, 1), the
// Procrustes start, and `random_starts` Haar-random orthogonal matrices
// (seeded, alternately of determinant ±1). Procrustes start: with SVDs
// A = U Σ Vᵀ, an exact match A_x = C A_y Cᵀ (distinct singular values) has
// U_x = C U_y D and V_x = C V_y D for a sign matrix D, so C is the orthogonal
// Procrustes solution polar(Σ_k σ_xk σ_yk d_k (u_xk u_ykᵀ + v_xk v_ykᵀ)). The
// signs: U_xᵀV_x = D (U_yᵀV_y) D, so the leading eigenvector of the symmetrised
// (U_xᵀV_x) ∘ (U_yᵀV_y) has the signs of D (Perron–Frobenius); from that guess
// single flips are taken while they lower f, and for r ≤ 10 all 2^(r−1) sign
// sets are tried (the global sign is irrelevant). The best descent wins.
//
// The descent's step: Barzilai–Borwein (Wen & Yin 2013), alternating the two
// BB formulas, on the Riemannian gradient C Ω (a step S = ηΩ moves C by about
// −2η C Ω), then Armijo backtracking from that step.

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace nf::analysis {

struct DelayDmd {
  Eigen::MatrixXd a;                // r x r next-step operator in the whitened rank-r coordinates
  Eigen::VectorXd singular_values;  // of the Hankel matrix, the leading min(n·d, M) in decreasing order
  int samples = 0;                  // columns of the Hankel matrix (M)
  int transitions = 0;              // consecutive pairs the fit used
};

// `trials`: one n x T matrix per trial, column t = state x_{t+1}. Throws
// nf::InputError for inconsistent shapes, trials too short for the delays,
// too few transitions or a rank above the numerical rank.
DelayDmd fit_delay_dmd(const std::vector<Eigen::MatrixXd>& trials, int delays, int rank);

struct OrthogonalSolverOptions {
  int max_iterations = 1000;         // per start
  double gradient_tolerance = 1e-9;  // on ||Ω||_F relative to ||A_x||² + ||A_y||²
  int random_starts = 2;
  std::uint64_t seed = 20231;        // of the random starts
};

struct OrthogonalMatch {
  Eigen::MatrixXd c;        // the orthogonal C found
  double distance = 0;      // ||A_x − C A_y Cᵀ||_F
  double normalised = 0;    // distance / ((||A_x||_F + ||A_y||_F) / 2), 0 when both are 0
  std::string start;        // "identity", "reflection", "procrustes", "random-<k>"
  int iterations = 0;       // of the winning descent
};

// C = (I − S)(I + S)⁻¹ for skew S: orthogonal with determinant +1.
Eigen::MatrixXd cayley(const Eigen::MatrixXd& s);

// One descent from the orthogonal start c0.
OrthogonalMatch descend_orthogonal(const Eigen::MatrixXd& a_x, const Eigen::MatrixXd& a_y,
                                   const Eigen::MatrixXd& c0, const OrthogonalSolverOptions& options = {});

// The Procrustes start described above.
Eigen::MatrixXd procrustes_start(const Eigen::MatrixXd& a_x, const Eigen::MatrixXd& a_y);

// The DSA distance: the best descent over every start. Throws nf::InputError
// unless A_x and A_y are square, of one size, and finite.
OrthogonalMatch dsa_distance(const Eigen::MatrixXd& a_x, const Eigen::MatrixXd& a_y,
                             const OrthogonalSolverOptions& options = {});

// A Haar-random orthogonal matrix (QR of a Gaussian matrix, signs fixed).
Eigen::MatrixXd random_orthogonal(int n, std::uint64_t seed);

}  // namespace nf::analysis
