// x · 2^-Shift with the golden model's rounding (docs/fixed-point.md,
// shift_round): Shift ≤ 0 is an exact left shift; Shift > 0 rounds by
// Rounding (0 floor, 1 half up, 2 convergent). Combinational. OutWidth must
// hold the result: the caller knows its range, this block does not saturate.
module nf_shift_round #(
  parameter int unsigned InWidth  = 32,
  parameter int unsigned OutWidth = 32,
  parameter int          Shift    = 0,
  parameter int unsigned Rounding = 1
) (
  input  logic signed [InWidth-1:0]  value_i,
  output logic signed [OutWidth-1:0] value_o
);
  // Wide enough for the input, the output and the +1 of rounding up.
  localparam int unsigned WideWidth = ((InWidth > OutWidth) ? InWidth : OutWidth) + 1;
  // A right shift by InWidth or more gives 0 or −1 whatever the amount (in
  // every rounding mode, as the golden model's shift_round), so it is clamped
  // to InWidth: exact, and the bit selects below stay in range.
  localparam int          InBits    = InWidth;  // signed, for the comparison (Yosys 0.23 has no int' cast)
  localparam int          Amount    = (Shift > InBits) ? InBits : Shift;

  logic signed [WideWidth-1:0] wide;
  assign wide = WideWidth'(value_i);  // sign-extends

  if (Amount <= 0) begin : g_left
    assign value_o = OutWidth'(wide <<< (-Amount));
  end else begin : g_right
    logic signed [WideWidth-1:0] floor_value;
    logic                        half_bit;   // the remainder's top bit: remainder ≥ half
    logic                        rest_bits;  // any remainder bit below it: remainder > half when half_bit
    logic                        round_up;
    assign floor_value = wide >>> Amount;
    assign half_bit    = wide[Amount-1];
    if (Amount >= 2) begin : g_rest
      assign rest_bits = |wide[Amount-2:0];
    end else begin : g_no_rest
      assign rest_bits = 1'b0;
    end
    always_comb begin
      unique case (Rounding)
        0:       round_up = 1'b0;
        1:       round_up = half_bit;
        default: round_up = half_bit & (rest_bits | floor_value[0]);  // ties to even
      endcase
    end
    assign value_o = OutWidth'(floor_value + WideWidth'(round_up));
  end

`ifndef SYNTHESIS
  initial begin
    if (Rounding > 2) $fatal(1, "nf_shift_round: Rounding must be 0, 1 or 2");
  end
`endif
endmodule
