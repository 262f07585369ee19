// The checks that keep a build's timing and mapping honest: a failed ABC run
// in Yosys's log fails the build; paths through the SB_MAC16 blocks, which
// nextpnr-ice40 splits at every DSP pin, are timed through from nextpnr's SDF
// and a path longer than the clock period fails the build.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "neurofab/boards/build_flow.hpp"
#include "neurofab/boards/dsp_timing.hpp"
#include "neurofab/boards/yosys_log.hpp"
#include "neurofab/common/error.hpp"

using namespace nf;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The end of ABC9's run in the demo LIF build's logs/yosys.log (Yosys 0.23,
// Debian's berkeley-abc), lines 5737-5750 there: &mfs asserts, ABC exits with
// 134, Yosys warns and reads the mapping ABC wrote before &mfs.
const char* const kAbcAssertion = R"(ABC: A:  Del = 34533.00.  Ar =    1530.0.  Edge =     4756.  Cut =    37874.  T =     0.01 sec
ABC: Total time =     0.04 sec
ABC: + &write -n <abc-temp-dir>/output.aig 
ABC: + &mfs 
ABC: berkeley-abc: src/aig/gia/giaMfs.c:388: Gia_ManInsertMfs: Assertion `iLitNew >= 0' failed.
ABC: Aborted
Warning: ABC: execution of command ""berkeley-abc" -s -f /tmp/yosys-abc-ceYxvG/abc.script 2>&1" failed: return code 134.

18.47.16.6. Executing AIGER frontend.
<suppressed ~5819 debug messages>
Removed 5946 unused cells and 16174 unused wires.
)";

// ABC9's &if giving up (a rate network for the HX1K, Yosys 0.23): ABC stops its
// script and exits 0; Yosys stops as there is no mapping to read.
const char* const kAbcStopped = R"(ABC: + &ps 
ABC: Warning: AIG with boxes has internal fanout in 0 complex flops and 27 carries.
ABC: + &if -W 250 -v 
ABC: ** cmd error: aborting 'source <abc-temp-dir>/abc.script'
ABC: The command has to terminate. Boxes are not in a topological order.
ABC: In a correct topological order, BoxB should precede BoxA.
ABC: Error: Abc_CommandAbc9If(): Mapping of GIA has failed.

17.41.16.6. Executing AIGER frontend.
ERROR: Can't open input file `/tmp/yosys-abc-Q2KA4o/output.aig' for reading: No such file or directory
)";

// The same run with `scratchpad -set abc9.nomfs 1`: no &mfs, ABC ends normally.
const char* const kAbcClean = R"(ABC: + &read <abc-temp-dir>/input.xaig 
ABC: + &ps 
ABC: Warning: AIG with boxes has internal fanout in 0 complex flops and 48 carries.
ABC: + &scorr 
ABC: Warning: The network is combinational.
ABC: + &if -W 750 -v 
ABC: Total time =     0.04 sec
ABC: + &ps -l 
ABC: + &write -n <abc-temp-dir>/output.aig 
ABC: + time 
ABC: elapse: 0.29 seconds, total: 0.29 seconds

18.47.16.6. Executing AIGER frontend.
)";

