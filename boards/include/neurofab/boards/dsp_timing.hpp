#pragma once
// Timing through the iCE40 SB_MAC16 blocks, which nextpnr-ice40 0.4 does not do.
//
// nextpnr-ice40 (0.4, and its master as of 2026) classes every SB_MAC16 pin
// as a register pin: an input gets a 0.1 ns setup check against the DSP's CLK
// pin, an output a 0.1 ns clock-to-out (ice40/arch.cc, getPortTimingClass and
// getPortClockingInfo). The cores use the DSPs as plain multipliers
// (rtl/sv/nf_mac_lane.sv, nf_decay.sv): no register inside, the CLK pin tied
// to a constant or left open. A path through such a DSP is then split in two
// pieces, "clock → DSP input" and "DSP output → clock", put in clock domains of
// their own ($PACKER_GND_NET, <async>), and neither is checked against the
// clock period. The rate core's lanes keep their sum in the DSP's accumulator
// register, but with its inputs unregistered: the real setup of A/B is through
// the multiplier and the adder, not 0.1 ns.
//
// What this file does: nextpnr writes the routed design's delays as SDF
// (`--sdf`), with the same cell and routing delays its own timing analysis
// uses. time_through_dsps() reads that SDF, replaces nextpnr's model of each
// SB_MAC16 by one that follows its configuration in Yosys's netlist
// (DspMode), and finds the longest register-to-register path through or into
// or out of every DSP: per DSP, per pin, not one global bound. The delays it
// puts inside a DSP are the UP5K's worst cases (DspDelays).

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nf::boards {

// How an SB_MAC16 is configured, as far as timing goes.
enum class DspMode {
  // No register between the data inputs and the outputs (A_REG..D_REG,
  // the 8x8/16x16 pipeline registers off, no accumulator output): a
  // combinational multiplier; timed through.
  kCombinational,
  // Unregistered inputs, both output halves from the accumulator register
  // (TOP/BOTOUTPUT_SELECT = 1): inputs are setup checks through the
  // multiplier and adder, outputs start at the register's clock-to-out.
  kOutputRegister,
  // Any other mix of registers: timed as both (register checks at the pins
  // and a combinational arc through), an upper bound. The cores make none.
  kOtherRegisters,
};
const char* dsp_mode_name(DspMode mode);

struct DspConfig {
  DspMode mode = DspMode::kCombinational;
  // An output half takes the adder's output (TOP/BOTOUTPUT_SELECT = 0):
  // the combinational delay is the multiply-add one, not the multiply one.
  bool adder_output = false;
};

// The SB_MAC16 delays used, in ns: the worst rise or fall, slow corner, over
// all pins, of the iCE40 UP5K, from Project IceStorm's timing database
// icefuzz/timings_up5k.txt (extracted from Lattice iCEcube2's SDF for the
// UP5K; the same database nextpnr-ice40 builds its logic, RAM and routing
// delays from, read the same way: the third value of min:typ:max, the larger
// of rise and fall). IceStorm commit 3cdcf4b, cells SB_MAC16_*.
struct DspDelays {
  // SB_MAC16_MUL_S_16X16_BYPASS, IOPATH A[i]/B[i] -> O[j]: worst B[1] -> O[31].
  double multiply_ns = 9.04977;
  // SB_MAC16_MAC_U_16X16_BYPASS, IOPATH B[1] -> CO: multiplier then the 32-bit
  // adder, its slowest output; used for the adder outputs (OUTPUT_SELECT 0,
  // CO, ACCUMCO, SIGNEXTOUT).
  double multiply_add_ns = 11.2325;
  // SB_MAC16_MAC_U_16X16_BYPASS, SETUP B[1] -> posedge CLK: the accumulator
  // register's setup from an unregistered input (through the multiplier and adder).
  double setup_ns = 6.50375;
  // Clock to O: SB_MAC16_MAC_U_16X16_BYPASS CLK -> O[19] (accumulator output);
  // for other register mixes the worst over all SB_MAC16 cells,
  // SB_MAC16_MUL_S_8X8_ALL_PIPELINE CLK -> O[14].
  double clock_to_out_ns = 1.97754;
  double clock_to_out_other_ns = 2.11989;
  // Clock to CO (carry out), worst over all cells: SB_MAC16_ACC_U_32P32_ALL_PIPELINE.
  double clock_to_carry_ns = 4.86692;
};

// The SB_MAC16 cells of a Yosys netlist (write_json after synth_ice40), by the
// name nextpnr-ice40 gives them after packing (Yosys's name + "_DSP").
std::map<std::string, DspConfig> ice40_dsp_configs(const nlohmann::json& netlist);

// The worst register-to-register path that involves one DSP.
struct DspPath {
  std::string dsp;  // nextpnr's cell name (…_DSP)
  DspMode mode = DspMode::kCombinational;
  // "through" (into an input, across the DSP, out of an output), "into" (ends
  // at the DSP's register), "out of" (starts at it), or "none" (no timed path).
  std::string kind = "none";
  double to_inputs_ns = 0;      // register clock-to-out and logic up to the DSP's input pin
  double inside_ns = 0;         // the DSP's own delay, setup or clock-to-out on this path
  double from_outputs_ns = 0;   // from the DSP's output pin to a register, its setup included
  double total_ns = 0;          // the sum
  std::string from, to;         // first and last pin of the path ("cell/port")
};

struct DspTiming {
  DspDelays delays;
  std::vector<DspPath> dsps;  // every SB_MAC16 of the SDF, the worst path first
  // The longest register-to-register path of the whole design with the DSPs
  // re-timed (with nextpnr's model it equals 1000 / nextpnr's Fmax; see the .cpp).
  double design_worst_ns = 0;
  const DspPath* worst() const { return dsps.empty() ? nullptr : &dsps.front(); }
};

// Reads nextpnr-ice40's SDF (`--sdf`) and times every DSP as `configs` says.
// Throws IoError for text that is not such an SDF, or a DSP of the SDF that
// `configs` does not name.
DspTiming time_through_dsps(const std::string& sdf_text, const std::map<std::string, DspConfig>& configs,
                            const DspDelays& delays = {});

// The Fmax the design can be trusted at: the lower of nextpnr's and 1000 / the
// worst path through the DSPs.
double trusted_fmax_mhz(const DspTiming& timing, double nextpnr_fmax_mhz);

// Throws ToolError (one line) when the worst DSP path is longer than the
// period of `clock_mhz`: names the path, the three delays it adds up, the
// Fmax nextpnr claimed, and `what_to_try`.
void check_dsp_timing(const DspTiming& timing, double clock_mhz, double nextpnr_fmax_mhz, const std::string& top,
                      const std::string& what_to_try);

}  // namespace nf::boards
