// Pruning of W_rec (analysis/pruning.hpp): the exact count and choice of the
// removed synapses on hand-made matrices, the connectivity mask respected,
// random pruning reproducible per seed and different across seeds, and 0 %
// pruning leaving a network's outputs bit-identical.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "neurofab/analysis/degradation.hpp"
#include "neurofab/analysis/pruning.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/training.hpp"

using nf::analysis::apply_pruning;
using nf::analysis::choose_pruned;
using nf::analysis::PruneMode;

namespace {

// 3 x 4, row-major indices 0..11:
//    0.5  -0.1   0.0   2.0
//   -3.0   0.2  -0.2   1.0      (|0.2| = |-0.2|: a tie, index 5 before 6)
//    0.7  -0.05  9.0  -1.5
// mask removes (0,3) = 2.0 (index 3) and (2,2) = 9.0 (index 10).
Eigen::MatrixXf hand_weights() {
  Eigen::MatrixXf w(3, 4);
  w << 0.5f, -0.1f, 0.0f, 2.0f, -3.0f, 0.2f, -0.2f, 1.0f, 0.7f, -0.05f, 9.0f, -1.5f;
  return w;
}
Eigen::MatrixXf hand_mask() {
  Eigen::MatrixXf m = Eigen::MatrixXf::Ones(3, 4);
  m(0, 3) = 0.0f;
  m(2, 2) = 0.0f;
  return m;
}
std::vector<Eigen::Index> indices(std::initializer_list<Eigen::Index> list) { return list; }

}  // namespace

TEST_CASE("magnitude pruning removes the k smallest |w| among present synapses, ties by index", "[pruning]") {
  const auto w = hand_weights();
  const auto m = hand_mask();
  // Present: 10 synapses. |w| order: 0.0(2) 0.05(9) 0.1(1) 0.2(5) 0.2(6) 0.5(0) 0.7(8) 1.0(7) 1.5(11) 3.0(4).
  auto c = choose_pruned(w, m, PruneMode::kMagnitude, 0.5, 0);
  CHECK(c.candidates == 10);
  CHECK(c.removed == indices({2, 9, 1, 5, 6}));
  c = choose_pruned(w, m, PruneMode::kMagnitude, 0.3, 0);
  CHECK(c.removed == indices({2, 9, 1}));
  c = choose_pruned(w, m, PruneMode::kMagnitude, 1.0, 0);
  CHECK(c.removed.size() == 10);
  // The masked synapses (indices 3 and 10) are never chosen, even at f = 1.
  CHECK(std::find(c.removed.begin(), c.removed.end(), 3) == c.removed.end());
  CHECK(std::find(c.removed.begin(), c.removed.end(), 10) == c.removed.end());

  const Eigen::MatrixXf p = apply_pruning(w, choose_pruned(w, m, PruneMode::kMagnitude, 0.5, 0));
  Eigen::MatrixXf expected = w;
  expected(0, 2) = expected(2, 1) = expected(0, 1) = expected(1, 1) = expected(1, 2) = 0.0f;
  CHECK(p == expected);
}

TEST_CASE("sign-restricted pruning counts the fraction of that sign only", "[pruning]") {
  const auto w = hand_weights();
  const auto m = hand_mask();
  // Positive present: 0.5(0) 0.2(5) 1.0(7) 0.7(8) — 4; the masked 2.0 and 9.0 are not counted.
  auto c = choose_pruned(w, m, PruneMode::kPositive, 0.5, 0);
  CHECK(c.candidates == 4);
  CHECK(c.removed == indices({5, 0}));
  c = choose_pruned(w, m, PruneMode::kPositive, 0.75, 0);
  CHECK(c.removed == indices({5, 0, 8}));
  // Negative present: -0.1(1) -3.0(4) -0.2(6) -0.05(9) -1.5(11) — 5; k = round(0.5·5) = 3 (half away from zero).
  c = choose_pruned(w, m, PruneMode::kNegative, 0.5, 0);
  CHECK(c.candidates == 5);
  CHECK(c.removed == indices({9, 1, 6}));
  c = choose_pruned(w, m, PruneMode::kNegative, 0.2, 0);
  CHECK(c.removed == indices({9}));
  const Eigen::MatrixXf p = apply_pruning(w, choose_pruned(w, m, PruneMode::kNegative, 1.0, 0));
  CHECK((p.array() < 0.0f).count() == 0);
  CHECK(p(0, 0) == 0.5f);  // positives untouched
  CHECK(p(0, 2) == 0.0f);  // zero stays (it is neither sign)
}

