// nf_lif_core: one timestep of the quantized recurrent LIF network per input
// vector, bit-exact with the integer golden model (quantize/integer_lif_rnn.hpp,
// docs/fixed-point.md) and cycle-exact with its cycle model
// (golden/cycle_model.hpp, docs/rtl.md).
//
//   S_i = Σ_k W_in[i,k] X_k 2^ShiftIn + Σ_{j: s_j(t-1)=1} W_rec[i,j] 2^ShiftRec + b_i 2^ShiftBias
//   I_i ← fit_I(D_αs(I_i) + shift_round(S_i, CurrentShift))
//   refractory (c_i > 0): v_i kept, s_i = 0, c_i ← c_i − 1
//   else: u_i = fit_v(D_β(v_i) + shift_round(I_i, MembraneShift)), s_i = [u_i ≥ θ],
//         c_i ← s_i ? R : 0, v_i ← s_i ? (subtract: fit_v(u_i − θ); zero: 0) : u_i
//   y_m ← fit_y(D_κ(y_m) + shift_round(Σ_{j: s_j(t)=1} W_out[m,j] 2^ShiftOut + b_out_m 2^ShiftOutBias, OutputShift))
// with D the decay of nf_decay (shift or multiplier form, per-unit β and α_s).
//
// Event-driven: the units that spike are appended to a spike list. The
// recurrent phase of the next step and this step's readout walk that list and
// read only the weight columns of those units, so a step costs cycles in
// proportion to the activity, not to N².
//
// Schedule: units in groups of Lanes (one MAC lane per unit of the group).
// Per group: Input (NumInputs + 1: one input per cycle, the bias loaded with
// the first), Recurrent (S_{t-1} + 2: spike list, then weight column), Update
// (Lanes + 1: one lane per cycle through one neuron datapath of two stages,
// the decays, registered, then the rest; lane 0's state is read during
// Recurrent, each next lane's while the one before is decayed). Then per group
// of Lanes outputs: Readout (S_t + 2, the bias loaded at its second cycle;
// D_κ(y) of the group registered meanwhile) and Emit (1). So every decay
// multiplier (a DSP on the iCE40) ends in a register and no cycle is added:
// golden/cycle_model.hpp is the same for both decay forms. The spike list is
// double-banked: last step's list is read while this step's is written; the
// banks swap at the end of the step.
module nf_lif_core #(
  parameter int unsigned NumUnits        = 8,
  parameter int unsigned NumInputs       = 2,   // encoded inputs (2·n_in for spike encodings)
  parameter int unsigned NumOutputs      = 1,
  parameter int unsigned Lanes           = 1,
  parameter int unsigned InputWidth      = 2,   // spike inputs: the codes 0/1 of Q2.0
  parameter int unsigned WInWidth        = 8,
  parameter int unsigned WRecWidth       = 8,
  parameter int unsigned BiasWidth       = 8,
  parameter int unsigned CurrentWidth    = 16,
  parameter int unsigned MembraneWidth   = 16,
  parameter int unsigned WOutWidth       = 8,
  parameter int unsigned BOutWidth       = 8,
  parameter int unsigned OutputWidth     = 16,
  parameter int unsigned AccWidth        = 32,  // ≥ the bounds of S and of the readout sum
  parameter int unsigned ShiftIn         = 0,
  parameter int unsigned ShiftRec        = 0,
  parameter int unsigned ShiftBias       = 0,
  parameter int unsigned ShiftOut        = 0,
  parameter int unsigned ShiftOutBias    = 0,
  parameter int          CurrentShift    = 0,   // F_s − F_I
  parameter int          MembraneShift   = 0,   // F_I − F_v
  parameter int          OutputShift     = 0,   // F_o − F_y
  parameter int unsigned Rounding        = 1,   // 0 floor, 1 half up, 2 convergent
  parameter int unsigned Overflow        = 0,   // 0 saturate, 1 wrap
  parameter int unsigned DecayForm       = 1,   // 0 shift (k), 1 multiplier (d_q / 2^B)
  parameter int unsigned DecayParamWidth = 13,
  parameter int unsigned MultiplierBits  = 12,  // B
  parameter int unsigned Kappa           = 0,   // the readout's decay parameter
  parameter int          Threshold       = 1,   // θ in Q_v
  parameter int unsigned ResetSubtract   = 1,   // 1 subtract θ, 0 reset to zero
  parameter int unsigned RefractorySteps = 0,   // R
  // Memory images ($readmemh); "" leaves a memory uninitialised (see nf_rom).
  parameter              WInFile         = "",
  parameter              WRecFile        = "",
  parameter              BiasFile        = "",
  parameter              WOutFile        = "",
  parameter              BOutFile        = "",
  parameter              BetaFile        = "",
  parameter              AlphaFile       = "",
  localparam int unsigned UnitIdxWidth   = (NumUnits > 1) ? $clog2(NumUnits) : 1,  // derived
  // The debug port addresses units and outputs.
  localparam int unsigned DebugAddrWidth = (NumOutputs > (1 << UnitIdxWidth)) ? $clog2(NumOutputs) : UnitIdxWidth,
  localparam int unsigned DebugWidth     = 32                                     // derived
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  input  logic                                clear_i,   // zero the state (taken when idle)
  // One input vector per timestep: X_k in bits [k·InputWidth +: InputWidth].
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
  // State read-back while idle, one cycle of latency:
  // sel 0 = I[addr], 1 = y[addr], 2 = v[addr], 3 = s[addr], 4 = c[addr].
  input  logic [2:0]                          dbg_sel_i,
  input  logic [DebugAddrWidth-1:0]           dbg_addr_i,
  output logic signed [DebugWidth-1:0]        dbg_data_o
);
  // ---------------------------------------------------------------------------
  // Derived sizes
  // ---------------------------------------------------------------------------
  localparam int unsigned Groups       = (NumUnits + Lanes - 1) / Lanes;
  localparam int unsigned OutGroups    = (NumOutputs + Lanes - 1) / Lanes;
  localparam int unsigned WInDepth     = (Groups * NumInputs > 1) ? Groups * NumInputs : 2;
  localparam int unsigned WRecDepth    = (Groups * NumUnits > 1) ? Groups * NumUnits : 2;
  localparam int unsigned BiasDepth    = (Groups > 1) ? Groups : 2;
  localparam int unsigned WOutDepth    = (OutGroups * NumUnits > 1) ? OutGroups * NumUnits : 2;
  localparam int unsigned BOutDepth    = (OutGroups > 1) ? OutGroups : 2;
  localparam int unsigned DecayDepth   = (NumUnits > 1) ? NumUnits : 2;
  localparam int unsigned CountWidth   = $clog2(NumUnits + NumInputs + Lanes + 3) + 1;
  localparam int unsigned GroupWidth   = $clog2(Groups + OutGroups + 1) + 1;
  localparam int unsigned RefWidth     = (RefractorySteps > 0) ? $clog2(RefractorySteps + 1) : 1;
  localparam int unsigned SpikesWidth  = UnitIdxWidth + 1;  // 0..NumUnits
  localparam int unsigned StateWidth   = 1 + RefWidth + MembraneWidth + CurrentWidth;  // {s, c, v, I}
  localparam int unsigned OperandWidth = InputWidth + 1;
  localparam int unsigned SynWidth     = AccWidth + ((CurrentShift < 0) ? -CurrentShift : 0) + 2;
  localparam int unsigned DriveWidth   = CurrentWidth + ((MembraneShift < 0) ? -MembraneShift : 0) + 2;
  localparam int unsigned YWideWidth   = AccWidth + ((OutputShift < 0) ? -OutputShift : 0) + 2;
  // Sums of a decayed value (Width + 1 bits) and a scaled term, one bit of headroom.
  localparam int unsigned CurrentSumWidth  = ((SynWidth > CurrentWidth + 1) ? SynWidth : CurrentWidth + 1) + 1;
  localparam int unsigned MembraneSumWidth = ((DriveWidth > MembraneWidth + 1) ? DriveWidth : MembraneWidth + 1) + 1;
  localparam int unsigned OutputSumWidth   = ((YWideWidth > OutputWidth + 1) ? YWideWidth : OutputWidth + 1) + 1;

  typedef enum logic [2:0] {
    PhaseClear, PhaseIdle, PhaseInput, PhaseRecurrent, PhaseUpdate, PhaseReadout, PhaseEmit, PhaseDone
  } phase_e;

  phase_e                            phase_q, phase_d;
  logic [CountWidth-1:0]             count_q, count_d;   // position within the phase
  logic [GroupWidth-1:0]             group_q, group_d;   // unit group, or output group in Readout/Emit
  logic                              bank_q, bank_d;     // the spike-list bank holding last step's spikes
  logic [SpikesWidth-1:0]            last_spikes_q, last_spikes_d;  // S_{t-1}: entries of that bank
  logic [SpikesWidth-1:0]            new_spikes_q, new_spikes_d;    // S_t so far: entries of the other bank
  logic [63:0]                       cycle_q, cycle_d;
  logic [31:0]                       step_cycles_q, step_cycles_d, overflow_q, overflow_d;
  logic [NumInputs*InputWidth-1:0]   x_q, x_d;  // the step's input vector
  logic [NumOutputs*OutputWidth-1:0] y_q, y_d;  // y_m at [m·OutputWidth +: OutputWidth]

  // ---------------------------------------------------------------------------
  // Memories
  // ---------------------------------------------------------------------------
  logic [$clog2(WInDepth)-1:0]   w_in_addr;
  logic [$clog2(WRecDepth)-1:0]  w_rec_addr;
  logic [$clog2(BiasDepth)-1:0]  bias_addr;
  logic [$clog2(WOutDepth)-1:0]  w_out_addr;
  logic [$clog2(BOutDepth)-1:0]  b_out_addr;
  logic [$clog2(DecayDepth)-1:0] decay_addr;
  logic [Lanes*WInWidth-1:0]     w_in_word;
  logic [Lanes*WRecWidth-1:0]    w_rec_word;
  logic [Lanes*BiasWidth-1:0]    bias_word;
  logic [Lanes*WOutWidth-1:0]    w_out_word;
  logic [Lanes*BOutWidth-1:0]    b_out_word;
  logic [DecayParamWidth-1:0]    beta_param, alpha_param;

  nf_rom #(.Depth(WInDepth),   .Width(Lanes * WInWidth),  .InitFile(WInFile))
    u_w_in  (.clk_i, .en_i(1'b1), .addr_i(w_in_addr),  .data_o(w_in_word));
  nf_rom #(.Depth(WRecDepth),  .Width(Lanes * WRecWidth), .InitFile(WRecFile))
    u_w_rec (.clk_i, .en_i(1'b1), .addr_i(w_rec_addr), .data_o(w_rec_word));
  nf_rom #(.Depth(BiasDepth),  .Width(Lanes * BiasWidth), .InitFile(BiasFile))
    u_bias  (.clk_i, .en_i(1'b1), .addr_i(bias_addr),  .data_o(bias_word));
  nf_rom #(.Depth(WOutDepth),  .Width(Lanes * WOutWidth), .InitFile(WOutFile))
    u_w_out (.clk_i, .en_i(1'b1), .addr_i(w_out_addr), .data_o(w_out_word));
  nf_rom #(.Depth(BOutDepth),  .Width(Lanes * BOutWidth), .InitFile(BOutFile))
    u_b_out (.clk_i, .en_i(1'b1), .addr_i(b_out_addr), .data_o(b_out_word));
  nf_rom #(.Depth(DecayDepth), .Width(DecayParamWidth),   .InitFile(BetaFile))
    u_beta  (.clk_i, .en_i(1'b1), .addr_i(decay_addr), .data_o(beta_param));
  nf_rom #(.Depth(DecayDepth), .Width(DecayParamWidth),   .InitFile(AlphaFile))
    u_alpha (.clk_i, .en_i(1'b1), .addr_i(decay_addr), .data_o(alpha_param));

  // Neuron state {s, c, v, I}, one word per unit.
  logic                          state_write;
  logic [UnitIdxWidth-1:0]       state_write_addr, state_read_addr;
  logic [StateWidth-1:0]         state_write_data, state_read_data;
  nf_ram #(.Depth(1 << UnitIdxWidth), .Width(StateWidth)) u_state (
    .clk_i,
    .write_i     (state_write),
    .write_addr_i(state_write_addr),
    .write_data_i(state_write_data),
    .read_addr_i (state_read_addr),
    .read_data_o (state_read_data)
  );

  // Spike lists: two banks of unit indices, address {bank, entry}.
  logic                          list_write;
  logic [UnitIdxWidth:0]         list_write_addr, list_read_addr;
  logic [UnitIdxWidth-1:0]       list_write_data, list_read_data;
  nf_ram #(.Depth(2 << UnitIdxWidth), .Width(UnitIdxWidth)) u_spike_list (
    .clk_i,
    .write_i     (list_write),
    .write_addr_i(list_write_addr),
    .write_data_i(list_write_data),
    .read_addr_i (list_read_addr),
    .read_data_o (list_read_data)
  );

  // ---------------------------------------------------------------------------
  // Phase positions. Input: a read issued at count c is consumed at c + 1.
  // Recurrent and Readout: the list entry issued at c is the weight address at
  // c + 1 and the weight is consumed at c + 2. Update: lane c's state and decay
  // parameters are read one cycle ahead (at Update count c − 1, lane 0's in
  // every Recurrent cycle: nothing else reads them there), arrive at count c
  // and go through the decays into the stage registers, and the rest of the
  // update consumes them at c + 1.
  // ---------------------------------------------------------------------------
  logic [31:0]              count, group, update_unit;
  logic [UnitIdxWidth-1:0]  update_read_unit;  // past the last unit: read, never used
  logic                     update_arrive;
  assign count            = 32'(count_q);
  assign group            = 32'(group_q);
  assign update_unit      = group * Lanes + count;
  assign update_read_unit = UnitIdxWidth'(group * Lanes + ((phase_q == PhaseUpdate) ? count + 1 : 0));
  assign update_arrive    = (phase_q == PhaseUpdate) && (count < Lanes) && (update_unit < NumUnits);

  assign w_in_addr  = $clog2(WInDepth)'(group * NumInputs + count);
  assign w_rec_addr = $clog2(WRecDepth)'(group * NumUnits + 32'(list_read_data));
  assign bias_addr  = $clog2(BiasDepth)'(group);
  assign w_out_addr = $clog2(WOutDepth)'(group * NumUnits + 32'(list_read_data));
  assign b_out_addr = $clog2(BOutDepth)'(group);
  assign decay_addr = $clog2(DecayDepth)'(update_read_unit);

  assign state_read_addr = (phase_q == PhaseRecurrent || phase_q == PhaseUpdate) ? update_read_unit
                                                                                 : UnitIdxWidth'(dbg_addr_i);
  assign list_read_addr  = (phase_q == PhaseReadout) ? {~bank_q, UnitIdxWidth'(count)}
                                                     : {bank_q, UnitIdxWidth'(count)};

  // ---------------------------------------------------------------------------
  // MAC lanes: inputs are multiplied by X_k; a spike event adds its weight
  // (operand 1). The readout's bias is loaded with a zero operand, so a step
  // without spikes still gives y its bias.
  // ---------------------------------------------------------------------------
  logic [Lanes*AccWidth-1:0]        acc;  // lane l's accumulator at [l·AccWidth +: AccWidth]
  logic                             lane_enable, lane_load;
  logic [1:0]                       lane_shift;
  logic signed [OperandWidth-1:0]   lane_operand;
  always_comb begin
    lane_enable  = 1'b0;
    lane_load    = 1'b0;
    lane_operand = OperandWidth'(1);
    unique case (phase_q)
      PhaseInput: begin
        lane_enable  = count != 0;
        lane_load    = count == 1;
        lane_operand = OperandWidth'($signed(x_q[(count - 1)*InputWidth +: InputWidth]));
      end
      PhaseRecurrent: lane_enable = count >= 2;
      PhaseReadout: begin
        lane_enable = count != 0;
        lane_load   = count == 1;
        if (count == 1) lane_operand = '0;
      end
      default: ;
    endcase
    lane_shift = (phase_q == PhaseInput) ? 2'd0 : (phase_q == PhaseRecurrent) ? 2'd1 : 2'd2;
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
      .OperandWidth(OperandWidth),
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
  // Update: the neuron datapath, one lane per cycle, in two stages. Stage 1,
  // the cycle a unit's state and decay parameters arrive: the decays D_αs(I)
  // and D_β(v) (Form 1: multipliers, the iCE40's SB_MAC16 blocks, used
  // combinationally) into the stage registers, with the v and c a refractory
  // unit keeps. Stage 2, the next cycle (update_valid_q): sums, fits,
  // threshold, reset, refractory counter, the state write and the spike list.
  // So no register-to-register path runs through a decay multiplier and on
  // through the update (docs/boards.md, "Timing through the DSPs"). Stage 1
  // overlaps the reads of the next lane, so the phase keeps Lanes + 1 cycles.
  // ---------------------------------------------------------------------------
  logic                            update_valid_q, update_valid_d;  // stage 2 holds a unit this cycle
  logic [UnitIdxWidth-1:0]         update_unit_q, update_unit_d;
  logic [31:0]                     update_lane_q, update_lane_d;
  logic signed [CurrentWidth-1:0]  current_old;
  logic signed [MembraneWidth-1:0] membrane_old;
  logic [RefWidth-1:0]             refractory_old;
  assign current_old    = $signed(state_read_data[CurrentWidth-1:0]);
  assign membrane_old   = $signed(state_read_data[CurrentWidth +: MembraneWidth]);
  assign refractory_old = state_read_data[CurrentWidth + MembraneWidth +: RefWidth];

  // Stage 1: D_αs(I), D_β(v).
  logic signed [CurrentWidth:0]    current_decayed, current_decayed_q, current_decayed_d;
  logic signed [MembraneWidth:0]   membrane_decayed, membrane_decayed_q, membrane_decayed_d;
  logic signed [MembraneWidth-1:0] membrane_kept_q, membrane_kept_d;  // v, kept by a refractory unit
  logic [RefWidth-1:0]             refractory_count_q, refractory_count_d;
  nf_decay #(.Width(CurrentWidth), .ParamWidth(DecayParamWidth), .Form(DecayForm),
             .MultiplierBits(MultiplierBits), .Rounding(Rounding))
    u_current_decay (.value_i(current_old), .param_i(alpha_param), .value_o(current_decayed));
  nf_decay #(.Width(MembraneWidth), .ParamWidth(DecayParamWidth), .Form(DecayForm),
             .MultiplierBits(MultiplierBits), .Rounding(Rounding))
    u_membrane_decay (.value_i(membrane_old), .param_i(beta_param), .value_o(membrane_decayed));
  always_comb begin
    current_decayed_d  = current_decayed;
    membrane_decayed_d = membrane_decayed;
    membrane_kept_d    = membrane_old;
    refractory_count_d = refractory_old;
  end
  always_ff @(posedge clk_i) begin
    current_decayed_q  <= current_decayed_d;
    membrane_decayed_q <= membrane_decayed_d;
    membrane_kept_q    <= membrane_kept_d;
    refractory_count_q <= refractory_count_d;
  end

  // Stage 2: I ← fit_I(D_αs(I) + shift_round(S, F_s − F_I))
  logic signed [AccWidth-1:0]        synapse;
  logic signed [SynWidth-1:0]        synapse_scaled;
  logic signed [CurrentSumWidth-1:0] current_sum;
  logic signed [CurrentWidth-1:0]    current_new;
  logic                              current_overflow;
  assign synapse = $signed(acc[update_lane_q*AccWidth +: AccWidth]);
  nf_shift_round #(.InWidth(AccWidth), .OutWidth(SynWidth), .Shift(CurrentShift), .Rounding(Rounding))
    u_synapse (.value_i(synapse), .value_o(synapse_scaled));
  assign current_sum = CurrentSumWidth'(synapse_scaled) + CurrentSumWidth'(current_decayed_q);
  nf_fit #(.InWidth(CurrentSumWidth), .OutWidth(CurrentWidth), .Overflow(Overflow))
    u_current_fit (.value_i(current_sum), .value_o(current_new), .overflow_o(current_overflow));

  // u = fit_v(D_β(v) + shift_round(I, F_I − F_v)); s = [u ≥ θ]
  logic signed [DriveWidth-1:0]       drive;
  logic signed [MembraneSumWidth-1:0] membrane_sum;
  logic signed [MembraneWidth-1:0]    integrated;
  logic                               integrated_overflow;
  nf_shift_round #(.InWidth(CurrentWidth), .OutWidth(DriveWidth), .Shift(MembraneShift), .Rounding(Rounding))
    u_drive (.value_i(current_new), .value_o(drive));
  assign membrane_sum = MembraneSumWidth'(drive) + MembraneSumWidth'(membrane_decayed_q);
  nf_fit #(.InWidth(MembraneSumWidth), .OutWidth(MembraneWidth), .Overflow(Overflow))
    u_membrane_fit (.value_i(membrane_sum), .value_o(integrated), .overflow_o(integrated_overflow));

  // Reset: v ← fit_v(u − θ) (subtract) or 0 (zero) after a spike.
  localparam logic signed [MembraneWidth+1:0] ThresholdWide = (MembraneWidth + 2)'(Threshold);
  logic signed [MembraneWidth+1:0]  reset_difference;
  logic signed [MembraneWidth-1:0]  reset_value;
  logic                             reset_overflow;
  assign reset_difference = (MembraneWidth + 2)'(integrated) - ThresholdWide;
  nf_fit #(.InWidth(MembraneWidth + 2), .OutWidth(MembraneWidth), .Overflow(Overflow))
    u_reset_fit (.value_i(reset_difference), .value_o(reset_value), .overflow_o(reset_overflow));

  logic                            refractory, spike;
  logic signed [MembraneWidth-1:0] membrane_new;
  logic [RefWidth-1:0]             refractory_new;
  logic [1:0]                      update_overflows;
  always_comb begin
    refractory = refractory_count_q != '0;
    spike      = !refractory && ((MembraneWidth + 2)'(integrated) >= ThresholdWide);
    if (refractory) begin
      membrane_new   = membrane_kept_q;
      refractory_new = refractory_count_q - 1'b1;
    end else if (spike) begin
      membrane_new   = (ResetSubtract != 0) ? reset_value : '0;
      refractory_new = RefWidth'(RefractorySteps);
    end else begin
      membrane_new   = integrated;
      refractory_new = '0;
    end
    update_overflows = 2'(current_overflow) + 2'(!refractory && integrated_overflow) +
                       2'(spike && (ResetSubtract != 0) && reset_overflow);
  end

  logic update_consume;
  assign update_consume   = (phase_q == PhaseUpdate) && update_valid_q;
  assign state_write      = (phase_q == PhaseClear) || update_consume;
  assign state_write_addr = (phase_q == PhaseClear) ? UnitIdxWidth'(count) : update_unit_q;
  assign state_write_data = (phase_q == PhaseClear) ? '0 : {spike, refractory_new, membrane_new, current_new};
  assign list_write       = update_consume && spike;
  assign list_write_addr  = {~bank_q, UnitIdxWidth'(new_spikes_q)};
  assign list_write_data  = update_unit_q;

  // ---------------------------------------------------------------------------
  // Emit: y for every lane of the output group at once. D_κ(y_m) of the
  // group's outputs is registered every cycle (y_decayed_q): Emit always
  // follows its group's Readout (at least 2 cycles, the same group, y
  // unchanged), so it adds the value registered in Readout's last cycle, and
  // no register-to-register path runs through the κ multiplier and on through
  // the sum and the fit.
  // ---------------------------------------------------------------------------
  logic signed [OutputWidth-1:0] y_lane [Lanes];
  logic [Lanes-1:0]              y_overflow;
  for (genvar l = 0; l < Lanes; l++) begin : g_emit
    // Output m of the group; lanes past NumOutputs are masked.
    logic [31:0]                   output_index;
    logic signed [OutputWidth-1:0] y_old;
    logic signed [OutputWidth:0]   y_decayed, y_decayed_q, y_decayed_d;
    logic signed [YWideWidth-1:0]  scaled;
    logic signed [OutputSumWidth-1:0] y_sum;
    logic signed [AccWidth-1:0]    lane_acc;  // a named signed wire: see nf_rate_core (Yosys 0.23)
    assign output_index = group * Lanes + l;
    assign y_old    = (output_index < NumOutputs) ? $signed(y_q[output_index*OutputWidth +: OutputWidth]) : '0;
    assign lane_acc = acc[l*AccWidth +: AccWidth];
    nf_decay #(.Width(OutputWidth), .ParamWidth(DecayParamWidth), .Form(DecayForm),
               .MultiplierBits(MultiplierBits), .Rounding(Rounding))
      u_decay (.value_i(y_old), .param_i(DecayParamWidth'(Kappa)), .value_o(y_decayed));
    always_comb y_decayed_d = y_decayed;
    always_ff @(posedge clk_i) y_decayed_q <= y_decayed_d;
    nf_shift_round #(.InWidth(AccWidth), .OutWidth(YWideWidth), .Shift(OutputShift), .Rounding(Rounding))
      u_scale (.value_i(lane_acc), .value_o(scaled));
    assign y_sum = OutputSumWidth'(scaled) + OutputSumWidth'(y_decayed_q);
    nf_fit #(.InWidth(OutputSumWidth), .OutWidth(OutputWidth), .Overflow(Overflow))
      u_fit (.value_i(y_sum), .value_o(y_lane[l]), .overflow_o(y_overflow[l]));
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
      PhaseRecurrent: if (count_q == CountWidth'(last_spikes_q) + 1'b1) begin
        phase_d = PhaseUpdate;
        count_d = '0;
      end
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
      PhaseReadout: if (count_q == CountWidth'(new_spikes_q) + 1'b1) begin phase_d = PhaseEmit; count_d = '0; end
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

  logic computing, step_end;
  assign computing = (phase_q == PhaseInput) || (phase_q == PhaseRecurrent) || (phase_q == PhaseUpdate) ||
                     (phase_q == PhaseReadout) || (phase_q == PhaseEmit);  // Yosys 0.23 has no `inside`
  assign step_end  = (phase_q == PhaseEmit) && (group_q == GroupWidth'(OutGroups - 1));

  always_comb begin
    cycle_d        = cycle_q + 1'b1;
    update_valid_d = update_arrive;
    update_unit_d  = UnitIdxWidth'(update_unit);
    update_lane_d  = count;
    last_spikes_d  = last_spikes_q;
    new_spikes_d   = new_spikes_q;
    if (phase_q == PhaseClear) begin
      last_spikes_d = '0;
      new_spikes_d  = '0;
    end else if (step_end) begin
      last_spikes_d = new_spikes_q;
      new_spikes_d  = '0;
    end else if (list_write) begin
      new_spikes_d = new_spikes_q + 1'b1;
    end
    step_cycles_d = step_cycles_q;
    overflow_d    = overflow_q;
    if (in_fire) begin
      step_cycles_d = '0;
      overflow_d    = '0;
    end else if (computing) begin
      step_cycles_d = step_cycles_q + 1'b1;
    end
    if (update_consume) overflow_d = overflow_q + 32'(update_overflows);
    if (phase_q == PhaseEmit) begin
      overflow_d = overflow_q + 32'($countones(y_overflow & lane_mask(group)));
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q        <= PhaseClear;  // the state memory holds garbage until cleared
      count_q        <= '0;
      group_q        <= '0;
      bank_q         <= 1'b0;
      last_spikes_q  <= '0;
      new_spikes_q   <= '0;
      cycle_q        <= '0;
      step_cycles_q  <= '0;
      overflow_q     <= '0;
      update_valid_q <= 1'b0;
      update_unit_q  <= '0;
      update_lane_q  <= '0;
    end else begin
      phase_q        <= phase_d;
      count_q        <= count_d;
      group_q        <= group_d;
      bank_q         <= bank_d;
      last_spikes_q  <= last_spikes_d;
      new_spikes_q   <= new_spikes_d;
      cycle_q        <= cycle_d;
      step_cycles_q  <= step_cycles_d;
      overflow_q     <= overflow_d;
      update_valid_q <= update_valid_d;
      update_unit_q  <= update_unit_d;
      update_lane_q  <= update_lane_d;
    end
  end

  // Lanes of output group g that hold a real output (m < NumOutputs).
  function automatic logic [Lanes-1:0] lane_mask(logic [31:0] g);
    for (int unsigned l = 0; l < Lanes; l++) lane_mask[l] = (g * Lanes + l) < NumOutputs;
  endfunction

  // Datapath registers without a reset (each is written before it is read).
  always_comb begin
    x_d = x_q;
    if (in_fire) x_d = in_data_i;
    y_d = y_q;
    if (phase_q == PhaseClear) begin
      y_d = '0;
    end else if (phase_q == PhaseEmit) begin
      for (int unsigned l = 0; l < Lanes; l++) begin
        if (group * Lanes + l < NumOutputs) y_d[(group*Lanes+l)*OutputWidth +: OutputWidth] = y_lane[l];
      end
    end
  end
  always_ff @(posedge clk_i) begin
    x_q <= x_d;
    y_q <= y_d;
  end
  assign out_data_o = y_q;

  // Debug read-back: registered select, data from the state memory or y.
  logic [2:0]                     dbg_sel_q, dbg_sel_d;
  logic signed [OutputWidth-1:0]  dbg_y_q, dbg_y_d;
  always_comb begin
    dbg_sel_d = dbg_sel_i;
    dbg_y_d   = (32'(dbg_addr_i) < NumOutputs) ? $signed(y_q[32'(dbg_addr_i)*OutputWidth +: OutputWidth]) : '0;
  end
  always_ff @(posedge clk_i) begin
    dbg_sel_q <= dbg_sel_d;
    dbg_y_q   <= dbg_y_d;
  end
  always_comb begin
    unique case (dbg_sel_q)
      3'd0:    dbg_data_o = DebugWidth'(current_old);
      3'd1:    dbg_data_o = DebugWidth'(dbg_y_q);
      3'd2:    dbg_data_o = DebugWidth'(membrane_old);
      3'd3:    dbg_data_o = DebugWidth'(state_read_data[StateWidth-1]);
      default: dbg_data_o = DebugWidth'(refractory_old);
    endcase
  end

  assign cycle_count_o    = cycle_q;
  assign step_cycles_o    = step_cycles_q;
  assign overflow_count_o = overflow_q;

`ifndef SYNTHESIS
  initial begin
    if (Lanes < 1) $fatal(1, "nf_lif_core: Lanes must be >= 1");
    if (NumUnits < 1 || NumInputs < 1 || NumOutputs < 1) $fatal(1, "nf_lif_core: sizes must be >= 1");
    if (AccWidth > 64) $fatal(1, "nf_lif_core: AccWidth > 64");
    if (DecayForm > 1) $fatal(1, "nf_lif_core: DecayForm must be 0 (shift) or 1 (multiplier)");
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
  // port, and no logic at all in synthesis (Yosys defines SYNTHESIS). A weight
  // element read is counted where the lane that uses it is enabled (the same
  // event as its MAC or synaptic add); the ROMs themselves are read every
  // cycle (en_i = 1), see docs/rtl.md.
  //    0 input MACs      lanes of existing units enabled on an input channel
  //    1 input events    of those, the ones whose operand X_k is not 0 (spike encodings:
  //                      the synaptic operations; the others multiply by 0)
  //    2 synop_recurrent lanes of existing units enabled on a spike-list entry (Recurrent)
  //    3 synop_readout   lanes of existing outputs enabled on a spike-list entry (Readout)
  //    4 decay           D_αs(I) of every updated unit, D_β(v) of a unit not refractory
  //                      (a refractory unit keeps v), D_κ(y) of every existing output at Emit
  //    5 threshold       compares u ≥ θ of updated units not refractory
  //    6 spike           spikes (spike-list writes)
  //    7 b_rec reads     bias elements loaded into lanes of existing units
  //    8 b_out reads     b_out elements loaded into lanes of existing outputs
  //    9 beta reads      β parameters used (updated units not refractory)
  //   10 alpha reads     α_s parameters used (every updated unit)
  //   11 state reads     neuron states {s, c, v, I} consumed by the update
  //   12 state writes    neuron states written by the update (not the clear)
  //   13 list reads      spike-list entries that address a weight word (Recurrent, Readout)
  //   14 list writes     spike-list entries written
  localparam int unsigned ActivityCounters = 15;
  logic [63:0] activity_q [ActivityCounters] /* verilator public_flat_rd */;

  // Lanes of group g that hold a real unit or output (g·Lanes + l < limit).
  function automatic logic [63:0] real_lanes(logic [31:0] g, logic [31:0] limit);
    real_lanes = '0;
    for (int unsigned l = 0; l < Lanes; l++) begin
      if (g * Lanes + l < limit) real_lanes = real_lanes + 64'd1;
    end
  endfunction

  // Lanes of unit group g whose operand X_k (input channel count − 1) is an event.
  function automatic logic [63:0] event_lanes(logic [31:0] g, logic [31:0] channel);
    event_lanes = '0;
    if (x_q[channel*InputWidth +: InputWidth] != '0) event_lanes = real_lanes(g, NumUnits);
  endfunction

  logic [63:0] unit_lanes, output_lanes;
  logic        update_integrates;
  assign unit_lanes        = real_lanes(group, NumUnits);
  assign output_lanes      = real_lanes(group, NumOutputs);
  assign update_integrates = update_consume && !refractory;
  logic [63:0] activity_d [ActivityCounters];
  always_comb begin
    for (int unsigned k = 0; k < ActivityCounters; k++) activity_d[k] = activity_q[k];
    if (phase_q == PhaseInput && lane_enable) begin
      activity_d[0] = activity_q[0] + unit_lanes;
      activity_d[1] = activity_q[1] + event_lanes(group, count - 1);
    end
    if (phase_q == PhaseRecurrent && lane_enable) activity_d[2] = activity_q[2] + unit_lanes;
    if (phase_q == PhaseReadout && lane_enable && !lane_load) activity_d[3] = activity_q[3] + output_lanes;
    if (update_consume) activity_d[4] = activity_q[4] + 64'd1 + 64'(update_integrates);
    else if (phase_q == PhaseEmit) activity_d[4] = activity_q[4] + output_lanes;
    if (update_integrates) activity_d[5] = activity_q[5] + 64'd1;
    if (list_write) activity_d[6] = activity_q[6] + 64'd1;
    if (phase_q == PhaseInput && lane_load) activity_d[7] = activity_q[7] + unit_lanes;
    if (phase_q == PhaseReadout && lane_load) activity_d[8] = activity_q[8] + output_lanes;
    if (update_integrates) activity_d[9] = activity_q[9] + 64'd1;
    if (update_consume) activity_d[10] = activity_q[10] + 64'd1;
    if (update_consume) activity_d[11] = activity_q[11] + 64'd1;
    if (state_write && phase_q != PhaseClear) activity_d[12] = activity_q[12] + 64'd1;
    if ((phase_q == PhaseRecurrent || phase_q == PhaseReadout) && lane_enable && !lane_load) begin
      activity_d[13] = activity_q[13] + 64'd1;
    end
    if (list_write) activity_d[14] = activity_q[14] + 64'd1;
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
