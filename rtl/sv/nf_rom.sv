// A read-only memory initialised from a hex image ($readmemh), read
// synchronously so it maps to block RAM. Words are Width bits, Depth of them.
module nf_rom #(
  parameter int unsigned Depth = 16,
  parameter int unsigned Width = 8,
  parameter              InitFile = ""  // untyped: Yosys 0.23 has no parameter string; "" = no image
) (
  input  logic                     clk_i,
  input  logic                     en_i,
  input  logic [$clog2(Depth)-1:0] addr_i,
  output logic [Width-1:0]         data_o
);
  logic [Width-1:0] mem [Depth];
  // Only with an image: read_verilog of the bare module must not open a file.
  if (InitFile != "") begin : g_init
    initial $readmemh(InitFile, mem);
  end
  // The read register stays beside the array, not as a data_d in always_comb:
  // this is the synchronous read port Yosys maps into a block RAM (docs/rtl.md,
  // "Conventions in rtl/sv").
  logic [Width-1:0] data_q;
  always_ff @(posedge clk_i) begin
    if (en_i) data_q <= mem[addr_i];
  end
  assign data_o = data_q;
endmodule
