// Artifact save/load: exact round trip, numpy-readable, and one clear error
// naming the file and field for each kind of corrupt or inconsistent input.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neurofab/common/error.hpp"
#include "neurofab/common/npy.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/task.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

using namespace nf::models;
namespace fs = std::filesystem;

namespace {

RateRnnArtifact trained_artifact() {
  const auto task = make_task("xor");
  RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 12;
  c.n_out = task->n_out();
  c.noise_sd = 0.05;
  c.dale_ratio = 0.75;
  c.frozen = {"b_out"};
  NetworkInit init;
  init.rec_density = 0.5;
  TrainingConfig t;
  t.max_epochs = 2;
  t.steps_per_epoch = 2;
  t.batch_size = 8;
  t.validation_trials = 16;
  RateRnnArtifact a{make_rate_rnn(c, init, 5), init, task->name(), task->param_values(), 5, t, {}};
  a.state.optimizer = Adam(t.adam);
  train(a.network, *task, t, a.seed, a.state);
  return a;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}
void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

}  // namespace

TEST_CASE("an artifact round-trips exactly", "[artifact]") {
  nf::test::TempDir tmp;
  const RateRnnArtifact a = trained_artifact();
  save_artifact(tmp / "run", a);
  const RateRnnArtifact b = load_rate_artifact(tmp / "run");

  a.network.weights().for_each([&](const std::string& name, const Eigen::MatrixXf& w) {
    INFO(name);
    CHECK(b.network.weights().at(name) == w);
  });
  CHECK(b.network.connectivity().mask_rec == a.network.connectivity().mask_rec);
  CHECK(b.network.connectivity().mask_out == a.network.connectivity().mask_out);
  CHECK(b.network.config().frozen == a.network.config().frozen);
  CHECK(b.network.config().dale_ratio == a.network.config().dale_ratio);
  CHECK(b.network.config().noise_sd == a.network.config().noise_sd);
  CHECK(b.task_name == "xor");
  CHECK(b.task_params == a.task_params);
  CHECK(b.seed == 5);
  CHECK(b.training.batch_size == 8);
  CHECK(b.state.epochs_done == a.state.epochs_done);
  CHECK(b.state.learning_rate == a.state.learning_rate);
  CHECK(b.state.best_loss == a.state.best_loss);
  REQUIRE(b.state.log.size() == a.state.log.size());
  CHECK(b.state.log.back().loss == a.state.log.back().loss);
  CHECK(b.state.optimizer.step() == a.state.optimizer.step());
  REQUIRE(b.state.optimizer.first_moments().size() == 4);  // b_out is frozen
  CHECK(b.state.optimizer.second_moments().at("W_rec") == a.state.optimizer.second_moments().at("W_rec"));

  // Saving again over the same folder replaces it and leaves no temporary folders.
  save_artifact(tmp / "run", b);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("numpy reads the artifact's tensors", "[artifact][numpy]") {
  nf::test::TempDir tmp;
  const RateRnnArtifact a = trained_artifact();
  save_artifact(tmp / "run", a);
  const auto& w = a.network.weights().w_rec;
  Eigen::Index row = 0, col = 0;
  w.cwiseAbs().maxCoeff(&row, &col);  // a non-zero entry
  const fs::path script = tmp / "check.py";
  // Prints shapes, dtypes, one weight and the mask count; numpy must agree with our matrices.
  write_text(script,
             "import numpy as np, sys\n"
             "w = np.load(sys.argv[1] + '/W_rec.npy')\n"
             "m = np.load(sys.argv[1] + '/mask_W_rec.npy')\n"
             "b = np.load(sys.argv[1] + '/b_rec.npy')\n"
             "r, c = int(sys.argv[2]), int(sys.argv[3])\n"
             "print(w.shape[0], w.shape[1], w.dtype, m.dtype, b.shape, repr(float(w[r, c])), int(m.sum()))\n");
  const std::string command =
      fmt::format("{} {} {} {} {}", NF_PYTHON, script.string(), (tmp / "run").string(), row, col);
  const auto printed = nf::test::run_command(command);
  REQUIRE(printed.exit_code == 0);
  const std::string expected = fmt::format("12 12 float32 uint8 (12,) {} {}\n", double(w(row, col)),
                                           static_cast<int>(a.network.connectivity().mask_rec.sum()));
  CHECK(printed.output == expected);
}

TEST_CASE("corrupt or inconsistent artifacts give one clear error naming file and field", "[artifact]") {
  nf::test::TempDir tmp;
  const fs::path dir = tmp / "run";
  save_artifact(dir, trained_artifact());
  const nlohmann::json good = read_json(dir / "model.json");
  const auto with_json = [&](auto edit) {
    nlohmann::json j = good;
    edit(j);
    write_text(dir / "model.json", j.dump());
  };
  const auto expect_error = [&](const std::string& fragment1, const std::string& fragment2) {
    try {
      load_artifact(dir);
      FAIL("no error");
    } catch (const nf::InputError& e) {
      INFO(e.what());
      CHECK_THAT(e.what(), Catch::Contains(fragment1) && Catch::Contains(fragment2));
    }
  };

  SECTION("missing folder") {
    CHECK_THROWS_WITH(load_artifact(tmp / "nope"), Catch::Contains("nope") && Catch::Contains("no such folder"));
  }
  SECTION("missing model.json") {
    fs::remove(dir / "model.json");
    expect_error("model.json", "missing");
  }
  SECTION("model.json is not JSON") {
    write_text(dir / "model.json", "{\"format\": ");
    expect_error("model.json", "not valid JSON");
  }
  SECTION("model.json is truncated") {
    write_text(dir / "model.json", good.dump().substr(0, 200));
    expect_error("model.json", "not valid JSON");
  }
  SECTION("unknown format version") {
    with_json([](auto& j) { j["format_version"] = 99; });
    expect_error("format_version", "99");
  }
  SECTION("unknown model type") {
    with_json([](auto& j) { j["model_type"] = "transformer"; });
    expect_error("model_type", "transformer");
  }
  SECTION("missing field") {
    with_json([](auto& j) { j["model"].erase("n_rec"); });
    expect_error("model.json", "'model.n_rec': missing");
  }
  SECTION("wrong field type") {
    with_json([](auto& j) { j["training"]["batch_size"] = "sixty-four"; });
    expect_error("'training.batch_size'", "expected an integer");
  }
  SECTION("impossible value") {
    with_json([](auto& j) { j["model"]["tau_ms"] = -3.0; });
    expect_error("model.json", "tau_ms");
  }
  SECTION("shape in model.json disagrees with the tensors") {
    with_json([](auto& j) { j["model"]["n_rec"] = 13; });
    expect_error("W_in.npy", "shape");
  }
  SECTION("tensor file missing") {
    fs::remove(dir / "W_out.npy");
    expect_error("W_out.npy", "cannot open");
  }
  SECTION("tensor file truncated") {
    const auto size = fs::file_size(dir / "W_rec.npy");
    fs::resize_file(dir / "W_rec.npy", size - 10);
    expect_error("W_rec.npy", "truncated");
  }
  SECTION("tensor file is not .npy") {
    write_text(dir / "W_rec.npy", "hello");
    expect_error("W_rec.npy", "bad magic");
  }
  SECTION("tensor has the wrong dtype") {
    const std::vector<double> zeros(12 * 12, 0.0);
    nf::write_npy<double>(dir / "W_rec.npy", {12, 12}, zeros.data());
    expect_error("W_rec.npy", "dtype");
  }
  SECTION("NaN weight") {
    auto w = nf::read_npy<float>(dir / "W_in.npy");
    w.data[3] = std::numeric_limits<float>::quiet_NaN();
    nf::write_npy<float>(dir / "W_in.npy", w.shape, w.data.data());
    expect_error("W_in.npy", "non-finite");
  }
  SECTION("mask that is not 0/1") {
    auto m = nf::read_npy<std::uint8_t>(dir / "mask_W_rec.npy");
    m.data[0] = 2;
    nf::write_npy<std::uint8_t>(dir / "mask_W_rec.npy", m.shape, m.data.data());
    expect_error("mask_W_rec.npy", "0 or 1");
  }
  SECTION("a weight where the mask says no synapse") {
    auto m = nf::read_npy<std::uint8_t>(dir / "mask_W_rec.npy");
    auto w = nf::read_npy<float>(dir / "W_rec.npy");
    std::size_t k = 0;
    while (m.data[k] != 0) ++k;
    w.data[k] = 0.5f;
    nf::write_npy<float>(dir / "W_rec.npy", w.shape, w.data.data());
    expect_error("W_rec", "mask");
  }
  SECTION("a tensor path that escapes the folder") {
    with_json([](auto& j) { j["tensors"]["W_in"]["file"] = "../W_in.npy"; });
    expect_error("'tensors.W_in.file'", "not a file name inside");
  }
}

TEST_CASE("a failed save leaves no half-written artifact", "[artifact]") {
  nf::test::TempDir tmp;
  const RateRnnArtifact a = trained_artifact();
  write_text(tmp / "blocker", "a file, not a folder");
  CHECK_THROWS(save_artifact(tmp / "blocker", a));
  CHECK(fs::is_regular_file(tmp / "blocker"));
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++entries;
  CHECK(entries == 1);
}

// ---------------------------------------------------------------- LIF artifacts

namespace {

LifRnnArtifact trained_lif_artifact() {
  const auto task = make_task("flipflop", {{"trial_length", 120}, {"first_pulse", 10}, {"pulse_period", 40}});
  LifRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 10;
  c.n_out = task->n_out();
  c.tau_syn_ms = 3.0;
  c.reset = ResetMode::kZero;
  c.refractory_steps = 2;
  c.encoding = InputEncoding::kPoisson;
  c.encoding_gain = 0.8;
  c.surrogate = Surrogate::kAtan;
  c.detach_reset = true;
  c.train_tau = true;
  c.dale_ratio = 0.8;
  TrainingConfig t;
  t.max_epochs = 2;
  t.steps_per_epoch = 2;
  t.batch_size = 8;
  t.validation_trials = 16;
  t.regularization.target_rate = 0.05;
  t.regularization.target_rate_weight = 0.5;
  LifRnnArtifact a{make_lif_rnn(c, {}, 9), {}, task->name(), task->param_values(), 9, t, {}};
  a.state.optimizer = Adam(t.adam);
  train(a.network, *task, t, a.seed, a.state);
  return a;
}

}  // namespace

TEST_CASE("a LIF artifact round-trips exactly, decays and all", "[artifact][lif]") {
  nf::test::TempDir tmp;
  const LifRnnArtifact a = trained_lif_artifact();
  REQUIRE(a.network.weights().beta != Eigen::MatrixXf::Constant(10, 1, static_cast<float>(a.network.config().beta())));
  save_artifact(tmp / "run", a);
  const Artifact loaded = load_artifact(tmp / "run");
  REQUIRE(model_type(loaded) == "lif_rnn");
  const LifRnnArtifact& b = std::get<LifRnnArtifact>(loaded);
  a.network.weights().for_each([&](const std::string& name, const Eigen::MatrixXf& w) {
    INFO(name);
    CHECK(b.network.weights().at(name) == w);
  });
  const LifRnnConfig &x = a.network.config(), &y = b.network.config();
  CHECK(y.tau_syn_ms == x.tau_syn_ms);
  CHECK(y.reset == x.reset);
  CHECK(y.refractory_steps == x.refractory_steps);
  CHECK(y.encoding == x.encoding);
  CHECK(y.encoding_gain == x.encoding_gain);
  CHECK(y.surrogate == x.surrogate);
  CHECK(y.detach_reset == x.detach_reset);
  CHECK(y.train_tau == x.train_tau);
  CHECK(y.dale_ratio == x.dale_ratio);
  CHECK(b.training.regularization.target_rate == 0.05);
  CHECK(b.training.regularization.target_rate_weight == 0.5);
  CHECK(b.state.optimizer.first_moments().at("beta") == a.state.optimizer.first_moments().at("beta"));
  CHECK(b.network.connectivity().mask_in == a.network.connectivity().mask_in);
}

TEST_CASE("corrupt LIF artifacts and the wrong family give one clear error", "[artifact][lif]") {
  nf::test::TempDir tmp;
  const fs::path dir = tmp / "run";
  save_artifact(dir, trained_lif_artifact());
  const nlohmann::json good = read_json(dir / "model.json");
  const auto with_json = [&](auto edit) {
    nlohmann::json j = good;
    edit(j);
    write_text(dir / "model.json", j.dump());
  };
  const auto expect_error = [&](const std::string& fragment1, const std::string& fragment2) {
    try {
      load_artifact(dir);
      FAIL("no error");
    } catch (const nf::InputError& e) {
      INFO(e.what());
      CHECK_THAT(e.what(), Catch::Contains(fragment1) && Catch::Contains(fragment2));
    }
  };
  SECTION("a rate loader on a LIF artifact") {
    CHECK_THROWS_WITH(load_rate_artifact(dir), Catch::Contains("lif_rnn") && Catch::Contains("model.json"));
  }
  SECTION("an unknown reset mode") {
    with_json([](auto& j) { j["model"]["reset"] = "soft"; });
    expect_error("'model.reset'", "soft");
  }
  SECTION("an impossible time constant") {
    with_json([](auto& j) { j["model"]["tau_mem_ms"] = -3; });
    expect_error("model.json", "tau_mem_ms");
  }
  SECTION("a decay outside [0, 1]") {
    auto beta = nf::read_npy<float>(dir / "beta.npy");
    beta.data[3] = 1.5f;
    nf::write_npy<float>(dir / "beta.npy", beta.shape, beta.data.data());
    expect_error("beta", "outside [0, 1]");
  }
  SECTION("an input weight matrix of the wrong width for the encoding") {
    with_json([](auto& j) { j["model"]["input_encoding"] = "current"; });  // W_in has 4 columns, current needs 2
    expect_error("W_in", "shape");
  }
  SECTION("a missing decay file") {
    fs::remove(dir / "alpha_syn.npy");
    expect_error("alpha_syn.npy", "");
  }
}

TEST_CASE("a rate artifact is refused by the LIF loader", "[artifact][lif]") {
  nf::test::TempDir tmp;
  save_artifact(tmp / "run", trained_artifact());
  CHECK_THROWS_WITH(load_lif_artifact(tmp / "run"), Catch::Contains("rate_rnn") && Catch::Contains("lif_rnn"));
}
