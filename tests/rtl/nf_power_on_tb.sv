// Power-on of a system top as a board starts it: no simulator reset, every
// flip-flop from its initial value (the bitstream's, as nf_reset_sync's
// declaration initialisers), the UART line idle. Prints, for the core's and
// the link's reset, the rising clock edge at which it is first seen released
// (= the edges at which it held the flip-flops before), and any edge at which
// it is seen asserted again or uart_tx_o leaves idle; then
// "edges <n>". test_power_on.cpp builds it (verilator --binary, one top per
// build: -DNF_TOP_LIF selects the LIF system) and checks the numbers.
module nf_power_on_tb;
  localparam int unsigned Edges = 256;

  logic clk = 1'b0;
  logic uart_tx;
  always #1 clk = ~clk;

`ifdef NF_TOP_LIF
  nf_lif_system #(.ClocksPerBit(8)) u_dut (.clk_i(clk), .uart_rx_i(1'b1), .uart_tx_o(uart_tx));
`else
  nf_rate_system #(.ClocksPerBit(8)) u_dut (.clk_i(clk), .uart_rx_i(1'b1), .uart_tx_o(uart_tx));
`endif

  // At a rising edge the always block sees the values before the edge: what the
  // flip-flops of the core and the link see at it.
  int unsigned edge_count = 0;
  logic core_rst_n_seen = 1'b0, link_rst_n_seen = 1'b0;
  always @(posedge clk) begin
    if (u_dut.u_core.rst_ni !== core_rst_n_seen) begin
      $display("edge %0d core_rst_n %b", edge_count, u_dut.u_core.rst_ni);
    end
    if (u_dut.u_shell.link_rst_n !== link_rst_n_seen) begin
      $display("edge %0d link_rst_n %b", edge_count, u_dut.u_shell.link_rst_n);
    end
    if (uart_tx !== 1'b1) $display("edge %0d uart_tx %b", edge_count, uart_tx);
    core_rst_n_seen <= u_dut.u_core.rst_ni;
    link_rst_n_seen <= u_dut.u_shell.link_rst_n;
    edge_count      <= edge_count + 1;
    if (edge_count == Edges - 1) begin
      $display("edges %0d", Edges);
      $finish;
    end
  end
endmodule
