// Hardware in the loop must fail loudly when the board differs from the golden
// model: a virtual board built from a mutated core (every output's lowest bit
// flipped) is run through `neurofab hil`, which must report each mismatch with
// its place — trial, timestep, signal, index, expected and actual — and exit
// with status 3. The unmodified sources pass on the same network first, so the
// failure is the mutation's.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "neurofab/quantize/quantized_artifact.hpp"
#include "rtl_mutation.hpp"
#include "run_command.hpp"
#include "stress_networks.hpp"
#include "temp_dir.hpp"

using namespace nf;
namespace fs = std::filesystem;

TEST_CASE("neurofab hil reports a board that differs from the golden model, with the place, and exits 3",
          "[sim][rtl][board][cli][mutation]") {
  const test::TempDir tmp;
  quantize::save_quantized(tmp / "q", quantize::quantize_artifact(test::random_rate_network("xor", 8, {}, 1.2, 3),
                                                                  "hil-mismatch-test", {}));
  test::write_mutant({"nf_rate_core.sv", "y_d[m*OutputWidth +: OutputWidth] = y_new[m];",
                      "y_d[m*OutputWidth +: OutputWidth] = y_new[m] ^ OutputWidth'(1);"},
                     tmp / "sv");
  const std::string hil = fmt::format("{} hil {} --virtual --lanes 2 --clocks-per-bit 8 --trials 2 --cache {}",
                                      NF_CLI_PATH, (tmp / "q").string(), NF_TEST_CACHE_DIR);

  const auto original = test::run_command(hil + " 2>&1");
  INFO(original.output);
  REQUIRE(original.exit_code == 0);
  REQUIRE_THAT(original.output, Catch::Contains(", 0 mismatches"));

  const auto mutant = test::run_command(hil + " --rtl-sources " + (tmp / "sv").string() + " 2>&1");
  INFO(mutant.output);
  CHECK(mutant.exit_code == 3);
  CHECK_THAT(mutant.output, Catch::Contains("MISMATCH trial 0 timestep 0: output y [0] expected "));
  CHECK_THAT(mutant.output, Catch::Contains("neurofab: verification failed: " + (tmp / "q").string()));

  // The same as JSON: every reported mismatch names its place, and the values differ in the lowest bit.
  const auto json = test::run_command(hil + " --json --rtl-sources " + (tmp / "sv").string());
  CHECK(json.exit_code == 3);
  const auto j = nlohmann::json::parse(json.output);
  const int outputs_compared = 2 * j.at("steps_per_trial").get<int>();  // 2 trials, one output
  CHECK(j.at("mismatches").get<int>() >= outputs_compared);              // every output (and y in state reads)
  REQUIRE(!j.at("first_mismatches").empty());
  for (const auto& m : j.at("first_mismatches")) {
    INFO(m.dump());
    CHECK(m.at("what") == "output y");
    CHECK(m.at("trial").get<int>() >= 0);
    CHECK(m.at("timestep").get<int>() >= 0);
    CHECK(m.at("index") == 0);
    CHECK((m.at("expected").get<std::int64_t>() ^ m.at("actual").get<std::int64_t>()) == 1);
  }
  CHECK(j.at("first_mismatches")[0].at("trial") == 0);
  CHECK(j.at("first_mismatches")[0].at("timestep") == 0);

  // A folder that lacks a file it must replace is named.
  fs::create_directories(tmp / "empty");
  const auto empty = test::run_command(hil + " --rtl-sources " + (tmp / "empty").string() + " 2>&1");
  CHECK(empty.exit_code == 1);
  CHECK_THAT(empty.output, Catch::Contains("--rtl-sources") && Catch::Contains("has no nf_"));
}