// A small SDF as nextpnr-ice40 0.4 writes it (--sdf): a register r1 drives a
// LUT, the LUT drives input A_0 of a combinational SB_MAC16 (nextpnr still
// writes it as registered: CLK -> O_0 and a setup check at A_0, 0.1 ns), its
// O_0 goes to register r2's I3. r1 also reaches r2 directly, and drives an
// accumulating SB_MAC16 whose output goes to r2's I2.
//   through the DSP: 1.390 + 1.000 + 1.284 + 2.000 (to A_0) + multiply
//                    + 3.000 + 0.824 (O_0 to r2, setup) = 9.498 + multiply
//   into the accumulator: 1.390 + 0.400 (to B_3) + setup
//   out of it: clock-to-out + 0.700 + 1.155 (to r2's I2, setup)
const char* const kSdf = R"((DELAYFILE
  (SDFVERSION "3.0")
  (DESIGN "top")
  (VENDOR "nextpnr")
  (PROGRAM "nextpnr")
  (DIVIDER /)
  (TIMESCALE 1ps)
  (CELL
    (CELLTYPE "top")
    (INSTANCE )
    (DELAY
      (ABSOLUTE
        (INTERCONNECT u_core.r1_LC/O u_core.sum_LC/I0 (1000:1000:1000) (1000:1000:1000))
        (INTERCONNECT u_core.sum_LC/O u_core.g_lane\[0\].m_SB_MAC16_O_DSP/A_0 (2000:2000:2000) (1900:1900:1900))
        (INTERCONNECT u_core.g_lane\[0\].m_SB_MAC16_O_DSP/O_0 u_core.r2_LC/I3 (3000:3000:3000) (3000:3000:3000))
        (INTERCONNECT u_core.r1_LC/O u_core.r2_LC/I2 (500:500:500) (500:500:500))
        (INTERCONNECT u_core.r1_LC/O u_core.acc_SB_MAC16_O_DSP/B_3 (400:400:400) (400:400:400))
        (INTERCONNECT u_core.acc_SB_MAC16_O_DSP/O_5 u_core.r2_LC/I2 (700:700:700) (700:700:700))
        (INTERCONNECT clk_i\$SB_IO_IN_\$glb_clk u_core.r1_LC/CLK (900:900:900) (900:900:900))
        (INTERCONNECT \$PACKER_GND_NET u_core.g_lane\[0\].m_SB_MAC16_O_DSP/CLK (0:0:0) (0:0:0))
      )
    )
    )
  (CELL
    (CELLTYPE "ICESTORM_LC")
    (INSTANCE u_core.r1_LC)
    (DELAY
      (ABSOLUTE
        (IOPATH CLK O (1390:1390:1390) (1390:1390:1390))
      )
    )
    )
  (CELL
    (CELLTYPE "ICESTORM_LC")
    (INSTANCE u_core.sum_LC)
    (DELAY
      (ABSOLUTE
        (IOPATH I0 O (1284:1284:1284) (1284:1284:1284))
      )
    )
    )
  (CELL
    (CELLTYPE "ICESTORM_DSP")
    (INSTANCE u_core.g_lane\[0\].m_SB_MAC16_O_DSP)
    (DELAY
      (ABSOLUTE
        (IOPATH CLK O_0 (100:100:100) (100:100:100))
      )
    )
    (TIMINGCHECK
      (SETUPHOLD (posedge A_0) (posedge CLK) (100:100:100) (0:0:0))
      (SETUPHOLD (negedge A_0) (posedge CLK) (100:100:100) (0:0:0))
    )
    )
  (CELL
    (CELLTYPE "ICESTORM_DSP")
    (INSTANCE u_core.acc_SB_MAC16_O_DSP)
    (DELAY
      (ABSOLUTE
        (IOPATH CLK O_5 (100:100:100) (100:100:100))
      )
    )
    (TIMINGCHECK
      (SETUPHOLD (posedge B_3) (posedge CLK) (100:100:100) (0:0:0))
    )
    )
  (CELL
    (CELLTYPE "ICESTORM_LC")
    (INSTANCE u_core.r2_LC)
    (DELAY
      (ABSOLUTE
        (IOPATH CLK O (1390:1390:1390) (1390:1390:1390))
      )
    )
    (TIMINGCHECK
      (SETUPHOLD (posedge I3) (posedge CLK) (824:824:824) (0:0:0))
      (SETUPHOLD (negedge I3) (posedge CLK) (824:824:824) (0:0:0))
      (SETUPHOLD (posedge I2) (posedge CLK) (1155:1155:1155) (0:0:0))
    )
    )
)
)";

// The two SB_MAC16 cells as Yosys's write_json gives them (parameters as bit strings).
json netlist() {
  return json::parse(R"({"modules": {"top": {"cells": {
    "u_core.g_lane[0].m_SB_MAC16_O": {"type": "SB_MAC16", "parameters": {
      "A_REG": "0", "B_REG": "0", "C_REG": "0", "D_REG": "0", "A_SIGNED": "1", "B_SIGNED": "1",
      "TOP_8x8_MULT_REG": "0", "BOT_8x8_MULT_REG": "0",
      "PIPELINE_16x16_MULT_REG1": "0", "PIPELINE_16x16_MULT_REG2": "0",
      "TOPOUTPUT_SELECT": "11", "BOTOUTPUT_SELECT": "11"}},
    "u_core.acc_SB_MAC16_O": {"type": "SB_MAC16", "parameters": {
      "A_REG": "0", "B_REG": "0", "TOPOUTPUT_SELECT": "01", "BOTOUTPUT_SELECT": "01"}},
    "u_core.sum": {"type": "SB_LUT4", "parameters": {"LUT_INIT": "0110"}}}}}})");
}

}  // namespace

