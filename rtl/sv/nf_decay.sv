// D_d(x) of the golden model's LIF decays (docs/fixed-point.md, "Decay"),
// with the per-unit parameter as hardware holds it:
//   Form 0, shift (Xylo-style):      x - shift_round(x, k, r),   k = param_i (0..62)
//   Form 1, multiplier (Loihi-style at MultiplierBits = 12):
//                                    shift_round(x · d_q, B, r), d_q = param_i ∈ [0, 2^B]
// |D_d(x)| ≤ |x| + 1, so the result has Width + 1 bits. Combinational.
module nf_decay #(
  parameter int unsigned Width         = 16,
  parameter int unsigned ParamWidth    = 13,
  parameter int unsigned Form          = 1,
  parameter int unsigned MultiplierBits = 12,
  parameter int unsigned Rounding      = 1
) (
  input  logic signed [Width-1:0]   value_i,
  input  logic        [ParamWidth-1:0] param_i,
  output logic signed [Width:0]     value_o
);
  if (Form == 1) begin : g_multiplier
    localparam int unsigned ProductWidth = Width + ParamWidth + 1;
    logic signed [ProductWidth-1:0] product;
    assign product = value_i * $signed({1'b0, param_i});
    nf_shift_round #(
      .InWidth (ProductWidth),
      .OutWidth(Width + 1),
      .Shift   (MultiplierBits),
      .Rounding(Rounding)
    ) u_round (
      .value_i(product),
      .value_o(value_o)
    );
  end else begin : g_shift
    // shift_round(x, k) for a run-time k. For k ≥ Width every rounding mode
    // gives the same result as k = Width (x is too small to reach half), so k
    // is clamped there and the shifter stays Width + 1 bits wide.
    localparam int unsigned KWidth = $clog2(Width + 1);
    logic [KWidth-1:0]       k;
    logic signed [Width:0]   wide, floor_value, remainder, half, rounded;
    logic                    round_up;
    assign k           = (param_i >= ParamWidth'(Width)) ? KWidth'(Width) : KWidth'(param_i);
    assign wide        = (Width + 1)'(value_i);  // sign-extends
    assign floor_value = wide >>> k;
    assign remainder   = wide - (floor_value <<< k);  // in [0, 2^k)
    assign half        = (k == 0) ? '0 : ((Width + 1)'(1) <<< (k - 1));
    always_comb begin
      if (k == 0) begin
        round_up = 1'b0;
      end else begin
        unique case (Rounding)
          0:       round_up = 1'b0;
          1:       round_up = (remainder >= half);
          default: round_up = (remainder > half) || ((remainder == half) && floor_value[0]);
        endcase
      end
    end
    assign rounded = floor_value + (Width + 1)'(round_up);
    assign value_o = wide - rounded;
  end
endmodule
