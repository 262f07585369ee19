#pragma once
// `neurofab build --board <name> <qdir> -o <dir>`: one quantized network on
// one board, from the RTL configuration to a bitstream (iCE40) or a Vivado
// project (Xilinx 7-series), with a report of what it uses and how fast it runs.
//
// iCE40 (Yosys → fit check → nextpnr-ice40 → icepack):
//   <dir>/rtl/            nf_config_pkg.sv, *.mem, rtl.json (neurofab rtl), the
//                         system top's sources copied from rtl/sv, files.f
//   <dir>/<board>.pcf     pins of clk_i, uart_rx_i, uart_tx_o
//   <dir>/synth.ys        read, chparam ClocksPerBit/QuietCycles, synth_ice40, stat
//   <dir>/<top>.json      the netlist; <top>.asc placed and routed; <top>.bin the bitstream
//   <dir>/<top>_routed.json  the placed-and-routed design of the same nextpnr run (--write):
//                         what `neurofab verify --level routed` simulates
//   <dir>/synth_stat.json Yosys's cell counts; nextpnr_report.json utilisation and Fmax
//   <dir>/<top>.sdf       nextpnr's routed delays (--sdf): the paths through the
//                         SB_MAC16 blocks are timed from it (dsp_timing.hpp)
//   <dir>/build.sh        the exact commands, rerunnable from <dir>
//   <dir>/logs/           one log per tool
//   <dir>/report.json, report.md
// Xilinx 7-series (Yosys estimate → fit check → Vivado project, not run):
//   <dir>/rtl/, <dir>/<board>.xdc, estimate.ys (read, chparam, synth_xilinx
//   -flatten, write_json, stat), synth_stat.json, build.tcl, README.md, logs/,
//   report.json, report.md
//   <dir>/<top>.json      Yosys's synth_xilinx netlist: what `neurofab verify
//                         --level synth` simulates (Vivado synthesises the
//                         RTL itself; this netlist is not what it flashes)
//
// The folder is staged and renamed into place only when everything
// succeeded: a refused or failed build leaves nothing at <dir> (and an
// existing <dir> replaced with --force stays as it was).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "neurofab/boards/board.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/progress.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::boards {

// The design needs more of a resource than the device has (found from
// Yosys's counts before place and route, or by nextpnr's placer). The
// message names the resource, used against available, and what to change.
class FitError : public InputError {
 public:
  using InputError::InputError;
};

// A tool failed (Yosys, nextpnr, icepack, or an ABC run inside Yosys), or the
// design missed timing at the board clock (nextpnr's, or through a DSP); the
// message carries the last lines of the log, or names the path.
class ToolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BuildOptions {
  int lanes = 1;                 // P, parallel MAC lanes
  std::int64_t baud = 0;         // 0: the board file's
  std::uint64_t seed = 1;        // nextpnr-ice40's placer seed
  int trials = 64;               // LIF: evaluation trials for the cycle statistics
  std::uint64_t trial_seed = 0;  // their seed (the CLI passes the artifact's, as `neurofab eval`)
  bool force = false;            // replace an existing <dir>
  // iCE40: map with ABC9 (synth_ice40 -abc9 -device hx|lp|u), which sees
  // the device's delays: on the demo networks it raises Fmax by a third to a
  // half over the default ABC mapping (docs in boards/README.md).
  bool abc9 = true;
  // The folder of the system top's SystemVerilog sources (empty: rtl/sv, as
  // installed: rtl::rtl_source_dir()): to build a modified copy of the RTL.
  std::filesystem::path rtl_dir;
  // Optional: checks the finished build in its staging folder before it is
  // committed (`neurofab build --verify synth|routed` passes the netlist lock
  // step, sim/netlist_board.hpp; Xilinx builds have the synth level only). What it returns is report.json's
  // "netlist_check" and a section of report.md; a throw (mismatches) fails
  // the build and leaves nothing at <dir>.
  std::function<nlohmann::json(const std::filesystem::path& build_dir)> verify;
  // Optional: called before and after each step: RTL, cycle statistics,
  // synthesis (Yosys), place and route (nextpnr-ice40), pack (icepack),
  // report: 6 steps on iCE40; Xilinx: RTL, cycle statistics, Yosys estimate,
  // Vivado project, report: 5 steps.
  ProgressCallback progress;
};

struct BuildResult {
  nlohmann::json report;  // = <dir>/report.json
  std::string summary;    // the short human text (also the head of report.md)
  std::filesystem::path bitstream;  // empty for Xilinx boards (Vivado not run)
};

// `qdir` is recorded in the report. Throws nf::InputError for bad options
// (named), FitError, ToolError, nf::IoError.
BuildResult build(const quantize::QuantizedArtifact& q, const std::string& qdir, const Board& board,
                  const BuildOptions& options, const std::filesystem::path& out_dir);

// The Vivado batch script of a generated project (build.tcl), for tests.
std::string vivado_build_tcl(const Board& board, const std::string& top, const std::vector<std::string>& sources,
                             const std::vector<std::string>& memory_images, const std::string& xdc,
                             std::int64_t clocks_per_bit, std::int64_t quiet_cycles);

// Markdown of a build report (report.md), from report.json alone.
std::string report_markdown(const nlohmann::json& report);
std::string report_summary(const nlohmann::json& report);

}  // namespace nf::boards