TEST_CASE("a failed ABC run in Yosys's log fails the build, in one line naming the log", "[boards][abc]") {
  const auto failure = boards::find_abc_failure(kAbcAssertion);
  REQUIRE(failure);
  CHECK(failure->line == 5);  // the assertion, ABC's own reason
  CHECK(failure->reason == "berkeley-abc: src/aig/gia/giaMfs.c:388: Gia_ManInsertMfs: Assertion `iLitNew >= 0' failed.");
  CHECK(failure->return_code == 134);
  try {
    boards::check_abc_runs(kAbcAssertion, "logs/yosys.log");
    FAIL("accepted");
  } catch (const boards::ToolError& e) {
    const std::string m = e.what();
    INFO(m);
    CHECK_FALSE(contains(m, "\n"));
    CHECK(contains(m, "ABC failed inside Yosys"));
    CHECK(contains(m, "(berkeley-abc: src/aig/gia/giaMfs.c:388: Gia_ManInsertMfs: Assertion `iLitNew >= 0' failed, "
                      "return code 134; logs/yosys.log line 5)"));
    CHECK(contains(m, "logs/yosys.log line 5"));
    CHECK(contains(m, "--no-abc9"));
  }

  // Without &mfs the run ends normally; ABC's own warnings are no failure.
  CHECK_FALSE(boards::find_abc_failure(kAbcClean));
  CHECK_NOTHROW(boards::check_abc_runs(kAbcClean, "logs/yosys.log"));

  // A failure without an assertion line (killed, out of memory): the failure line itself.
  const std::string killed = std::string(kAbcClean) +
                             "Warning: ABC: execution of command \"berkeley-abc -s -f x\" failed: return code 137.\n";
  const auto k = boards::find_abc_failure(killed);
  REQUIRE(k);
  CHECK(k->line == 14);
  CHECK(k->return_code == 137);
  CHECK(contains(k->reason, "failed: return code 137"));
  // ABC stopped its script (exit status 0): its own error is the reason.
  const auto aborted = boards::find_abc_failure(kAbcStopped);
  REQUIRE(aborted);
  CHECK(aborted->line == 7);
  CHECK(aborted->reason == "Error: Abc_CommandAbc9If(): Mapping of GIA has failed.");
  CHECK(aborted->return_code == -1);
  CHECK_THROWS_AS(boards::check_abc_runs(kAbcStopped, "logs/yosys.log"), boards::ToolError);
  // Plain `abc` (--no-abc9): Yosys stops with an ERROR, still an ABC failure.
  const auto stopped = boards::find_abc_failure("ABC: Segmentation fault\nERROR: ABC: execution of command "
                                                "\"berkeley-abc -s -f x\" failed: return code 139.\n");
  REQUIRE(stopped);
  CHECK(stopped->line == 1);
  CHECK(stopped->reason == "Segmentation fault");
  CHECK(stopped->return_code == 139);
}

TEST_CASE("SB_MAC16 configurations are read from Yosys's netlist", "[boards][dsp]") {
  const auto configs = boards::ice40_dsp_configs(netlist());
  REQUIRE(configs.size() == 2);
  CHECK(configs.at("u_core.g_lane[0].m_SB_MAC16_O_DSP").mode == boards::DspMode::kCombinational);
  CHECK_FALSE(configs.at("u_core.g_lane[0].m_SB_MAC16_O_DSP").adder_output);
  CHECK(configs.at("u_core.acc_SB_MAC16_O_DSP").mode == boards::DspMode::kOutputRegister);

  json piped = netlist();
  auto& p = piped["modules"]["top"]["cells"]["u_core.acc_SB_MAC16_O"]["parameters"];
  p["PIPELINE_16x16_MULT_REG2"] = "1";
  CHECK(boards::ice40_dsp_configs(piped).at("u_core.acc_SB_MAC16_O_DSP").mode == boards::DspMode::kOtherRegisters);
  json adder = netlist();
  adder["modules"]["top"]["cells"]["u_core.g_lane[0].m_SB_MAC16_O"]["parameters"]["TOPOUTPUT_SELECT"] = "00";
  CHECK(boards::ice40_dsp_configs(adder).at("u_core.g_lane[0].m_SB_MAC16_O_DSP").adder_output);
}

