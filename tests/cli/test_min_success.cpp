// --min-success (cli/min_success.cpp): train, eval and compare exit with status
// 4 and one line naming the artifact, the level and both figures when a
// network misses the success rate asked of it; the output is still written.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "run_command.hpp"
#include "temp_dir.hpp"

namespace {

nf::test::CommandResult run(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} {} 2>&1", NF_CLI_PATH, arguments));
}

}  // namespace

TEST_CASE("a network below --min-success stops train, eval and compare below the target, with exit 4", "[cli][min_success]") {
  nf::test::TempDir tmp;
  const auto dir = tmp / "weak";
  // One epoch of a tiny network: far below 95 % (its test success is printed).
  const auto trained = run(fmt::format("train --task xor --n 8 --epochs 1 --seed 1 -q -o {} --min-success 95", dir.string()));
  INFO(trained.output);
  CHECK(trained.exit_code == 4);
  CHECK_THAT(trained.output, Catch::Contains("neurofab: target missed: " + dir.string() + ": test success") &&
                                 Catch::Contains("is below --min-success 95%"));
  CHECK(std::filesystem::exists(dir / "model.json"));  // written all the same

  const auto evaluated = run(fmt::format("eval {} --min-success 95", dir.string()));
  INFO(evaluated.output);
  CHECK(evaluated.exit_code == 4);
  CHECK_THAT(evaluated.output, Catch::Contains(dir.string() + ": float success"));

  // A target it meets (0 %) and a figure that is not a percentage.
  CHECK(run(fmt::format("eval {} --min-success 0", dir.string())).exit_code == 0);
  CHECK(run(fmt::format("eval {} --json --min-success 0", dir.string())).exit_code == 0);
  CHECK(run(fmt::format("eval {} --min-success 150", dir.string())).exit_code == 2);

  const auto compared = run(fmt::format("compare {} --levels float --trials 16 -q -o {} --min-success 95", dir.string(),
                                        (tmp / "compare").string()));
  INFO(compared.output);
  CHECK(compared.exit_code == 4);
  CHECK_THAT(compared.output, Catch::Contains(dir.string() + " at level float-cpu: success"));
  CHECK(std::filesystem::exists(tmp / "compare" / "compare.csv"));
}

TEST_CASE("a network that meets --min-success passes", "[cli][min_success]") {
  nf::test::TempDir tmp;
  const auto dir = tmp / "and";
  const auto trained = run(fmt::format("train --task and --n 16 --epochs 60 --seed 2 -q -o {}", dir.string()));
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  const auto evaluated = run(fmt::format("eval {} --json", dir.string()));
  REQUIRE(evaluated.exit_code == 0);
  // The target just at and just above the network's own success rate.
  const auto at = evaluated.output.find("\"success_rate\": ");
  REQUIRE(at != std::string::npos);
  const double success = std::stod(evaluated.output.substr(at + 16));
  INFO("success " << success);
  CHECK(run(fmt::format("eval {} --min-success {}", dir.string(), 100 * success - 1e-9)).exit_code == 0);
  REQUIRE(success < 1.0);  // seed 2 after 60 epochs: 74.4 %, so a figure above it exists
  CHECK(run(fmt::format("eval {} --min-success {}", dir.string(), 100 * success + 0.01)).exit_code == 4);
}
