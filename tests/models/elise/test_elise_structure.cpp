// ELiSe structure: the scaffold recruitment rule's statistics over many seeds,
// determinism, reachability, the input cap; variant masks and connectivity
// densities; config validation.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // Eigen AVX-512 false positives (GCC 12)
#endif

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <deque>
#include <set>

#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/elise/network.hpp"

using namespace nf::models;

namespace {

// The output-count distribution of the rule: P(0) = p0, and for n >= 1
// P(N >= n) = (1 - p0) p^(n(n-1)/2). Returns {P(0), mean, variance}.
struct Moments {
  double p_zero, mean, variance;
};
Moments output_count_moments(double p0, double p) {
  double mean = 0.0, second = 0.0;
  for (int n = 1; n < 40; ++n) {
    const double at_least = (1 - p0) * std::pow(p, n * (n - 1) / 2.0);
    const double at_least_next = (1 - p0) * std::pow(p, n * (n + 1) / 2.0);
    const double prob = at_least - at_least_next;
    mean += n * prob;
    second += double(n) * n * prob;
  }
  return {p0, mean, second - mean * mean};
}

// Latent neurons reachable from the visible ones along scaffold edges.
std::set<int> reachable_latents(const EliseScaffold& s) {
  std::vector<std::vector<int>> children(static_cast<std::size_t>(s.n_total()));
  for (int l = 0; l < s.n_latent; ++l) {
    for (int parent : s.parents[static_cast<std::size_t>(l)]) children[static_cast<std::size_t>(parent)].push_back(s.n_visible + l);
  }
  std::set<int> seen;
  std::deque<int> queue;
  for (int i = 0; i < s.n_visible; ++i) queue.push_back(i);
  while (!queue.empty()) {
    const int at = queue.front();
    queue.pop_front();
    for (int child : children[static_cast<std::size_t>(at)]) {
      if (seen.insert(child).second) queue.push_back(child);
    }
  }
  return seen;
}

}  // namespace

TEST_CASE("elise scaffold: fan-out statistics, input cap and reachability over many seeds", "[elise][scaffold]") {
  const EliseParameters params;
  const std::uint64_t base_seed = 20240226;
  const int n_scaffolds = 2000;
  fmt::print("elise scaffold statistics: seeds Rng::derive({}, {{0..{}}})\n", base_seed, n_scaffolds - 1);
  long draws_count = 0, zeros = 0;
  double sum = 0.0;
  long recruited = 0;
  for (int k = 0; k < n_scaffolds; ++k) {
    nf::Rng rng = nf::Rng::derive(base_seed, {static_cast<std::uint64_t>(k)});
    const EliseScaffold s = build_scaffold(13, 50, params, rng);
    REQUIRE_NOTHROW(s.validate(params.scaffold_max_inputs, "scaffold"));
    // Every visible neuron was a teacher, and exactly the recruited latent ones.
    for (int i = 0; i < 13; ++i) REQUIRE(s.outputs_drawn[static_cast<std::size_t>(i)] >= 0);
    std::set<int> recruited_set(s.recruitment_order.begin(), s.recruitment_order.end());
    REQUIRE(recruited_set.size() == s.recruitment_order.size());
    for (int l = 0; l < 50; ++l) {
      const auto& parents = s.parents[static_cast<std::size_t>(l)];
      REQUIRE(parents.size() <= 5);
      REQUIRE(s.recruited(l) == (recruited_set.count(13 + l) == 1));
      REQUIRE((s.outputs_drawn[static_cast<std::size_t>(13 + l)] >= 0) == s.recruited(l));
    }
    REQUIRE(reachable_latents(s) == recruited_set);
    // Only the visible teachers' draws: there are always 13 of them, whereas how
    // many latent teachers there are depends on the draws (a stopping bias).
    for (int i = 0; i < 13; ++i) {
      const int drawn = s.outputs_drawn[static_cast<std::size_t>(i)];
      ++draws_count;
      zeros += drawn == 0;
      sum += drawn;
    }
    recruited += s.n_recruited();
  }
  const Moments m = output_count_moments(params.scaffold_p0, params.scaffold_p);
  const auto draws = static_cast<double>(draws_count);
  const double p_zero = static_cast<double>(zeros) / draws, mean = sum / draws;
  // Five standard errors of the sample proportion and mean.
  const double se_zero = std::sqrt(m.p_zero * (1 - m.p_zero) / draws);
  const double se_mean = std::sqrt(m.variance / draws);
  const std::string summary = fmt::format("{} visible teachers: P(0) {:.5f} (rule {:.5f} +- {:.5f}), mean {:.5f} (rule {:.5f} +- {:.5f}); "
                   "{:.1f} of 50 latent neurons recruited on average",
                   draws, p_zero, m.p_zero, se_zero, mean, m.mean, se_mean, static_cast<double>(recruited) / n_scaffolds);
  fmt::print("  {}\n", summary);
  INFO(summary);
  CHECK(std::abs(p_zero - m.p_zero) < 5 * se_zero);
  CHECK(std::abs(mean - m.mean) < 5 * se_mean);
  CHECK(m.mean == Approx(0.96 * (1 + 0.2 + 0.008 + 0.000064)).epsilon(1e-6));
}

