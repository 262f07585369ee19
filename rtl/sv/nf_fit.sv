// fit(x, W, o) of the golden model: a value into OutWidth bits by saturation
// (Overflow 0) or two's-complement wrap-around (Overflow 1); overflow_o
// flags a value that did not fit, as the golden model counts it.
module nf_fit #(
  parameter int unsigned InWidth  = 32,
  parameter int unsigned OutWidth = 16,
  parameter int unsigned Overflow = 0
) (
  input  logic signed [InWidth-1:0]  value_i,
  output logic signed [OutWidth-1:0] value_o,
  output logic                       overflow_o
);
  if (InWidth <= OutWidth) begin : g_fits
    assign value_o    = OutWidth'(value_i);  // sign-extends
    assign overflow_o = 1'b0;
  end else begin : g_narrow
    // It fits when every bit above the kept sign bit equals the sign bit.
    logic [InWidth-OutWidth:0] top;
    assign top        = value_i[InWidth-1:OutWidth-1];
    assign overflow_o = !((&top) || !(|top));
    always_comb begin
      if (!overflow_o || Overflow == 1) begin
        value_o = value_i[OutWidth-1:0];
      end else if (value_i[InWidth-1]) begin
        value_o = {1'b1, {(OutWidth - 1) {1'b0}}};  // most negative code
      end else begin
        value_o = {1'b0, {(OutWidth - 1) {1'b1}}};  // most positive code
      end
    end
  end
endmodule
