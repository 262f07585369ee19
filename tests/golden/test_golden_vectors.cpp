// Golden vectors: written by the integer golden model, read back by the
// header-only reader every testbench uses, and replayed: the recorded inputs
// through a fresh integer model reproduce every recorded code and count
// exactly; the recorded outputs score like `neurofab eval`; numpy reads the
// files; and every broken folder is refused naming the file.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neurofab/common/error.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/golden/golden_vectors.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/quantize/trial_run.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

using namespace nf;
using namespace nf::quantize;
using nf::golden::GoldenVectorsSummary;
using nf::golden::write_golden_vectors;
namespace fs = std::filesystem;

namespace {

// The networks under test: untrained, so the seed (printed) is all that makes them.
enum class Case { kRateTable, kRatePiecewise, kLifCurrent, kLifPoisson, kLifDelta };

const char* case_name(Case c) {
  switch (c) {
    case Case::kRateTable: return "rate RNN, tanh table";
    case Case::kRatePiecewise: return "rate RNN, piecewise-linear tanh, leak 1/4";
    case Case::kLifCurrent: return "LIF RNN, current input, refractory 2, reset to zero";
    case Case::kLifPoisson: return "LIF RNN, Poisson input";
    case Case::kLifDelta: return "LIF RNN, delta input, shift decays";
  }
  return "?";
}

bool is_lif(Case c) { return c == Case::kLifCurrent || c == Case::kLifPoisson || c == Case::kLifDelta; }

QuantizedArtifact quantized_case(Case which, std::uint64_t seed) {
  const auto task = models::make_task("xor");
  QuantizeOptions o;
  o.weight_bits = 8;
  if (is_lif(which)) {
    models::LifRnnConfig c;
    c.n_in = task->n_in();
    c.n_rec = 12;
    c.n_out = task->n_out();
    c.threshold = 0.25;  // an untrained network should still spike
    c.train_tau = true;
    if (which == Case::kLifCurrent) {
      c.refractory_steps = 2;
      c.reset = models::ResetMode::kZero;
    }
    if (which == Case::kLifPoisson) {
      c.encoding = models::InputEncoding::kPoisson;
      c.encoding_gain = 0.5;
    }
    if (which == Case::kLifDelta) {
      c.encoding = models::InputEncoding::kDelta;
      c.delta_threshold = 0.25;
      o.decay.form = DecayForm::kShift;
    }
    auto net = models::make_lif_rnn(c, {}, seed);
    net.weights().beta(3, 0) = 0.8f;  // per-unit decays
    const models::Artifact a =
        models::LifRnnArtifact{std::move(net), {}, task->name(), task->param_values(), seed, {}, {}};
    return quantize_artifact(a, "float-lif", o);
  }
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 12;
  c.n_out = task->n_out();
  c.tau_ms = which == Case::kRatePiecewise ? 4 : 2;  // leak α = 1/4 (a shift), α = 1/2
  o.piecewise_linear = which == Case::kRatePiecewise;
  const models::Artifact a =
      models::RateRnnArtifact{models::make_rate_rnn(c, {}, seed), {}, task->name(), task->param_values(), seed, {}, {}};
  return quantize_artifact(a, "float-rate", o);
}

// Collects exact-equality comparisons; keeps the first mismatch (where, expected, actual).
struct Comparison {
  std::int64_t compared = 0;
  std::int64_t mismatches = 0;
  std::string first;

