// NIR import and export (interop/): neurofab → NIR → neurofab gives back every
// tensor, mask and model field bit for bit (float profile) and the same integer
// model, signal for signal (integer profile); graphs as other tools write them
// (no metadata, snnTorch's float32 gains, recurrent biases, nested subgraphs)
// import with their gains folded; what neurofab cannot run is refused with one
// line naming the node. The real `nir` package's view: tests/interop/*.py.
#include <catch2/catch.hpp>

#include <fstream>

#include "neurofab/common/error.hpp"
#include "neurofab/interop/nir_export.hpp"
#include "neurofab/interop/nir_graph.hpp"
#include "neurofab/interop/nir_import.hpp"
#include "neurofab/quantize/trial_run.hpp"
#include "run_command.hpp"
#include "stress_networks.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"
#include "test_seed.hpp"

using namespace nf;
using Catch::Matchers::Contains;

namespace {

interop::NirNode round_trip_file(const interop::NirNode& graph, const test::TempDir& tmp) {
  interop::write_nir(tmp / "net.nir", graph);
  return interop::read_nir(tmp / "net.nir");
}

models::LifRnnArtifact import_float(const interop::NirNode& graph, const interop::NirImportOptions& o = {}) {
  interop::NirImport imported = interop::import_nir(graph, "net.nir", o);
  REQUIRE(imported.artifact.has_value());
  return std::move(*imported.artifact);
}

void require_same_network(const models::LifRnnArtifact& a, const models::LifRnnArtifact& b) {
  CHECK(models::model_to_json(a.network.config()) == models::model_to_json(b.network.config()));
  a.network.weights().for_each([&](const std::string& name, const Eigen::MatrixXf& m) {
    INFO("tensor " << name);
    CHECK(m == b.network.weights().at(name));
  });
  CHECK(a.network.connectivity().mask_in == b.network.connectivity().mask_in);
  CHECK(a.network.connectivity().mask_rec == b.network.connectivity().mask_rec);
  CHECK(a.network.connectivity().mask_out == b.network.connectivity().mask_out);
  CHECK(a.task_name == b.task_name);
  CHECK(a.task_params == b.task_params);
  CHECK(a.seed == b.seed);
}

// A graph as another tool writes it: the network's graph without neurofab's metadata.
interop::NirNode foreign(interop::NirNode graph) {
  graph.metadata = nlohmann::json::object();
  for (auto& [name, node] : graph.nodes) node.metadata = nlohmann::json::object();
  return graph;
}

interop::NirImportOptions foreign_options(double dt, const std::string& task) {
  interop::NirImportOptions o;
  o.dt_seconds = dt;
  o.task_name = task;
  o.reset = models::ResetMode::kSubtract;
  return o;
}

std::string import_error(const interop::NirNode& graph, const interop::NirImportOptions& o) {
  try {
    interop::import_nir(graph, "net.nir", o);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("the import was expected to fail");
  return "";
}

}  // namespace

TEST_CASE("a float LIF network survives NIR export and import bit for bit", "[interop][nir]") {
  test::TempDir tmp;
  for (const char* name : {"lif-flipflop-n32", "lif-xor-n24-zero-reset-refractory-1"}) {
    INFO("network " << name);
    const models::LifRnnArtifact original = test::trained_lif_network(name);
    const interop::NirNode graph = round_trip_file(interop::lif_to_nir(original), tmp);
    CHECK(graph.nodes.at("lif").type == "CubaLIF");
    CHECK(graph.nodes.count("readout") == 1);
    require_same_network(original, import_float(graph));
  }
}

TEST_CASE("per-unit decays, sparse masks, Dale's law, spike encodings and no readout survive the round trip",
          "[interop][nir]") {
  test::TempDir tmp;
  const std::uint64_t seed = test::test_seed(5);
  models::LifRnnConfig config;
  config.train_tau = true;
  config.dale_ratio = 0.8;
  config.tau_out_ms = 0;  // y_t = W_out s_t + b_out: no LI node
  config.tau_syn_ms = 0;  // current-free: a LIF node
  config.encoding = models::InputEncoding::kDelta;
  config.refractory_steps = 2;
  models::LifRnnArtifact original = test::random_lif_network("flipflop", 12, config, 1.5, 0.5, seed);
  Rng rng(seed);
  auto w = original.network.weights();
  for (Eigen::Index i = 0; i < w.beta.size(); ++i) w.beta(i) = static_cast<float>(0.5 + 0.49 * rng.uniform());
  models::Connectivity k = original.network.connectivity();
  for (Eigen::Index i = 0; i < k.mask_rec.size(); i += 3) {  // a sparse W_rec: every third synapse absent
    k.mask_rec(i) = 0;
    w.w_rec(i) = 0;
  }
  original.network = models::LifRnn<float>(original.network.config(), k, w);
  REQUIRE(original.network.constraint_violation().empty());
  const interop::NirNode graph = round_trip_file(interop::lif_to_nir(original), tmp);
  CHECK(graph.nodes.at("lif").type == "LIF");
  CHECK(graph.nodes.count("readout") == 0);
  require_same_network(original, import_float(graph));
}

TEST_CASE("the integer profile rebuilds the quantized network from the file alone", "[interop][nir]") {
  test::TempDir tmp;
  const std::uint64_t seed = test::test_seed(3);
  for (const char* name : {"lif-flipflop-n32", "lif-xor-n24-zero-reset-refractory-1"}) {
    INFO("network " << name);
    const quantize::QuantizedArtifact q =
        quantize::quantize_artifact(models::Artifact(test::trained_lif_network(name)), name, {});
    quantize::save_quantized(tmp / "q", q);
    interop::export_nir(tmp / "q", tmp / "q.nir");
    const interop::NirNode graph = interop::read_nir(tmp / "q.nir");
    const interop::NirImport imported = interop::import_nir(graph, "q.nir", {});
    REQUIRE(imported.quantized.has_value());
    interop::write_import(imported, "q.nir", tmp / "rebuilt");
    const quantize::QuantizedArtifact rebuilt = quantize::load_quantized(tmp / "rebuilt");
    // Every signal of every step: the golden vectors of both are the same.
    const golden::GoldenTrace a = quantize::run_trials(q, 6, seed);
    const golden::GoldenTrace b = quantize::run_trials(rebuilt, 6, seed);
    REQUIRE(a.signals().size() == b.signals().size());
    for (const golden::Signal& s : a.signals()) {
      INFO("signal " << s.name);
      if (s.is_int64()) CHECK(a.values<std::int64_t>(s.name) == b.values<std::int64_t>(s.name));
      else CHECK(a.values<std::int32_t>(s.name) == b.values<std::int32_t>(s.name));
    }
    CHECK(quantize::fixed_point_to_json(std::get<quantize::IntegerLifRnn>(q.network)) ==
          quantize::fixed_point_to_json(std::get<quantize::IntegerLifRnn>(rebuilt.network)));
  }
}

TEST_CASE("an edited integer-profile file is refused", "[interop][nir]") {
  test::TempDir tmp;
  const quantize::QuantizedArtifact q =
      quantize::quantize_artifact(models::Artifact(test::trained_lif_network("lif-flipflop-n32")), "lif", {});
  quantize::save_quantized(tmp / "q", q);
  interop::export_nir(tmp / "q", tmp / "q.nir");
  interop::NirNode graph = interop::read_nir(tmp / "q.nir");
  graph.nodes.at("w_rec").params.at("weight").values[3] += 0.5;
  CHECK_THROWS_WITH(interop::import_nir(graph, "q.nir", {}), Contains("w_rec") && Contains("re-export"));
}

TEST_CASE("metadata of every kind round-trips through the HDF5 file", "[interop][nir]") {
  test::TempDir tmp;
  interop::NirNode graph = interop::lif_to_nir(test::trained_lif_network("lif-xor-n24"));
  const nlohmann::json metadata = {{"text", "ünïcode"},   {"yes", true},          {"no", false},
                                   {"count", -7},         {"big", 1ll << 40},     {"real", 0.1},
                                   {"ints", {1, 2, 3}},   {"reals", {0.5, 1.5}},  {"words", {"a", "b"}},
                                   {"empty", nlohmann::json::array()},            {"nested", {{"deep", {{"x", 1.25}}}}},
                                   {"matrix", {{1, 2, 3}, {4, 5, 6}}},            {"wide", {1ll << 40, 2}}};
  graph.metadata["other_tool"] = metadata;
  const interop::NirNode back = round_trip_file(graph, tmp);
  CHECK(back.metadata["other_tool"] == metadata);
  CHECK(back.metadata["neurofab"] == graph.metadata["neurofab"]);
  CHECK_THROWS_AS(interop::write_nir(tmp / "ragged.nir", [&] {
                    interop::NirNode ragged = graph;
                    ragged.metadata["bad"] = {{1, 2}, {3}};
                    return ragged;
                  }()),
                  std::logic_error);
}

TEST_CASE("graphs as other tools write them import with their gains folded", "[interop][nir]") {
  const models::LifRnnArtifact original = test::trained_lif_network("lif-flipflop-n32");
  const double dt = original.network.config().dt_ms / 1000;
  interop::NirImportOptions o = foreign_options(dt, original.task_name);

  SECTION("snnTorch's float32 gains are taken as exactly 1, a recurrent bias adds to b") {
    interop::NirNode graph = foreign(interop::lif_to_nir(original));
    for (double& r : graph.nodes.at("lif").params.at("r").values) r *= 1 + 2.4e-7;
    interop::NirNode& w_rec = graph.nodes.at("w_rec");
    w_rec.type = "Affine";
    w_rec.params["bias"] = interop::NirArray::vector(std::vector<double>(32, 0.25), interop::NirDtype::kFloat32);
    interop::NirImport imported = interop::import_nir(graph, "net.nir", o);
    const auto& w = imported.artifact->network.weights();
    CHECK(w.w_in == original.network.weights().w_in);
    CHECK(w.beta == original.network.weights().beta);
    CHECK(w.b_rec == (original.network.weights().b_rec.array() + 0.25f).matrix());
    CHECK(imported.artifact->network.config().reset == models::ResetMode::kSubtract);
    CHECK_FALSE(imported.artifact->network.config().train_tau);
  }
  SECTION("a gain of 2 doubles the rows of W_in, W_rec and b") {
    interop::NirNode graph = foreign(interop::lif_to_nir(original));
    for (double& r : graph.nodes.at("lif").params.at("r").values) r *= 2;
    interop::NirImport imported = interop::import_nir(graph, "net.nir", o);
    const auto& w = imported.artifact->network.weights();
    CHECK(w.w_in == (2 * original.network.weights().w_in).eval());
    CHECK(w.w_rec == (2 * original.network.weights().w_rec).eval());
    CHECK(w.b_rec == (2 * original.network.weights().b_rec).eval());
    REQUIRE_FALSE(imported.notes.empty());
  }
  SECTION("--discretisation exp reads τ as exp(-dt/τ)") {
    interop::NirNode graph = foreign(interop::lif_to_nir(original));
    const double beta = original.network.weights().beta(0);
    const double tau = -dt / std::log(beta);  // the τ whose exponential decay is β
    for (double& t : graph.nodes.at("lif").params.at("tau_mem").values) t = tau;
    interop::NirImportOptions exp_options = o;
    exp_options.exponential_decay = true;
    const interop::NirImport imported = interop::import_nir(graph, "net.nir", exp_options);
    CHECK(imported.artifact->network.weights().beta(3) == Approx(beta).epsilon(1e-6));
    // tau_syn, written for Euler, gives another α_s read exponentially: its gain (1-α_s)·w_in ≠ 1 is folded and said
    CHECK_FALSE(imported.notes.empty());
  }
  SECTION("a nested RNN subgraph (snnTorch's older export) is flattened") {
    interop::NirNode graph = foreign(interop::lif_to_nir(original));
    interop::NirNode sub;
    sub.type = "NIRGraph";
    sub.nodes["lif"] = graph.nodes.at("lif");
    sub.nodes["w_rec"] = graph.nodes.at("w_rec");
    sub.nodes["input"].type = "Input";
    sub.nodes["input"].params["shape"] = {interop::NirDtype::kInt64, {1}, {32}};
    sub.nodes["output"] = sub.nodes["input"];
    sub.nodes["output"].type = "Output";
    sub.edges = {{"input", "lif"}, {"lif", "w_rec"}, {"w_rec", "lif"}, {"lif", "output"}};
    graph.nodes.erase("lif");
    graph.nodes.erase("w_rec");
    graph.nodes["rnn"] = sub;
    graph.edges = {{"input", "w_in"}, {"w_in", "rnn"}, {"rnn", "w_out"}, {"w_out", "readout"}, {"readout", "output"}};
    const models::LifRnnArtifact imported = import_float(graph, o);
    CHECK(imported.network.weights().w_rec == original.network.weights().w_rec);
    CHECK(imported.network.weights().alpha_syn == original.network.weights().alpha_syn);
  }
}

TEST_CASE("what neurofab cannot run is refused with one line naming it", "[interop][nir]") {
  const models::LifRnnArtifact original = test::trained_lif_network("lif-flipflop-n32");
  const interop::NirNode exported = interop::lif_to_nir(original);
  const interop::NirNode graph = foreign(exported);
  const interop::NirImportOptions o = foreign_options(1e-3, "flipflop");

  interop::NirImportOptions no_dt = o;
  no_dt.dt_seconds.reset();
  CHECK_THAT(import_error(graph, no_dt), Contains("does not say its time step") && Contains("--dt 1e-4"));
  interop::NirImportOptions no_task = o;
  no_task.task_name.reset();
  CHECK_THAT(import_error(graph, no_task), Contains("--task"));
  CHECK_THAT(import_error(graph, foreign_options(1e-3, "nbit_flipflop")), Contains("task 'nbit_flipflop' 3 and 3"));
  CHECK_THAT(import_error(graph, foreign_options(0.5, "flipflop")), Contains("shorter than the step") && Contains("--dt"));

  interop::NirNode conv = graph;
  conv.nodes["conv"].type = "Conv2d";
  CHECK_THAT(import_error(conv, o), Contains("node 'conv' is a Conv2d"));
  interop::NirNode leak = graph;
  leak.nodes.at("lif").params.at("v_leak").values[4] = 0.3;
  CHECK_THAT(import_error(leak, o), Contains("v_leak") && Contains("unit 4"));
  interop::NirNode thresholds = graph;
  thresholds.nodes.at("lif").params.at("v_threshold").values[2] = 2;
  CHECK_THAT(import_error(thresholds, o), Contains("v_threshold differs"));
  interop::NirNode shape = graph;
  shape.nodes.at("w_rec").params.at("weight").shape = {16, 64};
  CHECK_THAT(import_error(shape, o), Contains("'w_rec'") && Contains("[16, 64]"));
  interop::NirNode skip = graph;
  skip.edges.emplace_back("input", "w_out");
  CHECK_THAT(import_error(skip, o), Contains("'input' feeds 2 nodes"));
  interop::NirNode leaky_readout = graph;
  leaky_readout.nodes.at("readout").type = "LIF";
  CHECK_THAT(import_error(leaky_readout, o), Contains("Leaky readout"));

  interop::NirImportOptions reset = {};
  reset.reset = models::ResetMode::kZero;
  CHECK_THAT(import_error(exported, reset), Contains("--reset"));
  interop::NirImportOptions dt = {};
  dt.dt_seconds = 1e-4;
  CHECK_THAT(import_error(exported, dt), Contains("--dt"));
  interop::NirImportOptions exponential = {};
  exponential.exponential_decay = true;
  CHECK_THAT(import_error(exported, exponential), Contains("--discretisation"));
}

TEST_CASE("bad files and rate networks get one clear line", "[interop][nir]") {
  test::TempDir tmp;
  CHECK_THROWS_WITH(interop::read_nir(tmp / "missing.nir"), Contains("missing.nir") && Contains("no such file"));
  std::ofstream(tmp / "text.nir") << "not hdf5";
  CHECK_THROWS_WITH(interop::read_nir(tmp / "text.nir"), Contains("not a NIR file"));
  CHECK_THROWS_WITH(interop::export_nir(test::test_data_dir() / "rate-xor-n32", tmp / "rate.nir"),
                    Contains("rate network has no NIR form"));
  CHECK_FALSE(std::filesystem::exists(tmp / "rate.nir"));
  CHECK_THROWS_WITH(interop::write_nir(tmp / "no-such-folder" / "x.nir", interop::lif_to_nir(test::trained_lif_network("lif-xor-n24"))),
                    Contains("does not exist"));
}

TEST_CASE("import-nir refuses to replace a folder without --force, and export-nir refuses a rate network",
          "[interop][nir][cli]") {
  test::TempDir tmp;
  const std::string cli = NF_CLI_PATH;
  const std::string lif = (test::test_data_dir() / "lif-xor-n24").string();
  REQUIRE(test::run_command(cli + " export-nir " + lif + " -o " + (tmp / "net.nir").string()).exit_code == 0);
  const std::string import = cli + " import-nir " + (tmp / "net.nir").string() + " -o " + (tmp / "net").string() +
                             " --trials 4";
  REQUIRE(test::run_command(import).exit_code == 0);
  const test::CommandResult again = test::run_command(import + " 2>&1");
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.output, Contains("already exists (use --force to replace it)"));
  CHECK(test::run_command(import + " --force").exit_code == 0);
  const test::CommandResult rate = test::run_command(
      cli + " export-nir " + (test::test_data_dir() / "rate-xor-n32").string() + " -o " + (tmp / "r.nir").string() +
      " 2>&1");
  CHECK(rate.exit_code == 1);
  CHECK_THAT(rate.output, Contains("a rate network has no NIR form"));
}
