// nf_reset_sync: a power-on reset for boards without a reset pin, plus a
// synchronous reset request.
//
// iCE40 and Xilinx flip-flops take their initial value from the bitstream, so
// a counter that starts at zero (a declaration initialiser: Yosys turns it
// into an init attribute, Verilator into its time-zero value) holds rst_no
// low for Cycles clock cycles after configuration. rst_req_i (synchronous to
// clk_i) restarts the count, so the host link can reset the core it drives
// without resetting itself (the system tops use one instance per reset
// domain: the link's with rst_req_i tied low, the core's with the link's
// request).
//
// rst_no comes straight from a flip-flop: it asserts one cycle after the
// request (or at configuration) and deasserts synchronously to clk_i, so it
// can drive the asynchronous resets of the cores without a glitch.
module nf_reset_sync #(
  parameter int unsigned Cycles = 16,  // clock cycles rst_no is held low, ≥ 2
  localparam int unsigned CountWidth = $clog2(Cycles)  // derived: holds 0 … Cycles − 1
) (
  input  logic clk_i,
  input  logic rst_req_i,  // synchronous; hold ≥ 1 cycle to reset for Cycles cycles
  output logic rst_no
);
  // No reset of their own: these two are the reset. Both start at zero.
  logic [CountWidth-1:0] count_q = '0;
  logic [CountWidth-1:0] count_d;
  logic                  rst_n_q = 1'b0;
  logic                  rst_n_d;
  logic                  done;
  assign done = count_q == CountWidth'(Cycles - 1);

  always_comb begin
    count_d = count_q;
    if (rst_req_i) begin
      count_d = '0;
    end else if (!done) begin
      count_d = count_q + 1'b1;
    end
    rst_n_d = done && !rst_req_i;
  end

  always_ff @(posedge clk_i) begin
    count_q <= count_d;
    rst_n_q <= rst_n_d;
  end
  assign rst_no = rst_n_q;

`ifndef SYNTHESIS
  initial begin
    if (Cycles < 2) $fatal(1, "nf_reset_sync: Cycles must be >= 2");
  end
`endif
endmodule
