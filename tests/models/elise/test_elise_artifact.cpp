// ELiSe artifact: exact round trip, training continued after save + load is
// bit-identical to never saving, and each defect gives one InputError naming
// the file and field.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // Eigen AVX-512 false positives (GCC 12)
#endif

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neurofab/common/error.hpp"
#include "neurofab/common/npy.hpp"
#include "neurofab/models/elise/elise_artifact.hpp"
#include "temp_dir.hpp"

using namespace nf::models;
namespace fs = std::filesystem;

namespace {

// A small network (6 + 10) and a 40 ms, 4-note pattern.
EliseConfig small() {
  EliseConfig c;
  c.n_visible = 6;
  c.n_latent = 10;
  c.connectivity = EliseConnectivity::sparse;
  c.sparse_density = 0.5;
  return c;
}

Eigen::MatrixXd pattern(int n_visible) {
  Eigen::MatrixXd p = Eigen::MatrixXd::Constant(n_visible, 400, 0.05);
  for (int k = 0; k < 4; ++k) p.block((2 * k) % n_visible, 100 * k, 1, 100).setConstant(0.9);
  return p;
}

void train(EliseNetwork& net, const Eigen::MatrixXd& p, int cycles) {
  for (int k = 0; k < cycles; ++k) {
    EliseCycleOptions o;
    o.teacher = k % 3 != 2;
    net.run_cycle(p, o);
  }
}

EliseArtifact trained(const fs::path&) {
  const EliseConfig c = small();
  EliseArtifact a{EliseNetwork(c, 42), 42, "four-notes", pattern(c.n_visible), {{"cycles", 5}, {"note", "test"}}};
  train(a.network, a.pattern_rates, 5);
  return a;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}
void write_json(const fs::path& p, const nlohmann::json& j) { std::ofstream(p) << j.dump(2); }

std::string load_error(const fs::path& dir) {
  try {
    load_elise_artifact(dir);
  } catch (const nf::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("elise artifact: round trip is exact", "[elise][artifact]") {
  nf::test::TempDir tmp;
  const EliseArtifact a = trained(tmp.path());
  save_elise_artifact(tmp / "run", a);
  CHECK(is_elise_artifact(tmp / "run"));
  CHECK_FALSE(is_elise_artifact(tmp.path()));
  const EliseArtifact b = load_elise_artifact(tmp / "run");
  CHECK(b.seed == 42);
  CHECK(b.pattern_name == "four-notes");
  CHECK(b.pattern_rates == a.pattern_rates);
  CHECK(b.training == a.training);
  CHECK(b.network.weights() == a.network.weights());
  CHECK(b.network.connection_mask() == a.network.connection_mask());
  CHECK(b.network.plastic_mask() == a.network.plastic_mask());
  CHECK(b.network.learning_rates() == a.network.learning_rates());
  CHECK(b.network.delay_steps() == a.network.delay_steps());
  CHECK(b.network.scaffold().parents == a.network.scaffold().parents);
  CHECK(b.network.scaffold().outputs_drawn == a.network.scaffold().outputs_drawn);
  CHECK(b.network.scaffold().recruitment_order == a.network.scaffold().recruitment_order);
  CHECK(b.network.state().u == a.network.state().u);
  CHECK(b.network.state().v == a.network.state().v);
  CHECK(b.network.state().rbar == a.network.state().rbar);
  CHECK(b.network.state().rate_history == a.network.state().rate_history);
  CHECK(b.network.state().step == a.network.state().step);
  CHECK(elise_config_to_json(b.network.config()) == elise_config_to_json(a.network.config()));
  // numpy can read the weights as float64 W[post, pre].
  const auto w = nf::read_npy<double>(tmp / "run" / "W_den.npy");
  CHECK(w.shape == std::vector<std::int64_t>{16, 16});
  CHECK(w.data[1 * 16 + 2] == a.network.weights()(1, 2));
  CHECK(read_json(tmp / "run" / "model.json")["model_type"] == "elise");
}

TEST_CASE("elise artifact: save, load and continue training is bit-identical to not saving", "[elise][artifact]") {
  nf::test::TempDir tmp;
  EliseArtifact a = trained(tmp.path());
  save_elise_artifact(tmp / "run", a);
  EliseArtifact b = load_elise_artifact(tmp / "run");
  // Continue both: training cycles, a free run, a clamped replay.
  train(a.network, a.pattern_rates, 4);
  train(b.network, b.pattern_rates, 4);
  EliseCycleOptions replay;
  replay.teacher = false;
  replay.plasticity = false;
  replay.clamp_mv = -70.0;
  replay.clamp_begin = 50;
  replay.clamp_end = 150;
  const Eigen::MatrixXd out_a = a.network.run_cycle(a.pattern_rates, replay);
  const Eigen::MatrixXd out_b = b.network.run_cycle(b.pattern_rates, replay);
  CHECK(out_a == out_b);
  CHECK(a.network.latent_rates_of_last_cycle() == b.network.latent_rates_of_last_cycle());
  CHECK(a.network.weights() == b.network.weights());
  CHECK(a.network.state().u == b.network.state().u);
  CHECK(a.network.state().rate_history == b.network.state().rate_history);
}

TEST_CASE("elise artifact: defects name the file and field", "[elise][artifact]") {
  nf::test::TempDir tmp;
  const EliseArtifact a = trained(tmp.path());
  const fs::path good = tmp / "good";
  save_elise_artifact(good, a);
  const nlohmann::json model = read_json(good / "model.json");

  const auto broken_copy = [&](const std::string& name) {
    const fs::path dir = tmp / name;
    fs::copy(good, dir, fs::copy_options::recursive);
    return dir;
  };
  const auto with_json = [&](const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
    const fs::path dir = broken_copy(name);
    nlohmann::json m = model;
    edit(m);
    write_json(dir / "model.json", m);
    return load_error(dir);
  };

  CHECK_THAT(with_json("version", [](auto& m) { m["format_version"] = 99; }), Catch::Contains("format_version"));
  CHECK_THAT(with_json("type", [](auto& m) { m["model_type"] = "rate_rnn"; }), Catch::Contains("model_type"));
  CHECK_THAT(with_json("nlat", [](auto& m) { m["config"]["n_latent"] = "ten"; }), Catch::Contains("config.n_latent"));
  CHECK_THAT(with_json("variant", [](auto& m) { m["config"]["variant"] = "dendrites"; }),
             Catch::Contains("config.variant"));
  CHECK_THAT(with_json("gden", [](auto& m) { m["config"]["parameters"].erase("g_den"); }),
             Catch::Contains("config.parameters.g_den"));
  CHECK_THAT(with_json("lambda", [](auto& m) { m["config"]["parameters"]["teacher_lambda"] = 1.5; }),
             Catch::Contains("teacher_lambda"));
  CHECK_THAT(with_json("parents", [](auto& m) { m["scaffold"]["parents"][0] = {0, 0}; }),
             Catch::Contains("scaffold.parents"));
  CHECK_THAT(with_json("seed", [](auto& m) { m.erase("seed"); }), Catch::Contains("seed"));
  CHECK_THAT(with_json("step", [](auto& m) { m["state"]["step"] = -3; }), Catch::Contains("state.step"));
  CHECK_THAT(with_json("steps", [](auto& m) { m["pattern"]["steps"] = 7; }), Catch::Contains("pattern_rates"));
  // Another network size: every tensor has the wrong shape.
  CHECK_THAT(with_json("size", [](auto& m) { m["config"]["n_visible"] = 7; m["scaffold"]["outputs_drawn"].push_back(-1); }),
             Catch::Contains("shape"));

  SECTION("a missing .npy names the file and the field that lists it") {
    const fs::path dir = broken_copy("missing");
    fs::remove(dir / "state" / "rbar.npy");
    const std::string e = load_error(dir);
    CHECK_THAT(e, Catch::Contains("rbar.npy"));
    CHECK_THAT(e, Catch::Contains("tensors.rbar"));
  }
  SECTION("a non-finite weight") {
    const fs::path dir = broken_copy("nan");
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> w = a.network.weights();
    w(2, 3) = std::nan("");
    nf::write_npy<double>(dir / "W_den.npy", {16, 16}, w.data());
    CHECK_THAT(load_error(dir), Catch::Contains("W_den"));
  }
  SECTION("a weight where the mask has no synapse") {
    const fs::path dir = broken_copy("offmask");
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> w = a.network.weights();
    w(3, 3) = 0.5;  // the diagonal never has a synapse
    nf::write_npy<double>(dir / "W_den.npy", {16, 16}, w.data());
    CHECK_THAT(load_error(dir), Catch::Contains("model.json"));
    CHECK_THAT(load_error(dir), Catch::Contains("mask"));
  }
  SECTION("a delay outside [5, 15] ms") {
    const fs::path dir = broken_copy("delay");
    std::vector<std::int32_t> d(a.network.delay_steps().begin(), a.network.delay_steps().end());
    d[4] = 3;
    nf::write_npy<std::int32_t>(dir / "delays.npy", {16}, d.data());
    CHECK_THAT(load_error(dir), Catch::Contains("delay of neuron 4"));
  }
  CHECK_THAT(load_error(tmp / "nowhere"), Catch::Contains("nowhere"));
}