  void check(const std::string& signal, int trial, int step, int unit, std::int64_t expected, std::int64_t actual) {
    ++compared;
    if (expected == actual) return;
    if (mismatches++ == 0) {
      first = fmt::format("{}: trial {}, step {}, unit {}: recorded {}, replay {}", signal, trial, step, unit,
                          expected, actual);
    }
  }
  template <typename T>
  void check_row(const golden::GoldenTrace& v, const std::string& signal, int trial, int step, const T* actual) {
    for (int i = 0; i < v.signal(signal).width; ++i) {
      check(signal, trial, step, i, v.value<std::int64_t>(signal, trial, step, i), actual[i]);
    }
  }
};

// The recorded inputs through `network` (freshly loaded), every recorded value compared.
Comparison replay(const IntegerRateRnn& network, const golden::GoldenTrace& v) {
  Comparison cmp;
  const auto& c = network.config();
  std::vector<std::int32_t> y(static_cast<std::size_t>(c.n_out));
  std::vector<std::int64_t> a(static_cast<std::size_t>(c.n_rec));
  const RateStepCounts counts = network.counts_per_step();
  for (int k = 0; k < v.trials(); ++k) {
    auto state = network.initial_state();
    for (int t = 0; t < v.steps(); ++t) {
      const std::int64_t before = state.overflow.events;
      network.step(v.step_values<std::int32_t>("input", k, t), state, y.data(), a.data());
      cmp.check_row(v, "accumulator", k, t, a.data());
      cmp.check_row(v, "state", k, t, state.h.data());
      cmp.check_row(v, "output", k, t, y.data());
      cmp.check("macs", k, t, 0, v.value<std::int64_t>("macs", k, t, 0), counts.macs);
      cmp.check("table_lookups", k, t, 0, v.value<std::int64_t>("table_lookups", k, t, 0), counts.table_lookups);
      cmp.check("overflow_events", k, t, 0, v.value<std::int64_t>("overflow_events", k, t, 0),
                state.overflow.events - before);
    }
  }
  return cmp;
}

Comparison replay(const IntegerLifRnn& network, const golden::GoldenTrace& v) {
  Comparison cmp;
  for (int k = 0; k < v.trials(); ++k) {
    auto state = network.initial_state();
    for (int t = 0; t < v.steps(); ++t) {
      const std::int64_t before = state.overflow.events;
      LifStepCounts counts;
      network.step(v.step_values<std::int32_t>("input", k, t), state, &counts);
      cmp.check_row(v, "current", k, t, state.current.data());
      cmp.check_row(v, "membrane", k, t, state.membrane.data());
      cmp.check_row(v, "spikes", k, t, state.spikes.data());
      cmp.check_row(v, "refractory", k, t, state.refractory.data());
      cmp.check_row(v, "output", k, t, state.output.data());
      cmp.check("input_macs", k, t, 0, v.value<std::int64_t>("input_macs", k, t, 0), counts.input_macs);
      cmp.check("synaptic_events", k, t, 0, v.value<std::int64_t>("synaptic_events", k, t, 0), counts.synaptic_events);
      cmp.check("decays", k, t, 0, v.value<std::int64_t>("decays", k, t, 0), counts.decays);
      cmp.check("spike_count", k, t, 0, v.value<std::int64_t>("spike_count", k, t, 0), counts.spikes);
      cmp.check("overflow_events", k, t, 0, v.value<std::int64_t>("overflow_events", k, t, 0),
                state.overflow.events - before);
    }
  }
  return cmp;
}

// Sum of one signal over every trial, step and unit.
std::int64_t total(const golden::GoldenTrace& v, const std::string& signal) {
  std::int64_t sum = 0;
  for (int k = 0; k < v.trials(); ++k)
    for (int t = 0; t < v.steps(); ++t)
      for (int i = 0; i < v.signal(signal).width; ++i) sum += v.value<std::int64_t>(signal, k, t, i);
  return sum;
}

// The loss exactly as integer_evaluation.cpp computes it (same expression, so the same bits).
double masked_mse(const models::Batch& batch, const Eigen::MatrixXd& outputs) {
  const double mask_sum = batch.mask.sum();
  return ((outputs - batch.targets).array().square() * batch.mask.array()).sum() / (mask_sum > 0 ? mask_sum : 1.0);
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("golden vectors replay bit for bit through a freshly loaded integer model", "[golden][vectors]") {
  const Case which = GENERATE(Case::kRateTable, Case::kRatePiecewise, Case::kLifCurrent, Case::kLifPoisson,
                              Case::kLifDelta);
  const std::uint64_t network_seed = 11, trial_seed = 23;
  const int trials = 3;
  INFO(case_name(which) << ", network seed " << network_seed << ", trial seed " << trial_seed);
  nf::test::TempDir tmp;
  const QuantizedArtifact q = quantized_case(which, network_seed);
  save_quantized(tmp / "q", q);
  const GoldenVectorsSummary summary = write_golden_vectors(q, trials, trial_seed, tmp / "v", (tmp / "q").string());

  const golden::GoldenTrace v = golden::GoldenTrace::load((tmp / "v").string());
  REQUIRE(v.trials() == trials);
  REQUIRE(v.steps() == summary.steps);
  CHECK(v.seed() == trial_seed);
  const nlohmann::json& h = v.header();
  CHECK(h["format"] == "neurofab-golden-vectors");
  CHECK(h["format_version"] == 1);
  CHECK(h["generator"] == "neurofab 0.1.0");
  CHECK(h["task"]["name"] == "xor");
  CHECK(h["quantized_artifact"] == (tmp / "q").string());
  CHECK(h["source_artifact"] == (is_lif(which) ? "float-lif" : "float-rate"));
  const nlohmann::json model = read_json(tmp / "q" / "model.json");
  CHECK(h["model_type"] == model["model_type"]);
  CHECK(h["fixed_point"]["formats"] == model["fixed_point"]["formats"]);  // the artifact's formats, verbatim
  CHECK(h["fixed_point"]["rounding"] == model["fixed_point"]["rounding"]);
  std::vector<std::string> names;
  for (const auto& s : v.signals()) names.push_back(s.name);
  CHECK(names == summary.signals);
  // Every file is exactly K·T·width values (the reader checked it; so does this).
  for (const auto& s : v.signals()) {
    CHECK(fs::file_size(tmp / "v" / s.file) ==
          static_cast<std::uintmax_t>(trials) * static_cast<std::uintmax_t>(v.steps()) *
              static_cast<std::uintmax_t>(s.width) * s.bytes_per_value());
  }

  const QuantizedArtifact fresh = load_quantized(tmp / "q");
  const Comparison cmp = std::visit([&](const auto& net) { return replay(net, v); }, fresh.network);
  INFO("first mismatch: " << cmp.first);
  CHECK(cmp.mismatches == 0);
  CHECK(cmp.compared > trials * v.steps());
  {
    // The comparison is not vacuous: one flipped bit of a recorded output is the one mismatch, found where it is.
    const int k = 1, t = 5;
    std::fstream f(tmp / "v" / "output.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekg((k * v.steps() + t) * v.signal("output").width * 4);
    const int low = f.get();
    f.seekp((k * v.steps() + t) * v.signal("output").width * 4);
    f.put(static_cast<char>(low ^ 1));
    f.close();
    const Comparison corrupted =
        std::visit([&](const auto& net) { return replay(net, golden::GoldenTrace::load((tmp / "v").string())); },
                   fresh.network);
    CHECK(corrupted.mismatches == 1);
    CHECK_THAT(corrupted.first, Catch::StartsWith("output: trial 1, step 5, unit 0"));
  }

  // The per-trial overflow totals are the sums of the per-step counts.
  std::int64_t overflow = 0;
  for (int k = 0; k < trials; ++k) {
    std::int64_t sum = 0;
    for (int t = 0; t < v.steps(); ++t) sum += v.value<std::int64_t>("overflow_events", k, t, 0);
    CHECK(h["overflow_events_per_trial"][static_cast<std::size_t>(k)].get<std::int64_t>() == sum);
    overflow += sum;
  }
  CHECK(overflow == summary.overflow_events);

  if (is_lif(which)) {
    // Not a vacuous replay: the network spiked, and the spike counts are the spike vectors' sums.
    const std::int64_t spikes = total(v, "spikes");
    CHECK(spikes > 0);
    CHECK(total(v, "spike_count") == spikes);
    const auto& net = std::get<IntegerLifRnn>(fresh.network);
    if (net.config().refractory_steps > 0) CHECK(total(v, "refractory") > 0);
    CHECK(v.signal("input").width == net.config().n_in_encoded());
    CHECK(v.signal("membrane").format == model["fixed_point"]["formats"]["membrane"]);
    CHECK(v.signal("spikes").format.is_null());
  } else {
    const auto& net = std::get<IntegerRateRnn>(fresh.network);
    CHECK(v.signal("accumulator").dtype == "int64");
    CHECK(v.signal("accumulator").format["total_bits"] == net.spec().accumulator_bits);
    CHECK(v.signal("accumulator").format["frac_bits"] == net.spec().accumulator_frac());
    CHECK(total(v, "state") != 0);
  }
}

TEST_CASE("the recorded outputs score exactly as `neurofab eval` on the same trials", "[golden][vectors]") {
  const Case which = GENERATE(Case::kRateTable, Case::kLifCurrent, Case::kLifPoisson);
  const std::uint64_t network_seed = 4, trial_seed = 9;
  const int trials = 5;
  INFO(case_name(which) << ", network seed " << network_seed << ", trial seed " << trial_seed);
  nf::test::TempDir tmp;
  const QuantizedArtifact q = quantized_case(which, network_seed);
  write_golden_vectors(q, trials, trial_seed, tmp / "v");
  const golden::GoldenTrace v = golden::GoldenTrace::load((tmp / "v").string());
  const auto task = models::make_task(q.task_name, q.task_params);

  std::visit(
      [&](const auto& net) {
        const auto& c = net.config();
        const models::EvaluationTrials data = models::evaluation_trials(*task, c, trials, trial_seed);
        const models::Batch& batch = data.batch;
        REQUIRE(batch.n_steps == v.steps());
        REQUIRE(batch.batch_size == trials);
        Eigen::MatrixXd outputs(c.n_out, batch.inputs.cols());
        for (int b = 0; b < trials; ++b)
          for (int t = 0; t < batch.n_steps; ++t)
            for (int m = 0; m < c.n_out; ++m)
              outputs(m, batch.column(t, b)) = dequantize(v.value<std::int32_t>("output", b, t, m), net.spec().output);
        const double mse = masked_mse(batch, outputs);
        const IntegerEvaluation reference = evaluate_integer(net, *task, trials, trial_seed);
        CHECK(mse == reference.mse);
        CHECK(models::success_rate(*task, batch, outputs) == reference.success_rate);
        CHECK(total(v, "overflow_events") == reference.overflow_events);
        if constexpr (std::is_same_v<std::decay_t<decltype(net)>, IntegerLifRnn>) {
          const double steps = static_cast<double>(batch.inputs.cols());
          CHECK(static_cast<double>(total(v, "spike_count")) / steps == reference.spikes_per_step);
          CHECK(static_cast<double>(total(v, "synaptic_events")) / steps == reference.synaptic_events_per_step);
        }
        if (v.signal("input").width == c.n_in) {
          // Current input: the recorded stimulus is the quantized task input of those trials.
          const IntMatrix x = quantize_stimulus(batch.inputs, net.spec().input, net.spec().rounding);
          std::int64_t differ = 0;
          for (int b = 0; b < trials; ++b)
            for (int t = 0; t < batch.n_steps; ++t)
              for (int k = 0; k < c.n_in; ++k)
                differ += x(k, batch.column(t, b)) != v.value<std::int32_t>("input", b, t, k) ? 1 : 0;
          CHECK(differ == 0);
        }
      },
      q.network);
}

TEST_CASE("numpy reads a golden-vector signal as (K, T, width)", "[golden][vectors]") {
  nf::test::TempDir tmp;
  const int trials = 2;
  const QuantizedArtifact q = quantized_case(Case::kLifCurrent, 3);
  write_golden_vectors(q, trials, 5, tmp / "v");
  const golden::GoldenTrace v = golden::GoldenTrace::load((tmp / "v").string());
  const int n = v.signal("membrane").width;
  const int k = 1, t = v.steps() / 2, i = n - 2;
  const std::string command = fmt::format(
      "{} -c \"import numpy as np; d = '{}'; "
      "m = np.fromfile(d + '/membrane.bin', dtype='<i4').reshape({}, {}, {}); "
      "e = np.fromfile(d + '/synaptic_events.bin', dtype='<i8').reshape({}, {}, 1); "
      "print(m.shape, int(m[{}, {}, {}]), int(m.astype(np.int64).sum()), int(e[{}, {}, 0]), int(e.sum()))\"",
      NF_PYTHON, (tmp / "v").string(), trials, v.steps(), n, trials, v.steps(), k, t, i, k, t);
  const auto printed = nf::test::run_command(command);
  REQUIRE(printed.exit_code == 0);
  CHECK(printed.output == fmt::format("({}, {}, {}) {} {} {} {}\n", trials, v.steps(), n,
                                      v.value<std::int32_t>("membrane", k, t, i), total(v, "membrane"),
                                      v.value<std::int64_t>("synaptic_events", k, t, 0), total(v, "synaptic_events")));
  CHECK(total(v, "membrane") != 0);
}

TEST_CASE("a broken golden-vector folder is refused, naming the file", "[golden][vectors]") {
  nf::test::TempDir tmp;
  const fs::path dir = tmp / "v";
  const QuantizedArtifact q = quantized_case(Case::kLifCurrent, 3);
  write_golden_vectors(q, 2, 5, dir);
  REQUIRE_NOTHROW(golden::GoldenTrace::load(dir.string()));
  const nlohmann::json good = read_json(dir / "vectors.json");
  const auto with_json = [&](auto edit) {
    nlohmann::json j = good;
    edit(j);
    std::ofstream(dir / "vectors.json") << j.dump();
  };
  const auto expect_error = [&](const std::string& a, const std::string& b) {
    try {
      golden::GoldenTrace::load(dir.string());
      FAIL("no error");
    } catch (const std::runtime_error& e) {
      INFO(e.what());
      CHECK_THAT(e.what(), Catch::Contains(a) && Catch::Contains(b));
    }
  };
  SECTION("a truncated signal file") {
    const auto size = fs::file_size(dir / "membrane.bin");
    fs::resize_file(dir / "membrane.bin", size - 3);
    expect_error((dir / "membrane.bin").string(), fmt::format("{} bytes, expected {}", size - 3, size));
  }
  SECTION("a signal file too long") {
    std::ofstream(dir / "spike_count.bin", std::ios::app | std::ios::binary) << "12345678";
    expect_error("spike_count.bin", "bytes, expected");
  }
  SECTION("a missing signal file") {
    fs::remove(dir / "spikes.bin");
    expect_error((dir / "spikes.bin").string(), "missing");
  }
  SECTION("vectors.json with a wrong width") {
    with_json([](auto& j) {
      for (auto& s : j["signals"])
        if (s["name"] == "membrane") s["width"] = s["width"].template get<int>() + 1;
    });
    expect_error((dir / "membrane.bin").string(), "width 13");
  }
  SECTION("vectors.json with a wrong dtype") {
    with_json([](auto& j) { j["signals"][0]["dtype"] = "float32"; });
    expect_error("vectors.json", "float32");
  }
  SECTION("vectors.json of another version") {
    with_json([](auto& j) { j["format_version"] = 2; });
    expect_error("vectors.json", "format_version");
  }
  SECTION("vectors.json that is not JSON") {
    std::ofstream(dir / "vectors.json") << "{\"format\": ";
    expect_error("vectors.json", "not valid JSON");
  }
  SECTION("a folder without vectors.json") {
    fs::remove(dir / "vectors.json");
    expect_error("vectors.json", "missing");
  }
  SECTION("a signal file outside the folder") {
    with_json([](auto& j) { j["signals"][1]["file"] = "../membrane.bin"; });
    expect_error("vectors.json", "not a file name inside the folder");
  }
}

TEST_CASE("the reader refuses unknown signals, wrong types and indices out of range", "[golden][vectors]") {
  nf::test::TempDir tmp;
  write_golden_vectors(quantized_case(Case::kRateTable, 3), 2, 5, tmp / "v");
  const golden::GoldenTrace v = golden::GoldenTrace::load((tmp / "v").string());
  CHECK(v.has_signal("state"));
  CHECK_FALSE(v.has_signal("membrane"));
  CHECK_THROWS_AS(v.signal("membrane"), std::out_of_range);
  CHECK_THROWS_WITH(v.value<std::int32_t>("membrane", 0, 0, 0), Catch::Contains("'membrane'"));
  CHECK_THROWS_AS(v.value<std::int32_t>("accumulator", 0, 0, 0), std::invalid_argument);  // int64 as int32
  CHECK_THROWS_AS(v.step_values<std::int64_t>("state", 0, 0), std::invalid_argument);
  CHECK(v.value<std::int64_t>("state", 1, 3, 2) == v.value<std::int32_t>("state", 1, 3, 2));  // int32 widens
  CHECK(v.step_values<std::int32_t>("state", 1, 3)[2] == v.value<std::int32_t>("state", 1, 3, 2));
  CHECK_THROWS_AS(v.value<std::int32_t>("state", 2, 0, 0), std::out_of_range);
  CHECK_THROWS_AS(v.value<std::int32_t>("state", 0, v.steps(), 0), std::out_of_range);
  CHECK_THROWS_AS(v.value<std::int32_t>("state", 0, 0, 12), std::out_of_range);
}

TEST_CASE("golden vectors are written atomically: replaced whole, never half-written", "[golden][vectors]") {
  nf::test::TempDir tmp;
  const QuantizedArtifact q = quantized_case(Case::kRateTable, 3);
  CHECK_THROWS_AS(write_golden_vectors(q, 0, 5, tmp / "v"), InputError);
  CHECK_FALSE(fs::exists(tmp / "v"));
  write_golden_vectors(q, 3, 5, tmp / "v");
  std::ofstream(tmp / "v" / "stale.bin") << "old";
  write_golden_vectors(q, 1, 6, tmp / "v");  // replaces the folder, stale file included
  CHECK_FALSE(fs::exists(tmp / "v" / "stale.bin"));
  const golden::GoldenTrace v = golden::GoldenTrace::load((tmp / "v").string());
  CHECK(v.trials() == 1);
  CHECK(v.seed() == 6);
  int entries = 0;
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    INFO(e.path());
    CHECK(e.path().filename() == "v");  // no staging folder left behind
    ++entries;
  }
  CHECK(entries == 1);
}
