// nf_uart_tx: 8N1 UART transmitter (LSB first, idle high), one bit per
// ClocksPerBit clock cycles (docs/host-link.md, "Line").
//
// A valid/ready byte stream in: a byte is taken when valid_i && ready_o, and
// ready_o is high only while the line is idle, i.e. from the end of the
// previous stop bit on, so back-to-back bytes leave no gap. tx_o comes from a
// flip-flop (no glitches on the pin); it is high from configuration on (a
// declaration initialiser, as the FPGAs load it from the bitstream) and
// during reset.
module nf_uart_tx #(
  parameter int unsigned ClocksPerBit = 104,  // clock cycles per bit, ≥ 2
  localparam int unsigned CountWidth  = $clog2(ClocksPerBit)  // derived: holds 0 … ClocksPerBit − 1
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic [7:0] byte_i,
  input  logic       valid_i,
  output logic       ready_o,
  output logic       tx_o      // the line
);
  localparam logic [CountWidth-1:0] LastCount = CountWidth'(ClocksPerBit - 1);

  logic                  busy_q, busy_d;
  logic [CountWidth-1:0] count_q, count_d;  // clock cycles into the current bit
  logic [3:0]            bits_q, bits_d;    // bits still to send after the current one
  logic [8:0]            shift_q, shift_d;  // {stop bit, data bits not yet sent}
  logic                  tx_q = 1'b1;
  logic                  tx_d;

  always_comb begin
    busy_d  = busy_q;
    count_d = count_q;
    bits_d  = bits_q;
    shift_d = shift_q;
    tx_d    = tx_q;
    if (!busy_q) begin
      if (valid_i) begin  // ready_o is !busy_q: the byte is taken, its start bit begins
        busy_d  = 1'b1;
        count_d = '0;
        bits_d  = 4'd9;
        shift_d = {1'b1, byte_i};
        tx_d    = 1'b0;
      end
    end else begin
      count_d = count_q + 1'b1;
      if (count_q == LastCount) begin
        count_d = '0;
        if (bits_q == '0) begin
          busy_d = 1'b0;  // the end of the stop bit
        end else begin
          tx_d    = shift_q[0];
          shift_d = {1'b1, shift_q[8:1]};
          bits_d  = bits_q - 1'b1;
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      count_q <= '0;
      bits_q  <= '0;
      shift_q <= '1;
      tx_q    <= 1'b1;
    end else begin
      busy_q  <= busy_d;
      count_q <= count_d;
      bits_q  <= bits_d;
      shift_q <= shift_d;
      tx_q    <= tx_d;
    end
  end

  assign ready_o = !busy_q;
  assign tx_o    = tx_q;

`ifndef SYNTHESIS
  initial begin
    if (ClocksPerBit < 2) $fatal(1, "nf_uart_tx: ClocksPerBit must be >= 2");
  end
  // Stream rule: the byte holds while it waits (valid_i never waits for ready_o).
  nf_stream_assert #(.Width(8), .Name("byte stream")) u_byte_assert (
    .clk_i,
    .rst_ni,
    .valid_i,
    .ready_i(ready_o),
    .data_i (byte_i)
  );
`endif
endmodule
