#pragma once
// Board descriptions: one JSON file per board in boards/data/<name>.json
// (boards/README.md is the normative schema). A board names its FPGA (family,
// device, package), the clock pin and frequency, the UART pins of its USB
// bridge and the device's resources, which the build flow checks a design
// against before place and route.
//
//   {"format": "neurofab-board", "format_version": 1, "name": "icebreaker",
//    "title": "...", "vendor": "lattice" | "xilinx", "family": "ice40" | "xc7",
//    "device": "up5k" (nextpnr-ice40's device flag) | "xc7a35ticsg324-1L" (full part),
//    "package": "sg48" | "csg324",
//    "clock": {"pin": "35", "frequency_hz": 12000000, "iostandard": optional},
//    "uart": {"rx_pin": "6", "tx_pin": "9", "baud": 115200, "iostandard": optional,
//             "bridge": "..."},
//    "resources": ice40 {"logic_cells", "bram_4k", "spram_256k", "dsp"} |
//                 xc7 {"luts", "flip_flops", "bram_36k", "dsp"},
//    "notes": "...", "sources": ["where the pins and numbers come from", ...]}
//
// The pins are the FPGA's: uart.rx_pin is where the FPGA receives (the
// bridge's TX), uart.tx_pin where it sends. Loading checks every field and
// names the file and the field of the first defect (nf::InputError); unknown
// fields are refused too, so a misspelt optional field is not silently lost.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace nf::boards {

inline constexpr const char* kBoardFormat = "neurofab-board";
inline constexpr int kBoardFormatVersion = 1;

enum class Family { kIce40, kXc7 };

struct ClockSpec {
  std::string pin;
  std::int64_t frequency_hz = 0;
  std::string iostandard;  // empty when the file has none
};

struct UartSpec {
  std::string rx_pin;  // FPGA input (uart_rx_i)
  std::string tx_pin;  // FPGA output (uart_tx_o)
  std::int64_t baud = 0;
  std::string iostandard;
  std::string bridge;  // the USB-UART bridge the pins go to
};

struct Ice40Resources {
  std::int64_t logic_cells = 0;  // ICESTORM_LC: one LUT4 + one DFF + carry logic each
  std::int64_t bram_4k = 0;      // SB_RAM40_4K
  std::int64_t spram_256k = 0;   // SB_SPRAM256KA (UltraPlus only)
  std::int64_t dsp = 0;          // SB_MAC16 (UltraPlus and iCE40 Ultra only)
};

struct Xc7Resources {
  std::int64_t luts = 0;  // 6-input LUTs
  std::int64_t flip_flops = 0;
  std::int64_t bram_36k = 0;  // RAMB36E1 tiles (each holds two RAMB18E1)
  std::int64_t dsp = 0;       // DSP48E1
};

struct Board {
  std::filesystem::path file;  // where it was read from
  std::string name;
  std::string title;
  std::string vendor;  // "lattice" | "xilinx"
  Family family = Family::kIce40;
  std::string device;   // ice40: nextpnr-ice40 device flag without "--"; xc7: the full part
  std::string package;
  ClockSpec clock;
  UartSpec uart;
  Ice40Resources ice40;  // family kIce40
  Xc7Resources xc7;      // family kXc7
  std::string notes;
  std::vector<std::string> sources;

  double clock_mhz() const { return static_cast<double>(clock.frequency_hz) / 1e6; }
};

std::string family_name(Family family);  // "ice40" | "xc7"

// The folder of the board files shipped with neurofab: boards/data, installed in
// share/neurofab/boards (neurofab/common/resources.hpp).
std::filesystem::path board_data_dir();

// Reads and checks one board file.
Board load_board(const std::filesystem::path& file);

// `name_or_path`: a path to a .json file (anything ending in .json or holding
// a '/'), or a board name looked up in board_data_dir(). An unknown name is
// refused with the list of known boards.
Board find_board(const std::string& name_or_path);

// Every board file in board_data_dir(), sorted by name (each checked).
std::vector<Board> list_boards();

// The UART bit timing of the system top at a baud rate: ClocksPerBit =
// round(f_clk / baud); the actual rate f_clk / ClocksPerBit must be within
// 2 % of the request (8N1 tolerates about ±4.5 % between both ends together,
// so each end keeps to half of it). QuietCycles, the link's idle timeout
// (docs/host-link.md), is 20 byte times = 200 bit periods.
struct UartTiming {
  std::int64_t baud = 0;  // requested
  std::int64_t clocks_per_bit = 0;
  double actual_baud = 0;
  double error = 0;  // (actual − requested) / requested
  std::int64_t quiet_cycles = 0;
};

inline constexpr double kMaxBaudError = 0.02;
inline constexpr std::int64_t kMinClocksPerBit = 8;  // the receiver samples mid-bit: keep a few clocks per bit

// Throws nf::InputError naming --baud when the rate cannot be made within 2 %.
UartTiming uart_timing(const Board& board, std::int64_t baud);

}  // namespace nf::boards
