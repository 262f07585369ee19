// nf_stream_assert: the stream rule of every valid/ready interface, checked in
// simulation: once valid is high and ready low, the next cycle has valid still
// high and the same data (valid never waits for ready; data hold while
// stalled). Instantiated by a stream's source, inside `ifndef SYNTHESIS, one
// instance per stream; it has no logic in synthesis (Yosys and Vivado define
// SYNTHESIS) and is not checked in its source's reset.
module nf_stream_assert #(
  parameter int unsigned Width = 1,
  parameter              Name  = "stream"  // for the message; untyped: Yosys 0.23 has no parameter string
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             valid_i,
  input  logic             ready_i,
  input  logic [Width-1:0] data_i
);
`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    if (rst_ni && $past(rst_ni) && $past(valid_i) && !$past(ready_i)) begin
      assert (valid_i && data_i == $past(data_i)) else $error("%m: %s changed while stalled", Name);
    end
  end
`endif
endmodule
