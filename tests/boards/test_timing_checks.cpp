// The checks that keep a build's mapping honest: a failed ABC run in Yosys's
// log fails the build.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <string>

#include "neurofab/boards/build_flow.hpp"
#include "neurofab/boards/yosys_log.hpp"
#include "neurofab/common/error.hpp"

using namespace nf;

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
