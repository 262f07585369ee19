// The lock-step testbench fails loudly: one changed golden value is reported
// with its trial, timestep, signal, index, expected and actual values, the
// run exits 1, and an FST waveform of the window is written.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "neurofab/common/process.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/sim/lockstep.hpp"
#include "temp_dir.hpp"

using namespace nf;
namespace fs = std::filesystem;

TEST_CASE("a changed golden value is caught with its place and a waveform", "[sim][rtl]") {
  nf::test::TempDir tmp;
  const auto task = models::make_task("xor");
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 6;
  c.n_out = task->n_out();
  const models::RateRnnArtifact a{models::make_rate_rnn(c, {}, 5), {}, task->name(), task->param_values(), 5, {}, {}};
  const auto q = quantize::quantize_artifact(a, "mismatch-test", {});
  sim::VerifyOptions v;
  v.trials = 1;
  v.cache_dir = NF_TEST_CACHE_DIR;
  v.keep_dir = tmp / "work";
  std::vector<std::string> stages;  // the optional progress callback: one call per step boundary
  v.progress = [&](int done, int total, const std::string& stage) {
    CHECK(done == static_cast<int>(stages.size()));
    CHECK(total == sim::kVerifySteps);
    stages.push_back(stage);
  };
  const sim::VerifyResult passed = sim::verify(q, v);
  INFO(passed.log);
  REQUIRE(passed.passed);
  CHECK(stages == std::vector<std::string>{"RTL", "golden vectors", "testbench build (or cache)",
                                           "lock-step run (1 trial)", "passed"});

  // Unit 4's state at timestep 37, one code off.
  const fs::path state = tmp / "work" / "vectors" / "state.bin";
  std::fstream file(state, std::ios::in | std::ios::out | std::ios::binary);
  const std::streamoff at = (37 * 6 + 4) * 4;
  std::int32_t value = 0;
  file.seekg(at);
  file.read(reinterpret_cast<char*>(&value), 4);
  const std::int32_t expected = value + 1;
  file.seekp(at);
  file.write(reinterpret_cast<const char*>(&expected), 4);
  file.close();

  const ProcessResult r = run_process({passed.testbench.string(), "--vectors", (tmp / "work" / "vectors").string(),
                                       "--fst", (tmp / "window.fst").string()},
                                      tmp / "tb.log", tmp / "work" / "rtl");
  const std::string log = last_lines(tmp / "tb.log", 5);
  INFO(log);
  CHECK(r.exited);
  CHECK(r.exit_code == 1);
  CHECK_THAT(log, Catch::Contains("MISMATCH trial 0 timestep 37: state h [4] expected " + std::to_string(expected) +
                                  ", actual " + std::to_string(value)));
  REQUIRE(fs::exists(tmp / "window.fst"));
  CHECK(fs::file_size(tmp / "window.fst") > 0);
}
