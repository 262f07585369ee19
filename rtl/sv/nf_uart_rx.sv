// nf_uart_rx: 8N1 UART receiver (LSB first, idle high), one bit per
// ClocksPerBit clock cycles (docs/host-link.md, "Line").
//
// rx_i is asynchronous to clk_i: two flip-flops synchronise it. A low level
// while idle starts a byte; the start bit is checked again half a bit later
// (a shorter glitch is ignored), and from there every bit is sampled in its
// middle, one bit period apart. A byte whose stop bit samples low (a framing
// error) is dropped, but busy_o was high while it came in, so it still counts
// as line activity for the host link's quiet-line timer.
//
// valid_o is a one-cycle pulse with the byte on byte_o, issued in the middle
// of the stop bit, after its sample; there is no back-pressure (the consumer
// takes the byte in the cycle of the pulse). busy_o is high from
// the start bit's falling edge (as seen after the synchroniser) until that
// stop-bit sample, and is already low in the cycle of the valid_o pulse.
module nf_uart_rx #(
  parameter int unsigned ClocksPerBit = 104,  // clock cycles per bit, ≥ 4
  localparam int unsigned CountWidth  = $clog2(ClocksPerBit)  // derived: holds 0 … ClocksPerBit − 1
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,     // the line, asynchronous
  output logic [7:0] byte_o,
  output logic       valid_o,  // one-cycle pulse: a byte with a good stop bit
  output logic       busy_o    // a start bit has begun and the byte is not finished
);
  localparam logic [CountWidth-1:0] LastCount = CountWidth'(ClocksPerBit - 1);
  localparam logic [CountWidth-1:0] HalfCount = CountWidth'(ClocksPerBit / 2 - 1);

  typedef enum logic [1:0] {RxIdle, RxStart, RxData, RxStop} rx_state_e;

  rx_state_e             state_q, state_d;
  logic [1:0]            sync_q, sync_d;    // the synchroniser, [1] is the synchronised line
  logic [CountWidth-1:0] count_q, count_d;  // clock cycles into the current bit
  logic [2:0]            bit_q, bit_d;      // data bit being received
  logic [7:0]            shift_q, shift_d;  // data bits, shifted in from the top (LSB first)
  logic                  valid_q, valid_d;
  logic                  line;
  assign line = sync_q[1];

  always_comb begin
    state_d = state_q;
    sync_d  = {sync_q[0], rx_i};
    count_d = count_q + 1'b1;
    bit_d   = bit_q;
    shift_d = shift_q;
    valid_d = 1'b0;
    unique case (state_q)
      RxIdle: begin
        count_d = '0;
        if (!line) state_d = RxStart;
      end
      RxStart: begin
        // Middle of the start bit: still low, or it was a glitch.
        if (count_q == HalfCount) begin
          count_d = '0;
          bit_d   = '0;
          state_d = line ? RxIdle : RxData;
        end
      end
      RxData: begin
        if (count_q == LastCount) begin
          count_d = '0;
          shift_d = {line, shift_q[7:1]};
          bit_d   = bit_q + 1'b1;
          if (bit_q == 3'd7) state_d = RxStop;
        end
      end
      RxStop: begin
        if (count_q == LastCount) begin
          valid_d = line;  // a low stop bit is a framing error: the byte is dropped
          state_d = RxIdle;
        end
      end
      default: state_d = RxIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= RxIdle;
      sync_q  <= 2'b11;  // the idle level
      count_q <= '0;
      bit_q   <= '0;
      shift_q <= '0;
      valid_q <= 1'b0;
    end else begin
      state_q <= state_d;
      sync_q  <= sync_d;
      count_q <= count_d;
      bit_q   <= bit_d;
      shift_q <= shift_d;
      valid_q <= valid_d;
    end
  end

  assign byte_o  = shift_q;
  assign valid_o = valid_q;
  assign busy_o  = state_q != RxIdle;

`ifndef SYNTHESIS
  initial begin
    if (ClocksPerBit < 4) $fatal(1, "nf_uart_rx: ClocksPerBit must be >= 4");
  end
`endif
endmodule