TEST_CASE("elise scaffold: the input cap holds when every target accepts", "[elise][scaffold]") {
  EliseParameters params;
  params.scaffold_q = 1.0;   // every output accepted, until the cap
  params.scaffold_p = 0.9;   // many outputs
  params.scaffold_p0 = 0.0;
  bool cap_reached = false;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    INFO("seed " << seed);
    nf::Rng rng(seed);
    const EliseScaffold s = build_scaffold(13, 20, params, rng);
    for (const auto& parents : s.parents) {
      REQUIRE(parents.size() <= 5);
      cap_reached = cap_reached || parents.size() == 5;
    }
  }
  CHECK(cap_reached);
}

TEST_CASE("elise scaffold: a fixed seed gives the same network, another seed a different one", "[elise][scaffold]") {
  const EliseConfig c;
  const EliseNetwork a(c, 7), b(c, 7), other(c, 8);
  CHECK(a.scaffold().parents == b.scaffold().parents);
  CHECK(a.delay_steps() == b.delay_steps());
  CHECK(a.weights() == b.weights());
  CHECK(a.scaffold().parents != other.scaffold().parents);
  CHECK(a.weights() != other.weights());
  // The scaffold does not depend on the connectivity or variant (own random stream).
  EliseConfig sparse = c;
  sparse.connectivity = EliseConnectivity::sparse;
  sparse.variant = EliseVariant::reservoir;
  CHECK(EliseNetwork(sparse, 7).scaffold().parents == a.scaffold().parents);
}

TEST_CASE("elise: delays are whole steps in [5, 15] ms and the initial weights ~ N(0, 0.5^2)", "[elise][structure]") {
  EliseConfig c;
  c.n_latent = 300;
  const EliseNetwork net(c, 11);
  for (int d : net.delay_steps()) {
    REQUIRE(d >= 50);
    REQUIRE(d <= 150);
  }
  const auto& w = net.weights();
  const double count = double(w.size() - w.rows());
  const double mean = w.sum() / count;
  const double sd = std::sqrt(w.squaredNorm() / count - mean * mean);
  fmt::print("elise initial weights: seed 11\n");
  INFO("seed 11: mean " << mean << " sd " << sd);
  CHECK(std::abs(mean) < 5 * 0.5 / std::sqrt(count));
  CHECK(sd == Approx(0.5).epsilon(0.02));
}

