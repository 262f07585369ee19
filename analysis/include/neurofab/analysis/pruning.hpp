#pragma once
// Pruning the recurrent weights of a trained network: a fraction f of the
// synapses of W_rec is removed (its weights set to exactly 0), to see how
// success degrades (Jarne & Laje's lesion experiments).
//
// Candidates C: the synapses present in the connectivity mask (M_rec ≠ 0);
// synapses the mask already removed are neither counted nor chosen. By mode:
//   magnitude  C                        the k of smallest |w| (both signs)
//   positive   C⁺ = {(i,j) ∈ C : w > 0} the k of smallest w;  f is a fraction of |C⁺|
//   negative   C⁻ = {(i,j) ∈ C : w < 0} the k of smallest |w|; f is a fraction of |C⁻|
//   random     C                        the first k of a seeded uniform shuffle of C
// with k = round(f · |candidates|) (half away from zero). Ties in |w| go to the
// lower row-major index i·N + j, so the choice is deterministic. The random
// shuffle (Fisher–Yates on nf::Rng) depends only on the seed and |C|, so for
// one seed the set removed at a smaller f is a subset of the one at a larger f
// — the same holds for the magnitude orders — and the curves are nested.

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace nf::analysis {

enum class PruneMode { kMagnitude, kPositive, kNegative, kRandom };

std::string to_string(PruneMode mode);                   // "magnitude", "positive", "negative", "random"
PruneMode prune_mode_from_string(const std::string& name);  // throws nf::InputError listing the modes
std::string prune_mode_names();                             // "magnitude, positive, negative, random"

struct PruneChoice {
  std::vector<Eigen::Index> removed;  // row-major indices i·cols + j, in the order chosen
  Eigen::Index candidates = 0;        // |C|, |C⁺| or |C⁻|
};

// Which synapses of `weights` (masked by `mask`, same shape) to remove.
// Throws nf::InputError for f outside [0, 1] or a mask of another shape.
PruneChoice choose_pruned(const Eigen::MatrixXf& weights, const Eigen::MatrixXf& mask, PruneMode mode,
                          double fraction, std::uint64_t seed);

// `weights` with the chosen synapses set to 0 (everything else bit-identical).
Eigen::MatrixXf apply_pruning(const Eigen::MatrixXf& weights, const PruneChoice& choice);

}  // namespace nf::analysis
