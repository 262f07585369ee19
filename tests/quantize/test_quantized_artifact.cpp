// The quantized artifact: exact round trip (the loaded integer model computes
// the same codes), numpy-readable int32 tensors, and one clear error for each
// kind of bad input.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neurofab/common/error.hpp"
#include "neurofab/common/npy.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

using namespace nf;
using namespace nf::quantize;
namespace fs = std::filesystem;

namespace {

models::Artifact float_artifact(bool lif) {
  const auto task = models::make_task("xor");
  if (lif) {
    models::LifRnnConfig c;
    c.n_in = task->n_in();
    c.n_rec = 12;
    c.n_out = task->n_out();
    c.train_tau = true;
    auto net = models::make_lif_rnn(c, {}, 5);
    net.weights().beta(3, 0) = 0.8f;  // per-unit decays
    return models::LifRnnArtifact{std::move(net), {}, task->name(), task->param_values(), 5, {}, {}};
  }
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 12;
  c.n_out = task->n_out();
  c.tau_ms = 4;
  return models::RateRnnArtifact{models::make_rate_rnn(c, {}, 5), {}, task->name(), task->param_values(), 5, {}, {}};
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}
void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

}  // namespace

TEST_CASE("a quantized artifact round-trips: the loaded model computes the same codes", "[quantize][artifact]") {
  const bool lif = GENERATE(false, true);
  const bool piecewise = GENERATE(false, true);
  INFO((lif ? "LIF" : "rate") << (piecewise ? ", piecewise linear" : ""));
  nf::test::TempDir tmp;
  QuantizeOptions o;
  o.piecewise_linear = piecewise;
  o.weight_bits = 6;
  const QuantizedArtifact q = quantize_artifact(float_artifact(lif), "float-run", o);
  save_quantized(tmp / "q", q);
  REQUIRE(is_quantized_artifact(tmp / "q"));
  const QuantizedArtifact back = load_quantized(tmp / "q");
  CHECK(back.source == "float-run");
  CHECK(back.task_name == "xor");
  CHECK(back.ranges == q.ranges);
  const auto task = models::make_task("xor");
  std::visit(
      [&](const auto& a, const auto& b) {
        using A = std::decay_t<decltype(a)>;
        using B = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<A, B>) {
          CHECK(b.tensors().w_rec == a.tensors().w_rec);
          CHECK(b.tensors().w_in == a.tensors().w_in);
          const auto x = evaluate_integer(a, *task, 8, 3);
          const auto y = evaluate_integer(b, *task, 8, 3);
          CHECK(x.mse == y.mse);  // bit-identical integer runs give identical outputs
          CHECK(x.success_rate == y.success_rate);
        } else {
          FAIL("the model family changed in the round trip");
        }
      },
      q.network, back.network);
}

TEST_CASE("quantized tensors are int32 .npy files numpy reads", "[quantize][artifact]") {
  nf::test::TempDir tmp;
  const QuantizedArtifact q = quantize_artifact(float_artifact(false), "x", {});
  save_quantized(tmp / "q", q);
  const auto& w = std::get<IntegerRateRnn>(q.network).tensors().w_rec;
  const std::string command = fmt::format(
      "{} -c \"import numpy as np; w = np.load('{}'); t = np.load('{}'); print(w.dtype, w.shape, int(w[2, 7]), "
      "t.shape)\"",
      NF_PYTHON, (tmp / "q" / "W_rec.npy").string(), (tmp / "q" / "activation_table.npy").string());
  const auto printed = nf::test::run_command(command);
  REQUIRE(printed.exit_code == 0);
  CHECK(printed.output == fmt::format("int32 (12, 12) {} (1024,)\n", w(2, 7)));
}

TEST_CASE("bad quantized artifacts give one clear error naming file and field", "[quantize][artifact]") {
  nf::test::TempDir tmp;
  const fs::path dir = tmp / "q";
  save_quantized(dir, quantize_artifact(float_artifact(true), "x", {}));
  const nlohmann::json good = read_json(dir / "model.json");
  const auto with_json = [&](auto edit) {
    nlohmann::json j = good;
    edit(j);
    write_text(dir / "model.json", j.dump());
  };
  const auto expect_error = [&](const std::string& a, const std::string& b) {
    try {
      load_quantized(dir);
      FAIL("no error");
    } catch (const InputError& e) {
      INFO(e.what());
      CHECK_THAT(e.what(), Catch::Contains(a) && Catch::Contains(b));
    }
  };
  SECTION("a float artifact where a quantized one is needed") {
    models::save_artifact(tmp / "float", std::get<models::LifRnnArtifact>(float_artifact(true)));
    CHECK_THROWS_WITH(load_quantized(tmp / "float"), Catch::Contains("float artifact") && Catch::Contains("quantize"));
    CHECK_FALSE(is_quantized_artifact(tmp / "float"));
  }
  SECTION("W > 32") {
    with_json([](auto& j) { j["fixed_point"]["formats"]["W_rec"]["total_bits"] = 40; });
    expect_error("fixed_point.formats.W_rec", "[2, 32]");
  }
  SECTION("F > W") {
    with_json([](auto& j) { j["fixed_point"]["formats"]["current"]["frac_bits"] = 17; });
    expect_error("current", "exceed");
  }
  SECTION("an unknown rounding mode") {
    with_json([](auto& j) { j["fixed_point"]["rounding"] = "nearest"; });
    expect_error("fixed_point.rounding", "nearest");
  }
  SECTION("an unknown decay form") {
    with_json([](auto& j) { j["fixed_point"]["decay"]["form"] = "exp"; });
    expect_error("fixed_point.decay.form", "exp");
  }
  SECTION("a code outside its format") {
    auto w = read_npy<std::int32_t>(dir / "W_rec.npy");
    w.data[5] = 1000;  // an 8-bit format holds [-128, 127]
    write_npy<std::int32_t>(dir / "W_rec.npy", w.shape, w.data.data());
    expect_error("W_rec", "outside its format Q8.");
  }
  SECTION("a decay parameter out of range") {
    auto beta = read_npy<std::int32_t>(dir / "beta.npy");
    beta.data[0] = 5000;  // a 12-bit multiplier holds [0, 4096]
    write_npy<std::int32_t>(dir / "beta.npy", beta.shape, beta.data.data());
    expect_error("beta", "parameter range");
  }
  SECTION("a threshold the membrane cannot hold") {
    with_json([](auto& j) { j["fixed_point"]["threshold"] = 0; });
    expect_error("fixed_point.threshold", "positive codes");
  }
  SECTION("a wrong tensor shape") {
    with_json([](auto& j) { j["model"]["n_rec"] = 13; });
    expect_error("W_in", "shape");
  }
}
