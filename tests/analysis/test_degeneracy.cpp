// The degeneracy analysis: statistics on hand-made values, the analysis of
// hand-built networks (a permuted copy is at DSA ≈ 0 and d_PIF = 0 with the
// permutation found), refusals of networks that are not comparable, and
// `neurofab analyze degeneracy` end to end (files written, a mixed-task error
// that leaves no output).
// GCC 12 reports -Wmaybe-uninitialized inside Eigen's AVX-512 packet code
// (reductions, with -march=native): false positives in a system header,
// silenced for this file only (before any include, where the warnings are located).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "neurofab/analysis/degeneracy.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/training.hpp"
#include "run_command.hpp"
#include "random_matrix.hpp"
#include "temp_dir.hpp"

using namespace nf::analysis;
using Eigen::MatrixXd;
namespace fs = std::filesystem;
using nf::test::gaussian_matrix;

namespace {

nf::models::RateRnnTensors<float> random_weights(const nf::models::RateRnnConfig& config, nf::Rng& rng) {
  const int n = config.n_rec;
  auto w = nf::models::RateRnnTensors<float>::zeros(config);
  w.w_in = gaussian_matrix(n, config.n_in, rng).cast<float>();
  w.w_rec = gaussian_matrix(n, n, rng, 1.3 / std::sqrt(double(n))).cast<float>();
  w.b_rec = gaussian_matrix(n, 1, rng, 0.1).cast<float>();
  w.w_out = gaussian_matrix(config.n_out, n, rng, 1.0 / std::sqrt(double(n))).cast<float>();
  return w;
}

NetworkInput rate_input(const std::string& label, const std::string& task, std::map<std::string, double> params,
                        const nf::models::RateRnnTensors<float>& w, const nf::models::RateRnnConfig& config) {
  nf::models::RateRnn<float> network(config, nf::models::Connectivity::full(config.n_in, config.n_rec, config.n_out),
                                     w);
  nf::models::RateRnnArtifact artifact{std::move(network), {}, task, std::move(params), 1, {}, {}};
  return {label, fs::path("/nowhere") / label, std::move(artifact)};
}

nf::models::RateRnnConfig flipflop_config(int n) {
  nf::models::RateRnnConfig config;
  config.n_in = 2;
  config.n_out = 1;
  config.n_rec = n;
  return config;
}

DegeneracyOptions small_options() {
  DegeneracyOptions o;
  o.dsa_trials = 6;
  o.delays = 3;
  o.rank = 6;
  o.eval_trials = 16;
  return o;
}

}  // namespace

TEST_CASE("sigma_OOD and summaries on hand-made values", "[degeneracy]") {
  const std::vector<double> values = {1.0, 2.0, 3.0, 4.0};
  // Mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5.
  CHECK(mean(values) == 2.5);
  CHECK(sample_sd(values) == Approx(std::sqrt(5.0 / 3.0)).epsilon(1e-15));
  CHECK(population_sd(values) == Approx(std::sqrt(5.0 / 4.0)).epsilon(1e-15));
  CHECK(median(values) == 2.5);
  CHECK(median({5.0, 1.0, 3.0}) == 3.0);
  CHECK(sample_sd({7.0}) == 0.0);
  CHECK(sample_sd({3.0, 3.0, 3.0}) == 0.0);
  const Summary s = summarise({4.0, 0.5, 2.0});
  CHECK(s.mean == Approx(6.5 / 3.0).epsilon(1e-15));
  CHECK(s.median == 2.0);
  CHECK(s.min == 0.5);
  CHECK(s.max == 4.0);
  CHECK(s.count == 3);
  MatrixXd m(3, 3);
  m << 0, 1, 2, 1, 0, 3, 2, 3, 0;
  CHECK(upper_triangle(m) == std::vector<double>{1, 2, 3});
}

