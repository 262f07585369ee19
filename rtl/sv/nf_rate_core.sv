// nf_rate_core: one timestep of the quantized rate RNN per input vector,
// bit-exact with the integer golden model (quantize/integer_rate_rnn.hpp,
// docs/fixed-point.md) and cycle-exact with its cycle model
// (quantize/cycle_model.hpp, docs/rtl.md).
//
//   a_i = Σ_k W_in[i,k] x_k 2^ShiftIn + Σ_j W_rec[i,j] h_j 2^ShiftRec + b_i 2^ShiftBias
//   h_i ← fit_h(shift_round((2^D − α_q) h_i + α_q φ(a_i), D))
//   y_m = fit_y(shift_round(Σ_j W_out[m,j] h_j 2^ShiftOut + b_out_m 2^ShiftOutBias, OutputShift))
//
// Schedule: units in groups of Lanes (one MAC lane per unit of the group).
// Per group: Input (NumInputs + 1 cycles: one input per cycle, the bias
// loaded with the first), Recurrent (NumUnits + 1: one presynaptic h_j per
// cycle), Update (Lanes + 1: φ, leak and write-back one lane per cycle
// through one table). Then per group of Lanes outputs: Readout (NumUnits + 1)
// and Emit (1). The + 1 of each phase is the synchronous memories' read
// latency. The old h is read from one bank of the state memory while the new
// one is written to the other; the banks swap at the end of the step.
module nf_rate_core #(
  parameter int unsigned NumUnits       = 8,
  parameter int unsigned NumInputs      = 2,
  parameter int unsigned NumOutputs     = 1,
  parameter int unsigned Lanes          = 1,
  parameter int unsigned InputWidth     = 16,
  parameter int unsigned WInWidth       = 8,
  parameter int unsigned WRecWidth      = 8,
  parameter int unsigned BiasWidth      = 8,
  parameter int unsigned StateWidth     = 16,
  parameter int unsigned WOutWidth      = 8,
  parameter int unsigned BOutWidth      = 8,
  parameter int unsigned OutputWidth    = 16,
  parameter int unsigned AccWidth       = 40,  // ≥ the quantizer's accumulator bounds
  parameter int unsigned ShiftIn        = 0,
  parameter int unsigned ShiftRec       = 0,
  parameter int unsigned ShiftBias      = 0,
  parameter int unsigned ShiftOut       = 0,
  parameter int unsigned ShiftOutBias   = 0,
  parameter int          OutputShift    = 0,   // F_o − F_y
  parameter int unsigned Rounding       = 1,   // 0 floor, 1 half up, 2 convergent
  parameter int unsigned Overflow       = 0,   // 0 saturate, 1 wrap
  parameter int unsigned Activation     = 1,   // 0 relu, 1 tanh table
  parameter int unsigned TableBits      = 10,  // L
  parameter int          TableShift     = 0,   // F_a − k
  parameter int          ReluShift      = 0,   // F_a − F_h
  parameter int unsigned LeakBits       = 16,  // D
  parameter int unsigned LeakMultiplier = 65536,  // α_q ∈ [1, 2^D]
  // Memory images ($readmemh); "" leaves a memory uninitialised, so reading the
  // bare module (Yosys elaborates defaults) opens no file.
  parameter              WInFile        = "",
  parameter              WRecFile       = "",
  parameter              BiasFile       = "",
  parameter              WOutFile       = "",
  parameter              BOutFile       = "",
  parameter              TableFile      = "",
  localparam int unsigned UnitIdxWidth  = (NumUnits > 1) ? $clog2(NumUnits) : 1,  // derived
  localparam int unsigned DebugWidth    = 32                                     // derived
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  input  logic                                clear_i,   // zero the state (taken when idle)
  // One input vector per timestep: x_k in bits [k·InputWidth +: InputWidth].
  input  logic                                in_valid_i,
  output logic                                in_ready_o,
  input  logic [NumInputs*InputWidth-1:0]     in_data_i,
  // One output vector per timestep: y_m in bits [m·OutputWidth +: OutputWidth].
  output logic                                out_valid_o,
  input  logic                                out_ready_i,
  output logic [NumOutputs*OutputWidth-1:0]   out_data_o,
  output logic                                idle_o,
  output logic [63:0]                         cycle_count_o,     // free-running
  output logic [31:0]                         step_cycles_o,     // compute cycles of the last step
  output logic [31:0]                         overflow_count_o,  // fit events of the last step
  // State read-back while idle, one cycle of latency: sel 0 = h[addr], 1 = y[addr].
  input  logic [1:0]                          dbg_sel_i,
  input  logic [UnitIdxWidth-1:0]             dbg_addr_i,
  output logic signed [DebugWidth-1:0]        dbg_data_o
);
  // ---------------------------------------------------------------------------
  // Derived sizes
  // ---------------------------------------------------------------------------
  localparam int unsigned Groups     = (NumUnits + Lanes - 1) / Lanes;
  localparam int unsigned OutGroups  = (NumOutputs + Lanes - 1) / Lanes;
  localparam int unsigned WInDepth   = (Groups * NumInputs > 1) ? Groups * NumInputs : 2;
  localparam int unsigned WRecDepth  = (Groups * NumUnits > 1) ? Groups * NumUnits : 2;
  localparam int unsigned BiasDepth  = (Groups > 1) ? Groups : 2;
  localparam int unsigned WOutDepth  = (OutGroups * NumUnits > 1) ? OutGroups * NumUnits : 2;
  localparam int unsigned BOutDepth  = (OutGroups > 1) ? OutGroups : 2;
  localparam int unsigned CountWidth = $clog2(NumUnits + NumInputs + Lanes + 2) + 1;
  localparam int unsigned GroupWidth = $clog2(Groups + OutGroups + 1) + 1;
  localparam int unsigned TableDepth = 1 << TableBits;
  localparam int unsigned IndexWidth = AccWidth + ((TableShift < 0) ? -TableShift : 0) + 2;
  localparam int unsigned MixWidth   = StateWidth + LeakBits + 3;
  localparam int unsigned YWideWidth = AccWidth + ((OutputShift < 0) ? -OutputShift : 0) + 2;
  localparam int unsigned ReluWidth  = AccWidth + ((ReluShift < 0) ? -ReluShift : 0) + 2;

  typedef enum logic [2:0] {
    PhaseClear, PhaseIdle, PhaseInput, PhaseRecurrent, PhaseUpdate, PhaseReadout, PhaseEmit, PhaseDone
  } phase_e;

  phase_e                  phase_q, phase_d;
  logic [CountWidth-1:0]   count_q, count_d;   // position within the phase
  logic [GroupWidth-1:0]   group_q, group_d;   // unit group, or output group in Readout/Emit
  logic                    bank_q, bank_d;     // the state memory bank holding the current h
  logic [63:0]             cycle_q;
  logic [31:0]             step_cycles_q, overflow_q;
  logic [NumInputs*InputWidth-1:0]   x_q;   // the step's input vector, x_k at [k·InputWidth +: InputWidth]
  logic [NumOutputs*OutputWidth-1:0] y_q;   // y_m at [m·OutputWidth +: OutputWidth]

  // ---------------------------------------------------------------------------
  // Memories
  // ---------------------------------------------------------------------------
  logic [$clog2(WInDepth)-1:0]  w_in_addr;
  logic [$clog2(WRecDepth)-1:0] w_rec_addr;
  logic [$clog2(BiasDepth)-1:0] bias_addr;
  logic [$clog2(WOutDepth)-1:0] w_out_addr;
  logic [$clog2(BOutDepth)-1:0] b_out_addr;
  logic [Lanes*WInWidth-1:0]    w_in_word;
  logic [Lanes*WRecWidth-1:0]   w_rec_word;
  logic [Lanes*BiasWidth-1:0]   bias_word;
  logic [Lanes*WOutWidth-1:0]   w_out_word;
  logic [Lanes*BOutWidth-1:0]   b_out_word;

  nf_rom #(.Depth(WInDepth),  .Width(Lanes * WInWidth),  .InitFile(WInFile))
    u_w_in  (.clk_i, .en_i(1'b1), .addr_i(w_in_addr),  .data_o(w_in_word));
  nf_rom #(.Depth(WRecDepth), .Width(Lanes * WRecWidth), .InitFile(WRecFile))
    u_w_rec (.clk_i, .en_i(1'b1), .addr_i(w_rec_addr), .data_o(w_rec_word));
  nf_rom #(.Depth(BiasDepth), .Width(Lanes * BiasWidth), .InitFile(BiasFile))
    u_bias  (.clk_i, .en_i(1'b1), .addr_i(bias_addr),  .data_o(bias_word));
  nf_rom #(.Depth(WOutDepth), .Width(Lanes * WOutWidth), .InitFile(WOutFile))
    u_w_out (.clk_i, .en_i(1'b1), .addr_i(w_out_addr), .data_o(w_out_word));
  nf_rom #(.Depth(BOutDepth), .Width(Lanes * BOutWidth), .InitFile(BOutFile))
    u_b_out (.clk_i, .en_i(1'b1), .addr_i(b_out_addr), .data_o(b_out_word));

  // h: two banks of 2^UnitIdxWidth words, address {bank, unit}.
  logic                          state_write;
  logic [UnitIdxWidth:0]         state_write_addr, state_read_addr;
  logic signed [StateWidth-1:0]  state_write_data, state_read_data;
  nf_ram #(.Depth(2 << UnitIdxWidth), .Width(StateWidth)) u_state (
    .clk_i,
    .write_i     (state_write),
    .write_addr_i(state_write_addr),
    .write_data_i(state_write_data),
    .read_addr_i (state_read_addr),
    .read_data_o (state_read_data)
  );

  // ---------------------------------------------------------------------------
  // Phase positions: a read is issued at count c and consumed at c + 1.
  // ---------------------------------------------------------------------------
  // Index arithmetic is done in 32 bits and cut to the address widths.
  logic                     issue, consume;
  logic [31:0]              count, group, issue_index, consume_index, update_unit;
  logic [UnitIdxWidth-1:0]  update_unit_q;
  logic                     update_valid_q;
  assign count         = 32'(count_q);
  assign group         = 32'(group_q);
  assign issue_index   = count;
  assign consume_index = count - 1;
  always_comb begin
    issue   = 1'b0;
    consume = 1'b0;
    unique case (phase_q)
      PhaseInput:     begin issue = count < NumInputs;  consume = count != 0; end
      PhaseRecurrent: begin issue = count < NumUnits;   consume = count != 0; end
      PhaseUpdate:    begin issue = count < Lanes;      consume = count != 0; end
      PhaseReadout:   begin issue = count < NumUnits;   consume = count != 0; end
      default: ;
    endcase
  end
  assign update_unit = group * Lanes + count;

  assign w_in_addr  = $clog2(WInDepth)'(group * NumInputs + issue_index);
  assign w_rec_addr = $clog2(WRecDepth)'(group * NumUnits + issue_index);
  assign bias_addr  = $clog2(BiasDepth)'(group);
  assign w_out_addr = $clog2(WOutDepth)'(group * NumUnits + issue_index);
  assign b_out_addr = $clog2(BOutDepth)'(group);

  always_comb begin
    unique case (phase_q)
      PhaseRecurrent: state_read_addr = {bank_q, UnitIdxWidth'(issue_index)};
      PhaseUpdate:    state_read_addr = {bank_q, UnitIdxWidth'(update_unit)};
      PhaseReadout:   state_read_addr = {~bank_q, UnitIdxWidth'(issue_index)};
      default:        state_read_addr = {bank_q, dbg_addr_i};
    endcase
  end

  // ---------------------------------------------------------------------------
  // MAC lanes
  // ---------------------------------------------------------------------------
  logic [Lanes*AccWidth-1:0]  acc;  // lane l's accumulator at [l·AccWidth +: AccWidth]
  logic                       lane_enable, lane_load;
  logic [1:0]                 lane_shift;
  logic signed [StateWidth+InputWidth:0] lane_operand;  // x_k or h_j, sign-extended
  always_comb begin
    lane_enable  = consume && (phase_q == PhaseInput || phase_q == PhaseRecurrent || phase_q == PhaseReadout);
    lane_load    = (phase_q == PhaseInput || phase_q == PhaseReadout) && count_q == 1;
    lane_shift   = (phase_q == PhaseInput) ? 2'd0 : (phase_q == PhaseRecurrent) ? 2'd1 : 2'd2;
    lane_operand = (phase_q == PhaseInput)
        ? (StateWidth + InputWidth + 1)'($signed(x_q[consume_index*InputWidth +: InputWidth]))
        : (StateWidth + InputWidth + 1)'(state_read_data);
  end

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    localparam int unsigned WeightWidth = (WInWidth > WRecWidth)
        ? ((WInWidth > WOutWidth) ? WInWidth : WOutWidth)
        : ((WRecWidth > WOutWidth) ? WRecWidth : WOutWidth);
    logic signed [WeightWidth-1:0] weight;
    logic signed [AccWidth-1:0]    init;
    always_comb begin
      unique case (phase_q)
        PhaseInput:     weight = WeightWidth'($signed(w_in_word[l*WInWidth +: WInWidth]));
        PhaseRecurrent: weight = WeightWidth'($signed(w_rec_word[l*WRecWidth +: WRecWidth]));
        default:        weight = WeightWidth'($signed(w_out_word[l*WOutWidth +: WOutWidth]));
      endcase
      if (phase_q == PhaseInput) begin
        init = AccWidth'($signed(bias_word[l*BiasWidth +: BiasWidth])) <<< ShiftBias;
      end else begin
        init = AccWidth'($signed(b_out_word[l*BOutWidth +: BOutWidth])) <<< ShiftOutBias;
      end
    end
    nf_mac_lane #(
      .WeightWidth (WeightWidth),
      .OperandWidth(StateWidth + InputWidth + 1),
      .AccWidth    (AccWidth),
      .Shift0      (ShiftIn),
      .Shift1      (ShiftRec),
      .Shift2      (ShiftOut)
    ) u_mac (
      .clk_i,
      .en_i       (lane_enable),
      .load_i     (lane_load),
      .shift_sel_i(lane_shift),
      .weight_i   (weight),
      .operand_i  (lane_operand),
      .init_i     (init),
      .acc_o      (acc[l*AccWidth +: AccWidth])
    );
  end

  // ---------------------------------------------------------------------------
  // Update: φ, leak and fit for one lane per cycle
  // ---------------------------------------------------------------------------
  logic signed [AccWidth-1:0]   update_acc, update_acc_q;
  logic signed [StateWidth-1:0] phi_value;
  assign update_acc = (issue_index < Lanes) ? $signed(acc[issue_index*AccWidth +: AccWidth]) : '0;

  if (Activation == 1) begin : g_table
    logic signed [IndexWidth-1:0] scaled, index;
    logic [TableBits-1:0]         table_addr;
    logic [StateWidth-1:0]        table_word;
    nf_shift_round #(.InWidth(AccWidth), .OutWidth(IndexWidth), .Shift(TableShift), .Rounding(Rounding))
      u_index (.value_i(update_acc), .value_o(scaled));
    // j = clamp(shift_round(a, F_a − k) + 2^(L−1), 0, 2^L − 1)
    localparam logic signed [IndexWidth-1:0] Offset  = IndexWidth'(1) <<< (TableBits - 1);
    localparam logic signed [IndexWidth-1:0] LastRow = (IndexWidth'(1) <<< TableBits) - IndexWidth'(1);
    assign index = scaled + Offset;
    always_comb begin
      if (index < 0) table_addr = '0;
      else if (index > LastRow) table_addr = TableBits'(TableDepth - 1);
      else table_addr = TableBits'(index);
    end
    logic unused_acc_q;
    assign unused_acc_q = ^update_acc_q;  // the table's address is registered inside the ROM instead
    nf_rom #(.Depth(TableDepth), .Width(StateWidth), .InitFile(TableFile))
      u_table (.clk_i, .en_i(1'b1), .addr_i(table_addr), .data_o(table_word));
    assign phi_value = $signed(table_word);
  end else begin : g_relu
    // p = max(0, fit_h(shift_round(a, F_a − F_h))), not counted as overflow (as the golden model).
    logic signed [ReluWidth-1:0]  scaled;
    logic signed [StateWidth-1:0] fitted;
    logic                         unused_overflow;
    nf_shift_round #(.InWidth(AccWidth), .OutWidth(ReluWidth), .Shift(ReluShift), .Rounding(Rounding))
      u_scale (.value_i(update_acc_q), .value_o(scaled));
    nf_fit #(.InWidth(ReluWidth), .OutWidth(StateWidth), .Overflow(Overflow))
      u_fit (.value_i(scaled), .value_o(fitted), .overflow_o(unused_overflow));
    assign phi_value = fitted[StateWidth-1] ? '0 : fitted;
  end

  logic signed [MixWidth-1:0]     mixed;
  logic signed [StateWidth+1:0]   leaked;
  logic signed [StateWidth-1:0]   h_new;
  logic                           h_overflow;
  localparam logic [LeakBits:0] Keep  = (LeakBits + 1)'((1 << LeakBits) - LeakMultiplier);
  localparam logic [LeakBits:0] Alpha = (LeakBits + 1)'(LeakMultiplier);
  assign mixed = MixWidth'(state_read_data) * $signed({1'b0, Keep})
               + MixWidth'(phi_value) * $signed({1'b0, Alpha});
  nf_shift_round #(.InWidth(MixWidth), .OutWidth(StateWidth + 2), .Shift(LeakBits), .Rounding(Rounding))
    u_leak (.value_i(mixed), .value_o(leaked));
  nf_fit #(.InWidth(StateWidth + 2), .OutWidth(StateWidth), .Overflow(Overflow))
    u_fit_h (.value_i(leaked), .value_o(h_new), .overflow_o(h_overflow));

  assign state_write      = (phase_q == PhaseClear) || (phase_q == PhaseUpdate && consume && update_valid_q);
  assign state_write_addr = (phase_q == PhaseClear) ? {bank_q, UnitIdxWidth'(count_q)}
                                                    : {~bank_q, update_unit_q};
  assign state_write_data = (phase_q == PhaseClear) ? '0 : h_new;

  // ---------------------------------------------------------------------------
  // Emit: y for every lane of the output group at once
  // ---------------------------------------------------------------------------
  logic signed [OutputWidth-1:0] y_lane [Lanes];
  logic [Lanes-1:0]              y_overflow;
  for (genvar l = 0; l < Lanes; l++) begin : g_emit
    logic signed [YWideWidth-1:0] scaled;
    // A named signed wire, not $signed() on the port: Yosys 0.23 asserts on a
    // $signed() part-select that spans the whole vector (Lanes = 1).
    logic signed [AccWidth-1:0]   lane_acc;
    assign lane_acc = acc[l*AccWidth +: AccWidth];
    nf_shift_round #(.InWidth(AccWidth), .OutWidth(YWideWidth), .Shift(OutputShift), .Rounding(Rounding))
      u_scale (.value_i(lane_acc), .value_o(scaled));
    nf_fit #(.InWidth(YWideWidth), .OutWidth(OutputWidth), .Overflow(Overflow))
      u_fit (.value_i(scaled), .value_o(y_lane[l]), .overflow_o(y_overflow[l]));
  end

  // ---------------------------------------------------------------------------
  // Sequencer
  // ---------------------------------------------------------------------------
  logic in_fire;
  assign in_ready_o  = (phase_q == PhaseIdle) && !clear_i;
  assign in_fire     = in_valid_i && in_ready_o;
  assign out_valid_o = (phase_q == PhaseDone);
  assign idle_o      = (phase_q == PhaseIdle);

  always_comb begin
    phase_d = phase_q;
    count_d = count_q + 1'b1;
    group_d = group_q;
    bank_d  = bank_q;
    unique case (phase_q)
      PhaseClear: if (count_q == CountWidth'(NumUnits - 1)) begin phase_d = PhaseIdle; count_d = '0; end
      PhaseIdle: begin
        count_d = '0;
        group_d = '0;
        if (clear_i) phase_d = PhaseClear;
        else if (in_valid_i) phase_d = PhaseInput;
      end
      PhaseInput: if (count_q == CountWidth'(NumInputs)) begin phase_d = PhaseRecurrent; count_d = '0; end
      PhaseRecurrent: if (count_q == CountWidth'(NumUnits)) begin phase_d = PhaseUpdate; count_d = '0; end
      PhaseUpdate: if (count_q == CountWidth'(Lanes)) begin
        count_d = '0;
        if (group_q == GroupWidth'(Groups - 1)) begin
          phase_d = PhaseReadout;
          group_d = '0;
        end else begin
          phase_d = PhaseInput;
          group_d = group_q + 1'b1;
        end
      end
      PhaseReadout: if (count_q == CountWidth'(NumUnits)) begin phase_d = PhaseEmit; count_d = '0; end
      PhaseEmit: begin
        count_d = '0;
        if (group_q == GroupWidth'(OutGroups - 1)) begin
          phase_d = PhaseDone;
          bank_d  = ~bank_q;
        end else begin
          phase_d = PhaseReadout;
          group_d = group_q + 1'b1;
        end
      end
      PhaseDone: begin
        count_d = '0;
        if (out_ready_i) phase_d = PhaseIdle;
      end
      default: phase_d = PhaseIdle;
    endcase
  end

  logic computing;
  assign computing = (phase_q == PhaseInput) || (phase_q == PhaseRecurrent) || (phase_q == PhaseUpdate) ||
                     (phase_q == PhaseReadout) || (phase_q == PhaseEmit);  // Yosys 0.23 has no `inside`

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q        <= PhaseClear;  // the state memory holds garbage until cleared
      count_q        <= '0;
      group_q        <= '0;
      bank_q         <= 1'b0;
      cycle_q        <= '0;
      step_cycles_q  <= '0;
      overflow_q     <= '0;
      update_valid_q <= 1'b0;
      update_unit_q  <= '0;
      update_acc_q   <= '0;
    end else begin
      phase_q        <= phase_d;
      count_q        <= count_d;
      group_q        <= group_d;
      bank_q         <= bank_d;
      cycle_q        <= cycle_q + 1'b1;
      update_valid_q <= (phase_q == PhaseUpdate) && issue && (update_unit < NumUnits);
      update_unit_q  <= UnitIdxWidth'(update_unit);
      update_acc_q   <= update_acc;
      if (in_fire) begin
        step_cycles_q <= '0;
        overflow_q    <= '0;
      end else if (computing) begin
        step_cycles_q <= step_cycles_q + 1'b1;
      end
      if (phase_q == PhaseUpdate && consume && update_valid_q && h_overflow) overflow_q <= overflow_q + 1'b1;
      if (phase_q == PhaseEmit) begin
        overflow_q <= overflow_q + 32'($countones(y_overflow & lane_mask(group)));
      end
    end
  end

  // Lanes of output group g that hold a real output (m < NumOutputs).
  function automatic logic [Lanes-1:0] lane_mask(logic [31:0] g);
    for (int unsigned l = 0; l < Lanes; l++) lane_mask[l] = (g * Lanes + l) < NumOutputs;
  endfunction

  always_ff @(posedge clk_i) begin
    if (in_fire) x_q <= in_data_i;
    if (phase_q == PhaseClear) begin
      y_q <= '0;
    end else if (phase_q == PhaseEmit) begin
      for (int unsigned l = 0; l < Lanes; l++) begin
        if (group * Lanes + l < NumOutputs) y_q[(group*Lanes+l)*OutputWidth +: OutputWidth] <= y_lane[l];
      end
    end
  end
  assign out_data_o = y_q;

  // Debug read-back: registered select, data from the state memory or y.
  logic [1:0]                     dbg_sel_q;
  logic signed [OutputWidth-1:0]  dbg_y_q;
  always_ff @(posedge clk_i) begin
    dbg_sel_q <= dbg_sel_i;
    dbg_y_q   <= (32'(dbg_addr_i) < NumOutputs) ? $signed(y_q[32'(dbg_addr_i)*OutputWidth +: OutputWidth]) : '0;
  end
  assign dbg_data_o = (dbg_sel_q == 2'd0) ? DebugWidth'(state_read_data) : DebugWidth'(dbg_y_q);

  assign cycle_count_o    = cycle_q;
  assign step_cycles_o    = step_cycles_q;
  assign overflow_count_o = overflow_q;

`ifndef SYNTHESIS
  initial begin
    if (Lanes < 1) $fatal(1, "nf_rate_core: Lanes must be >= 1");
    if (NumUnits < 1 || NumInputs < 1 || NumOutputs < 1) $fatal(1, "nf_rate_core: sizes must be >= 1");
    if (LeakMultiplier < 1 || LeakMultiplier > (1 << LeakBits)) $fatal(1, "nf_rate_core: LeakMultiplier out of range");
    if (AccWidth > 64) $fatal(1, "nf_rate_core: AccWidth > 64");
  end
  // Stream rule: valid never waits for ready, and data holds while stalled.
  always @(posedge clk_i) begin
    if (rst_ni && $past(rst_ni) && $past(out_valid_o) && !$past(out_ready_i)) begin
      assert (out_valid_o && out_data_o == $past(out_data_o)) else $error("output stream changed while stalled");
    end
  end
`endif
endmodule
