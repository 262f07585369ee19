#pragma once
// Permutation-invariant distance between two recurrent weight matrices
// (the weight level of solution degeneracy, Huang et al. NeurIPS 2025):
//
//   d_PIF(W1, W2) = min over permutation matrices P of ||W1 − Pᵀ W2 P||_F.
//
// With the permutation written as a map π (unit i of network 1 ↔ unit π(i) of
// network 2), (Pᵀ W2 P)_ij = W2(π(i), π(j)), and since the norms of W1 and W2
// do not depend on P,
//
//   ||W1 − Pᵀ W2 P||²_F = ||W1||²_F + ||W2||²_F − 2 f(X),   f(X) = tr(W1ᵀ X W2 Xᵀ),
//
// with X = Pᵀ (X(i, π(i)) = 1): minimising the distance is maximising the
// quadratic assignment objective f — two-sided graph matching, NP-hard in
// general, so it is solved approximately:
//
//  1. FAQ (Vogelstein et al. 2015; scipy.optimize.quadratic_assignment):
//     Frank–Wolfe on the relaxation over doubly stochastic X. Each iteration
//     takes the gradient ∇f(X) = W1 X W2ᵀ + W1ᵀ X W2, the vertex Q that
//     maximises ⟨∇f(X), Q⟩ (a linear assignment), and the exact line search on
//     the quadratic f(X + α(Q − X)), α ∈ [0, 1]; it stops when the step
//     ||ΔX||_F / √n < tolerance or after max_iterations, then projects X to the
//     nearest permutation (the linear assignment maximising ⟨X, P⟩).
//  2. Starts: the barycentre 11ᵀ/n (scipy's default), the identity, the
//     permutation matched on sorted per-unit features (a unit's self-weight and
//     its sorted incoming and outgoing weights, which a relabelling does not
//     change: the linear assignment minimising the squared feature distance),
//     and `random_starts` random permutations (seeded; FAQ's authors likewise
//     restart from random points, the objective being non-convex), which go
//     straight to step 3 so they do not fall into the other starts' basin.
//  3. Refinement of each start's permutation: repeated linear-assignment steps
//     (X ← argmax_Q ⟨∇f(X), Q⟩ while f improves) and 2-swap local search (swap
//     π(i), π(j) while any swap lowers the distance), until neither improves.
//  The best permutation over the starts is kept.
//
// Different sizes: the smaller matrix is zero-padded to the larger size (its
// extra "units" have no synapses), so the distance counts the unmatched
// units' weights in full. normalised = distance / n², n the padded size: the
// distance per parameter of W_rec, as the spec asks for ("normalised by the
// number of parameters"); rms = distance / n is the root-mean-square entry
// difference, easier to read against the weights themselves.

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace nf::analysis {

struct PermutationSolverOptions {
  int max_iterations = 30;       // Frank–Wolfe iterations per start (scipy's default)
  double tolerance = 0.03;       // Frank–Wolfe stop: ||ΔX||_F / √n (scipy's default)
  int max_refine_rounds = 100;   // rounds of linear-assignment + 2-swap refinement per start
  int random_starts = 8;         // extra starts from random permutations (seeded)
  std::uint64_t seed = 4177;     // of the random starts
};

struct PermutationMatch {
  std::vector<int> permutation;  // unit i of W1 ↔ unit permutation[i] of W2 (padded size)
  double distance = 0;           // ||W1 − Pᵀ W2 P||_F
  double normalised = 0;         // distance / n²
  double rms = 0;                // distance / n
  int size = 0;                  // n, the padded size
  std::string start;             // the start that won: "barycentre", "identity", "sorted-features", "random-<k>"
};

// d_PIF and the permutation that attains it. Both matrices must be square;
// throws nf::InputError otherwise.
PermutationMatch permutation_distance(const Eigen::MatrixXd& w1, const Eigen::MatrixXd& w2,
                                      const PermutationSolverOptions& options = {});

// ||W1 − Pᵀ W2 P||_F for a given π (both n x n).
double permuted_distance(const Eigen::MatrixXd& w1, const Eigen::MatrixXd& w2, const std::vector<int>& permutation);

// Pᵀ W P: entry (i, j) is W(π(i), π(j)).
Eigen::MatrixXd permute_units(const Eigen::MatrixXd& w, const std::vector<int>& permutation);

// Change of f = Σ_ij W1(i,j) W2(π(i), π(j)) when π(i) and π(j) are swapped, in O(n).
double swap_gain(const Eigen::MatrixXd& w1, const Eigen::MatrixXd& w2, const std::vector<int>& permutation, int i,
                 int j);

}  // namespace nf::analysis
