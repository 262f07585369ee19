#pragma once
// The fixed somatic scaffold of ELiSe: which neurons drive which latent somata.
//
// Recruitment rule (spec; parameters in EliseParameters):
//   The visible neurons 0..n_visible-1 are queued as teachers, in index order.
//   Teachers are taken from the queue first in, first out. A teacher draws its
//   number of outputs n: n = 0 with probability p0; otherwise n >= 1, and after
//   k outputs it draws another with probability p^k (so P(n >= k | n >= 1) =
//   p^(k(k-1)/2)). Each output picks a target uniformly among the latent
//   neurons; the target accepts it with probability q^m, m = its scaffold inputs
//   so far, and never beyond scaffold_max_inputs. A latent neuron that accepts
//   its first input is recruited and queued as a teacher in turn. The process
//   ends when the queue is empty; every neuron is a teacher at most once.
//
// Choices where the spec is silent (docs/elise.md, "Scaffold"):
//   - A rejected output is dropped, not retried: q then shapes both how many
//     latent neurons are recruited and their in-degree, and the process ends.
//     An output is also rejected when the target is the teacher itself or
//     already has the teacher as a parent (no self-loops, no double edges).
//   - Latent neurons that are never recruited have no scaffold parents: their
//     somata get no scaffold conductance and follow their dendrites (they still
//     learn like any latent neuron).
//   - Scaffold edges may point back to a neuron recruited earlier (loops allowed).

#include <string>
#include <vector>

#include "neurofab/common/rng.hpp"
#include "neurofab/models/elise/parameters.hpp"

namespace nf::models {

struct EliseScaffold {
  int n_visible = 0;
  int n_latent = 0;
  // parents[l]: global indices (0..n_visible-1 visible, n_visible + k latent k)
  // of the scaffold parents of latent neuron l, in the order they were accepted.
  std::vector<std::vector<int>> parents;
  // outputs_drawn[g]: the number n of outputs global neuron g drew as a teacher
  // (accepted or not), or -1 if it never was a teacher. The statistics of the
  // rule (P(n = 0) = p0, the mean) are read from it.
  std::vector<int> outputs_drawn;
  // Global indices of the latent neurons in the order they were recruited.
  std::vector<int> recruitment_order;

  int n_total() const { return n_visible + n_latent; }
  bool recruited(int latent) const { return !parents[static_cast<std::size_t>(latent)].empty(); }
  int n_recruited() const { return static_cast<int>(recruitment_order.size()); }
  // Throws nf::InputError (prefixed with `where`) if an index is out of range,
  // a parent repeats, a neuron is its own parent or a latent neuron has more
  // than max_inputs parents.
  void validate(int max_inputs, const std::string& where) const;
};

// Builds the scaffold with the rule above, drawing from `rng`.
EliseScaffold build_scaffold(int n_visible, int n_latent, const EliseParameters& params, Rng& rng);

}  // namespace nf::models