TEST_CASE("elise: variant masks", "[elise][structure]") {
  EliseConfig c;
  const int nv = c.n_visible, nl = c.n_latent;
  SECTION("elise: every synapse but the diagonal exists and learns") {
    const EliseNetwork net(c, 3);
    CHECK(net.connection_mask().sum() == double(c.n_total()) * (c.n_total() - 1));
    CHECK(net.connection_mask().diagonal().isZero(0.0));
    CHECK(net.plastic_mask() == net.connection_mask());
    CHECK(net.learning_rates().topLeftCorner(nv, nv).maxCoeff() == 1e-4);
    CHECK(net.learning_rates().bottomRows(nl).maxCoeff() == 1e-3);
    CHECK(net.learning_rates().topRightCorner(nv, nl).minCoeff() == 1e-3);
  }
  SECTION("reservoir: only the rows of visible neurons learn, and latent rows stay put") {
    c.variant = EliseVariant::reservoir;
    EliseNetwork net(c, 3);
    CHECK(net.plastic_mask().topRows(nv) == net.connection_mask().topRows(nv));
    CHECK(net.plastic_mask().bottomRows(nl).isZero(0.0));
    CHECK(net.connection_mask().bottomRows(nl).sum() == double(nl) * (c.n_total() - 1));
    const Eigen::MatrixXd before = net.weights();
    const Eigen::MatrixXd target = Eigen::MatrixXd::Constant(nv, 300, 0.4);
    net.run_cycle(target, {});
    CHECK(net.weights().bottomRows(nl) == before.bottomRows(nl));
    CHECK(net.weights().topRows(nv) != before.topRows(nv));
  }
  SECTION("soma_only: latent neurons have no dendritic synapses") {
    c.variant = EliseVariant::soma_only;
    EliseNetwork net(c, 3);
    CHECK(net.connection_mask().bottomRows(nl).isZero(0.0));
    CHECK(net.weights().bottomRows(nl).isZero(0.0));
    CHECK(net.plastic_mask().topRows(nv) == net.connection_mask().topRows(nv));
    const Eigen::MatrixXd target = Eigen::MatrixXd::Constant(nv, 300, 0.4);
    net.run_cycle(target, {});
    CHECK(net.weights().bottomRows(nl).isZero(0.0));
  }
}

TEST_CASE("elise: connectivity densities", "[elise][structure]") {
  EliseConfig c;
  c.n_latent = 200;
  const int n = c.n_total();
  SECTION("limited: exactly k presynaptic neurons per dendrite") {
    c.connectivity = EliseConnectivity::limited;
    c.limited_in_degree = 12;
    const EliseNetwork net(c, 5);
    for (int i = 0; i < n; ++i) REQUIRE(net.connection_mask().row(i).sum() == 12.0);
    CHECK(net.connection_mask().diagonal().isZero(0.0));
    CHECK((net.weights().array() != 0.0).count() == 12 * n);
  }
  SECTION("sparse: Bernoulli density within five standard errors") {
    c.connectivity = EliseConnectivity::sparse;
    c.sparse_density = 0.16;
    const EliseNetwork net(c, 5);
    const double pairs = double(n) * (n - 1);
    const double density = net.connection_mask().sum() / pairs;
    fmt::print("elise sparse density: seed 5\n");
    INFO("seed 5: density " << density);
    CHECK(std::abs(density - 0.16) < 5 * std::sqrt(0.16 * 0.84 / pairs));
    CHECK(net.connection_mask().diagonal().isZero(0.0));
    CHECK(((net.weights().array() != 0.0) == (net.connection_mask().array() == 1.0)).all());
  }
}

TEST_CASE("elise: impossible configurations name the field", "[elise][structure]") {
  const auto error_of = [](EliseConfig c) -> std::string {
    try {
      c.validate();
    } catch (const nf::InputError& e) {
      return e.what();
    }
    return "";
  };
  EliseConfig c;
  c.n_visible = 0;
  CHECK_THAT(error_of(c), Catch::Contains("n_visible"));
  c = {};
  c.params.teacher_lambda = 1.0;
  CHECK_THAT(error_of(c), Catch::Contains("teacher_lambda"));
  c = {};
  c.params.scaffold_p = 1.0;
  CHECK_THAT(error_of(c), Catch::Contains("scaffold_p"));
  c = {};
  c.params.delay_min_ms = 0.01;
  CHECK_THAT(error_of(c), Catch::Contains("delay_min_ms"));
  c = {};
  c.connectivity = EliseConnectivity::limited;
  c.limited_in_degree = c.n_total();
  CHECK_THAT(error_of(c), Catch::Contains("limited_in_degree"));
  c = {};
  c.connectivity = EliseConnectivity::sparse;
  c.sparse_density = 1.5;
  CHECK_THAT(error_of(c), Catch::Contains("sparse_density"));
  c = {};
  c.params.g_den = -1;
  CHECK_THAT(error_of(c), Catch::Contains("g_den"));
  CHECK(error_of(EliseConfig{}).empty());
  CHECK(elise_variant_from_string("soma-only") == EliseVariant::soma_only);
  CHECK(elise_connectivity_from_string("all_to_all") == EliseConnectivity::all_to_all);
  CHECK_THROWS_AS(elise_variant_from_string("dendrite_only"), nf::InputError);
}
