#pragma once
// The linear assignment problem (LAP): given a cost matrix K (n x m, n ≤ m),
// find the injective map σ from rows to columns that minimises
//
//   Σ_i K(i, σ(i)).
//
// Solved exactly by the shortest-augmenting-path form of the Hungarian
// method with row/column potentials (Kuhn 1955, Munkres 1957; the successive
// shortest path formulation of Jonker & Volgenant 1987 without their
// initialisation heuristics): each row in turn is added by a Dijkstra-like
// search on reduced costs K(i,j) − u_i − v_j ≥ 0, O(n²m) in all. Written here
// because no Debian C++ library fits (dlib's needs integer costs); it is
// checked against brute force over all permutations in the tests.

#include <Eigen/Core>
#include <vector>

namespace nf::analysis {

// Row i is assigned column result[i]. Throws nf::InputError when the matrix
// has more rows than columns or a non-finite entry.
std::vector<int> solve_linear_assignment(const Eigen::MatrixXd& cost);

// The same, maximising Σ_i W(i, σ(i)) (solves the LAP of −W).
std::vector<int> solve_linear_assignment_max(const Eigen::MatrixXd& weight);

// Σ_i K(i, assignment[i]).
double assignment_cost(const Eigen::MatrixXd& cost, const std::vector<int>& assignment);

}  // namespace nf::analysis
