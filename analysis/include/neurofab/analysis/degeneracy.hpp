#pragma once
// Solution degeneracy of networks trained on one task, at three levels
// (Huang et al. NeurIPS 2025; /work/shared/spec/degeneracy.md; docs/analysis.md):
//
//  1. Behaviour. Each network's masked task MSE on the OOD variant of the task
//     (models::make_ood_task: longer trials or delays) over `eval_trials`
//     trials of the evaluation stream of `seed`, the same trials for every
//     network, and
//        σ_OOD = sqrt(Σ_k (m_k − m̄)² / (K − 1))       (sample sd, K networks)
//     beside the population sd (divisor K). In-distribution MSE and success
//     rate are reported for context.
//  2. Dynamics. Every network runs the same `dsa_trials` trials (the task's
//     evaluation batch of `seed`, with the same noise draws); its hidden
//     states — the rate RNN's h_t, the LIF RNN's exponentially filtered spikes
//     r_t = e^(−dt/τ_f) r_{t−1} + s_t (or its membranes v_t) — are delay-
//     embedded and reduced to a rank-r DMD operator (dsa.hpp), and the DSA
//     distance is taken for every pair. Null: each network against itself on
//     resampled trials (seed + 1), the distance that sampling alone gives.
//  3. Weights. d_PIF on W_rec for every pair (permutation_distance.hpp).
//
// Every network must be trained on the same task with the same parameters
// (hence the same input and output sizes); widths and model families may
// differ (DSA compares rank-r operators; d_PIF zero-pads the smaller W_rec).

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neurofab/analysis/dsa.hpp"
#include "neurofab/analysis/permutation_distance.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/task.hpp"

namespace nf::analysis {

enum class LifSignal { kFilteredSpikes, kMembrane };
std::string to_string(LifSignal signal);
LifSignal lif_signal_from_string(const std::string& name);  // "filtered" or "membrane"; throws nf::InputError

struct DegeneracyOptions {
  int dsa_trials = 16;      // trials of the common input set
  int delays = 10;          // d of the delay embedding
  int rank = 10;            // r of the DMD operator
  std::uint64_t seed = 1;   // of the common input set and the behavioural evaluation; the null uses seed + 1
  int eval_trials = 256;    // trials of the behavioural evaluation (in-distribution and OOD)
  LifSignal lif_signal = LifSignal::kFilteredSpikes;
  double filter_ms = 20.0;  // τ_f of the spike filter
  OrthogonalSolverOptions dsa_solver;
  PermutationSolverOptions pif_solver;

  void validate() const;  // throws nf::InputError naming the option
};

struct NetworkInput {
  std::string label;         // short name for tables and plots
  std::filesystem::path path;
  models::Artifact artifact;
};

struct NetworkDegeneracy {
  std::string label;
  std::filesystem::path path;
  std::string model_type;  // "rate_rnn", "lif_rnn"
  int n_rec = 0;
  double mse = 0, success_rate = 0;          // in distribution
  double ood_mse = 0, ood_success_rate = 0;  // OOD variant
  double null_dsa = 0, null_dsa_normalised = 0;
  std::vector<double> hankel_singular_values;  // leading ones, for the choice of rank
};

struct PairDegeneracy {
  int a = 0, b = 0;  // network indices, a < b
  std::string dsa_start;
  int dsa_iterations = 0;
  std::vector<int> permutation;  // unit i of a ↔ unit permutation[i] of b (padded size)
  std::string pif_start;
  double pif_rms = 0;
};

struct Summary {
  double mean = 0, median = 0, min = 0, max = 0;
  int count = 0;
};

struct DegeneracyResult {
  std::string task;
  std::map<std::string, double> task_params;
  std::map<std::string, double> ood_params;
  std::vector<NetworkDegeneracy> networks;
  double sigma_ood = 0;             // sample sd
  double sigma_ood_population = 0;  // population sd
  Eigen::MatrixXd dsa, dsa_normalised, pif, pif_normalised;  // K x K, symmetric, zero diagonal
  std::vector<PairDegeneracy> pairs;
  Summary ood_mse, dsa_summary, dsa_normalised_summary, null_dsa_summary, null_dsa_normalised_summary, pif_summary,
      pif_normalised_summary;
};

// Loads the artifacts (labels: folder names, or the whole paths when names repeat).
std::vector<NetworkInput> load_networks(const std::vector<std::filesystem::path>& runs);

// Throws nf::InputError naming the two folders when networks differ in task,
// task parameters or input/output size, or when fewer than two are given.
void check_comparable(const std::vector<NetworkInput>& networks);

DegeneracyResult analyse_degeneracy(const std::vector<NetworkInput>& networks, const DegeneracyOptions& options);

// Hidden-state trajectories of `trials` evaluation trials of `seed` (one n x T matrix per trial).
std::vector<Eigen::MatrixXd> hidden_trajectories(const models::RateRnn<float>& network, const models::Task& task,
                                                 int trials, std::uint64_t seed);
std::vector<Eigen::MatrixXd> hidden_trajectories(const models::LifRnn<float>& network, const models::Task& task,
                                                 int trials, std::uint64_t seed, LifSignal signal, double filter_ms);

// Statistics over values (sample sd: divisor K − 1, 0 for one value).
double mean(const std::vector<double>& values);
double median(std::vector<double> values);
double sample_sd(const std::vector<double>& values);
double population_sd(const std::vector<double>& values);
Summary summarise(const std::vector<double>& values);
// The entries above the diagonal of a symmetric matrix, row by row.
std::vector<double> upper_triangle(const Eigen::MatrixXd& m);

// Output files.
nlohmann::json degeneracy_json(const DegeneracyResult& result, const DegeneracyOptions& options);
std::string behaviour_csv(const DegeneracyResult& result);
// A labelled matrix: header "network,<label…>", then one row per network.
std::string matrix_csv(const Eigen::MatrixXd& m, const std::vector<NetworkDegeneracy>& networks);

}  // namespace nf::analysis
