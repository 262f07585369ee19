#pragma once
// Degeneracy against a factor (/work/shared/spec/degeneracy.md: "plot each
// measure against the factor"): the networks are grouped by their value of
// one factor — task complexity (a task parameter such as the flip-flop's
// bits), width, initialisation, model family, any grid axis of a sweep — and
// the degeneracy analysis (degeneracy.hpp) runs within each group. Each group
// gives one row:
//
//   value, K networks, σ_OOD (sample sd of the OOD MSE over the group),
//   mean and median DSA over the K(K−1)/2 pairs, mean null DSA over the K
//   networks, mean and median d_PIF and d_PIF/n², mean test success and MSE
//   (in distribution), mean OOD MSE
//
// so the rows are exactly the summaries of the group's degeneracy.json.
//
// A network's value of the factor, in this order:
//   1. a grid axis of the sweep the run belongs to (runs/<id>/run.json, its
//      "grid" pairs: "task-param.bits", "seed", "init", "lr", ...), as written
//      there;
//   2. a property of the artifact: "n" (n_rec), "init" (the W_rec scheme),
//      "model" (rate_rnn, lif_rnn), "seed", "task", "task-param.<name>" (the
//      task's parameter with defaults filled in, so an omitted default
//      groups with an explicit one).
// Values that read as numbers are normalised ("1.0" and "1" are one group);
// when every group's value is a number the factor is numeric and the groups
// are sorted by it, otherwise the groups keep the order in which their first
// network comes.
//
// Networks of different task parameters are refused by the degeneracy
// analysis within a group, not across groups: grouping by task-param.bits is
// the point.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "neurofab/analysis/degeneracy.hpp"

namespace nf::analysis {

struct FactorValue {
  std::string text;              // normalised: a number as fmt "{}" of the double
  std::optional<double> number;  // when the text reads as a finite number
};

// The value of `factor` for one network; throws nf::InputError naming the
// factor and the run when neither its sweep's grid nor its artifact has it.
FactorValue factor_value(const NetworkInput& network, const std::string& factor);

struct FactorGroup {
  FactorValue value;
  std::vector<NetworkInput> networks;
};

struct FactorGrouping {
  std::string factor;
  bool numeric = false;  // every value is a number: a numeric axis, groups sorted by value
  std::vector<FactorGroup> groups;
};

// Groups the networks by their value of `factor`. Throws nf::InputError
// naming every group with fewer than 2 networks (and its networks).
FactorGrouping group_by_factor(std::vector<NetworkInput> networks, const std::string& factor);

// The folder name of a group's outputs: "<factor>=<value>", with '/' and
// other characters unsafe in a file name replaced by '_'.
std::string group_folder_name(const std::string& factor, const FactorValue& value);

struct FactorRow {
  FactorValue value;
  std::string folder;
  int networks = 0;
  double sigma_ood = 0;
  double dsa_mean = 0, dsa_median = 0, dsa_normalised_mean = 0;
  double null_dsa_mean = 0, null_dsa_normalised_mean = 0;
  double pif_mean = 0, pif_median = 0, pif_normalised_mean = 0, pif_normalised_median = 0;
  double test_success_mean = 0, test_mse_mean = 0, ood_mse_mean = 0;
};

struct FactorDegeneracy {
  std::string factor;
  bool numeric = false;
  std::vector<DegeneracyResult> results;  // one per group, in group order
  std::vector<FactorRow> rows;
};

// The row of one group's result (the summaries of its degeneracy.json).
FactorRow factor_row(const FactorValue& value, const std::string& factor, const DegeneracyResult& result);

// Runs analyse_degeneracy in every group. `progress` (optional) is called
// before each group with its index and the group.
FactorDegeneracy analyse_degeneracy_by_factor(
    const FactorGrouping& grouping, const DegeneracyOptions& options,
    const std::function<void(std::size_t, const FactorGroup&)>& progress = {});

// factor.csv: header "<factor>,folder,networks,sigma_ood,dsa_mean,dsa_median,
// dsa_normalised_mean,null_dsa_mean,null_dsa_normalised_mean,pif_mean,
// pif_median,pif_normalised_mean,pif_normalised_median,test_success_mean,
// test_mse_mean,ood_mse_mean", one row per group in group order.
std::string factor_csv(const FactorDegeneracy& result);

}  // namespace nf::analysis
