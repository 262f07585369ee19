// A simple dual-port memory: one synchronous write port, one synchronous read
// port (a block RAM on FPGAs). Contents are undefined until written; the
// cores clear their state memories after reset.
module nf_ram #(
  parameter int unsigned Depth = 16,
  parameter int unsigned Width = 16
) (
  input  logic                     clk_i,
  input  logic                     write_i,
  input  logic [$clog2(Depth)-1:0] write_addr_i,
  input  logic [Width-1:0]         write_data_i,
  input  logic [$clog2(Depth)-1:0] read_addr_i,
  output logic [Width-1:0]         read_data_o
);
  logic [Width-1:0] mem [Depth];
  logic [Width-1:0] read_data_q;
  // The write at an address and the read register stay together in always_ff,
  // not as _d values in always_comb: this is the block-RAM pattern Yosys maps
  // (docs/rtl.md, "Conventions in rtl/sv").
  always_ff @(posedge clk_i) begin
    if (write_i) mem[write_addr_i] <= write_data_i;
    read_data_q <= mem[read_addr_i];
  end
  assign read_data_o = read_data_q;
endmodule