TEST_CASE("degeneracy of hand-built networks: a permuted copy is the same solution", "[degeneracy]") {
  const std::uint64_t seed = 6401;
  fmt::print("degeneracy hand-built test: seed {}\n", seed);
  nf::Rng rng(seed);
  const int n = 16;
  const auto config = flipflop_config(n);
  const std::map<std::string, double> params = {{"trial_length", 200}};
  const auto w0 = random_weights(config, rng);
  std::vector<int> p(n);
  std::iota(p.begin(), p.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(p[std::size_t(i)], p[rng.below(std::uint64_t(i + 1))]);
  auto w1 = w0;  // unit i of network 1 is unit p[i] of network 0
  for (int i = 0; i < n; ++i) {
    w1.w_in.row(i) = w0.w_in.row(p[std::size_t(i)]);
    w1.b_rec(i) = w0.b_rec(p[std::size_t(i)]);
    w1.w_out.col(i) = w0.w_out.col(p[std::size_t(i)]);
    for (int j = 0; j < n; ++j) w1.w_rec(i, j) = w0.w_rec(p[std::size_t(i)], p[std::size_t(j)]);
  }
  const auto w2 = random_weights(config, rng);
  std::vector<NetworkInput> inputs;
  inputs.push_back(rate_input("a", "flipflop", params, w0, config));
  inputs.push_back(rate_input("b", "flipflop", params, w1, config));
  inputs.push_back(rate_input("c", "flipflop", params, w2, config));
  const DegeneracyOptions options = small_options();
  const DegeneracyResult r = analyse_degeneracy(inputs, options);

  REQUIRE(r.networks.size() == 3);
  CHECK(r.task == "flipflop");
  CHECK(r.ood_params.at("trial_length") > r.task_params.at("trial_length"));
  // A permuted copy behaves identically (to float rounding in the summation order).
  CHECK(r.networks[0].ood_mse == Approx(r.networks[1].ood_mse).epsilon(1e-4));
  std::vector<double> ood = {r.networks[0].ood_mse, r.networks[1].ood_mse, r.networks[2].ood_mse};
  CHECK(r.sigma_ood == Approx(sample_sd(ood)).epsilon(1e-15));
  CHECK(r.sigma_ood_population == Approx(population_sd(ood)).epsilon(1e-15));
  // Dynamics: the copy at ≈ 0 (see test_dsa.cpp for the tolerance), the other network far.
  CHECK(r.dsa_normalised(0, 1) < 1e-4);
  CHECK(r.dsa_normalised(0, 2) > 100.0 * r.dsa_normalised(0, 1));
  // Weights: W_rec of b is Pᵀ W_rec(a) P exactly, and the pair's permutation says which units match.
  // d_PIF(a, b) takes π with W_a(i, j) ≈ W_b(π(i), π(j)), the inverse of p.
  CHECK(r.pif(0, 1) == 0.0);
  REQUIRE(r.pairs.size() == 3);
  CHECK(r.pairs[0].a == 0);
  CHECK(r.pairs[0].b == 1);
  for (int i = 0; i < n; ++i) CHECK(p[std::size_t(r.pairs[0].permutation[std::size_t(i)])] == i);
  CHECK(r.pif(0, 2) > 1.0);
  CHECK(r.pif_normalised(0, 2) == Approx(r.pif(0, 2) / (n * n)).epsilon(1e-15));
  for (const auto* m : {&r.dsa, &r.dsa_normalised, &r.pif, &r.pif_normalised}) {
    CHECK((*m - m->transpose()).norm() == 0.0);
    CHECK(m->diagonal().norm() == 0.0);
  }
  // The null (same network, resampled trials): positive, and the same for a network and its permuted copy.
  // (Not necessarily small: these random networks are chaotic, gain 1.3.)
  for (const auto& net : r.networks) CHECK(net.null_dsa > 0.0);
  CHECK(r.networks[0].null_dsa == Approx(r.networks[1].null_dsa).epsilon(1e-4));
  CHECK(r.dsa_summary.count == 3);
  CHECK(r.dsa_summary.mean == Approx((r.dsa(0, 1) + r.dsa(0, 2) + r.dsa(1, 2)) / 3.0).epsilon(1e-14));

  // Output files: the behaviour table and the matrices, labelled.
  const std::string behaviour = behaviour_csv(r);
  CHECK(behaviour.rfind("network,path,model_type,n_rec,mse,success_rate,ood_mse,", 0) == 0);
  CHECK(std::count(behaviour.begin(), behaviour.end(), '\n') == 4);
  const std::string matrix = matrix_csv(r.pif, r.networks);
  CHECK(matrix.rfind("network,a,b,c\na,0,0,", 0) == 0);
  const nlohmann::json json = degeneracy_json(r, options);
  CHECK(json.at("dsa").at("distance").size() == 3);
  CHECK(json.at("behaviour").at("sigma_ood").get<double>() == r.sigma_ood);
  CHECK(json.at("settings").at("rank").get<int>() == options.rank);
}

TEST_CASE("degeneracy compares networks of different widths", "[degeneracy]") {
  const std::uint64_t seed = 6403;
  fmt::print("degeneracy widths test: seed {}\n", seed);
  nf::Rng rng(seed);
  std::vector<NetworkInput> inputs;
  inputs.push_back(rate_input("n16", "flipflop", {{"trial_length", 200}}, random_weights(flipflop_config(16), rng),
                              flipflop_config(16)));
  inputs.push_back(rate_input("n12", "flipflop", {{"trial_length", 200}}, random_weights(flipflop_config(12), rng),
                              flipflop_config(12)));
  const DegeneracyResult r = analyse_degeneracy(inputs, small_options());
  CHECK(r.networks[1].n_rec == 12);
  CHECK(r.pairs[0].permutation.size() == 16);  // the smaller W_rec zero-padded to 16 units
  CHECK(r.pif(0, 1) > 0.0);
  CHECK(r.pif_normalised(0, 1) == Approx(r.pif(0, 1) / 256.0).epsilon(1e-15));
  CHECK(r.dsa(0, 1) > 0.0);
}

TEST_CASE("LIF hidden states: filtered spikes and membranes", "[degeneracy]") {
  const std::uint64_t seed = 6404;
  fmt::print("LIF trajectories test: seed {}\n", seed);
  nf::Rng rng(seed);
  nf::models::LifRnnConfig config;
  config.n_in = 2;
  config.n_out = 1;
  config.n_rec = 10;
  auto w = nf::models::LifRnnTensors<float>::zeros(config);
  w.w_in = gaussian_matrix(10, 2, rng, 1.0).cast<float>();
  w.w_rec = gaussian_matrix(10, 10, rng, 0.5).cast<float>();
  w.b_rec = Eigen::MatrixXf::Constant(10, 1, 0.3f);
  w.w_out = gaussian_matrix(1, 10, rng, 0.3).cast<float>();
  w.beta = Eigen::MatrixXf::Constant(10, 1, float(config.beta()));
  w.alpha_syn = Eigen::MatrixXf::Constant(10, 1, float(config.alpha_syn()));
  const nf::models::LifRnn<float> network(config, nf::models::Connectivity::full(2, 10, 1), w);
  const auto task = nf::models::make_task("flipflop", {{"trial_length", 200}});
  const auto recorded = nf::models::record_trials(network, *task, 3, 7);
  const auto& traj = recorded.trajectory;
  const int batch = traj.batch_size;
  REQUIRE(traj.spikes.sum() > 0.0f);  // the network spikes, so the check below is not vacuous

  const double filter_ms = 10.0;
  const double kappa = std::exp(-config.dt_ms / filter_ms);
  const auto filtered = hidden_trajectories(network, *task, 3, 7, LifSignal::kFilteredSpikes, filter_ms);
  const auto raw = hidden_trajectories(network, *task, 3, 7, LifSignal::kFilteredSpikes, 0.0);
  const auto membranes = hidden_trajectories(network, *task, 3, 7, LifSignal::kMembrane, filter_ms);
  REQUIRE(filtered.size() == 3);
  for (int b = 0; b < 3; ++b) {
    Eigen::VectorXd r = Eigen::VectorXd::Zero(10);
    for (int t = 1; t <= traj.n_steps; ++t) {
      const Eigen::Index column = Eigen::Index(t) * batch + b;
      r = kappa * r + traj.spikes.col(column).cast<double>();
      REQUIRE((filtered[std::size_t(b)].col(t - 1) - r).norm() < 1e-12);
      REQUIRE(raw[std::size_t(b)].col(t - 1) == traj.spikes.col(column).cast<double>());
      REQUIRE(membranes[std::size_t(b)].col(t - 1) == traj.membranes.col(column).cast<double>());
    }
  }
  CHECK(lif_signal_from_string("membrane") == LifSignal::kMembrane);
  CHECK_THROWS_AS(lif_signal_from_string("voltage"), nf::InputError);
}

TEST_CASE("degeneracy refuses networks that are not comparable", "[degeneracy]") {
  nf::Rng rng(6402);
  const auto config = flipflop_config(8);
  const auto w = random_weights(config, rng);
  const auto options = small_options();
  {
    std::vector<NetworkInput> inputs;
    inputs.push_back(rate_input("a", "flipflop", {{"trial_length", 200}}, w, config));
    CHECK_THROWS_WITH(analyse_degeneracy(inputs, options), Catch::Contains("at least 2"));
  }
  {
    std::vector<NetworkInput> inputs;
    inputs.push_back(rate_input("a", "flipflop", {{"trial_length", 200}}, w, config));
    inputs.push_back(rate_input("b", "xor", {}, w, config));
    CHECK_THROWS_WITH(analyse_degeneracy(inputs, options),
                      Catch::Contains("/nowhere/b") && Catch::Contains("'xor'") && Catch::Contains("'flipflop'"));
  }
  {
    std::vector<NetworkInput> inputs;
    inputs.push_back(rate_input("a", "flipflop", {{"trial_length", 200}}, w, config));
    inputs.push_back(rate_input("b", "flipflop", {{"trial_length", 300}}, w, config));
    CHECK_THROWS_WITH(analyse_degeneracy(inputs, options), Catch::Contains("task parameters"));
  }
  {
    // An explicit default is the same task as an omitted one.
    std::vector<NetworkInput> inputs;
    inputs.push_back(rate_input("a", "flipflop", {}, w, config));
    inputs.push_back(rate_input("b", "flipflop", {{"trial_length", 1010}}, w, config));
    CHECK_NOTHROW(check_comparable(inputs));
  }
  {
    std::vector<NetworkInput> inputs;
    inputs.push_back(rate_input("a", "flipflop", {{"trial_length", 200}}, w, config));
    inputs.push_back(rate_input("b", "flipflop", {{"trial_length", 200}}, w, config));
    DegeneracyOptions bad = options;
    bad.rank = 500;  // above units × delays
    CHECK_THROWS_WITH(analyse_degeneracy(inputs, bad), Catch::Contains("/nowhere/a") && Catch::Contains("--rank"));
  }
}

// ---------------------------------------------------------------------------
// The command, end to end through the real binary.

namespace {

nf::test::CommandResult run_cli(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} {} 2>&1", NF_CLI_PATH, arguments));
}

void train_tiny(const fs::path& dir, const std::string& task, int seed) {
  const auto r = run_cli(fmt::format(
      "train --task {} --n 10 --seed {} --epochs 1 --steps-per-epoch 2 --batch 8 --validation-trials 8 "
      "--eval-trials 8 -q -o {}",
      task, seed, dir.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("neurofab analyze degeneracy writes its folder and refuses mixed tasks", "[degeneracy][cli]") {
  nf::test::TempDir tmp;
  const std::string flipflop = "--task-param trial_length=200";
  train_tiny(tmp / "ff1", "flipflop " + flipflop, 1);
  train_tiny(tmp / "ff2", "flipflop " + flipflop, 2);
  train_tiny(tmp / "ff3", "flipflop " + flipflop, 3);
  train_tiny(tmp / "xor", "xor", 4);
  const std::string settings = "--trials 4 --delays 3 --rank 6 --eval-trials 8 --seed 5";

  const fs::path out = tmp / "degeneracy";
  const auto r = run_cli(fmt::format("analyze degeneracy {} {} {} -o {} {}", (tmp / "ff1").string(),
                                     (tmp / "ff2").string(), (tmp / "ff3").string(), out.string(), settings));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("sigma_OOD") != std::string::npos);
  for (const char* name : {"degeneracy.json", "behaviour.csv", "pairwise_dsa.csv", "pairwise_pif.csv", "degeneracy.png"})
    CHECK(fs::is_regular_file(out / name));
  const auto json = nlohmann::json::parse(read_all(out / "degeneracy.json"));
  CHECK(json.at("task") == "flipflop");
  CHECK(json.at("labels") == std::vector<std::string>{"ff1", "ff2", "ff3"});
  CHECK(json.at("networks").size() == 3);
  CHECK(json.at("dsa").at("null").size() == 3);
  CHECK(json.at("pairs").size() == 3);
  CHECK(json.at("settings").at("delays") == 3);
  CHECK(json.at("settings").at("seed") == 5);
  std::vector<double> ood;
  for (const auto& net : json.at("networks")) ood.push_back(net.at("ood_mse").get<double>());
  CHECK(json.at("behaviour").at("sigma_ood").get<double>() == Approx(sample_sd(ood)).epsilon(1e-12));
  const std::string dsa_csv = read_all(out / "pairwise_dsa.csv");
  CHECK(dsa_csv.rfind("network,ff1,ff2,ff3\nff1,0,", 0) == 0);
  CHECK(std::count(dsa_csv.begin(), dsa_csv.end(), '\n') == 4);
  const std::string behaviour = read_all(out / "behaviour.csv");
  CHECK(std::count(behaviour.begin(), behaviour.end(), '\n') == 4);
  const std::string png = read_all(out / "degeneracy.png");
  CHECK(png.size() > 10000);
  CHECK(png.rfind("\x89PNG", 0) == 0);

  // A network of another task: one error naming both, exit 1, nothing written.
  const fs::path mixed_out = tmp / "mixed";
  const auto mixed = run_cli(fmt::format("analyze degeneracy {} {} -o {} {}", (tmp / "ff1").string(),
                                         (tmp / "xor").string(), mixed_out.string(), settings));
  INFO(mixed.output);
  CHECK(mixed.exit_code == 1);
  CHECK(mixed.output.find("'xor'") != std::string::npos);
  CHECK(mixed.output.find("'flipflop'") != std::string::npos);
  CHECK(!fs::exists(mixed_out));
  // A bad option value is refused before anything runs.
  const auto bad = run_cli(fmt::format("analyze degeneracy {} {} -o {} --rank 0", (tmp / "ff1").string(),
                                       (tmp / "ff2").string(), mixed_out.string()));
  CHECK(bad.exit_code != 0);
  CHECK(bad.output.find("--rank") != std::string::npos);
  CHECK(!fs::exists(mixed_out));
}
