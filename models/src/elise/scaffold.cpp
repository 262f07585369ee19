#include "neurofab/models/elise/scaffold.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>

#include "neurofab/common/error.hpp"

namespace nf::models {
namespace {

// n = 0 with probability p0; else 1 + further outputs, the (k+1)-th with
// probability p^k after k so far.
int draw_output_count(const EliseParameters& params, Rng& rng) {
  if (rng.bernoulli(params.scaffold_p0)) return 0;
  int n = 1;
  while (rng.bernoulli(std::pow(params.scaffold_p, n))) ++n;
  return n;
}

}  // namespace

void EliseScaffold::validate(int max_inputs, const std::string& where) const {
  const auto fail = [&](const std::string& message) { throw InputError(fmt::format("{}: {}", where, message)); };
  if (static_cast<int>(parents.size()) != n_latent) {
    fail(fmt::format("scaffold lists {} latent neurons, the network has {}", parents.size(), n_latent));
  }
  for (int l = 0; l < n_latent; ++l) {
    const auto& p = parents[static_cast<std::size_t>(l)];
    if (static_cast<int>(p.size()) > max_inputs) {
      fail(fmt::format("latent neuron {} has {} scaffold parents, at most {} allowed", l, p.size(), max_inputs));
    }
    for (std::size_t k = 0; k < p.size(); ++k) {
      if (p[k] < 0 || p[k] >= n_total()) fail(fmt::format("latent neuron {}: parent {} out of range", l, p[k]));
      if (p[k] == n_visible + l) fail(fmt::format("latent neuron {} is its own scaffold parent", l));
      if (std::find(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(k), p[k]) != p.begin() + static_cast<std::ptrdiff_t>(k)) {
        fail(fmt::format("latent neuron {}: parent {} listed twice", l, p[k]));
      }
    }
  }
}

EliseScaffold build_scaffold(int n_visible, int n_latent, const EliseParameters& params, Rng& rng) {
  EliseScaffold s;
  s.n_visible = n_visible;
  s.n_latent = n_latent;
  s.parents.assign(static_cast<std::size_t>(n_latent), {});
  s.outputs_drawn.assign(static_cast<std::size_t>(n_visible + n_latent), -1);

  std::deque<int> teachers;
  for (int i = 0; i < n_visible; ++i) teachers.push_back(i);
  while (!teachers.empty()) {
    const int teacher = teachers.front();
    teachers.pop_front();
    const int n_outputs = draw_output_count(params, rng);
    s.outputs_drawn[static_cast<std::size_t>(teacher)] = n_outputs;
    if (n_latent == 0) continue;
    for (int k = 0; k < n_outputs; ++k) {
      const int target = static_cast<int>(rng.below(static_cast<std::uint64_t>(n_latent)));
      auto& inputs = s.parents[static_cast<std::size_t>(target)];
      const int m = static_cast<int>(inputs.size());
      // Draw first so that the number of draws does not depend on the checks below.
      const bool accepted = rng.bernoulli(std::pow(params.scaffold_q, m));
      const bool self = teacher == n_visible + target;
      const bool duplicate = std::find(inputs.begin(), inputs.end(), teacher) != inputs.end();
      if (!accepted || self || duplicate || m >= params.scaffold_max_inputs) continue;  // dropped
      inputs.push_back(teacher);
      if (m == 0) {
        s.recruitment_order.push_back(n_visible + target);
        teachers.push_back(n_visible + target);
      }
    }
  }
  return s;
}

}  // namespace nf::models
