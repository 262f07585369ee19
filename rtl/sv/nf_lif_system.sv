// nf_lif_system: board top of the recurrent LIF network: nf_lif_top (sized by the
// generated nf_config_pkg) behind the UART host link of docs/host-link.md.
// Ports are the clock and the two UART pins only; there is no reset pin:
// nf_reset_sync makes the power-on reset from the bitstream's initial values.
//
//   uart_rx_i → nf_uart_rx → nf_host_link → nf_uart_tx → uart_tx_o
//                                 ↕ streams, clear, debug port
//                              nf_lif_top
//
// Two reset domains: the link and the UARTs come out of reset once, after
// configuration; the core is also reset on the link's request (RESET).
// nf_rate_system is the same file with the rate core; keep them in step.
module nf_lif_system #(
  parameter int unsigned ClocksPerBit = 104,                    // board clock / baud rate
  parameter int unsigned QuietCycles  = 20 * 10 * ClocksPerBit  // 20 byte times
) (
  input  logic clk_i,
  input  logic uart_rx_i,
  output logic uart_tx_o
);
  localparam int unsigned Family        = 1;  // LIF
  localparam int unsigned DebugSelWidth = 3;
  localparam int unsigned InWidth  = nf_config_pkg::NumInputs * nf_config_pkg::InputWidth;   // derived
  localparam int unsigned OutWidth = nf_config_pkg::NumOutputs * nf_config_pkg::OutputWidth;  // derived

  // Resets.
  logic link_rst_n, core_rst_n, core_rst_req;
  nf_reset_sync u_link_reset (.clk_i, .rst_req_i(1'b0),         .rst_no(link_rst_n));
  nf_reset_sync u_core_reset (.clk_i, .rst_req_i(core_rst_req), .rst_no(core_rst_n));

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
  logic                                     clear, in_valid, in_ready, out_valid, out_ready, idle;
  logic [InWidth-1:0]                       in_data;
  logic [OutWidth-1:0]                      out_data;
  logic [63:0]                              cycle_count;
  logic [31:0]                              step_cycles, overflow_count;
  logic [DebugSelWidth-1:0]                 dbg_sel;
  logic [nf_config_pkg::DebugAddrWidth-1:0] dbg_addr;
  logic signed [31:0]                       dbg_data;

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
    .clear_o         (clear),
    .in_valid_o      (in_valid),
    .in_ready_i      (in_ready),
    .in_data_o       (in_data),
    .out_valid_i     (out_valid),
    .out_ready_o     (out_ready),
    .out_data_i      (out_data),
    .idle_i          (idle),
    .cycle_count_i   (cycle_count),
    .step_cycles_i   (step_cycles),
    .overflow_count_i(overflow_count),
    .dbg_sel_o       (dbg_sel),
    .dbg_addr_o      (dbg_addr),
    .dbg_data_i      (dbg_data)
  );

  nf_lif_top u_core (
    .clk_i,
    .rst_ni          (core_rst_n),
    .clear_i         (clear),
    .in_valid_i      (in_valid),
    .in_ready_o      (in_ready),
    .in_data_i       (in_data),
    .out_valid_o     (out_valid),
    .out_ready_i     (out_ready),
    .out_data_o      (out_data),
    .idle_o          (idle),
    .cycle_count_o   (cycle_count),
    .step_cycles_o   (step_cycles),
    .overflow_count_o(overflow_count),
    .dbg_sel_i       (dbg_sel),
    .dbg_addr_i      (dbg_addr),
    .dbg_data_o      (dbg_data)
  );

`ifndef SYNTHESIS
  initial begin
    // The link's quiet-line timer starts at a start bit: it must outlast a byte.
    if (QuietCycles <= 10 * ClocksPerBit) $fatal(1, "nf_lif_system: QuietCycles must exceed a byte time (10 * ClocksPerBit)");
  end
`endif
endmodule