TEST_CASE("paths through the DSPs are timed from nextpnr's SDF, per DSP and pin", "[boards][dsp]") {
  const auto configs = boards::ice40_dsp_configs(netlist());
  const boards::DspTiming t = boards::time_through_dsps(kSdf, configs);
  const boards::DspDelays d;
  CHECK(d.multiply_ns == 9.04977);  // SB_MAC16_MUL_S_16X16_BYPASS B[1] -> O[31], timings_up5k.txt
  REQUIRE(t.dsps.size() == 2);

  // Worst first: through the combinational multiplier.
  const boards::DspPath& m = t.dsps[0];
  CHECK(m.dsp == "u_core.g_lane[0].m_SB_MAC16_O_DSP");
  CHECK(m.mode == boards::DspMode::kCombinational);
  CHECK(m.kind == "through");
  CHECK(m.to_inputs_ns == Approx(1.390 + 1.000 + 1.284 + 2.000).epsilon(1e-12));  // the rise (2.000), not the fall
  CHECK(m.inside_ns == d.multiply_ns);
  CHECK(m.from_outputs_ns == Approx(3.000 + 0.824).epsilon(1e-12));
  CHECK(m.total_ns == Approx(9.498 + d.multiply_ns).epsilon(1e-12));
  CHECK(m.from == "u_core.r1_LC/O");
  CHECK(m.to == "u_core.r2_LC/I3");

  // The accumulating DSP: the worse of into (setup through the multiplier) and out of it.
  const boards::DspPath& a = t.dsps[1];
  CHECK(a.mode == boards::DspMode::kOutputRegister);
  const double into = 1.390 + 0.400 + d.setup_ns, out_of = d.clock_to_out_ns + 0.700 + 1.155;
  CHECK(into > out_of);
  CHECK(a.kind == "into");
  CHECK(a.total_ns == Approx(into).epsilon(1e-12));
  CHECK(a.to == "u_core.acc_SB_MAC16_O_DSP/B_3");

  // The whole design with the DSPs re-timed: the path through the multiplier is its longest.
  CHECK(t.design_worst_ns == Approx(m.total_ns).epsilon(1e-12));

  // The Fmax to trust: the lower of nextpnr's and the DSP path's.
  CHECK(boards::trusted_fmax_mhz(t, 200.0) == Approx(1000.0 / m.total_ns));
  CHECK(boards::trusted_fmax_mhz(t, 40.0) == 40.0);

  // A DSP in the SDF that the netlist does not have: refused, not guessed.
  auto missing = configs;
  missing.erase("u_core.acc_SB_MAC16_O_DSP");
  CHECK_THROWS_AS(boards::time_through_dsps(kSdf, missing), IoError);
  CHECK_THROWS_AS(boards::time_through_dsps("(NOTSDF)", configs), IoError);
}

TEST_CASE("a path through a DSP longer than the clock period is refused, naming the path", "[boards][dsp]") {
  const boards::DspTiming t = boards::time_through_dsps(kSdf, boards::ice40_dsp_configs(netlist()));
  const double total = t.worst()->total_ns;  // 18.55 ns: 53.9 MHz
  CHECK_NOTHROW(boards::check_dsp_timing(t, 50.0, 120.0, "nf_top", "another --seed"));
  try {
    boards::check_dsp_timing(t, 60.0, 120.0, "nf_top", "another placer --seed (now 1)");
    FAIL("accepted");
  } catch (const boards::ToolError& e) {
    const std::string m = e.what();
    INFO(m);
    CHECK_FALSE(contains(m, "\n"));
    CHECK(contains(m, "timing not met through an SB_MAC16"));
    CHECK(contains(m, "u_core.r1_LC/O → u_core.g_lane[0].m_SB_MAC16_O_DSP → u_core.r2_LC/I3"));
    CHECK(contains(m, fmt::format("takes {:.2f} ns", total)));
    CHECK(contains(m, "5.67 ns to its inputs + 9.05 ns through the multiplier + 3.82 ns from its outputs"));
    CHECK(contains(m, "16.67 ns period of the 60 MHz clock"));
    CHECK(contains(m, fmt::format("reaches {:.2f} MHz, not the 120.00 MHz nextpnr-ice40 reports", 1000.0 / total)));
    CHECK(contains(m, "no bitstream is written"));
    CHECK(contains(m, "Try another placer --seed (now 1)."));
  }
}
