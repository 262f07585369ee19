// nf_system_shell: the board side of a system top, shared by both families:
// the two reset domains, the UARTs and the host link (docs/host-link.md),
// sized by the generated nf_config_pkg. The family wrappers (nf_rate_system,
// nf_lif_system) add only their core and wire it to the core_* ports.
//
//   uart_rx_i → nf_uart_rx → nf_host_link → nf_uart_tx → uart_tx_o
//                                 ↕ core_* ports
//                      the family's core (in the wrapper)
//
// Two reset domains: the link and the UARTs come out of reset once, after
// configuration; the core (core_rst_no) is also reset on the link's request
// (RESET). There is no reset pin: nf_reset_sync makes the power-on reset from
// the bitstream's initial values.
//
// The core comes out of reset 2·ResetCycles = 64 clock cycles after
// configuration: its reset block starts counting when the link's releases
// (ResetCycles = 32 each). The reason is the iCE40's block RAM, which the core
// reads and the link does not use: right after configuration its reads return
// 0 for about 36 cycles (icestorm issue #76, on an HX8K at 12 MHz; only on the
// first reset after configuring), so a core let go earlier would read zero
// weights or a zero tanh table on its first step. 64 cycles are 5.3 µs at the
// 12 MHz of the iCE40 boards here (docs/boards.md), 1.8 times the ~3 µs
// reported; the effect looks like a time rather than a cycle count (a 25 MHz
// design was reported to need more than 36 cycles), so a faster iCE40 clock
// needs more. A RESET from the link holds the core for ResetCycles.
//
// Why a chain of two 32-cycle counts, written exactly so: Yosys 0.23's abc9
// (iCE40 without DSPs, where the multipliers become carry chains) fails on
// small changes here. A 64-cycle binary counter, an 8-bit LFSR in its place,
// and this chain with a named wire for the core's request or with an
// `int unsigned` ResetCycles each failed to map one of the two iCEstick
// configurations of tests/boards/test_build_flow.cpp ("Boxes are not in a
// topological order"); this form maps both, and the demo builds.
module nf_system_shell #(
  parameter int unsigned Family        = 0,    // 0 rate, 1 LIF (INFO; the READ_STATE selects)
  parameter int unsigned DebugSelWidth = 2,    // the core's dbg_sel_i: 2 rate, 3 LIF
  parameter int unsigned ClocksPerBit  = 104,  // board clock / baud rate
  parameter int unsigned QuietCycles   = 20 * 10 * ClocksPerBit,  // 20 byte times
  localparam int unsigned InWidth  = nf_config_pkg::NumInputs * nf_config_pkg::InputWidth,   // derived
  localparam int unsigned OutWidth = nf_config_pkg::NumOutputs * nf_config_pkg::OutputWidth  // derived
) (
  input  logic                                     clk_i,
  input  logic                                     uart_rx_i,
  output logic                                     uart_tx_o,
  // The core.
  output logic                                     core_rst_no,
  output logic                                     core_clear_o,
  output logic                                     core_in_valid_o,
  input  logic                                     core_in_ready_i,
  output logic [InWidth-1:0]                       core_in_data_o,
  input  logic                                     core_out_valid_i,
  output logic                                     core_out_ready_o,
  input  logic [OutWidth-1:0]                      core_out_data_i,
  input  logic                                     core_idle_i,
  input  logic [63:0]                              core_cycle_count_i,
  input  logic [31:0]                              core_step_cycles_i,
  input  logic [31:0]                              core_overflow_count_i,
  output logic [DebugSelWidth-1:0]                 core_dbg_sel_o,
  output logic [nf_config_pkg::DebugAddrWidth-1:0] core_dbg_addr_o,
  input  logic signed [31:0]                       core_dbg_data_i
);
  // Resets.
  localparam int ResetCycles = 32;  // each reset block's count; the core's hold is twice it (above)
  logic link_rst_n, core_rst_req;
  // The core's count starts when the link's ends: 2·ResetCycles after configuration.
  nf_reset_sync #(.Cycles(ResetCycles)) u_link_reset (.clk_i, .rst_req_i(1'b0), .rst_no(link_rst_n));
  nf_reset_sync #(.Cycles(ResetCycles)) u_core_reset (.clk_i, .rst_req_i(core_rst_req || !link_rst_n), .rst_no(core_rst_no));

  // UART.
  logic [7:0] rx_data, tx_data;
  logic       rx_valid, rx_busy, tx_valid, tx_ready;
  nf_uart_rx #(.ClocksPerBit(ClocksPerBit)) u_uart_rx (
    .clk_i,
    .rst_ni (link_rst_n),
    .rx_i   (uart_rx_i),
    .byte_o (rx_data),
    .valid_o(rx_valid),
    .busy_o (rx_busy)
  );
  nf_uart_tx #(.ClocksPerBit(ClocksPerBit)) u_uart_tx (
    .clk_i,
    .rst_ni (link_rst_n),
    .byte_i (tx_data),
    .valid_i(tx_valid),
    .ready_o(tx_ready),
    .tx_o   (uart_tx_o)
  );

  // Link ↔ core.
  nf_host_link #(
    .Family        (Family),
    .NumUnits      (nf_config_pkg::NumUnits),
    .NumInputs     (nf_config_pkg::NumInputs),
    .NumOutputs    (nf_config_pkg::NumOutputs),
    .Lanes         (nf_config_pkg::Lanes),
    .InputWidth    (nf_config_pkg::InputWidth),
    .OutputWidth   (nf_config_pkg::OutputWidth),
    .DebugAddrWidth(nf_config_pkg::DebugAddrWidth),
    .DebugSelWidth (DebugSelWidth),
    .ConfigId      (nf_config_pkg::ConfigId),
    .QuietCycles   (QuietCycles)
  ) u_link (
    .clk_i,
    .rst_ni          (link_rst_n),
    .rx_data_i       (rx_data),
    .rx_valid_i      (rx_valid),
    .rx_busy_i       (rx_busy),
    .tx_data_o       (tx_data),
    .tx_valid_o      (tx_valid),
    .tx_ready_i      (tx_ready),
    .core_rst_req_o  (core_rst_req),
    .clear_o         (core_clear_o),
    .in_valid_o      (core_in_valid_o),
    .in_ready_i      (core_in_ready_i),
    .in_data_o       (core_in_data_o),
    .out_valid_i     (core_out_valid_i),
    .out_ready_o     (core_out_ready_o),
    .out_data_i      (core_out_data_i),
    .idle_i          (core_idle_i),
    .cycle_count_i   (core_cycle_count_i),
    .step_cycles_i   (core_step_cycles_i),
    .overflow_count_i(core_overflow_count_i),
    .dbg_sel_o       (core_dbg_sel_o),
    .dbg_addr_o      (core_dbg_addr_o),
    .dbg_data_i      (core_dbg_data_i)
  );

`ifndef SYNTHESIS
  initial begin
    // The link's quiet-line timer starts at a start bit: it must outlast a byte.
    if (QuietCycles <= 10 * ClocksPerBit) $fatal(1, "%m: QuietCycles must exceed a byte time (10 * ClocksPerBit)");
    // iCE40 block RAM reads 0 for ~36 cycles after configuration (icestorm #76).
    if (2 * ResetCycles < 36) $fatal(1, "%m: 2 * ResetCycles must be >= 36 (iCE40 block RAM after configuration)");
  end
`endif
endmodule
