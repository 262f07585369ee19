// nf_rate_core: one timestep of the quantized rate RNN per input vector,
// bit-exact with the integer golden model (quantize/integer_rate_rnn.hpp,
// docs/fixed-point.md) and cycle-exact with its cycle model
// (golden/cycle_model.hpp, docs/rtl.md).
//
//   a_i = Σ_k W_in[i,k] x_k 2^ShiftIn + Σ_j W_rec[i,j] h_j 2^ShiftRec + b_i 2^ShiftBias
//   h_i ← fit_h(shift_round((2^D − α_q) h_i + α_q φ(a_i), D))
//   y_m = fit_y(shift_round(Σ_j W_out[m,j] h_j 2^ShiftOut + b_out_m 2^ShiftOutBias, OutputShift))
//
// Schedule (a pipeline, so a step costs the MAC bound plus a short tail):
// units in G groups of Lanes, one MAC lane per unit of the group. The MAC
// stream walks, group after group without a gap, NumInputs input items then
// NumUnits recurrent items (one x_k or old h_j per cycle; the bias is loaded
// with a group's first item). When a group's sums are complete they move to
// a holding bank, and the update unit turns them into the new h one lane per
// cycle (φ by table or relu, leak, fit) while the lanes already accumulate
// the next group. Each new h_i is at once multiplied into the readout: one
// accumulator per output, W_out[:, i] read as one word. The old h_i the leak
// needs is caught from the MAC stream as the group reads it. After the last
// group: the update of its Lanes units and Emit (fit every y at once).
//   cycles = G · (NumInputs + NumUnits) + Lanes + 4     (golden/cycle_model.hpp)
// The old h is read from one bank of the state memory while the new one is
// written to the other; the banks swap at the end of the step.
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
  // The debug port addresses units and outputs.
  localparam int unsigned DebugAddrWidth = (NumOutputs > (1 << UnitIdxWidth)) ? $clog2(NumOutputs) : UnitIdxWidth,
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
  input  logic [DebugAddrWidth-1:0]           dbg_addr_i,
  output logic signed [DebugWidth-1:0]        dbg_data_o
);
  // ---------------------------------------------------------------------------
  // Derived sizes
  // ---------------------------------------------------------------------------
  localparam int unsigned Groups     = (NumUnits + Lanes - 1) / Lanes;
  localparam int unsigned Items      = NumInputs + NumUnits;  // MAC items per group
  localparam int unsigned WInDepth   = (Groups * NumInputs > 1) ? Groups * NumInputs : 2;
  localparam int unsigned WRecDepth  = (Groups * NumUnits > 1) ? Groups * NumUnits : 2;
  localparam int unsigned BiasDepth  = (Groups > 1) ? Groups : 2;
  localparam int unsigned WOutDepth  = (NumUnits > 1) ? NumUnits : 2;
  localparam int unsigned ItemWidth  = $clog2(Items + 1) + 1;
  localparam int unsigned GroupWidth = $clog2(Groups + 1) + 1;
  localparam int unsigned LaneWidth  = $clog2(Lanes + 1) + 1;
  localparam int unsigned DrainCycles = Lanes + 3;  // last consume, hand-over, update of the last group
  localparam int unsigned TableDepth = 1 << TableBits;
  localparam int unsigned IndexBase  = AccWidth + ((TableShift < 0) ? -TableShift : 0);
  localparam int unsigned IndexWidth = ((IndexBase > TableBits) ? IndexBase : TableBits) + 2;  // holds 2^L − 1
  localparam int unsigned OperandWidth = (StateWidth > InputWidth) ? StateWidth : InputWidth;  // x_k or h_j
  localparam int unsigned MixWidth   = StateWidth + LeakBits + 3;
  localparam int unsigned YWideWidth = AccWidth + ((OutputShift < 0) ? -OutputShift : 0) + 2;
  localparam int unsigned ReluWidth  = AccWidth + ((ReluShift < 0) ? -ReluShift : 0) + 2;

  typedef enum logic [2:0] {PhaseClear, PhaseIdle, PhaseRun, PhaseDrain, PhaseEmit, PhaseDone} phase_e;

  phase_e                  phase_q, phase_d;
  logic [ItemWidth-1:0]    item_q, item_d;    // Run: the item issued this cycle; Clear/Drain: a cycle counter
  logic [GroupWidth-1:0]   group_q, group_d;  // Run: the group of that item
  logic                    bank_q, bank_d;    // the state memory bank holding the current h
  logic [63:0]             cycle_q, cycle_d;
  logic [31:0]             step_cycles_q, step_cycles_d, overflow_q, overflow_d;
  logic [NumInputs*InputWidth-1:0]   x_q, x_d;  // the step's input vector, x_k at [k·InputWidth +: InputWidth]
  logic [NumOutputs*OutputWidth-1:0] y_q;       // y_m at [m·OutputWidth +: OutputWidth]

  // ---------------------------------------------------------------------------
  // Memories
  // ---------------------------------------------------------------------------
  logic [$clog2(WInDepth)-1:0]    w_in_addr;
  logic [$clog2(WRecDepth)-1:0]   w_rec_addr;
  logic [$clog2(BiasDepth)-1:0]   bias_addr;
  logic [$clog2(WOutDepth)-1:0]   w_out_addr;
  logic [Lanes*WInWidth-1:0]      w_in_word;
  logic [Lanes*WRecWidth-1:0]     w_rec_word;
  logic [Lanes*BiasWidth-1:0]     bias_word;
  logic [NumOutputs*WOutWidth-1:0] w_out_word;  // W_out[m, i] of every output m for one unit i
  logic [NumOutputs*BOutWidth-1:0] b_out_word;

  nf_rom #(.Depth(WInDepth),  .Width(Lanes * WInWidth),       .InitFile(WInFile))
    u_w_in  (.clk_i, .en_i(1'b1), .addr_i(w_in_addr),  .data_o(w_in_word));
  nf_rom #(.Depth(WRecDepth), .Width(Lanes * WRecWidth),      .InitFile(WRecFile))
    u_w_rec (.clk_i, .en_i(1'b1), .addr_i(w_rec_addr), .data_o(w_rec_word));
  nf_rom #(.Depth(BiasDepth), .Width(Lanes * BiasWidth),      .InitFile(BiasFile))
    u_bias  (.clk_i, .en_i(1'b1), .addr_i(bias_addr),  .data_o(bias_word));
  nf_rom #(.Depth(WOutDepth), .Width(NumOutputs * WOutWidth), .InitFile(WOutFile))
    u_w_out (.clk_i, .en_i(1'b1), .addr_i(w_out_addr), .data_o(w_out_word));
  nf_rom #(.Depth(2),         .Width(NumOutputs * BOutWidth), .InitFile(BOutFile))
    u_b_out (.clk_i, .en_i(1'b1), .addr_i(1'b0),       .data_o(b_out_word));

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
  // MAC stream: item (group, k) is issued in one cycle and consumed in the next.
  // Index arithmetic is done in 32 bits and cut to the address widths.
  // ---------------------------------------------------------------------------
  logic [31:0]  item, group;
  logic         issue, issue_input;
  assign item        = 32'(item_q);
  assign group       = 32'(group_q);
  assign issue       = (phase_q == PhaseRun);
  assign issue_input = item < NumInputs;

  assign w_in_addr  = $clog2(WInDepth)'(group * NumInputs + item);
  assign w_rec_addr = $clog2(WRecDepth)'(group * NumUnits + (item - NumInputs));
  assign bias_addr  = $clog2(BiasDepth)'(group);

  logic         consume_q, consume_input_q, consume_first_q, consume_last_q;
  logic         consume_d, consume_input_d, consume_first_d, consume_last_d;
  logic [31:0]  consume_index_q, consume_group_q;  // k or j; the group
  logic [31:0]  consume_index_d, consume_group_d;
  logic         group_done_q, group_done_d;         // a group's sums are complete in the lanes
  logic [31:0]  done_group_q, done_group_d;         // that group

  // ---------------------------------------------------------------------------
  // MAC lanes
  // ---------------------------------------------------------------------------
  logic [Lanes*AccWidth-1:0]  acc;  // lane l's accumulator at [l·AccWidth +: AccWidth]
  logic signed [OperandWidth-1:0] lane_operand;  // x_k or h_j, sign-extended
  assign lane_operand = consume_input_q
      ? OperandWidth'($signed(x_q[consume_index_q*InputWidth +: InputWidth]))
      : OperandWidth'(state_read_data);

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    localparam int unsigned WeightWidth = (WInWidth > WRecWidth) ? WInWidth : WRecWidth;
    logic signed [WeightWidth-1:0] weight;
    logic signed [AccWidth-1:0]    init;
    assign weight = consume_input_q ? WeightWidth'($signed(w_in_word[l*WInWidth +: WInWidth]))
                                    : WeightWidth'($signed(w_rec_word[l*WRecWidth +: WRecWidth]));
    assign init   = AccWidth'($signed(bias_word[l*BiasWidth +: BiasWidth])) <<< ShiftBias;
    nf_mac_lane #(
      .WeightWidth (WeightWidth),
      .OperandWidth(OperandWidth),
      .AccWidth    (AccWidth),
      .Shift0      (ShiftIn),
      .Shift1      (ShiftRec),
      .Shift2      (0)
    ) u_mac (
      .clk_i,
      .en_i       (consume_q),
      .load_i     (consume_first_q),
      .shift_sel_i(consume_input_q ? 2'd0 : 2'd1),
      .weight_i   (weight),
      .operand_i  (lane_operand),
      .init_i     (init),
      .acc_o      (acc[l*AccWidth +: AccWidth])
    );
  end

  // The old h of the group's own units, caught as the stream reads them (the leak needs it).
  logic [Lanes*StateWidth-1:0] h_caught_q, h_caught_d;
  logic [31:0]                 caught_lane;
  assign caught_lane = consume_index_q - consume_group_q * Lanes;

  // ---------------------------------------------------------------------------
  // Update unit. A: the held sum of lane l addresses the table (and W_out);
  // B: φ, leak and fit give h_new, written back and multiplied into the readout.
  // ---------------------------------------------------------------------------
  logic [Lanes*AccWidth-1:0]   held_acc_q, held_acc_d;
  logic [Lanes*StateWidth-1:0] held_h_q, held_h_d;
  logic [31:0]                 held_group_q, held_group_d;
  logic                        update_active_q, update_active_d;  // stage A runs
  logic [LaneWidth-1:0]        update_lane_q, update_lane_d;
  logic [31:0]                 update_lane, update_unit;
  logic                        update_valid;
  assign update_lane  = 32'(update_lane_q);
  assign update_unit  = held_group_q * Lanes + update_lane;
  assign update_valid = update_active_q && (update_unit < NumUnits);
  assign w_out_addr   = $clog2(WOutDepth)'(update_unit);

  logic signed [AccWidth-1:0]   update_acc;
  logic signed [StateWidth-1:0] b_h_old_q, b_h_old_d;
  logic                         b_valid_q, b_valid_d;
  logic [UnitIdxWidth-1:0]      b_unit_q, b_unit_d;
  assign update_acc = $signed(held_acc_q[update_lane*AccWidth +: AccWidth]);

  logic signed [StateWidth-1:0] phi_value;
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
    nf_rom #(.Depth(TableDepth), .Width(StateWidth), .InitFile(TableFile))
      u_table (.clk_i, .en_i(1'b1), .addr_i(table_addr), .data_o(table_word));
    assign phi_value = $signed(table_word);
  end else begin : g_relu
    // p = max(0, fit_h(shift_round(a, F_a − F_h))), not counted as overflow (as the golden model).
    logic signed [AccWidth-1:0]   acc_q, acc_d;  // stage B's sum (the table path registers its address instead)
    logic signed [ReluWidth-1:0]  scaled;
    logic signed [StateWidth-1:0] fitted;
    logic                         unused_overflow;
    always_comb acc_d = update_acc;
    always_ff @(posedge clk_i) acc_q <= acc_d;
    nf_shift_round #(.InWidth(AccWidth), .OutWidth(ReluWidth), .Shift(ReluShift), .Rounding(Rounding))
      u_scale (.value_i(acc_q), .value_o(scaled));
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
  assign mixed = MixWidth'(b_h_old_q) * $signed({1'b0, Keep})
               + MixWidth'(phi_value) * $signed({1'b0, Alpha});
  nf_shift_round #(.InWidth(MixWidth), .OutWidth(StateWidth + 2), .Shift(LeakBits), .Rounding(Rounding))
    u_leak (.value_i(mixed), .value_o(leaked));
  nf_fit #(.InWidth(StateWidth + 2), .OutWidth(StateWidth), .Overflow(Overflow))
    u_fit_h (.value_i(leaked), .value_o(h_new), .overflow_o(h_overflow));

  assign state_write      = (phase_q == PhaseClear) || b_valid_q;
  assign state_write_addr = (phase_q == PhaseClear) ? {bank_q, UnitIdxWidth'(item_q)} : {~bank_q, b_unit_q};
  assign state_write_data = (phase_q == PhaseClear) ? '0 : h_new;
  assign state_read_addr  = (phase_q == PhaseRun) ? {bank_q, UnitIdxWidth'(item - NumInputs)}
                                                  : {bank_q, UnitIdxWidth'(dbg_addr_i)};

  // ---------------------------------------------------------------------------
  // Readout: one accumulator per output, loaded with b_out when the step starts
  // and fed every new h_i; Emit fits them all at once.
  // ---------------------------------------------------------------------------
  logic in_fire;
  logic signed [OutputWidth-1:0] y_new [NumOutputs];
  logic [NumOutputs-1:0]         y_overflow;
  for (genvar m = 0; m < NumOutputs; m++) begin : g_readout
    logic signed [AccWidth-1:0]   racc;
    logic signed [YWideWidth-1:0] scaled;
    // Named signed wires, not $signed() on the part-select: Yosys 0.23 asserts
    // on a $signed() part-select that spans the whole vector (NumOutputs = 1).
    logic signed [WOutWidth-1:0]  weight;
    logic signed [BOutWidth-1:0]  bias;
    assign weight = w_out_word[m*WOutWidth +: WOutWidth];
    assign bias   = b_out_word[m*BOutWidth +: BOutWidth];
    nf_mac_lane #(
      .WeightWidth (WOutWidth),
      .OperandWidth(StateWidth),
      .AccWidth    (AccWidth),
      .Shift0      (ShiftOut),
      .Shift1      (0),
      .Shift2      (0)
    ) u_mac (
      .clk_i,
      .en_i       (in_fire || b_valid_q),
      .load_i     (in_fire),
      .shift_sel_i(2'd0),
      .weight_i   (weight),
      .operand_i  (in_fire ? '0 : h_new),
      .init_i     (AccWidth'(bias) <<< ShiftOutBias),
      .acc_o      (racc)
    );
    nf_shift_round #(.InWidth(AccWidth), .OutWidth(YWideWidth), .Shift(OutputShift), .Rounding(Rounding))
      u_scale (.value_i(racc), .value_o(scaled));
    nf_fit #(.InWidth(YWideWidth), .OutWidth(OutputWidth), .Overflow(Overflow))
      u_fit (.value_i(scaled), .value_o(y_new[m]), .overflow_o(y_overflow[m]));
  end

  // ---------------------------------------------------------------------------
  // Sequencer
  // ---------------------------------------------------------------------------
  assign in_ready_o  = (phase_q == PhaseIdle) && !clear_i;
  assign in_fire     = in_valid_i && in_ready_o;
  assign out_valid_o = (phase_q == PhaseDone);
  assign idle_o      = (phase_q == PhaseIdle);

  logic last_item, last_group;
  assign last_item  = item_q == ItemWidth'(Items - 1);
  assign last_group = group_q == GroupWidth'(Groups - 1);
  always_comb begin
    phase_d = phase_q;
    unique case (phase_q)
      PhaseClear: if (item_q == ItemWidth'(NumUnits - 1)) phase_d = PhaseIdle;
      PhaseIdle: begin
        if (clear_i) phase_d = PhaseClear;
        else if (in_valid_i) phase_d = PhaseRun;
      end
      PhaseRun:   if (last_item && last_group) phase_d = PhaseDrain;
      PhaseDrain: if (item_q == ItemWidth'(DrainCycles - 1)) phase_d = PhaseEmit;
      PhaseEmit:  phase_d = PhaseDone;
      PhaseDone:  if (out_ready_i) phase_d = PhaseIdle;
      default:    phase_d = PhaseIdle;
    endcase
  end

  logic computing;
  assign computing = (phase_q == PhaseRun) || (phase_q == PhaseDrain) || (phase_q == PhaseEmit);

  always_comb begin
    cycle_d = cycle_q + 1'b1;
    // item/group: the stream position in Run, a cycle counter in Clear and Drain.
    item_d  = item_q;
    group_d = group_q;
    if (phase_d != phase_q) begin
      item_d  = '0;
      group_d = '0;
    end else if (phase_q == PhaseRun && last_item) begin
      item_d  = '0;
      group_d = group_q + 1'b1;
    end else begin
      item_d  = item_q + 1'b1;
    end
    bank_d = bank_q;
    if (phase_q == PhaseEmit) bank_d = ~bank_q;

    consume_d       = issue;
    consume_input_d = issue_input;
    consume_first_d = issue && item == 0;
    consume_last_d  = issue && last_item;
    consume_index_d = issue_input ? item : item - NumInputs;
    consume_group_d = group;
    group_done_d    = consume_q && consume_last_q;
    done_group_d    = consume_group_q;

    update_active_d = update_active_q;
    update_lane_d   = update_lane_q;
    held_group_d    = held_group_q;
    if (group_done_q) begin
      update_active_d = 1'b1;
      update_lane_d   = '0;
      held_group_d    = done_group_q;
    end else if (update_active_q) begin
      update_active_d = update_lane_q != LaneWidth'(Lanes - 1);
      update_lane_d   = update_lane_q + 1'b1;
    end
    b_valid_d = update_valid;
    b_unit_d  = UnitIdxWidth'(update_unit);

    step_cycles_d = step_cycles_q;
    overflow_d    = overflow_q;
    if (in_fire) begin
      step_cycles_d = '0;
      overflow_d    = '0;
    end else if (computing) begin
      step_cycles_d = step_cycles_q + 1'b1;
    end
    if (b_valid_q && h_overflow) overflow_d = overflow_q + 1'b1;
    if (phase_q == PhaseEmit) overflow_d = overflow_q + 32'($countones(y_overflow));
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q         <= PhaseClear;  // the state memory holds garbage until cleared
      item_q          <= '0;
      group_q         <= '0;
      bank_q          <= 1'b0;
      cycle_q         <= '0;
      step_cycles_q   <= '0;
      overflow_q      <= '0;
      consume_q       <= 1'b0;
      consume_input_q <= 1'b0;
      consume_first_q <= 1'b0;
      consume_last_q  <= 1'b0;
      consume_index_q <= '0;
      consume_group_q <= '0;
      group_done_q    <= 1'b0;
      done_group_q    <= '0;
      update_active_q <= 1'b0;
      update_lane_q   <= '0;
      held_group_q    <= '0;
      b_valid_q       <= 1'b0;
      b_unit_q        <= '0;
    end else begin
      phase_q         <= phase_d;
      item_q          <= item_d;
      group_q         <= group_d;
      bank_q          <= bank_d;
      cycle_q         <= cycle_d;
      step_cycles_q   <= step_cycles_d;
      overflow_q      <= overflow_d;
      consume_q       <= consume_d;
      consume_input_q <= consume_input_d;
      consume_first_q <= consume_first_d;
      consume_last_q  <= consume_last_d;
      consume_index_q <= consume_index_d;
      consume_group_q <= consume_group_d;
      group_done_q    <= group_done_d;
      done_group_q    <= done_group_d;
      update_active_q <= update_active_d;
      update_lane_q   <= update_lane_d;
      held_group_q    <= held_group_d;
      b_valid_q       <= b_valid_d;
      b_unit_q        <= b_unit_d;
    end
  end

  // Datapath registers without a reset (each is written before it is read).
  always_comb begin
    x_d = x_q;
    if (in_fire) x_d = in_data_i;
    // The stream reads every old h_j; the group's own units are kept for the leak.
    h_caught_d = h_caught_q;
    if (consume_q && !consume_input_q && caught_lane < Lanes) begin
      h_caught_d[caught_lane*StateWidth +: StateWidth] = state_read_data;
    end
    held_acc_d = held_acc_q;
    held_h_d   = held_h_q;
    if (group_done_q) begin
      held_acc_d = acc;
      held_h_d   = h_caught_q;
    end
    b_h_old_d = $signed(held_h_q[update_lane*StateWidth +: StateWidth]);
  end

  always_ff @(posedge clk_i) begin
    x_q        <= x_d;
    h_caught_q <= h_caught_d;
    held_acc_q <= held_acc_d;
    held_h_q   <= held_h_d;
    b_h_old_q  <= b_h_old_d;
  end

  // y_d is the step's outputs, packed; the flop keeps its clear and load
  // enables (as nf_mac_lane's): with the hold in always_comb, Yosys 0.23's
  // abc9 fails to map the iCEstick build ("Mapping of GIA has failed").
  logic [NumOutputs*OutputWidth-1:0] y_d;
  always_comb begin
    for (int unsigned m = 0; m < NumOutputs; m++) y_d[m*OutputWidth +: OutputWidth] = y_new[m];
  end
  always_ff @(posedge clk_i) begin
    if (phase_q == PhaseClear) begin
      y_q <= '0;
    end else if (phase_q == PhaseEmit) begin
      y_q <= y_d;
    end
  end
  assign out_data_o = y_q;

  // Debug read-back: registered select, data from the state memory or y.
  logic [1:0]                     dbg_sel_q, dbg_sel_d;
  logic signed [OutputWidth-1:0]  dbg_y_q, dbg_y_d;
  always_comb begin
    dbg_sel_d = dbg_sel_i;
    dbg_y_d   = (32'(dbg_addr_i) < NumOutputs) ? $signed(y_q[32'(dbg_addr_i)*OutputWidth +: OutputWidth]) : '0;
  end
  always_ff @(posedge clk_i) begin
    dbg_sel_q <= dbg_sel_d;
    dbg_y_q   <= dbg_y_d;
  end
  assign dbg_data_o = (dbg_sel_q == 2'd0) ? DebugWidth'(state_read_data) : DebugWidth'(dbg_y_q);

  assign cycle_count_o    = cycle_q;
  assign step_cycles_o    = step_cycles_q;
  assign overflow_count_o = overflow_q;

`ifndef SYNTHESIS
  initial begin
    if (Lanes < 1) $fatal(1, "nf_rate_core: Lanes must be >= 1");
    if (Lanes > NumUnits) $fatal(1, "nf_rate_core: Lanes must be <= NumUnits (the update of a group must end before the next one's sums)");
    if (NumUnits < 1 || NumInputs < 1 || NumOutputs < 1) $fatal(1, "nf_rate_core: sizes must be >= 1");
    if (LeakMultiplier < 1 || LeakMultiplier > (1 << LeakBits)) $fatal(1, "nf_rate_core: LeakMultiplier out of range");
    if (AccWidth > 64) $fatal(1, "nf_rate_core: AccWidth > 64");
  end
  // Stream rule: valid never waits for ready, and data holds while stalled.
  nf_stream_assert #(.Width(NumOutputs * OutputWidth), .Name("output stream")) u_out_assert (
    .clk_i,
    .rst_ni,
    .valid_i(out_valid_o),
    .ready_i(out_ready_i),
    .data_i (out_data_o)
  );

  // ---------------------------------------------------------------------------
  // Activity counters (simulation only; docs/rtl.md, "Activity counters").
  // Events of the datapath, counted from its own enables and valids, never
  // from the golden model's formulas; the harnesses compare them every step
  // with golden/step_operations.hpp. Cumulative since reset: a step's counts
  // are the difference of two reads between steps. Clearing counts nothing.
  // Read by the harnesses through the Verilated model (public_flat_rd): no
  // port, and no logic at all in synthesis (Yosys defines SYNTHESIS), so the
  // cell counts do not change. A weight element read is counted where the lane
  // that uses it is enabled (the MAC event); the ROMs themselves are read
  // every cycle (en_i = 1), see docs/rtl.md.
  //   0 mac_input      lanes of existing units enabled on an input item
  //   1 mac_recurrent  lanes of existing units enabled on a recurrent item
  //   2 mac_readout    readout accumulators enabled by a new h_i (not the b_out load)
  //   3 leak           new h_i computed (stage B valid)
  //   4 table_lookup   table ROM addresses issued for a unit (stage A valid; tanh only)
  //   5 activation     φ values used (stage B valid)
  //   6 b_rec reads    bias elements loaded into lanes of existing units
  //   7 b_out reads    b_out elements loaded into the readout accumulators
  //   8 state reads    old h_j taken from the state memory by the MAC stream
  //   9 state writes   new h_i written (not the clear)
  localparam int unsigned ActivityCounters = 10;
  logic [63:0] activity_q [ActivityCounters] /* verilator public_flat_rd */;

  // Lanes of unit group g that hold a real unit (g·Lanes + l < NumUnits).
  function automatic logic [63:0] unit_lanes(logic [31:0] g);
    unit_lanes = '0;
    for (int unsigned l = 0; l < Lanes; l++) begin
      if (g * Lanes + l < NumUnits) unit_lanes = unit_lanes + 64'd1;
    end
  endfunction

  logic [63:0] consume_lanes;
  assign consume_lanes = consume_q ? unit_lanes(consume_group_q) : '0;
  logic [63:0] activity_d [ActivityCounters];
  always_comb begin
    for (int unsigned k = 0; k < ActivityCounters; k++) activity_d[k] = activity_q[k];
    if (consume_input_q) activity_d[0] = activity_q[0] + consume_lanes;
    if (!consume_input_q) activity_d[1] = activity_q[1] + consume_lanes;
    if (b_valid_q) activity_d[2] = activity_q[2] + 64'(NumOutputs);
    if (b_valid_q) activity_d[3] = activity_q[3] + 64'd1;
    if (update_valid && Activation == 1) activity_d[4] = activity_q[4] + 64'd1;
    if (b_valid_q) activity_d[5] = activity_q[5] + 64'd1;
    if (consume_first_q) activity_d[6] = activity_q[6] + consume_lanes;
    if (in_fire) activity_d[7] = activity_q[7] + 64'(NumOutputs);
    if (consume_q && !consume_input_q) activity_d[8] = activity_q[8] + 64'd1;
    if (state_write && phase_q != PhaseClear) activity_d[9] = activity_q[9] + 64'd1;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned k = 0; k < ActivityCounters; k++) activity_q[k] <= '0;
    end else begin
      for (int unsigned k = 0; k < ActivityCounters; k++) activity_q[k] <= activity_d[k];
    end
  end
`endif
endmodule
