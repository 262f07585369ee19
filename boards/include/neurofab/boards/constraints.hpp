#pragma once
// Pin constraints of the system top (ports clk_i, uart_rx_i, uart_tx_o) for a
// board: an iCE40 .pcf (nextpnr-ice40) or a Xilinx .xdc (Vivado), written
// from the board file alone, so the pins in a build are the board file's.

#include <string>

#include "neurofab/boards/board.hpp"

namespace nf::boards {

// set_io lines for nextpnr-ice40. iCE40 I/O standards follow the bank
// voltage, which the board fixes; a board file's iostandard is noted only.
std::string pcf_text(const Board& board);

// PACKAGE_PIN and IOSTANDARD of the three ports, create_clock at the board's
// period on clk_i, and false paths on the asynchronous UART pins (the
// receiver synchronises uart_rx_i; uart_tx_o is a register).
std::string xdc_text(const Board& board);

// The clock period in ns, as written into the .xdc ("10.000").
std::string clock_period_ns(const Board& board);

}  // namespace nf::boards
