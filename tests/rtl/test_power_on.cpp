// The system tops from power-on, as a board starts them after configuration:
// the core's reset must hold for at least 36 clock cycles, because the
// iCE40's block RAM reads 0 for about that long after configuration
// (icestorm issue #76); nf_system_shell holds it for 64 (the link's 32, then
// the core's own 32).
// nf_power_on_tb.sv runs nf_{rate,lif}_system from time zero without a
// simulator reset (the flip-flops' initial values are the bitstream's) and
// prints where each reset is released; built with `verilator --binary`.
// The tops also lint clean with `verilator --lint-only -Wall`.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "neurofab/common/process.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/rtl/rtl_generator.hpp"
#include "stress_networks.hpp"
#include "temp_dir.hpp"

using namespace nf;
namespace fs = std::filesystem;

namespace {

// The iCE40 block RAM's unreliable reads after configuration (icestorm #76).
constexpr int kBramSettleCycles = 36;
// The holds nf_system_shell documents: the link's ResetCycles, the core's twice that.
constexpr int kLinkResetCycles = 32;
constexpr int kCoreResetCycles = 64;

quantize::QuantizedArtifact small_network(models::Family family) {
  if (family == models::Family::kRate) {
    return quantize::quantize_artifact(test::random_rate_network("xor", 8, {}, 1.2, 3), "power-on-test", {});
  }
  return quantize::quantize_artifact(test::random_lif_network("xor", 8, {}, 1.0, 0.5, 3), "power-on-test", {});
}

// The package and the system top's sources in compile order.
std::vector<std::string> system_files(const fs::path& rtl_dir, models::Family family) {
  std::vector<std::string> files = {(rtl_dir / "nf_config_pkg.sv").string()};
  for (const auto& f : rtl::system_sources(family)) files.push_back(f.string());
  return files;
}

}  // namespace

TEST_CASE("the system tops hold the core in reset >= 36 cycles after configuration", "[rtl][system][power_on]") {
  const auto family = GENERATE(models::Family::kRate, models::Family::kLif);
  const std::string top = rtl::system_top_module(family);
  INFO(top);
  const test::TempDir tmp;
  const fs::path rtl_dir = tmp / "rtl";
  rtl::generate_rtl(small_network(family), {2}, rtl_dir);
  const std::vector<std::string> files = system_files(rtl_dir, family);

  // -Wall clean, as the build and the virtual board need it.
  std::vector<std::string> lint = {"verilator", "--lint-only", "-Wall", "--top-module", top};
  lint.insert(lint.end(), files.begin(), files.end());
  const ProcessResult linted = run_process(lint, tmp / "lint.log", rtl_dir);
  INFO(last_lines(tmp / "lint.log", 20));
  CHECK(linted.ok());
  CHECK(fs::file_size(tmp / "lint.log") == 0);

  std::vector<std::string> build = {"verilator", "--binary", "-j", "2", "--top-module", "nf_power_on_tb",
                                    "-Mdir", (tmp / "obj").string(), "-CFLAGS", "-O0"};
  if (family == models::Family::kLif) build.push_back("-DNF_TOP_LIF");
  build.insert(build.end(), files.begin(), files.end());
  build.push_back(NF_POWER_ON_TB);
  const ProcessResult built = run_process(build, tmp / "build.log", rtl_dir);
  INFO(last_lines(tmp / "build.log", 20));
  REQUIRE(built.ok());

  // Run in the RTL folder: $readmemh opens the images there.
  const ProcessResult ran = run_process({(tmp / "obj" / "Vnf_power_on_tb").string()}, tmp / "run.log", rtl_dir);
  const std::string log = read_text_file(tmp / "run.log");
  INFO(log);
  REQUIRE(ran.ok());
  REQUIRE_THAT(log, Catch::Contains("edges 256"));

  // Every line "edge <k> <signal> <value>": a change seen at edge k.
  std::map<std::string, std::vector<std::pair<int, std::string>>> changes;
  std::istringstream lines(log);
  for (std::string word; lines >> word;) {
    if (word != "edge") continue;
    int k = 0;
    std::string signal, value;
    lines >> k >> signal >> value;
    changes[signal].emplace_back(k, value);
  }
  // Each reset released once and never asserted again, the core's not before edge 36; the board silent.
  for (const std::string signal : {"core_rst_n", "link_rst_n"}) {
    INFO(signal);
    REQUIRE(changes[signal].size() == 1);
    CHECK(changes[signal][0].second == "1");
  }
  const int core_released = changes["core_rst_n"][0].first;
  const int link_released = changes["link_rst_n"][0].first;
  CHECK(core_released >= kBramSettleCycles);
  CHECK(core_released == kCoreResetCycles);
  CHECK(link_released == kLinkResetCycles);
  CHECK(changes["uart_tx"].empty());
}
