// nf_rate_system: board top of the rate RNN: nf_rate_top (sized by the
// generated nf_config_pkg) behind the UART host link of docs/host-link.md.
// Ports are the clock and the two UART pins only. Everything but the core is
// nf_system_shell, shared with nf_lif_system; this wrapper only picks the
// family and its core.
module nf_rate_system #(
  parameter int unsigned ClocksPerBit = 104,                    // board clock / baud rate
  parameter int unsigned QuietCycles  = 20 * 10 * ClocksPerBit  // 20 byte times
) (
  input  logic clk_i,
  input  logic uart_rx_i,
  output logic uart_tx_o
);
  localparam int unsigned Family        = 0;  // rate
  localparam int unsigned DebugSelWidth = 2;
  localparam int unsigned InWidth  = nf_config_pkg::NumInputs * nf_config_pkg::InputWidth;   // derived
  localparam int unsigned OutWidth = nf_config_pkg::NumOutputs * nf_config_pkg::OutputWidth;  // derived

  logic                                     core_rst_n, clear, in_valid, in_ready, out_valid, out_ready, idle;
  logic [InWidth-1:0]                       in_data;
  logic [OutWidth-1:0]                      out_data;
  logic [63:0]                              cycle_count;
  logic [31:0]                              step_cycles, overflow_count;
  logic [DebugSelWidth-1:0]                 dbg_sel;
  logic [nf_config_pkg::DebugAddrWidth-1:0] dbg_addr;
  logic signed [31:0]                       dbg_data;

  nf_system_shell #(
    .Family       (Family),
    .DebugSelWidth(DebugSelWidth),
    .ClocksPerBit (ClocksPerBit),
    .QuietCycles  (QuietCycles)
  ) u_shell (
    .clk_i,
    .uart_rx_i,
    .uart_tx_o,
    .core_rst_no          (core_rst_n),
    .core_clear_o         (clear),
    .core_in_valid_o      (in_valid),
    .core_in_ready_i      (in_ready),
    .core_in_data_o       (in_data),
    .core_out_valid_i     (out_valid),
    .core_out_ready_o     (out_ready),
    .core_out_data_i      (out_data),
    .core_idle_i          (idle),
    .core_cycle_count_i   (cycle_count),
    .core_step_cycles_i   (step_cycles),
    .core_overflow_count_i(overflow_count),
    .core_dbg_sel_o       (dbg_sel),
    .core_dbg_addr_o      (dbg_addr),
    .core_dbg_data_i      (dbg_data)
  );

  nf_rate_top u_core (
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
endmodule
