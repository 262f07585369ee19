#pragma once
// What Yosys's log says about its ABC runs.
//
// Yosys runs berkeley-abc as a child process for the LUT mapping. With
// `synth_ice40 -abc9`, Yosys 0.23 has ABC write its mapping before the last
// step of the default script (&mfs); when ABC then fails (Debian's ABC
// asserts in &mfs, giaMfs.c:388, on both demo networks and exits with 134),
// Yosys only warns ("Warning: ABC: execution of command ... failed: return
// code 134.") and goes on with the mapping from before the failed step
// (passes/techmap/abc9_exe.cc). The build avoids &mfs (synth.ys sets
// `scratchpad -set abc9.nomfs 1`, which gives the same netlist as the
// fallback did on the demos) and refuses a log in which any ABC run failed.

#include <optional>
#include <string>

namespace nf::boards {

struct AbcFailure {
  int line = 0;           // 1-based line of the log that says ABC failed
  std::string reason;     // ABC's own last word (an assertion, "Aborted"), or the failure line itself
  int return_code = -1;   // ABC's exit status, when the log gives it
};

// The first failed ABC run in a Yosys log: a "Warning: ABC: execution of
// command ... failed: return code N." (abc9: Yosys kept going) or "ERROR:
// ABC: ..." (abc: Yosys stopped), an ABC line with a failed assertion,
// "Aborted" or "Segmentation fault", or ABC stopping its script ("** cmd
// error: aborting", which exits 0). The reason is ABC's assertion, else its
// "Error: ..." line, from the ABC output around the failure.
std::optional<AbcFailure> find_abc_failure(const std::string& log_text);

// Throws ToolError, one line naming `log` and the line, when find_abc_failure finds one.
void check_abc_runs(const std::string& log_text, const std::string& log);

}  // namespace nf::boards
