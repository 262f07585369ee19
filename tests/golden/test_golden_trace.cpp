// The golden trace (golden/golden_trace.hpp) in memory: quantize::run_trials
// records one, save_golden_vectors writes it and GoldenTrace::load reads back
// the same values; the outputs-only recording is the full one's subset; a
// recording refuses what would make it inconsistent.
#include <catch2/catch.hpp>

#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/golden/golden_vectors.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/quantize/trial_run.hpp"
#include "stress_networks.hpp"
#include "temp_dir.hpp"
#include "test_seed.hpp"

using namespace nf;

namespace {

// A random-weight network of 8 units on the flip-flop, quantized with the default options.
quantize::QuantizedArtifact quantized_network(bool lif, std::uint64_t seed) {
  if (lif) {
    models::LifRnnConfig config;
    return quantize::quantize_artifact(
        models::Artifact(test::random_lif_network("flipflop", 8, config, 1.5, 0.5, seed)), "float-lif", {});
  }
  models::RateRnnConfig config;
  return quantize::quantize_artifact(models::Artifact(test::random_rate_network("flipflop", 8, config, 1.5, seed)),
                                     "float-rate", {});
}

template <typename T>
void require_same_signal(const golden::GoldenTrace& a, const golden::GoldenTrace& b, const std::string& name) {
  INFO("signal " << name);
  REQUIRE(a.signal(name).width == b.signal(name).width);
  REQUIRE(a.signal(name).dtype == b.signal(name).dtype);
  CHECK(a.values<T>(name) == b.values<T>(name));
}

void require_same_values(const golden::GoldenTrace& a, const golden::GoldenTrace& b) {
  REQUIRE(a.trials() == b.trials());
  REQUIRE(a.steps() == b.steps());
  REQUIRE(a.signals().size() == b.signals().size());
  for (const golden::Signal& s : a.signals()) {
    if (s.is_int64()) {
      require_same_signal<std::int64_t>(a, b, s.name);
    } else {
      require_same_signal<std::int32_t>(a, b, s.name);
    }
  }
}

}  // namespace

TEST_CASE("a recorded trace saves and loads back value for value", "[golden][trace]") {
  const std::uint64_t seed = test::test_seed(3);
  const bool lif = GENERATE(false, true);
  INFO((lif ? "LIF" : "rate") << ", network seed " << seed);
  const quantize::QuantizedArtifact q = quantized_network(lif, seed);
  const golden::GoldenTrace recorded = quantize::run_trials(q, 3, 5);
  REQUIRE(recorded.complete());
  CHECK(recorded.dir().empty());
  test::TempDir tmp;
  golden::save_golden_vectors(recorded, tmp.path() / "v", "q-dir");
  const golden::GoldenTrace loaded = golden::GoldenTrace::load((tmp.path() / "v").string());
  require_same_values(recorded, loaded);
  CHECK(loaded.header().at("quantized_artifact") == "q-dir");
  CHECK(loaded.header().at("overflow_events_per_trial") == recorded.header().at("overflow_events_per_trial"));
  CHECK(loaded.model_type() == (lif ? "lif_rnn" : "rate_rnn"));
}

TEST_CASE("the outputs-only recording holds the same values as the full one", "[golden][trace]") {
  const std::uint64_t seed = test::test_seed(4);
  const bool lif = GENERATE(false, true);
  INFO((lif ? "LIF" : "rate") << ", network seed " << seed);
  const quantize::QuantizedArtifact q = quantized_network(lif, seed);
  const golden::GoldenTrace every = quantize::run_trials(q, 2, 7);
  const golden::GoldenTrace outputs = quantize::run_trials(q, 2, 7, quantize::TraceContent::kOutputs);
  REQUIRE(outputs.signals().size() < every.signals().size());
  CHECK_FALSE(outputs.has_signal("input"));
  for (const golden::Signal& s : outputs.signals()) {
    if (s.is_int64()) {
      require_same_signal<std::int64_t>(outputs, every, s.name);
    } else {
      require_same_signal<std::int32_t>(outputs, every, s.name);
    }
  }
}

TEST_CASE("a recording refuses inconsistent signals and an incomplete trace is not saved", "[golden][trace]") {
  golden::GoldenTrace trace(nlohmann::json::object(), 2, 3);
  golden::Signal y;
  y.name = "output";
  y.dtype = "int32";
  y.width = 2;
  trace.add_signal(y);
  CHECK_THROWS_AS(trace.add_signal(y), std::invalid_argument);  // taken
  golden::Signal bad = y;
  bad.name = "wide";
  bad.dtype = "int16";
  CHECK_THROWS_AS(trace.add_signal(bad), std::invalid_argument);
  const std::int64_t wrong_type[2] = {1, 2};
  CHECK_THROWS_AS(trace.append(0, wrong_type), std::invalid_argument);
  const std::int32_t values[2] = {1, -1};
  trace.append(0, values);
  CHECK_FALSE(trace.complete());
  test::TempDir tmp;
  CHECK_THROWS_AS(golden::save_golden_vectors(trace, tmp.path() / "v"), InputError);
  CHECK_FALSE(std::filesystem::exists(tmp.path() / "v"));
  CHECK_THROWS_AS(golden::GoldenTrace(nlohmann::json::object(), 0, 3), std::invalid_argument);
}
