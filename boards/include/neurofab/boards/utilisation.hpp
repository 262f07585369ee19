#pragma once
// What a design needs of a device, from the tools' own counts:
//   - before place and route, from Yosys's cell counts (`stat -json` after
//     synth_ice40 / synth_xilinx), checked against the board file: a design
//     that cannot fit is refused before nextpnr runs;
//   - after place and route, nextpnr-ice40's --report JSON (used/available
//     per BEL type, Fmax per clock), or its log when it stopped early.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "neurofab/boards/board.hpp"

namespace nf::boards {

// Cell counts of a flattened synthesised design (Yosys `stat -json`, the
// "design" totals, or the top module's when there is only one).
std::map<std::string, std::int64_t> yosys_cell_counts(const nlohmann::json& stat, const std::string& file);

// iCE40 cells after synth_ice40.
struct Ice40Cells {
  std::int64_t lut4 = 0;   // SB_LUT4
  std::int64_t carry = 0;  // SB_CARRY
  std::int64_t dff = 0;    // SB_DFF* (every enable/reset variant)
  std::int64_t bram = 0;   // SB_RAM40_4K* (every read/write clock polarity)
  std::int64_t dsp = 0;    // SB_MAC16
  std::int64_t spram = 0;  // SB_SPRAM256KA
  // A logic cell holds one LUT4, one DFF and one carry: the design needs at
  // least max(LUTs, DFFs, carries) cells. nextpnr may need more (a LUT and a
  // DFF it cannot pair, carry chains it legalises with feed-in cells), never fewer.
  std::int64_t logic_cells_lower_bound() const;
};
Ice40Cells ice40_cells(const std::map<std::string, std::int64_t>& counts);

// 7-series cells after synth_xilinx -flatten: a utilisation estimate (Vivado
// maps, optimises and packs differently; expect its numbers within tens of per cent).
struct Xc7Cells {
  std::int64_t lut_logic = 0;   // LUT1..LUT6
  std::int64_t lut_memory = 0;  // LUT equivalents of distributed RAM (RAM32M/RAM64M = 4, ...) and SRL16E/SRLC32E
  std::int64_t inv = 0;         // INV cells, which Vivado folds into the LUTs they feed: not counted
  std::int64_t flip_flops = 0;  // FDRE/FDSE/FDCE/FDPE and latches
  std::int64_t ramb18 = 0;      // RAMB18E1
  std::int64_t ramb36 = 0;      // RAMB36E1
  std::int64_t dsp = 0;         // DSP48E1
  std::int64_t carry4 = 0;
  std::int64_t luts() const { return lut_logic + lut_memory; }
  // In 36 Kb tiles: a RAMB18E1 is half a tile.
  double bram_36k() const { return static_cast<double>(ramb36) + 0.5 * static_cast<double>(ramb18); }
};
Xc7Cells xc7_cells(const std::map<std::string, std::int64_t>& counts);

// One row of a fit check or of the utilisation: `used` of `available`.
struct ResourceUse {
  std::string resource;  // "logic cells", "BRAM (4 Kb)", ...
  double used = 0;
  std::int64_t available = 0;
  std::string detail;  // how `used` was counted
  bool fits() const { return used <= static_cast<double>(available); }
};

// The pre-place-and-route checks against the board file, every resource.
std::vector<ResourceUse> ice40_fit(const Ice40Cells& cells, const Board& board);
std::vector<ResourceUse> xc7_fit(const Xc7Cells& cells, const Board& board);

// nextpnr-ice40 --report JSON: "utilization" {BEL: {used, available}} and
// "fmax" {clock: {achieved, constraint}} (MHz).
struct PnrReport {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> utilisation;  // BEL type -> (used, available)
  std::map<std::string, std::pair<double, double>> fmax;                    // clock -> (achieved, constraint) MHz
};
PnrReport read_pnr_report(const nlohmann::json& report, const std::string& file);

// What a failed nextpnr-ice40 run left in its log: the "Device utilisation"
// table printed after packing, the BEL type it ran out of ("no BELs remaining
// to implement cell type 'ICESTORM_LC'"), and a timing failure
// ("Max frequency for clock '...': 10.50 MHz (FAIL at 12.00 MHz)").
struct PnrLog {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> utilisation;
  std::string exhausted_bel;  // empty unless placement ran out of a BEL type
  std::optional<double> failed_fmax_mhz;
  std::optional<double> failed_target_mhz;
  // The last critical path reported for a clock: its first and last cell and its delay.
  std::string critical_from, critical_to;
  double critical_ns = 0;
};
PnrLog read_pnr_log(const std::string& log_text);

// A friendly name of a nextpnr-ice40 BEL type ("ICESTORM_LC" -> "logic cells").
std::string ice40_bel_name(const std::string& bel);

}  // namespace nf::boards
