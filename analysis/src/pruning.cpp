#include "neurofab/analysis/pruning.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"

namespace nf::analysis {

namespace {
// Stream of nf::Rng::derive for the random mode, so a seed shared with other
// draws (bit flips, evaluation trials) gives an unrelated shuffle.
constexpr std::uint64_t kPruneStream = 0x7072756e65;  // "prune"
}  // namespace

std::string to_string(PruneMode mode) {
  switch (mode) {
    case PruneMode::kMagnitude: return "magnitude";
    case PruneMode::kPositive: return "positive";
    case PruneMode::kNegative: return "negative";
    case PruneMode::kRandom: return "random";
  }
  return "?";
}

std::string prune_mode_names() { return "magnitude, positive, negative, random"; }

PruneMode prune_mode_from_string(const std::string& name) {
  for (const PruneMode mode : {PruneMode::kMagnitude, PruneMode::kPositive, PruneMode::kNegative, PruneMode::kRandom})
    if (to_string(mode) == name) return mode;
  throw InputError(fmt::format("unknown pruning mode '{}' (modes: {})", name, prune_mode_names()));
}

PruneChoice choose_pruned(const Eigen::MatrixXf& weights, const Eigen::MatrixXf& mask, PruneMode mode,
                          double fraction, std::uint64_t seed) {
  if (!(fraction >= 0.0 && fraction <= 1.0))
    throw InputError(fmt::format("pruning fraction {} is outside [0, 1]", fraction));
  if (mask.rows() != weights.rows() || mask.cols() != weights.cols())
    throw InputError(fmt::format("connectivity mask has shape [{}, {}], the weights [{}, {}]", mask.rows(),
                                 mask.cols(), weights.rows(), weights.cols()));
  const Eigen::Index cols = weights.cols();
  std::vector<Eigen::Index> candidates;
  for (Eigen::Index i = 0; i < weights.rows(); ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      if (mask(i, j) == 0.0f) continue;
      const float w = weights(i, j);
      if (mode == PruneMode::kPositive && !(w > 0.0f)) continue;
      if (mode == PruneMode::kNegative && !(w < 0.0f)) continue;
      candidates.push_back(i * cols + j);  // row-major, ascending
    }
  }
  PruneChoice choice;
  choice.candidates = static_cast<Eigen::Index>(candidates.size());
  const auto k = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(candidates.size())));
  if (mode == PruneMode::kRandom) {
    // Partial Fisher–Yates: the first k of a uniform permutation, nested in k.
    Rng rng = Rng::derive(seed, {kPruneStream});
    for (std::size_t a = 0; a < k; ++a) {
      const std::size_t b = a + static_cast<std::size_t>(rng.below(candidates.size() - a));
      std::swap(candidates[a], candidates[b]);
    }
  } else {
    const auto magnitude = [&](Eigen::Index index) { return std::fabs(weights(index / cols, index % cols)); };
    // Stable: candidates are in ascending index order, so ties keep the lower index first.
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&](Eigen::Index a, Eigen::Index b) { return magnitude(a) < magnitude(b); });
  }
  choice.removed.assign(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(k));
  return choice;
}

Eigen::MatrixXf apply_pruning(const Eigen::MatrixXf& weights, const PruneChoice& choice) {
  Eigen::MatrixXf result = weights;
  const Eigen::Index cols = weights.cols();
  for (const Eigen::Index index : choice.removed) result(index / cols, index % cols) = 0.0f;
  return result;
}

}  // namespace nf::analysis