TEST_CASE("random pruning: exact count, reproducible per seed, different across seeds, nested in f", "[pruning]") {
  const std::uint64_t seed = 20261206;
  INFO("seed " << seed);
  nf::Rng rng(seed);
  Eigen::MatrixXf w(30, 30), m(30, 30);
  for (Eigen::Index i = 0; i < 30; ++i)
    for (Eigen::Index j = 0; j < 30; ++j) {
      w(i, j) = static_cast<float>(rng.normal());
      m(i, j) = rng.bernoulli(0.8) ? 1.0f : 0.0f;
    }
  const auto present = static_cast<Eigen::Index>(m.sum());
  const auto a = choose_pruned(w, m, PruneMode::kRandom, 0.3, 7);
  const auto b = choose_pruned(w, m, PruneMode::kRandom, 0.3, 7);
  const auto c = choose_pruned(w, m, PruneMode::kRandom, 0.3, 8);
  CHECK(a.candidates == present);
  CHECK(a.removed.size() == static_cast<std::size_t>(std::llround(0.3 * static_cast<double>(present))));
  CHECK(a.removed == b.removed);
  CHECK(std::set<Eigen::Index>(a.removed.begin(), a.removed.end()) !=
        std::set<Eigen::Index>(c.removed.begin(), c.removed.end()));
  CHECK(std::set<Eigen::Index>(a.removed.begin(), a.removed.end()).size() == a.removed.size());  // distinct
  for (const auto index : a.removed) CHECK(m(index / 30, index % 30) == 1.0f);                  // present only
  // Nested: the first k at f = 0.1 are the first k at f = 0.3 (same seed).
  const auto small = choose_pruned(w, m, PruneMode::kRandom, 0.1, 7);
  CHECK(std::equal(small.removed.begin(), small.removed.end(), a.removed.begin()));
  // Exactly the chosen weights became 0; the pruned matrix differs nowhere else.
  const Eigen::MatrixXf p = apply_pruning(w, a);
  Eigen::Index differ = 0;
  for (Eigen::Index i = 0; i < 30; ++i)
    for (Eigen::Index j = 0; j < 30; ++j) differ += p(i, j) != w(i, j) ? 1 : 0;
  CHECK(differ == static_cast<Eigen::Index>(a.removed.size()));  // w ~ N(0,1) has no exact zeros here
}

TEST_CASE("bad fractions and masks are refused", "[pruning]") {
  const auto w = hand_weights();
  CHECK_THROWS_AS(choose_pruned(w, hand_mask(), PruneMode::kMagnitude, 1.5, 0), nf::InputError);
  CHECK_THROWS_AS(choose_pruned(w, hand_mask(), PruneMode::kMagnitude, -0.1, 0), nf::InputError);
  CHECK_THROWS_AS(choose_pruned(w, Eigen::MatrixXf::Ones(2, 2), PruneMode::kMagnitude, 0.1, 0), nf::InputError);
  CHECK_THROWS_AS(nf::analysis::prune_mode_from_string("largest"), nf::InputError);
  CHECK(nf::analysis::prune_mode_from_string("negative") == PruneMode::kNegative);
}

TEST_CASE("0 % pruning leaves the outputs of rate and LIF networks bit-identical", "[pruning]") {
  const auto task = nf::models::make_task("flipflop", {{"trial_length", 200}});
  nf::models::RateRnnConfig rc;
  rc.n_in = task->n_in();
  rc.n_out = task->n_out();
  rc.n_rec = 24;
  const auto rate = nf::models::make_rate_rnn(rc, {}, 5);
  nf::models::LifRnnConfig lc;
  lc.n_in = task->n_in();
  lc.n_out = task->n_out();
  lc.n_rec = 24;
  const auto lif = nf::models::make_lif_rnn(lc, {}, 5);
  for (const PruneMode mode : {PruneMode::kMagnitude, PruneMode::kPositive, PruneMode::kNegative, PruneMode::kRandom}) {
    INFO(nf::analysis::to_string(mode));
    auto pruned_rate = rate;
    const auto rc0 = choose_pruned(rate.weights().w_rec, rate.connectivity().mask_rec, mode, 0.0, 3);
    CHECK(rc0.removed.empty());
    pruned_rate.weights().w_rec = apply_pruning(rate.weights().w_rec, rc0);
    const auto a = nf::models::record_trials(rate, *task, 8, 4);
    const auto b = nf::models::record_trials(pruned_rate, *task, 8, 4);
    CHECK(a.trajectory.outputs == b.trajectory.outputs);
    CHECK(a.trajectory.states == b.trajectory.states);

    auto pruned_lif = lif;
    pruned_lif.weights().w_rec =
        apply_pruning(lif.weights().w_rec, choose_pruned(lif.weights().w_rec, lif.connectivity().mask_rec, mode, 0.0, 3));
    const auto c = nf::models::record_trials(lif, *task, 8, 4);
    const auto d = nf::models::record_trials(pruned_lif, *task, 8, 4);
    CHECK(c.trajectory.outputs == d.trajectory.outputs);
    CHECK(c.trajectory.spikes == d.trajectory.spikes);
  }
  // And pruning something does change them (so the comparison above can fail).
  auto half = rate;
  half.weights().w_rec = apply_pruning(
      rate.weights().w_rec, choose_pruned(rate.weights().w_rec, rate.connectivity().mask_rec, PruneMode::kMagnitude, 0.9, 0));
  CHECK(nf::models::record_trials(half, *task, 8, 4).trajectory.outputs !=
        nf::models::record_trials(rate, *task, 8, 4).trajectory.outputs);
}
