// One MAC lane: acc ← (load ? init : acc) + (weight · operand) · 2^shift, where
// the left shift aligns the product with the accumulator's fraction and is
// one of three constants chosen per phase (e.g. input, recurrent, readout).
// The accumulator is wide enough that no sum of a step overflows (the
// quantizer's accumulator bound), so nothing here rounds or saturates.
module nf_mac_lane #(
  parameter int unsigned WeightWidth  = 8,
  parameter int unsigned OperandWidth = 16,
  parameter int unsigned AccWidth     = 32,
  parameter int unsigned Shift0       = 0,
  parameter int unsigned Shift1       = 0,
  parameter int unsigned Shift2       = 0
) (
  input  logic                       clk_i,
  input  logic                       en_i,
  input  logic                       load_i,
  input  logic [1:0]                 shift_sel_i,
  input  logic signed [WeightWidth-1:0]  weight_i,
  input  logic signed [OperandWidth-1:0] operand_i,
  input  logic signed [AccWidth-1:0]     init_i,
  output logic signed [AccWidth-1:0]     acc_o
);
  // The quantizer's bound makes every product fit AccWidth bits, so when the
  // accumulator is narrower than the full product its top bits are unused.
  /* verilator lint_off UNUSEDSIGNAL */
  logic signed [WeightWidth+OperandWidth-1:0] product;
  /* verilator lint_on UNUSEDSIGNAL */
  logic signed [AccWidth-1:0]                 extended, term, base;
  logic signed [AccWidth-1:0]                 acc_d, acc_q;
  assign product  = weight_i * operand_i;
  assign extended = AccWidth'(product);  // sign-extends
  always_comb begin
    unique case (shift_sel_i)
      2'd0:    term = extended <<< Shift0;
      2'd1:    term = extended <<< Shift1;
      default: term = extended <<< Shift2;
    endcase
  end
  assign base  = load_i ? init_i : acc_q;
  assign acc_d = base + term;
  always_ff @(posedge clk_i) begin
    if (en_i) acc_q <= acc_d;
  end
  assign acc_o = acc_q;
endmodule
