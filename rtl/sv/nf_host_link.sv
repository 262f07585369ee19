// nf_host_link: the board side of the UART host protocol (docs/host-link.md,
// normative): it parses request frames from the receiver's byte stream, runs
// the command on the core and writes the response frame to the transmitter.
// It is generic over the core: the rate and LIF system tops differ only in
// Family, DebugSelWidth and the core they connect.
//
// Receive. A sync byte (0xA5) starts a frame: command, length L (u16 LE), L
// payload bytes, CRC-8/SMBUS (poly 0x07, init 0) of command, length and
// payload, computed one byte per received byte. The payload is shifted into a
// staging buffer (max(MaxPayload, 8) bytes), so every command's arguments sit
// at fixed positions (the last byte received is on top) and nothing is
// committed (the input vector of LOAD/STEP) before the CRC has matched: a
// frame with a wrong CRC never runs. The cycle after the CRC byte checks, in
// this order: CRC, unknown command, wrong L for the command, bad argument;
// else the command runs. RUN's and READ_STATE's arguments are read from the
// buffer while the command runs and responds (no frame is received then).
//
// Errors and recovery (each malformed input ends in exactly one error frame,
// then the link waits for a sync byte):
//   - a byte other than 0xA5 outside a frame → discard mode, GARBAGE;
//   - L > MaxPayload → discard mode, OVERSIZED;
//   - line activity (a start bit) while a command runs or its response is
//     sent → after the response, discard mode, GARBAGE;
//   - discard mode drops every byte until the line is quiet (no start bit has
//     begun for QuietCycles cycles, which must exceed a byte time), then
//     sends its error frame;
//   - the line goes quiet inside a frame (after the sync byte, before the CRC
//     byte) → TRUNCATED at once;
//   - a complete frame with a wrong CRC → BAD_CHECKSUM at once.
// Error frame payload: {error, command byte}; the command byte is 0 when
// none was received (TRUNCATED right after the sync byte) and for GARBAGE,
// which refers to no command.
//
// Commands (the core is driven as sim/verilator/nf_core_tb.cpp does it):
//   INFO           constants (version 1, family, sizes, ConfigId)
//   CLEAR          clear_o while the core is idle (it takes it at once), then
//                  wait for idle_i; zeroes the step and overflow counters
//   RESET          core_rst_req_o (the system top turns it into a reset of
//                  the core), wait until idle_i drops (the core is in reset,
//                  then clears itself) and rises again; zeroes the counters
//                  and the loaded input vector (the power-on state)
//   LOAD           input k = the low InputWidth bits of its ⌈InputWidth/8⌉ bytes
//   RUN n / STEP   n timesteps through the in/out streams; at each output
//                  handshake y is captured, and overflow_count_i is added to
//                  the run's sum and to the since-clear sum
//   READ_STATE     per value: dbg_sel_o/dbg_addr_o come from registers, two
//                  cycles pass (the debug port has one cycle of latency), then
//                  the value's 4 bytes are sent
//   READ_COUNTERS  cycle_count_i is snapshotted when the command runs (the
//                  other numbers do not change while the link responds)
// "Compute cycles of the last step" (step report, READ_COUNTERS) is the
// core's step_cycles_i, which it holds while idle.
//
// Area (an iCE40 LUT4 per multiplexer input counts): wide state is kept
// serial where the protocol is serial anyway.
//   - The three u32 counters (steps and overflow events since the clear,
//     overflow events of the run) are byte-rotating registers: after each
//     step they are updated one byte per cycle through 8-bit adders (4
//     cycles, while the core waits for its next input), and the response
//     writer reads their low byte, rotating them once per byte sent (four
//     rotations restore them). Rotation is a plain shift with an enable: the
//     flip-flops need no logic in front.
//   - READ_COUNTERS' cycle snapshot is loaded into the staging buffer (its
//     request has no payload) and shifted out of it; y is a shift register
//     of sign-extended bytes.
//   - Only step_cycles_i and dbg_data_i, which belong to the core, go through
//     a byte multiplexer.
//   - One CRC register and update serve both directions (a frame is either
//     received or sent).
//
// Transmit. The response writer sends sync, code, L, payload and CRC one
// byte at a time on a valid/ready stream, updating the CRC as each byte
// goes. Every byte is fetched two cycles after the previous one was taken
// (nothing for a UART byte of 10 bit periods), which covers the debug port's
// latency.
module nf_host_link #(
  parameter int unsigned Family         = 0,      // 0 rate, 1 LIF
  parameter int unsigned NumUnits       = 8,
  parameter int unsigned NumInputs      = 2,
  parameter int unsigned NumOutputs     = 1,
  parameter int unsigned Lanes          = 1,
  parameter int unsigned InputWidth     = 16,
  parameter int unsigned OutputWidth    = 16,
  parameter int unsigned DebugAddrWidth = 3,
  parameter int unsigned DebugSelWidth  = 2,      // 2 rate, 3 LIF
  parameter int unsigned ConfigId       = 0,      // FNV-1a-32 of the configuration (INFO)
  parameter int unsigned QuietCycles    = 20800,  // quiet line: no start bit for this many cycles
  localparam int unsigned InBytes    = (InputWidth + 7) / 8,        // derived: B_in
  localparam int unsigned OutBytes   = (OutputWidth + 7) / 8,       // derived: B_out
  localparam int unsigned LoadLen    = NumInputs * InBytes,         // derived: LOAD/STEP payload
  localparam int unsigned MaxPayload = (LoadLen > 5) ? LoadLen : 5  // derived: largest request payload
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,
  // Receiver (nf_uart_rx): a byte per valid pulse; busy: a start bit has begun.
  input  logic [7:0]                        rx_data_i,
  input  logic                              rx_valid_i,
  input  logic                              rx_busy_i,
  // Transmitter (nf_uart_tx): valid/ready byte stream.
  output logic [7:0]                        tx_data_o,
  output logic                              tx_valid_o,
  input  logic                              tx_ready_i,
  // Core.
  output logic                              core_rst_req_o,  // one-cycle request: reset the core
  output logic                              clear_o,
  output logic                              in_valid_o,
  input  logic                              in_ready_i,
  output logic [NumInputs*InputWidth-1:0]   in_data_o,
  input  logic                              out_valid_i,
  output logic                              out_ready_o,
  input  logic [NumOutputs*OutputWidth-1:0] out_data_i,
  input  logic                              idle_i,
  input  logic [63:0]                       cycle_count_i,
  input  logic [31:0]                       step_cycles_i,
  input  logic [31:0]                       overflow_count_i,
  output logic [DebugSelWidth-1:0]          dbg_sel_o,
  output logic [DebugAddrWidth-1:0]         dbg_addr_o,
  input  logic signed [31:0]                dbg_data_i
);
  // ---------------------------------------------------------------------------
  // Protocol constants (docs/host-link.md)
  // ---------------------------------------------------------------------------
  localparam logic [7:0] SyncByte        = 8'hA5;
  localparam logic [7:0] ErrorCode       = 8'hFF;
  localparam logic [7:0] ProtocolVersion = 8'd1;
  localparam logic [7:0] CmdInfo         = 8'h01;
  localparam logic [7:0] CmdClear        = 8'h02;
  localparam logic [7:0] CmdReset        = 8'h03;
  localparam logic [7:0] CmdLoad         = 8'h04;
  localparam logic [7:0] CmdRun          = 8'h05;
  localparam logic [7:0] CmdStep         = 8'h06;
  localparam logic [7:0] CmdReadState    = 8'h07;
  localparam logic [7:0] CmdCounters     = 8'h08;
  localparam logic [2:0] ErrChecksum     = 3'd1;
  localparam logic [2:0] ErrTruncated    = 3'd2;
  localparam logic [2:0] ErrOversized    = 3'd3;
  localparam logic [2:0] ErrGarbage      = 3'd4;
  localparam logic [2:0] ErrUnknown      = 3'd5;
  localparam logic [2:0] ErrLength       = 3'd6;
  localparam logic [2:0] ErrArgument     = 3'd7;

  // Derived sizes.
  localparam int unsigned NumSelects  = (Family == 0) ? 2 : 5;  // READ_STATE selects of the family
  localparam int unsigned LenWidth    = $clog2(MaxPayload + 1);
  localparam int unsigned QuietWidth  = $clog2(QuietCycles + 1);
  localparam int unsigned YBytes      = NumOutputs * OutBytes;
  localparam int unsigned ReportLen   = YBytes + 8;  // step report payload
  localparam int unsigned PidxWidth   = $clog2((ReportLen > 20) ? ReportLen : 20);  // fixed payloads' byte index
  // The staging buffer also shifts out READ_COUNTERS' u64 cycle snapshot, so it holds ≥ 8 bytes.
  localparam int unsigned StageBytes  = (MaxPayload > 8) ? MaxPayload : 8;
  localparam int unsigned StageWidth  = StageBytes * 8;
  localparam int unsigned LoadOffset  = (StageBytes - LoadLen) * 8;  // LOAD/STEP payload in the stage
  localparam int unsigned ArgOffset   = (StageBytes - 5) * 8;        // READ_STATE's 5 bytes in the stage
  // READ_STATE addresses end at 2^DebugAddrWidth: first + count ≤ AddrLimit.
  localparam logic [31:0] AddrLimit   = 32'(1) << DebugAddrWidth;
  localparam int unsigned CheckWidth  = (DebugAddrWidth >= 17) ? 19 : DebugAddrWidth + 2;  // first + count
  // INFO payload, byte 0 in bits [7:0]. (Shifts, not a concatenation: Verilator
  // 5.006 calls a cast of a -G parameter unsized inside a concatenation. The
  // fields' ranges are checked below.)
  localparam logic [127:0] InfoBytes = (128'(ConfigId) << 96) | (128'(OutputWidth) << 88) |
                                       (128'(InputWidth) << 80) | (128'(Lanes) << 64) |
                                       (128'(NumOutputs) << 48) | (128'(NumInputs) << 32) |
                                       (128'(NumUnits) << 16) | (128'(Family) << 8) |
                                       128'(ProtocolVersion);

  // CRC-8/SMBUS update by one byte (MSB first, poly x^8+x^2+x+1, no reflection).
  function automatic logic [7:0] crc8_next(logic [7:0] crc, logic [7:0] data);
    logic [7:0] c;
    c = crc ^ data;
    for (int unsigned i = 0; i < 8; i++) c = c[7] ? ((c << 1) ^ 8'h07) : (c << 1);
    crc8_next = c;
  endfunction

  // ---------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------
  typedef enum logic [4:0] {
    StInit,        // after reset: zero the counters and the input vector
    StSync,        // waiting for a sync byte
    StCmd,         // frame: command byte next
    StLen0,        // frame: length, low byte next
    StLen1,        // frame: length, high byte next
    StPayload,     // frame: payload bytes
    StCrc,         // frame: CRC byte next
    StCheck,       // the frame is complete: check it and start the command
    StDiscard,     // dropping bytes until the line is quiet, then an error frame
    StClear,       // CLEAR: clear_o until the core (idle) takes it
    StClearWait,   // CLEAR: until the core is idle again
    StReset,       // RESET: the one-cycle request
    StResetLow,    // RESET: until idle_i drops (the core is in reset)
    StResetHigh,   // RESET: until the core has cleared itself
    StRunIn,       // RUN/STEP: input handshake
    StRunOut,      // RUN/STEP: output handshake
    StAccount,     // RUN/STEP: 4 cycles, the counters take the step byte by byte
    StRespond      // the response writer sends a frame
  } state_e;

  typedef enum logic [2:0] {
    KindEmpty, KindInfo, KindReport, KindState, KindCounters, KindError
  } kind_e;

  state_e                  state_q, state_d;
  logic [7:0]              cmd_q, cmd_d;              // the frame's command byte
  logic [7:0]              len_lo_q, len_lo_d;        // L, low byte
  logic [LenWidth-1:0]     len_q, len_d;              // L (≤ MaxPayload once accepted)
  logic [LenWidth-1:0]     got_q, got_d;              // payload bytes received
  logic [7:0]              crc_q, crc_d;              // CRC of the frame so far, received or sent
  logic                    crc_ok_q, crc_ok_d;        // the CRC byte matched
  logic [StageWidth-1:0]   stage_q, stage_d;          // payload staging buffer, newest byte on top; cycle snapshot
  logic [QuietWidth-1:0]   quiet_q, quiet_d;          // cycles since a start bit began (saturates)
  logic                    rx_busy_q, rx_busy_d;      // rx_busy_i of the last cycle
  logic                    stray_q, stray_d;          // line activity while a command runs or responds
  logic [2:0]              err_code_q, err_code_d;    // the error of the next error frame
  logic                    err_cmd_q, err_cmd_d;      // … refers to cmd_q (else to command 0)
  logic [15:0]             run_count_q, run_count_d;  // RUN: timesteps finished
  logic [1:0]              acc_byte_q, acc_byte_d;    // StAccount: the counter byte being updated

  logic quiet;
  assign quiet = quiet_q == QuietWidth'(QuietCycles);

  // ---------------------------------------------------------------------------
  // Request checks (StCheck)
  // ---------------------------------------------------------------------------
  logic [15:0] len_full;  // L as received, at its high byte
  logic        oversized;
  assign len_full  = {rx_data_i, len_lo_q};
  assign oversized = ((32'(len_full) >> LenWidth) != '0) || (len_full[LenWidth-1:0] > LenWidth'(MaxPayload));

  logic [15:0] arg_steps, arg_first, arg_count;
  logic [7:0]  arg_select;
  assign arg_steps  = stage_q[StageWidth-1 -: 16];  // RUN: the payload's 2 bytes, on top
  assign arg_select = stage_q[ArgOffset +: 8];      // READ_STATE: select, first, count
  assign arg_first  = stage_q[ArgOffset + 8 +: 16];
  assign arg_count  = stage_q[ArgOffset + 24 +: 16];

  // first + count ≤ 2^DebugAddrWidth with a narrow adder and no comparators: first < 2^A and
  // count ≤ 2^A (bits above A zero, or equal to 2^A), then their sum fits CheckWidth bits.
  logic [CheckWidth-1:0] addr_end;
  logic                  addr_ok;
  assign addr_end = CheckWidth'(arg_first) + CheckWidth'(arg_count);
  assign addr_ok  = ((32'(arg_first) >> DebugAddrWidth) == '0) &&
                    (((32'(arg_count) >> DebugAddrWidth) == '0) || (32'(arg_count) == AddrLimit)) &&
                    (((32'(addr_end) >> DebugAddrWidth) == '0) || (32'(addr_end) == AddrLimit));
  logic sel_ok;  // select < NumSelects (≤ 5)
  assign sel_ok = (arg_select[7:3] == '0) && (32'(arg_select[2:0]) < NumSelects);

  logic cmd_known, len_ok, arg_ok;
  always_comb begin
    cmd_known = 1'b1;
    len_ok    = 1'b0;
    arg_ok    = 1'b1;
    unique case (cmd_q)
      CmdInfo, CmdClear, CmdReset, CmdCounters: len_ok = len_q == '0;
      CmdLoad, CmdStep: len_ok = len_q == LenWidth'(LoadLen);
      CmdRun: begin
        len_ok = len_q == LenWidth'(2);
        arg_ok = arg_steps != '0;
      end
      CmdReadState: begin
        len_ok = len_q == LenWidth'(5);
        // count ≤ 16383 keeps the response's L = 4·count a u16 (a limit only for DebugAddrWidth ≥ 14).
        arg_ok = sel_ok && (arg_count != '0) && (arg_count[15:14] == 2'b00) && addr_ok;
      end
      default: cmd_known = 1'b0;
    endcase
  end

  // The input vector of LOAD/STEP from the stage: input k = low InputWidth bits of its bytes.
  logic [NumInputs*InputWidth-1:0] load_vector;
  for (genvar k = 0; k < NumInputs; k++) begin : g_load
    assign load_vector[k*InputWidth +: InputWidth] = stage_q[LoadOffset + k*InBytes*8 +: InputWidth];
  end

  // ---------------------------------------------------------------------------
  // Sequencer: receive, discard, execute, respond
  // ---------------------------------------------------------------------------
  logic        resp_start;       // start a response frame of resp_kind
  kind_e       resp_kind;
  logic        err_set;          // err_code_q/err_cmd_q ← err_code/err_cmd
  logic [2:0]  err_code;
  logic        err_cmd;
  logic        do_load;          // commit load_vector
  logic        do_run;           // start RUN/STEP
  logic        do_read_state;    // latch the READ_STATE arguments
  logic        do_counters;      // snapshot the cycle counter
  logic        do_clear_stats;   // CLEAR/RESET: zero the since-clear counters
  logic        do_reset_vector;  // RESET: zero the input vector
  logic        resp_done;        // the writer's last byte (the CRC) was taken
  logic        step_done;        // output handshake of a step

  assign step_done = (state_q == StRunOut) && out_valid_i;

  always_comb begin
    state_d         = state_q;
    resp_start      = 1'b0;
    resp_kind       = KindEmpty;
    err_set         = 1'b0;
    err_code        = ErrGarbage;
    err_cmd         = 1'b0;
    do_load         = 1'b0;
    do_run          = 1'b0;
    do_read_state   = 1'b0;
    do_counters     = 1'b0;
    do_clear_stats  = 1'b0;
    do_reset_vector = 1'b0;
    unique case (state_q)
      StInit: begin
        do_clear_stats  = 1'b1;
        do_reset_vector = 1'b1;
        state_d         = StSync;
      end
      StSync: begin
        if (rx_valid_i) begin
          if (rx_data_i == SyncByte) begin
            state_d = StCmd;
          end else begin
            state_d = StDiscard;
            err_set = 1'b1;  // GARBAGE, no command
          end
        end
      end
      StCmd, StLen0, StLen1, StPayload, StCrc: begin
        if (rx_valid_i) begin
          unique case (state_q)
            StCmd:  state_d = StLen0;
            StLen0: state_d = StLen1;
            StLen1: begin
              if (oversized) begin
                state_d  = StDiscard;
                err_set  = 1'b1;
                err_code = ErrOversized;
                err_cmd  = 1'b1;
              end else begin
                state_d = (len_full == '0) ? StCrc : StPayload;
              end
            end
            StPayload: if (got_q + 1'b1 == len_q) state_d = StCrc;
            default: state_d = StCheck;  // StCrc
          endcase
        end else if (quiet) begin
          // The line went quiet inside the frame.
          resp_start = 1'b1;
          resp_kind  = KindError;
          state_d    = StRespond;
          err_set    = 1'b1;
          err_code   = ErrTruncated;
          err_cmd    = state_q != StCmd;
        end
      end
      StCheck: begin
        resp_start = 1'b1;
        state_d    = StRespond;
        if (!crc_ok_q || !cmd_known || !len_ok || !arg_ok) begin
          resp_kind = KindError;
          err_set   = 1'b1;
          err_cmd   = 1'b1;
          if (!crc_ok_q)       err_code = ErrChecksum;
          else if (!cmd_known) err_code = ErrUnknown;
          else if (!len_ok)    err_code = ErrLength;
          else                 err_code = ErrArgument;
        end else begin
          unique case (cmd_q)
            CmdInfo: resp_kind = KindInfo;
            CmdClear: begin
              resp_start     = 1'b0;
              state_d        = StClear;
              do_clear_stats = 1'b1;
            end
            CmdReset: begin
              resp_start      = 1'b0;
              state_d         = StReset;
              do_clear_stats  = 1'b1;
              do_reset_vector = 1'b1;
            end
            CmdLoad: do_load = 1'b1;  // empty response
            CmdRun, CmdStep: begin
              resp_start = 1'b0;
              state_d    = StRunIn;
              do_run     = 1'b1;
              do_load    = cmd_q == CmdStep;
            end
            CmdReadState: begin
              resp_kind     = KindState;
              do_read_state = 1'b1;
            end
            default: begin  // CmdCounters (the command is known)
              resp_kind   = KindCounters;
              do_counters = 1'b1;
            end
          endcase
        end
      end
      StDiscard: begin
        if (quiet) begin  // the error (GARBAGE or OVERSIZED) was set on entry
          resp_start = 1'b1;
          resp_kind  = KindError;
          state_d    = StRespond;
        end
      end
      StClear: if (idle_i) state_d = StClearWait;  // the core takes clear_o in this cycle
      StClearWait: begin
        if (idle_i) begin
          resp_start = 1'b1;
          state_d    = StRespond;
        end
      end
      StReset: state_d = StResetLow;
      StResetLow: if (!idle_i) state_d = StResetHigh;
      StResetHigh: begin
        if (idle_i) begin
          resp_start = 1'b1;
          state_d    = StRespond;
        end
      end
      StRunIn: if (in_ready_i) state_d = StRunOut;
      StRunOut: if (out_valid_i) state_d = StAccount;
      StAccount: begin
        if (acc_byte_q == 2'd3) begin
          // The run's arguments stay in cmd_q and the staging buffer while it runs.
          if (cmd_q == CmdStep || run_count_q == arg_steps) begin
            resp_start = 1'b1;
            resp_kind  = KindReport;
            state_d    = StRespond;
          end else begin
            state_d = StRunIn;
          end
        end
      end
      StRespond: begin
        if (resp_done) begin
          if (stray_q) begin
            state_d = StDiscard;
            err_set = 1'b1;  // GARBAGE, no command
          end else begin
            state_d = StSync;
          end
        end
      end
      default: state_d = StSync;
    endcase
  end

  assign clear_o        = state_q == StClear;
  assign core_rst_req_o = state_q == StReset;
  assign in_valid_o     = state_q == StRunIn;
  assign out_ready_o    = state_q == StRunOut;

  logic receiving, listening;  // the frame before its CRC byte; or any frame, discarding, waiting
  assign receiving = (state_q == StCmd) || (state_q == StLen0) || (state_q == StLen1) || (state_q == StPayload);
  assign listening = receiving || (state_q == StSync) || (state_q == StCrc) || (state_q == StDiscard);

  // ---------------------------------------------------------------------------
  // Receive datapath and command state
  // ---------------------------------------------------------------------------
  logic [DebugSelWidth-1:0] dbg_sel_q, dbg_sel_d;

  always_comb begin
    // Quiet-line timer: cycles since a start bit began (busy rose).
    rx_busy_d = rx_busy_i;
    quiet_d   = quiet_q;
    if (rx_busy_i && !rx_busy_q) quiet_d = '0;
    else if (!quiet) quiet_d = quiet_q + 1'b1;

    // Line activity while a command runs or responds; cleared while the link listens.
    stray_d = stray_q;
    if (listening) stray_d = 1'b0;
    else if (rx_busy_i || rx_valid_i) stray_d = 1'b1;

    // Frame fields and CRC.
    cmd_d    = cmd_q;
    len_lo_d = len_lo_q;
    len_d    = len_q;
    got_d    = got_q;
    crc_ok_d = crc_ok_q;
    if (rx_valid_i) begin
      if (state_q == StCmd) cmd_d = rx_data_i;
      if (state_q == StLen0) len_lo_d = rx_data_i;
      if (state_q == StLen1) begin
        len_d = LenWidth'(len_full);  // kept only when ≤ MaxPayload
        got_d = '0;
      end
      if (state_q == StPayload) got_d = got_q + 1'b1;
      if (state_q == StCrc) crc_ok_d = rx_data_i == crc_q;
    end
    err_code_d = err_code_q;
    err_cmd_d  = err_cmd_q;
    if (err_set) begin
      err_code_d = err_code;
      err_cmd_d  = err_cmd;
    end

    // RUN: steps finished (counted at each output handshake), the account cycle.
    run_count_d = run_count_q;
    if (do_run) run_count_d = '0;
    else if (step_done) run_count_d = run_count_q + 1'b1;
    acc_byte_d = (state_q == StAccount) ? acc_byte_q + 1'b1 : 2'd0;

    dbg_sel_d = dbg_sel_q;
    if (do_read_state) dbg_sel_d = DebugSelWidth'(arg_select);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StInit;
      cmd_q        <= '0;
      len_lo_q     <= '0;
      len_q        <= '0;
      got_q        <= '0;
      crc_ok_q     <= 1'b0;
      quiet_q      <= '0;
      rx_busy_q    <= 1'b0;
      stray_q      <= 1'b0;
      err_code_q   <= '0;
      err_cmd_q    <= 1'b0;
      run_count_q  <= '0;
      acc_byte_q   <= '0;
      dbg_sel_q    <= '0;
    end else begin
      state_q      <= state_d;
      cmd_q        <= cmd_d;
      len_lo_q     <= len_lo_d;
      len_q        <= len_d;
      got_q        <= got_d;
      crc_ok_q     <= crc_ok_d;
      quiet_q      <= quiet_d;
      rx_busy_q    <= rx_busy_d;
      stray_q      <= stray_d;
      err_code_q   <= err_code_d;
      err_cmd_q    <= err_cmd_d;
      run_count_q  <= run_count_d;
      acc_byte_q   <= acc_byte_d;
      dbg_sel_q    <= dbg_sel_d;
    end
  end


  // The input vector: zeroed in StInit and by RESET (synchronously: StInit follows reset).
  logic [NumInputs*InputWidth-1:0] x_q, x_d;
  always_comb begin
    x_d = x_q;
    if (do_reset_vector) x_d = '0;
    else if (do_load) x_d = load_vector;
  end
  always_ff @(posedge clk_i) x_q <= x_d;

  assign in_data_o = x_q;
  assign dbg_sel_o = dbg_sel_q;

  // ---------------------------------------------------------------------------
  // Counters: byte-rotating registers (see the header). Zeroed synchronously
  // (StInit follows reset), so the flip-flops map to ones with a synchronous
  // reset and the rotation needs no logic.
  // ---------------------------------------------------------------------------
  logic [31:0] steps_q, steps_d;                // timesteps since the last clear
  logic [31:0] overflow_q, overflow_d;          // overflow events since the last clear
  logic [31:0] run_overflow_q, run_overflow_d;  // overflow events of this RUN/STEP
  logic        steps_carry_q, overflow_carry_q, run_carry_q;
  logic        steps_carry_d, overflow_carry_d, run_carry_d;
  logic        rotate_steps, rotate_overflow, rotate_run;  // the writer sends their low byte

  logic       account;       // StAccount: add the step, byte acc_byte_q
  logic [7:0] step_overflow; // byte acc_byte_q of overflow_count_i (0 outside StAccount)
  assign account       = state_q == StAccount;
  assign step_overflow = account ? overflow_count_i[32'(acc_byte_q)*8 +: 8] : 8'h00;

  logic [8:0] steps_sum, overflow_sum, run_sum;  // {carry, byte}
  assign steps_sum    = 9'(steps_q[7:0]) + 9'(account && (acc_byte_q == 2'd0 || steps_carry_q));
  assign overflow_sum = 9'(overflow_q[7:0]) + 9'(step_overflow) + 9'(account && acc_byte_q != 2'd0 && overflow_carry_q);
  assign run_sum      = 9'(run_overflow_q[7:0]) + 9'(step_overflow) + 9'(account && acc_byte_q != 2'd0 && run_carry_q);

  always_comb begin
    steps_d    = steps_q;
    overflow_d = overflow_q;
    if (do_clear_stats) begin
      steps_d    = '0;
      overflow_d = '0;
    end else begin
      if (account || rotate_steps) steps_d = {steps_sum[7:0], steps_q[31:8]};
      if (account || rotate_overflow) overflow_d = {overflow_sum[7:0], overflow_q[31:8]};
    end
    run_overflow_d = run_overflow_q;
    if (do_run || state_q == StInit) run_overflow_d = '0;
    else if (account || rotate_run) run_overflow_d = {run_sum[7:0], run_overflow_q[31:8]};
    steps_carry_d    = steps_sum[8];
    overflow_carry_d = overflow_sum[8];
    run_carry_d      = run_sum[8];
  end

  always_ff @(posedge clk_i) begin
    steps_q          <= steps_d;
    overflow_q       <= overflow_d;
    run_overflow_q   <= run_overflow_d;
    steps_carry_q    <= steps_carry_d;
    overflow_carry_q <= overflow_carry_d;
    run_carry_q      <= run_carry_d;
  end

  // ---------------------------------------------------------------------------
  // Response writer
  // ---------------------------------------------------------------------------
  typedef enum logic [2:0] {WSync, WCode, WLen0, WLen1, WPayload, WCrc} wpos_e;
  typedef enum logic [2:0] {SrcSteps, SrcOverflow, SrcRunOverflow, SrcCore, SrcCycles, SrcY, SrcInfo, SrcError} src_e;

  wpos_e                     wpos_q, wpos_d;          // the byte of the frame being fetched or sent
  kind_e                     kind_q, kind_d;
  logic [PidxWidth-1:0]      pidx_q, pidx_d;          // payload byte index (READ_STATE: modulo 2^PidxWidth)
  logic [7:0]                tx_data_q, tx_data_d;
  logic                      tx_valid_q, tx_valid_d;
  logic [1:0]                fetch_q, fetch_d;        // cycles to wait before the byte is fetched
  logic [YBytes*8-1:0]       y_q, y_d;                // y of the last step, sign-extended bytes, shifted out
  logic [DebugAddrWidth-1:0] dbg_addr_q, dbg_addr_d;  // READ_STATE: the address of the value being sent

  // y_m sign-extended to B_out bytes, y_0 first.
  logic [YBytes*8-1:0] y_bytes;
  for (genvar m = 0; m < NumOutputs; m++) begin : g_y
    // A named signed wire, not $signed() on the part-select (Yosys 0.23, see nf_rate_core).
    logic signed [OutputWidth-1:0] y;
    assign y = out_data_i[m*OutputWidth +: OutputWidth];
    assign y_bytes[m*OutBytes*8 +: OutBytes*8] = (OutBytes*8)'(y);
  end

  // L of the response. READ_STATE's count stays in the staging buffer while the link
  // responds (no frame is received meanwhile); the other lengths are constants.
  logic [PidxWidth-1:0] fixed_last;  // the last payload byte of a fixed-length response
  logic [15:0]          resp_len;
  always_comb begin
    unique case (kind_q)
      KindInfo:     fixed_last = PidxWidth'(16 - 1);
      KindReport:   fixed_last = PidxWidth'(ReportLen - 1);
      KindCounters: fixed_last = PidxWidth'(20 - 1);
      default:      fixed_last = PidxWidth'(2 - 1);  // KindError
    endcase
    unique case (kind_q)
      KindEmpty: resp_len = 16'd0;
      KindState: resp_len = {arg_count[13:0], 2'b00};
      default:   resp_len = 16'(fixed_last) + 16'd1;
    endcase
  end
  // READ_STATE ends with the last byte of the value at first + count − 1.
  logic [DebugAddrWidth-1:0] last_addr;
  assign last_addr = DebugAddrWidth'(32'(arg_first) + 32'(arg_count) - 32'd1);
  logic payload_last;
  assign payload_last = (kind_q == KindState) ? (dbg_addr_q == last_addr && pidx_q[1:0] == 2'd3)
                                              : (pidx_q == fixed_last);

  // Where payload byte pidx_q comes from.
  src_e       src;
  logic [1:0] byte_sel;  // SrcCore: the byte of step_cycles_i / dbg_data_i
  always_comb begin
    src      = SrcCore;
    byte_sel = pidx_q[1:0];
    unique case (kind_q)
      KindInfo:  src = SrcInfo;
      KindError: src = SrcError;
      KindCounters: begin  // cycles u64, steps u32, last step cycles u32, overflow events u32
        if (pidx_q < PidxWidth'(8)) src = SrcCycles;
        else if (pidx_q < PidxWidth'(12)) src = SrcSteps;
        else if (pidx_q < PidxWidth'(16)) src = SrcCore;
        else src = SrcOverflow;
      end
      KindReport: begin  // y, last step cycles u32, overflow events of the run u32
        byte_sel = 2'(pidx_q - PidxWidth'(YBytes));
        if (pidx_q < PidxWidth'(YBytes)) src = SrcY;
        else if (pidx_q < PidxWidth'(YBytes + 4)) src = SrcCore;
        else src = SrcRunOverflow;
      end
      default: ;  // KindState: dbg_data_i
    endcase
  end

  // INFO byte pidx_q, a 16-entry constant table.
  logic [7:0] info_byte;
  always_comb begin
    info_byte = 8'h00;
    for (int unsigned i = 0; i < 16; i++) begin
      if (pidx_q[3:0] == 4'(i)) info_byte = InfoBytes[i*8 +: 8];
    end
  end

  logic [31:0] core_word;  // the core's number in this payload
  assign core_word = (kind_q == KindState) ? dbg_data_i : step_cycles_i;

  logic [7:0] payload_byte;
  always_comb begin
    unique case (src)
      SrcSteps:       payload_byte = steps_q[7:0];
      SrcOverflow:    payload_byte = overflow_q[7:0];
      SrcRunOverflow: payload_byte = run_overflow_q[7:0];
      SrcCycles:      payload_byte = stage_q[7:0];
      SrcY:           payload_byte = y_q[7:0];
      SrcInfo:        payload_byte = info_byte;
      SrcError:       payload_byte = pidx_q[0] ? (err_cmd_q ? cmd_q : 8'h00) : {5'b0, err_code_q};
      default:        payload_byte = core_word[32'(byte_sel)*8 +: 8];  // SrcCore
    endcase
  end

  logic [7:0] next_byte;
  always_comb begin
    unique case (wpos_q)
      WSync:    next_byte = SyncByte;
      WCode:    next_byte = (kind_q == KindError) ? ErrorCode : (cmd_q | 8'h80);
      WLen0:    next_byte = resp_len[7:0];
      WLen1:    next_byte = resp_len[15:8];
      WPayload: next_byte = payload_byte;
      default:  next_byte = crc_q;  // WCrc
    endcase
  end

  logic tx_fire, fetch, fetch_payload;
  assign tx_fire       = (state_q == StRespond) && tx_valid_q && tx_ready_i;
  assign fetch         = (state_q == StRespond) && !tx_valid_q && (fetch_q == '0);
  assign fetch_payload = fetch && (wpos_q == WPayload);
  assign resp_done     = tx_fire && (wpos_q == WCrc);
  // A payload byte taken from a serial register moves the next one to its low byte.
  assign rotate_steps    = fetch_payload && (src == SrcSteps);
  assign rotate_overflow = fetch_payload && (src == SrcOverflow);
  assign rotate_run      = fetch_payload && (src == SrcRunOverflow);

  always_comb begin
    wpos_d     = wpos_q;
    kind_d     = kind_q;
    pidx_d     = pidx_q;
    crc_d      = crc_q;
    tx_data_d  = tx_data_q;
    tx_valid_d = tx_valid_q;
    fetch_d    = fetch_q;
    dbg_addr_d = dbg_addr_q;
    if (resp_start) begin
      wpos_d     = WSync;
      kind_d     = resp_kind;
      pidx_d     = '0;
      tx_valid_d = 1'b0;
      fetch_d    = 2'd2;
      if (do_read_state) dbg_addr_d = DebugAddrWidth'(arg_first);
    end
    // The CRC: zero at a sync byte or a response's start, then over command, length and
    // payload of the frame received (bytes while receiving) or sent (bytes taken).
    if (resp_start || (rx_valid_i && state_q == StSync)) begin
      crc_d = '0;
    end else if ((rx_valid_i && receiving) || (tx_fire && wpos_q != WSync && wpos_q != WCrc)) begin
      crc_d = crc8_next(crc_q, (state_q == StRespond) ? tx_data_q : rx_data_i);
    end
    if (fetch) begin
      tx_data_d  = next_byte;
      tx_valid_d = 1'b1;
    end else if (state_q == StRespond && !tx_valid_q) begin
      fetch_d = fetch_q - 1'b1;
    end
    if (tx_fire) begin
      tx_valid_d = 1'b0;
      fetch_d    = 2'd2;
      unique case (wpos_q)
        WSync: wpos_d = WCode;
        WCode: wpos_d = WLen0;
        WLen0: wpos_d = WLen1;
        WLen1: wpos_d = (kind_q == KindEmpty) ? WCrc : WPayload;
        WPayload: begin
          if (payload_last) wpos_d = WCrc;
          pidx_d = pidx_q + 1'b1;
          // The next READ_STATE value: its address goes out now, its data is fetched later.
          if (pidx_q[1:0] == 2'd3) dbg_addr_d = dbg_addr_q + 1'b1;
        end
        default: wpos_d = WSync;  // WCrc: the frame is sent (resp_done)
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wpos_q     <= WSync;
      kind_q     <= KindEmpty;
      pidx_q     <= '0;
      crc_q      <= '0;
      tx_data_q  <= '0;
      tx_valid_q <= 1'b0;
      fetch_q    <= '0;
      dbg_addr_q <= '0;
    end else begin
      wpos_q     <= wpos_d;
      kind_q     <= kind_d;
      pidx_q     <= pidx_d;
      crc_q      <= crc_d;
      tx_data_q  <= tx_data_d;
      tx_valid_q <= tx_valid_d;
      fetch_q    <= fetch_d;
      dbg_addr_q <= dbg_addr_d;
    end
  end

  // The staging buffer: request payload bytes shift in on top; READ_COUNTERS (a request
  // without payload) loads the cycle snapshot into its bottom 8 bytes, which then shift out
  // LSB first the same way. y of the last step, shifted out by the step report. No reset:
  // a command reads only bytes of its own frame, y is loaded before it is read.
  always_comb begin
    stage_d = stage_q;
    if (do_counters) stage_d[63:0] = cycle_count_i;
    else if ((rx_valid_i && state_q == StPayload) || (fetch_payload && src == SrcCycles)) begin
      stage_d = {rx_data_i, stage_q[StageWidth-1:8]};
    end
    y_d = y_q;
    if (step_done) y_d = y_bytes;
    else if (fetch_payload && src == SrcY) y_d = y_q >> 8;
  end

  always_ff @(posedge clk_i) begin
    stage_q <= stage_d;
    y_q     <= y_d;
  end

  assign tx_data_o  = tx_data_q;
  assign tx_valid_o = tx_valid_q;
  assign dbg_addr_o = dbg_addr_q;

`ifndef SYNTHESIS
  initial begin
    if (Family > 1) $fatal(1, "nf_host_link: Family must be 0 (rate) or 1 (LIF)");
    if (NumUnits < 1 || NumInputs < 1 || NumOutputs < 1 || Lanes < 1) $fatal(1, "nf_host_link: sizes must be >= 1");
    if (NumUnits > 65535 || NumInputs > 65535 || NumOutputs > 65535 || Lanes > 65535)
      $fatal(1, "nf_host_link: INFO carries sizes as u16");
    if (InputWidth < 1 || InputWidth > 255 || OutputWidth < 1 || OutputWidth > 255)
      $fatal(1, "nf_host_link: INFO carries the widths as u8");
    if (LoadLen > 65535 || ReportLen > 65535) $fatal(1, "nf_host_link: payloads must fit a u16 length");
    if (DebugAddrWidth < 1 || DebugAddrWidth > 31) $fatal(1, "nf_host_link: DebugAddrWidth out of range");
    if (DebugSelWidth < ((Family == 0) ? 1 : 3)) $fatal(1, "nf_host_link: DebugSelWidth too small for the family");
    if (QuietCycles < 1) $fatal(1, "nf_host_link: QuietCycles must be >= 1");
  end
  // Stream rules: valid never waits for ready, data holds while stalled.
  nf_stream_assert #(.Width(8), .Name("tx stream")) u_tx_assert (
    .clk_i,
    .rst_ni,
    .valid_i(tx_valid_o),
    .ready_i(tx_ready_i),
    .data_i (tx_data_o)
  );
  nf_stream_assert #(.Width(NumInputs * InputWidth), .Name("input stream")) u_in_assert (
    .clk_i,
    .rst_ni,
    .valid_i(in_valid_o),
    .ready_i(in_ready_i),
    .data_i (in_data_o)
  );
`endif
endmodule
