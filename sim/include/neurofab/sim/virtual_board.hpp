#pragma once
// A virtual board: the Verilated system top of a quantized network (core +
// UART host link, rtl/sv/nf_{rate,lif}_system.sv) behind a pseudo-terminal
// (sim/board/nf_board_sim.cpp). A host opens its port() with SerialPort like
// a board's /dev/ttyUSB*, so `neurofab hil` and the tests run the same code
// path as on hardware, the UART bits included.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "neurofab/common/temp_folder.hpp"
#include "neurofab/models/family.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::sim {

struct VirtualBoardOptions {
  int lanes = 1;
  int clocks_per_bit = 104;  // the iCEBreaker's 12 MHz at 115 200 baud
  int quiet_cycles = 0;      // 0: 20 byte times (200 · clocks_per_bit), as the build flow sets
  std::filesystem::path cache_dir;  // empty: default_cache_dir()
  // Empty: rtl/sv (rtl::rtl_source_dir()). Otherwise a folder holding the same files,
  // which replace them (a modified core; the HIL mismatch tests inject faults).
  std::filesystem::path rtl_sources;
  void validate() const;            // throws nf::InputError naming the option
  int effective_quiet_cycles() const { return quiet_cycles > 0 ? quiet_cycles : 200 * clocks_per_bit; }
};

// Builds (or finds in the cache) the virtual board of the configuration in
// `rtl_dir` (a `neurofab rtl` folder). Throws nf::IoError with Verilator's
// last lines when the build fails.
std::filesystem::path build_virtual_board(const std::filesystem::path& rtl_dir, models::Family family,
                                          const VirtualBoardOptions& options, bool* built = nullptr);

// A running virtual board; stopped (and waited for) on destruction.
class VirtualBoard {
 public:
  VirtualBoard(const quantize::QuantizedArtifact& artifact, const VirtualBoardOptions& options);
  // A board simulation built elsewhere (a netlist: netlist_board.hpp), run in a
  // folder of its own.
  explicit VirtualBoard(const std::filesystem::path& executable);
  ~VirtualBoard();
  VirtualBoard(const VirtualBoard&) = delete;
  VirtualBoard& operator=(const VirtualBoard&) = delete;

  const std::filesystem::path& port() const { return port_; }
  std::string log() const;  // what the simulation wrote to stderr

 private:
  void start(const std::filesystem::path& working_dir);

  TempFolder work_;
  std::filesystem::path executable_, port_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;  // closing it stops the simulation
};

}  // namespace nf::sim
