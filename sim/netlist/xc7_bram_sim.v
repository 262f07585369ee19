// Functional simulation models of the Xilinx 7-series block RAMs RAMB18E1
// and RAMB36E1, for the netlist level of neurofab (`neurofab verify --level
// synth` of a Xilinx build: Yosys synth_xilinx's netlist under Verilator;
// sim/include/neurofab/sim/netlist_board.hpp, docs/rtl.md "Three levels").
//
// Why: Yosys 0.23's xilinx/cells_sim.v declares these two cells with ports,
// parameters and timing only, without behaviour; neurofab drops those two
// declarations from its copy of cells_sim.v and compiles this file instead.
// Xilinx's own UNISIM models ship with Vivado only.
//
// Written for neurofab from the block RAM chapter of UG473 (7 Series FPGAs
// Memory Resources) and checked against Yosys 0.23's mapping of memories
// onto these cells (brams_xc4v.txt, brams_xc6v_map.v, brams_defs.vh): a
// differential test drove the RTL of twelve memory shapes (TDP and SDP,
// widths 1 to 72, byte enables, write-first, read enable, initialised
// contents, read registers with initial and reset values) and their
// synth_xilinx netlist side by side with random, collision-heavy stimulus
// for 400 000 cycles and compared every output every cycle: no difference
// but Yosys 0.23's own in a written 72-bit SDP memory (YosysHQ/yosys pull
// request #5833). It was not checked against UNISIM or silicon: a
// misreading shared by Yosys and this file would not be seen.
//
// What is modelled:
// - the storage as UG473 lays it out: 9-bit byte lanes (8 data bits, 1
//   parity bit); INIT_xx holds the data bits and INITP_xx the parity bits,
//   each in address order; the address bits below a word are ignored
//   (port widths 1, 2, 4, 9, 18 and, on RAMB36E1, 36);
// - TDP (true dual port) at those widths, mixed widths included, and SDP
//   (simple dual port) at the full width: 36 on RAMB18E1, 72 on RAMB36E1,
//   read through port A (ADDRARDADDR, read word {DOBDO, DOADO} with parity
//   {DOPBDOP, DOPADOP}) and written through port B (ADDRBWRADDR, write word
//   {DIBDI, DIADI}, parity {DIPBDIP, DIPADIP}, byte enables WEBWE);
// - enables, byte write enables (widths 18 and up: one per byte lane;
//   narrower: WEA[0]/WEBWE[0]), WRITE_MODE READ_FIRST, WRITE_FIRST (a port
//   reads what it writes, old data in lanes it does not write) and
//   NO_CHANGE (a write leaves the port's output as it was);
// - the output latch powering up at INIT_A/INIT_B and set to SRVAL_A/SRVAL_B
//   by RSTRAM (with the port enabled); the optional output register
//   (DOA_REG/DOB_REG) with REGCE and RSTREG, RSTREG_PRIORITY; INIT and
//   SRVAL in the port's width format (data bits low, parity bits above);
//   in SDP, INIT_A/SRVAL_A describe DOPADOP/DOADO and INIT_B/SRVAL_B
//   DOPBDOP/DOBDO (as Yosys's mapping sets them).
//
// Collisions: every read of a clock edge sees the memory as it was before
// that edge's writes, so a port that reads an address the other port writes
// in the same cycle gets the old word. That is what UG473 gives for
// READ_FIRST, the only cross-port behaviour Yosys's mapping relies on
// ("wrtrans all old"); with WRITE_FIRST or NO_CHANGE the silicon's read is
// undefined there, which is not modelled. Both clocks are taken as
// independent edges; nothing models clock skew or the collision timing
// window of asynchronous clocks.
//
// Refused at elaboration ($fatal): cascading (RAM_EXTENSION), ECC, inverted
// pins (IS_*_INVERTED), INIT_FILE, SDP below the full width, TDP above 18
// (RAMB18E1) or 36 (RAMB36E1) or at a width UG473 does not list, SDP with
// different DOA_REG and DOB_REG. The ECC and cascade outputs read 0.

// nf_xc7_bram_core: the storage and both ports of one block RAM.
// NB: 9-bit byte lanes (2048: RAMB18E1, 4096: RAMB36E1); AW: address bits
// (14, 15); MAXW: the widest word (36, 72), the width of the port buses
// ({parity, data} = MAXW/9 + MAXW*8/9 bits). In SDP, port A only reads and
// port B only writes.
module nf_xc7_bram_core #(
  parameter integer NB = 2048,
  parameter integer AW = 14,
  parameter integer MAXW = 36,
  parameter [8*NB-1:0] INIT_D = 0,
  parameter [NB-1:0] INIT_P = 0,
  parameter SDP = 0,
  parameter integer RWA = 0, parameter integer RWB = 0,
  parameter integer WWA = 0, parameter integer WWB = 0,
  parameter WMA = "WRITE_FIRST", parameter WMB = "WRITE_FIRST",
  parameter integer DOA_REG = 0, parameter integer DOB_REG = 0,
  parameter [MAXW-1:0] INITVAL_A = 0, parameter [MAXW-1:0] INITVAL_B = 0,
  parameter [MAXW-1:0] SRVAL_A = 0, parameter [MAXW-1:0] SRVAL_B = 0,
  parameter RPA = "RSTREG", parameter RPB = "RSTREG"
) (
  input clka, input ena, input rstrama, input rstrega, input regcea,
  input [MAXW/9-1:0] wea, input [15:0] addra,
  input [MAXW*8/9-1:0] dia, input [MAXW/9-1:0] dipa,
  output [MAXW*8/9-1:0] doa, output [MAXW/9-1:0] dopa,
  input clkb, input enb, input rstramb, input rstregb, input regceb,
  input [MAXW/9-1:0] web, input [15:0] addrb,
  input [MAXW*8/9-1:0] dib, input [MAXW/9-1:0] dipb,
  output [MAXW*8/9-1:0] dob, output [MAXW/9-1:0] dopb
);
  localparam integer DW = MAXW * 8 / 9;  // data bits of the widest word
  localparam integer PW = MAXW / 9;      // parity bits of the widest word

  // Data and parity bits of a word of port width w (1, 2, 4, 9, 18, 36, 72).
  function integer dbits(input integer w);
    dbits = w >= 9 ? 8 * (w / 9) : w;
  endfunction
  function integer pbits(input integer w);
    pbits = w >= 9 ? w / 9 : 0;
  endfunction
  // The address bits below the word address: log2 of the data bits.
  function integer shift_of(input integer w);
    case (w)
      1: shift_of = 0; 2: shift_of = 1; 4: shift_of = 2; 9: shift_of = 3;
      18: shift_of = 4; 36: shift_of = 5; 72: shift_of = 6;
      default: shift_of = 0;
    endcase
  endfunction
  // The word index of `addr` at width w.
  function integer word_of(input integer w, input [15:0] addr);
    word_of = {{(32-AW){1'b0}}, addr[AW-1:0]} >> shift_of(w);
  endfunction

  reg mem_d [0:8*NB-1];  // data bits, in address order (INIT_xx)
  reg mem_p [0:NB-1];    // parity bits, one per byte lane (INITP_xx)
  integer i;
  initial begin
    for (i = 0; i < 8 * NB; i = i + 1) mem_d[i] = INIT_D[i];
    for (i = 0; i < NB; i = i + 1) mem_p[i] = INIT_P[i];
  end

  // The word of width w at addr, as data and parity bus parts.
  task automatic read_word(input integer w, input [15:0] addr, output [DW-1:0] d, output [PW-1:0] p);
    integer idx, j;
    begin
      d = 0; p = 0;
      idx = word_of(w, addr);
      for (j = 0; j < dbits(w); j = j + 1) d[j] = mem_d[idx * dbits(w) + j];
      for (j = 0; j < pbits(w); j = j + 1) p[j] = mem_p[idx * pbits(w) + j];
    end
  endtask

  // Is byte lane `lane` of a width-w write enabled by we?
  function lane_en(input integer w, input [PW-1:0] we, input integer lane);
    lane_en = w >= 18 ? we[lane] : we[0];
  endfunction

  // WRITE_FIRST: the word read (width rw at raddr) with the port's own write
  // (width ww at waddr, enables we, data wd, parity wp) laid over it.
  task automatic overlay(input integer rw, input [15:0] raddr, input integer ww, input [15:0] waddr,
                         input [PW-1:0] we, input [DW-1:0] wd, input [PW-1:0] wp,
                         inout [DW-1:0] d, inout [PW-1:0] p);
    integer ridx, widx, j, pos, jj;
    begin
      ridx = word_of(rw, raddr);
      widx = word_of(ww, waddr);
      for (j = 0; j < dbits(rw); j = j + 1) begin
        pos = ridx * dbits(rw) + j;
        jj = pos - widx * dbits(ww);
        if (jj >= 0 && jj < dbits(ww) && lane_en(ww, we, jj / 8)) d[j] = wd[jj];
      end
      for (j = 0; j < pbits(rw); j = j + 1) begin
        pos = ridx * pbits(rw) + j;
        jj = pos - widx * pbits(ww);
        if (jj >= 0 && jj < pbits(ww) && lane_en(ww, we, jj)) p[j] = wp[jj];
      end
    end
  endtask

  // {parity, data} bus parts of an INIT/SRVAL value in the width-w port
  // format (data bits low, parity bits above them).
  function [DW+PW-1:0] port_value(input integer w, input [MAXW-1:0] v);
    integer k;
    begin
      port_value = 0;
      for (k = 0; k < dbits(w); k = k + 1) port_value[k] = v[k];
      for (k = 0; k < pbits(w); k = k + 1) port_value[DW + k] = v[dbits(w) + k];
    end
  endfunction

  localparam integer DWA = dbits(WWA), PWA = pbits(WWA), DWB = dbits(WWB), PWB = pbits(WWB);
  localparam A_WRITES = !SDP && WWA > 0;
  localparam A_READS = RWA > 0;
  localparam B_WRITES = WWB > 0;
  localparam B_READS = !SDP && RWB > 0;

  reg [DW-1:0] lat_a_d, reg_a_d, lat_b_d, reg_b_d, tda, tdb;
  reg [PW-1:0] lat_a_p, reg_a_p, lat_b_p, reg_b_p, tpa, tpb;
  integer ja, jb, wia, wib;
  initial begin
    {lat_a_p, lat_a_d} = port_value(RWA, INITVAL_A); {reg_a_p, reg_a_d} = port_value(RWA, INITVAL_A);
    {lat_b_p, lat_b_d} = port_value(RWB, INITVAL_B); {reg_b_p, reg_b_d} = port_value(RWB, INITVAL_B);
  end

  always @(posedge clka) begin
    if (ena) begin
      if (A_WRITES && (|wea)) begin
        wia = word_of(WWA, addra);
        for (ja = 0; ja < DWA; ja = ja + 1) if (lane_en(WWA, wea, ja / 8)) mem_d[wia * DWA + ja] <= dia[ja];
        for (ja = 0; ja < PWA; ja = ja + 1) if (lane_en(WWA, wea, ja)) mem_p[wia * PWA + ja] <= dipa[ja];
      end
      if (A_READS) begin
        read_word(RWA, addra, tda, tpa);
        if (A_WRITES && (|wea) && WMA == "WRITE_FIRST") overlay(RWA, addra, WWA, addra, wea, dia, dipa, tda, tpa);
        if (rstrama) {lat_a_p, lat_a_d} <= port_value(RWA, SRVAL_A);
        else if (!(A_WRITES && (|wea) && WMA == "NO_CHANGE")) {lat_a_p, lat_a_d} <= {tpa, tda};
      end
    end
    if (DOA_REG != 0) begin
      if (rstrega && (RPA == "RSTREG" || regcea)) {reg_a_p, reg_a_d} <= port_value(RWA, SRVAL_A);
      else if (regcea) {reg_a_p, reg_a_d} <= {lat_a_p, lat_a_d};
    end
  end

  always @(posedge clkb) begin
    if (enb) begin
      if (B_WRITES && (|web)) begin
        wib = word_of(WWB, addrb);
        for (jb = 0; jb < DWB; jb = jb + 1) if (lane_en(WWB, web, jb / 8)) mem_d[wib * DWB + jb] <= dib[jb];
        for (jb = 0; jb < PWB; jb = jb + 1) if (lane_en(WWB, web, jb)) mem_p[wib * PWB + jb] <= dipb[jb];
      end
      if (B_READS) begin
        read_word(RWB, addrb, tdb, tpb);
        if (B_WRITES && (|web) && WMB == "WRITE_FIRST") overlay(RWB, addrb, WWB, addrb, web, dib, dipb, tdb, tpb);
        if (rstramb) {lat_b_p, lat_b_d} <= port_value(RWB, SRVAL_B);
        else if (!(B_WRITES && (|web) && WMB == "NO_CHANGE")) {lat_b_p, lat_b_d} <= {tpb, tdb};
      end
    end
    if (!SDP && DOB_REG != 0) begin
      if (rstregb && (RPB == "RSTREG" || regceb)) {reg_b_p, reg_b_d} <= port_value(RWB, SRVAL_B);
      else if (regceb) {reg_b_p, reg_b_d} <= {lat_b_p, lat_b_d};
    end
  end

  assign doa  = DOA_REG != 0 ? reg_a_d : lat_a_d;
  assign dopa = DOA_REG != 0 ? reg_a_p : lat_a_p;
  assign dob  = DOB_REG != 0 ? reg_b_d : lat_b_d;
  assign dopb = DOB_REG != 0 ? reg_b_p : lat_b_p;
endmodule

// RAMB18E1: 18 Kb, 2048 byte lanes (see the head of this file).
module RAMB18E1 (
  input CLKARDCLK, input CLKBWRCLK, input ENARDEN, input ENBWREN,
  input REGCEAREGCE, input REGCEB, input RSTRAMARSTRAM, input RSTRAMB,
  input RSTREGARSTREG, input RSTREGB,
  input [13:0] ADDRARDADDR, input [13:0] ADDRBWRADDR,
  input [15:0] DIADI, input [15:0] DIBDI, input [1:0] DIPADIP, input [1:0] DIPBDIP,
  input [1:0] WEA, input [3:0] WEBWE,
  output [15:0] DOADO, output [15:0] DOBDO, output [1:0] DOPADOP, output [1:0] DOPBDOP
);
  parameter integer DOA_REG = 0;
  parameter integer DOB_REG = 0;
  parameter [255:0] INITP_00 = 256'h0;
  parameter [255:0] INITP_01 = 256'h0;
  parameter [255:0] INITP_02 = 256'h0;
  parameter [255:0] INITP_03 = 256'h0;
  parameter [255:0] INITP_04 = 256'h0;
  parameter [255:0] INITP_05 = 256'h0;
  parameter [255:0] INITP_06 = 256'h0;
  parameter [255:0] INITP_07 = 256'h0;
  parameter [255:0] INIT_00 = 256'h0;
  parameter [255:0] INIT_01 = 256'h0;
  parameter [255:0] INIT_02 = 256'h0;
  parameter [255:0] INIT_03 = 256'h0;
  parameter [255:0] INIT_04 = 256'h0;
  parameter [255:0] INIT_05 = 256'h0;
  parameter [255:0] INIT_06 = 256'h0;
  parameter [255:0] INIT_07 = 256'h0;
  parameter [255:0] INIT_08 = 256'h0;
  parameter [255:0] INIT_09 = 256'h0;
  parameter [255:0] INIT_0A = 256'h0;
  parameter [255:0] INIT_0B = 256'h0;
  parameter [255:0] INIT_0C = 256'h0;
  parameter [255:0] INIT_0D = 256'h0;
  parameter [255:0] INIT_0E = 256'h0;
  parameter [255:0] INIT_0F = 256'h0;
  parameter [255:0] INIT_10 = 256'h0;
  parameter [255:0] INIT_11 = 256'h0;
  parameter [255:0] INIT_12 = 256'h0;
  parameter [255:0] INIT_13 = 256'h0;
  parameter [255:0] INIT_14 = 256'h0;
  parameter [255:0] INIT_15 = 256'h0;
  parameter [255:0] INIT_16 = 256'h0;
  parameter [255:0] INIT_17 = 256'h0;
  parameter [255:0] INIT_18 = 256'h0;
  parameter [255:0] INIT_19 = 256'h0;
  parameter [255:0] INIT_1A = 256'h0;
  parameter [255:0] INIT_1B = 256'h0;
  parameter [255:0] INIT_1C = 256'h0;
  parameter [255:0] INIT_1D = 256'h0;
  parameter [255:0] INIT_1E = 256'h0;
  parameter [255:0] INIT_1F = 256'h0;
  parameter [255:0] INIT_20 = 256'h0;
  parameter [255:0] INIT_21 = 256'h0;
  parameter [255:0] INIT_22 = 256'h0;
  parameter [255:0] INIT_23 = 256'h0;
  parameter [255:0] INIT_24 = 256'h0;
  parameter [255:0] INIT_25 = 256'h0;
  parameter [255:0] INIT_26 = 256'h0;
  parameter [255:0] INIT_27 = 256'h0;
  parameter [255:0] INIT_28 = 256'h0;
  parameter [255:0] INIT_29 = 256'h0;
  parameter [255:0] INIT_2A = 256'h0;
  parameter [255:0] INIT_2B = 256'h0;
  parameter [255:0] INIT_2C = 256'h0;
  parameter [255:0] INIT_2D = 256'h0;
  parameter [255:0] INIT_2E = 256'h0;
  parameter [255:0] INIT_2F = 256'h0;
  parameter [255:0] INIT_30 = 256'h0;
  parameter [255:0] INIT_31 = 256'h0;
  parameter [255:0] INIT_32 = 256'h0;
  parameter [255:0] INIT_33 = 256'h0;
  parameter [255:0] INIT_34 = 256'h0;
  parameter [255:0] INIT_35 = 256'h0;
  parameter [255:0] INIT_36 = 256'h0;
  parameter [255:0] INIT_37 = 256'h0;
  parameter [255:0] INIT_38 = 256'h0;
  parameter [255:0] INIT_39 = 256'h0;
  parameter [255:0] INIT_3A = 256'h0;
  parameter [255:0] INIT_3B = 256'h0;
  parameter [255:0] INIT_3C = 256'h0;
  parameter [255:0] INIT_3D = 256'h0;
  parameter [255:0] INIT_3E = 256'h0;
  parameter [255:0] INIT_3F = 256'h0;
  parameter [17:0] INIT_A = 18'h0;
  parameter [17:0] INIT_B = 18'h0;
  parameter INIT_FILE = "NONE";
  parameter RAM_MODE = "TDP";
  parameter RDADDR_COLLISION_HWCONFIG = "DELAYED_WRITE";
  parameter integer READ_WIDTH_A = 0;
  parameter integer READ_WIDTH_B = 0;
  parameter RSTREG_PRIORITY_A = "RSTREG";
  parameter RSTREG_PRIORITY_B = "RSTREG";
  parameter SIM_COLLISION_CHECK = "ALL";
  parameter SIM_DEVICE = "VIRTEX6";
  parameter [17:0] SRVAL_A = 18'h0;
  parameter [17:0] SRVAL_B = 18'h0;
  parameter WRITE_MODE_A = "WRITE_FIRST";
  parameter WRITE_MODE_B = "WRITE_FIRST";
  parameter integer WRITE_WIDTH_A = 0;
  parameter integer WRITE_WIDTH_B = 0;
  parameter IS_CLKARDCLK_INVERTED = 1'b0;
  parameter IS_CLKBWRCLK_INVERTED = 1'b0;
  parameter IS_ENARDEN_INVERTED = 1'b0;
  parameter IS_ENBWREN_INVERTED = 1'b0;
  parameter IS_RSTRAMARSTRAM_INVERTED = 1'b0;
  parameter IS_RSTRAMB_INVERTED = 1'b0;
  parameter IS_RSTREGARSTREG_INVERTED = 1'b0;
  parameter IS_RSTREGB_INVERTED = 1'b0;

  localparam SDP = RAM_MODE == "SDP";
  // A TDP port width UG473 lists for RAMB18E1 (0: the port is not used).
  function tdp_width(input integer w);
    tdp_width = w == 0 || w == 1 || w == 2 || w == 4 || w == 9 || w == 18;
  endfunction
  // The core's read word is {parity, data} of the widest word; in SDP its
  // low half is port A's (DOPADOP, DOADO) and its high half port B's.
  localparam [35:0] IA = SDP ? {INIT_B[17:16], INIT_A[17:16], INIT_B[15:0], INIT_A[15:0]} : {18'h0, INIT_A};
  localparam [35:0] SA = SDP ? {SRVAL_B[17:16], SRVAL_A[17:16], SRVAL_B[15:0], SRVAL_A[15:0]} : {18'h0, SRVAL_A};
  localparam [35:0] IB = {18'h0, INIT_B};
  localparam [35:0] SB = {18'h0, SRVAL_B};

  initial begin
    if (IS_CLKARDCLK_INVERTED || IS_CLKBWRCLK_INVERTED || IS_ENARDEN_INVERTED || IS_ENBWREN_INVERTED ||
        IS_RSTRAMARSTRAM_INVERTED || IS_RSTRAMB_INVERTED || IS_RSTREGARSTREG_INVERTED || IS_RSTREGB_INVERTED)
      $fatal(1, "%m: RAMB18E1 with an inverted pin (IS_*_INVERTED) is not modelled");
    if (INIT_FILE != "NONE") $fatal(1, "%m: RAMB18E1 INIT_FILE is not modelled");
    if (RAM_MODE != "TDP" && RAM_MODE != "SDP") $fatal(1, "%m: RAMB18E1 RAM_MODE is neither TDP nor SDP");
    if (SDP && !((READ_WIDTH_A == 36 || READ_WIDTH_A == 0) && (WRITE_WIDTH_B == 36 || WRITE_WIDTH_B == 0)))
      $fatal(1, "%m: RAMB18E1 in SDP is modelled at width 36 only");
    if (SDP && DOA_REG != DOB_REG) $fatal(1, "%m: RAMB18E1 in SDP with DOA_REG != DOB_REG is not modelled");
    if (!SDP && !(tdp_width(READ_WIDTH_A) && tdp_width(READ_WIDTH_B) && tdp_width(WRITE_WIDTH_A) &&
                  tdp_width(WRITE_WIDTH_B)))
      $fatal(1, "%m: RAMB18E1 in TDP at a width other than 1, 2, 4, 9 or 18");
  end

  wire [31:0] doa, dob;
  wire [3:0] dopa, dopb;
  nf_xc7_bram_core #(
    .NB(2048), .AW(14), .MAXW(36),
    .INIT_D({
      INIT_3F, INIT_3E, INIT_3D, INIT_3C, INIT_3B, INIT_3A, INIT_39, INIT_38,
      INIT_37, INIT_36, INIT_35, INIT_34, INIT_33, INIT_32, INIT_31, INIT_30,
      INIT_2F, INIT_2E, INIT_2D, INIT_2C, INIT_2B, INIT_2A, INIT_29, INIT_28,
      INIT_27, INIT_26, INIT_25, INIT_24, INIT_23, INIT_22, INIT_21, INIT_20,
      INIT_1F, INIT_1E, INIT_1D, INIT_1C, INIT_1B, INIT_1A, INIT_19, INIT_18,
      INIT_17, INIT_16, INIT_15, INIT_14, INIT_13, INIT_12, INIT_11, INIT_10,
      INIT_0F, INIT_0E, INIT_0D, INIT_0C, INIT_0B, INIT_0A, INIT_09, INIT_08,
      INIT_07, INIT_06, INIT_05, INIT_04, INIT_03, INIT_02, INIT_01, INIT_00
    }),
    .INIT_P({INITP_07, INITP_06, INITP_05, INITP_04, INITP_03, INITP_02, INITP_01, INITP_00}),
    .SDP(SDP),
    .RWA(READ_WIDTH_A), .RWB(SDP ? 0 : READ_WIDTH_B),
    .WWA(SDP ? 0 : WRITE_WIDTH_A), .WWB(WRITE_WIDTH_B),
    .WMA(WRITE_MODE_A), .WMB(WRITE_MODE_B),
    .DOA_REG(DOA_REG), .DOB_REG(DOB_REG),
    .INITVAL_A(IA), .INITVAL_B(IB), .SRVAL_A(SA), .SRVAL_B(SB),
    .RPA(RSTREG_PRIORITY_A), .RPB(RSTREG_PRIORITY_B)
  ) core (
    .clka(CLKARDCLK), .ena(ENARDEN), .rstrama(RSTRAMARSTRAM), .rstrega(RSTREGARSTREG), .regcea(REGCEAREGCE),
    .wea({2'h0, WEA}), .addra({2'h0, ADDRARDADDR}),
    .dia({16'h0, DIADI}), .dipa({2'h0, DIPADIP}), .doa(doa), .dopa(dopa),
    .clkb(CLKBWRCLK), .enb(ENBWREN), .rstramb(RSTRAMB), .rstregb(RSTREGB), .regceb(REGCEB),
    .web(SDP ? WEBWE : {2'h0, WEBWE[1:0]}), .addrb({2'h0, ADDRBWRADDR}),
    .dib(SDP ? {DIBDI, DIADI} : {16'h0, DIBDI}), .dipb(SDP ? {DIPBDIP, DIPADIP} : {2'h0, DIPBDIP}),
    .dob(dob), .dopb(dopb)
  );
  // TDP: each port's own bus (the low half of the core's). SDP: the read word {DOBDO, DOADO}.
  assign DOADO = doa[15:0];
  assign DOPADOP = dopa[1:0];
  assign DOBDO = SDP ? doa[31:16] : dob[15:0];
  assign DOPBDOP = SDP ? dopa[3:2] : dopb[1:0];
endmodule

// RAMB36E1: 36 Kb, 4096 byte lanes (see the head of this file).
module RAMB36E1 (
  input CLKARDCLK, input CLKBWRCLK, input ENARDEN, input ENBWREN,
  input REGCEAREGCE, input REGCEB, input RSTRAMARSTRAM, input RSTRAMB,
  input RSTREGARSTREG, input RSTREGB,
  output CASCADEOUTA, output CASCADEOUTB,
  output [7:0] ECCPARITY, output [8:0] RDADDRECC, output SBITERR, output DBITERR,
  input CASCADEINA, input CASCADEINB, input INJECTDBITERR, input INJECTSBITERR,
  input [15:0] ADDRARDADDR, input [15:0] ADDRBWRADDR,
  input [31:0] DIADI, input [31:0] DIBDI, input [3:0] DIPADIP, input [3:0] DIPBDIP,
  input [3:0] WEA, input [7:0] WEBWE,
  output [31:0] DOADO, output [31:0] DOBDO, output [3:0] DOPADOP, output [3:0] DOPBDOP
);
  parameter integer DOA_REG = 0;
  parameter integer DOB_REG = 0;
  parameter [255:0] INITP_00 = 256'h0;
  parameter [255:0] INITP_01 = 256'h0;
  parameter [255:0] INITP_02 = 256'h0;
  parameter [255:0] INITP_03 = 256'h0;
  parameter [255:0] INITP_04 = 256'h0;
  parameter [255:0] INITP_05 = 256'h0;
  parameter [255:0] INITP_06 = 256'h0;
  parameter [255:0] INITP_07 = 256'h0;
  parameter [255:0] INITP_08 = 256'h0;
  parameter [255:0] INITP_09 = 256'h0;
  parameter [255:0] INITP_0A = 256'h0;
  parameter [255:0] INITP_0B = 256'h0;
  parameter [255:0] INITP_0C = 256'h0;
  parameter [255:0] INITP_0D = 256'h0;
  parameter [255:0] INITP_0E = 256'h0;
  parameter [255:0] INITP_0F = 256'h0;
  parameter [255:0] INIT_00 = 256'h0;
  parameter [255:0] INIT_01 = 256'h0;
  parameter [255:0] INIT_02 = 256'h0;
  parameter [255:0] INIT_03 = 256'h0;
  parameter [255:0] INIT_04 = 256'h0;
  parameter [255:0] INIT_05 = 256'h0;
  parameter [255:0] INIT_06 = 256'h0;
  parameter [255:0] INIT_07 = 256'h0;
  parameter [255:0] INIT_08 = 256'h0;
  parameter [255:0] INIT_09 = 256'h0;
  parameter [255:0] INIT_0A = 256'h0;
  parameter [255:0] INIT_0B = 256'h0;
  parameter [255:0] INIT_0C = 256'h0;
  parameter [255:0] INIT_0D = 256'h0;
  parameter [255:0] INIT_0E = 256'h0;
  parameter [255:0] INIT_0F = 256'h0;
  parameter [255:0] INIT_10 = 256'h0;
  parameter [255:0] INIT_11 = 256'h0;
  parameter [255:0] INIT_12 = 256'h0;
  parameter [255:0] INIT_13 = 256'h0;
  parameter [255:0] INIT_14 = 256'h0;
  parameter [255:0] INIT_15 = 256'h0;
  parameter [255:0] INIT_16 = 256'h0;
  parameter [255:0] INIT_17 = 256'h0;
  parameter [255:0] INIT_18 = 256'h0;
  parameter [255:0] INIT_19 = 256'h0;
  parameter [255:0] INIT_1A = 256'h0;
  parameter [255:0] INIT_1B = 256'h0;
  parameter [255:0] INIT_1C = 256'h0;
  parameter [255:0] INIT_1D = 256'h0;
  parameter [255:0] INIT_1E = 256'h0;
  parameter [255:0] INIT_1F = 256'h0;
  parameter [255:0] INIT_20 = 256'h0;
  parameter [255:0] INIT_21 = 256'h0;
  parameter [255:0] INIT_22 = 256'h0;
  parameter [255:0] INIT_23 = 256'h0;
  parameter [255:0] INIT_24 = 256'h0;
  parameter [255:0] INIT_25 = 256'h0;
  parameter [255:0] INIT_26 = 256'h0;
  parameter [255:0] INIT_27 = 256'h0;
  parameter [255:0] INIT_28 = 256'h0;
  parameter [255:0] INIT_29 = 256'h0;
  parameter [255:0] INIT_2A = 256'h0;
  parameter [255:0] INIT_2B = 256'h0;
  parameter [255:0] INIT_2C = 256'h0;
  parameter [255:0] INIT_2D = 256'h0;
  parameter [255:0] INIT_2E = 256'h0;
  parameter [255:0] INIT_2F = 256'h0;
  parameter [255:0] INIT_30 = 256'h0;
  parameter [255:0] INIT_31 = 256'h0;
  parameter [255:0] INIT_32 = 256'h0;
  parameter [255:0] INIT_33 = 256'h0;
  parameter [255:0] INIT_34 = 256'h0;
  parameter [255:0] INIT_35 = 256'h0;
  parameter [255:0] INIT_36 = 256'h0;
  parameter [255:0] INIT_37 = 256'h0;
  parameter [255:0] INIT_38 = 256'h0;
  parameter [255:0] INIT_39 = 256'h0;
  parameter [255:0] INIT_3A = 256'h0;
  parameter [255:0] INIT_3B = 256'h0;
  parameter [255:0] INIT_3C = 256'h0;
  parameter [255:0] INIT_3D = 256'h0;
  parameter [255:0] INIT_3E = 256'h0;
  parameter [255:0] INIT_3F = 256'h0;
  parameter [255:0] INIT_40 = 256'h0;
  parameter [255:0] INIT_41 = 256'h0;
  parameter [255:0] INIT_42 = 256'h0;
  parameter [255:0] INIT_43 = 256'h0;
  parameter [255:0] INIT_44 = 256'h0;
  parameter [255:0] INIT_45 = 256'h0;
  parameter [255:0] INIT_46 = 256'h0;
  parameter [255:0] INIT_47 = 256'h0;
  parameter [255:0] INIT_48 = 256'h0;
  parameter [255:0] INIT_49 = 256'h0;
  parameter [255:0] INIT_4A = 256'h0;
  parameter [255:0] INIT_4B = 256'h0;
  parameter [255:0] INIT_4C = 256'h0;
  parameter [255:0] INIT_4D = 256'h0;
  parameter [255:0] INIT_4E = 256'h0;
  parameter [255:0] INIT_4F = 256'h0;
  parameter [255:0] INIT_50 = 256'h0;
  parameter [255:0] INIT_51 = 256'h0;
  parameter [255:0] INIT_52 = 256'h0;
  parameter [255:0] INIT_53 = 256'h0;
  parameter [255:0] INIT_54 = 256'h0;
  parameter [255:0] INIT_55 = 256'h0;
  parameter [255:0] INIT_56 = 256'h0;
  parameter [255:0] INIT_57 = 256'h0;
  parameter [255:0] INIT_58 = 256'h0;
  parameter [255:0] INIT_59 = 256'h0;
  parameter [255:0] INIT_5A = 256'h0;
  parameter [255:0] INIT_5B = 256'h0;
  parameter [255:0] INIT_5C = 256'h0;
  parameter [255:0] INIT_5D = 256'h0;
  parameter [255:0] INIT_5E = 256'h0;
  parameter [255:0] INIT_5F = 256'h0;
  parameter [255:0] INIT_60 = 256'h0;
  parameter [255:0] INIT_61 = 256'h0;
  parameter [255:0] INIT_62 = 256'h0;
  parameter [255:0] INIT_63 = 256'h0;
  parameter [255:0] INIT_64 = 256'h0;
  parameter [255:0] INIT_65 = 256'h0;
  parameter [255:0] INIT_66 = 256'h0;
  parameter [255:0] INIT_67 = 256'h0;
  parameter [255:0] INIT_68 = 256'h0;
  parameter [255:0] INIT_69 = 256'h0;
  parameter [255:0] INIT_6A = 256'h0;
  parameter [255:0] INIT_6B = 256'h0;
  parameter [255:0] INIT_6C = 256'h0;
  parameter [255:0] INIT_6D = 256'h0;
  parameter [255:0] INIT_6E = 256'h0;
  parameter [255:0] INIT_6F = 256'h0;
  parameter [255:0] INIT_70 = 256'h0;
  parameter [255:0] INIT_71 = 256'h0;
  parameter [255:0] INIT_72 = 256'h0;
  parameter [255:0] INIT_73 = 256'h0;
  parameter [255:0] INIT_74 = 256'h0;
  parameter [255:0] INIT_75 = 256'h0;
  parameter [255:0] INIT_76 = 256'h0;
  parameter [255:0] INIT_77 = 256'h0;
  parameter [255:0] INIT_78 = 256'h0;
  parameter [255:0] INIT_79 = 256'h0;
  parameter [255:0] INIT_7A = 256'h0;
  parameter [255:0] INIT_7B = 256'h0;
  parameter [255:0] INIT_7C = 256'h0;
  parameter [255:0] INIT_7D = 256'h0;
  parameter [255:0] INIT_7E = 256'h0;
  parameter [255:0] INIT_7F = 256'h0;
  parameter [35:0] INIT_A = 36'h0;
  parameter [35:0] INIT_B = 36'h0;
  parameter INIT_FILE = "NONE";
  parameter RAM_MODE = "TDP";
  parameter RDADDR_COLLISION_HWCONFIG = "DELAYED_WRITE";
  parameter integer READ_WIDTH_A = 0;
  parameter integer READ_WIDTH_B = 0;
  parameter RSTREG_PRIORITY_A = "RSTREG";
  parameter RSTREG_PRIORITY_B = "RSTREG";
  parameter SIM_COLLISION_CHECK = "ALL";
  parameter SIM_DEVICE = "VIRTEX6";
  parameter [35:0] SRVAL_A = 36'h0;
  parameter [35:0] SRVAL_B = 36'h0;
  parameter WRITE_MODE_A = "WRITE_FIRST";
  parameter WRITE_MODE_B = "WRITE_FIRST";
  parameter integer WRITE_WIDTH_A = 0;
  parameter integer WRITE_WIDTH_B = 0;
  parameter IS_CLKARDCLK_INVERTED = 1'b0;
  parameter IS_CLKBWRCLK_INVERTED = 1'b0;
  parameter IS_ENARDEN_INVERTED = 1'b0;
  parameter IS_ENBWREN_INVERTED = 1'b0;
  parameter IS_RSTRAMARSTRAM_INVERTED = 1'b0;
  parameter IS_RSTRAMB_INVERTED = 1'b0;
  parameter IS_RSTREGARSTREG_INVERTED = 1'b0;
  parameter IS_RSTREGB_INVERTED = 1'b0;
  parameter EN_ECC_READ = "FALSE";
  parameter EN_ECC_WRITE = "FALSE";
  parameter RAM_EXTENSION_A = "NONE";
  parameter RAM_EXTENSION_B = "NONE";

  localparam SDP = RAM_MODE == "SDP";
  // A TDP port width UG473 lists for RAMB36E1 (0: the port is not used).
  function tdp_width(input integer w);
    tdp_width = w == 0 || w == 1 || w == 2 || w == 4 || w == 9 || w == 18 || w == 36;
  endfunction
  // The core's read word is {parity, data} of the widest word; in SDP its
  // low half is port A's (DOPADOP, DOADO) and its high half port B's.
  localparam [71:0] IA = SDP ? {INIT_B[35:32], INIT_A[35:32], INIT_B[31:0], INIT_A[31:0]} : {36'h0, INIT_A};
  localparam [71:0] SA = SDP ? {SRVAL_B[35:32], SRVAL_A[35:32], SRVAL_B[31:0], SRVAL_A[31:0]} : {36'h0, SRVAL_A};
  localparam [71:0] IB = {36'h0, INIT_B};
  localparam [71:0] SB = {36'h0, SRVAL_B};

  initial begin
    if (IS_CLKARDCLK_INVERTED || IS_CLKBWRCLK_INVERTED || IS_ENARDEN_INVERTED || IS_ENBWREN_INVERTED ||
        IS_RSTRAMARSTRAM_INVERTED || IS_RSTRAMB_INVERTED || IS_RSTREGARSTREG_INVERTED || IS_RSTREGB_INVERTED)
      $fatal(1, "%m: RAMB36E1 with an inverted pin (IS_*_INVERTED) is not modelled");
    if (INIT_FILE != "NONE") $fatal(1, "%m: RAMB36E1 INIT_FILE is not modelled");
    if (RAM_MODE != "TDP" && RAM_MODE != "SDP") $fatal(1, "%m: RAMB36E1 RAM_MODE is neither TDP nor SDP");
    if (SDP && !((READ_WIDTH_A == 72 || READ_WIDTH_A == 0) && (WRITE_WIDTH_B == 72 || WRITE_WIDTH_B == 0)))
      $fatal(1, "%m: RAMB36E1 in SDP is modelled at width 72 only");
    if (SDP && DOA_REG != DOB_REG) $fatal(1, "%m: RAMB36E1 in SDP with DOA_REG != DOB_REG is not modelled");
    if (!SDP && !(tdp_width(READ_WIDTH_A) && tdp_width(READ_WIDTH_B) && tdp_width(WRITE_WIDTH_A) &&
                  tdp_width(WRITE_WIDTH_B)))
      $fatal(1, "%m: RAMB36E1 in TDP at a width other than 1, 2, 4, 9, 18 or 36");
    if (EN_ECC_READ != "FALSE" || EN_ECC_WRITE != "FALSE") $fatal(1, "%m: RAMB36E1 ECC is not modelled");
    if (RAM_EXTENSION_A != "NONE" || RAM_EXTENSION_B != "NONE")
      $fatal(1, "%m: cascaded RAMB36E1 (RAM_EXTENSION) is not modelled");
  end

  wire [63:0] doa, dob;
  wire [7:0] dopa, dopb;
  nf_xc7_bram_core #(
    .NB(4096), .AW(15), .MAXW(72),
    .INIT_D({
      INIT_7F, INIT_7E, INIT_7D, INIT_7C, INIT_7B, INIT_7A, INIT_79, INIT_78,
      INIT_77, INIT_76, INIT_75, INIT_74, INIT_73, INIT_72, INIT_71, INIT_70,
      INIT_6F, INIT_6E, INIT_6D, INIT_6C, INIT_6B, INIT_6A, INIT_69, INIT_68,
      INIT_67, INIT_66, INIT_65, INIT_64, INIT_63, INIT_62, INIT_61, INIT_60,
      INIT_5F, INIT_5E, INIT_5D, INIT_5C, INIT_5B, INIT_5A, INIT_59, INIT_58,
      INIT_57, INIT_56, INIT_55, INIT_54, INIT_53, INIT_52, INIT_51, INIT_50,
      INIT_4F, INIT_4E, INIT_4D, INIT_4C, INIT_4B, INIT_4A, INIT_49, INIT_48,
      INIT_47, INIT_46, INIT_45, INIT_44, INIT_43, INIT_42, INIT_41, INIT_40,
      INIT_3F, INIT_3E, INIT_3D, INIT_3C, INIT_3B, INIT_3A, INIT_39, INIT_38,
      INIT_37, INIT_36, INIT_35, INIT_34, INIT_33, INIT_32, INIT_31, INIT_30,
      INIT_2F, INIT_2E, INIT_2D, INIT_2C, INIT_2B, INIT_2A, INIT_29, INIT_28,
      INIT_27, INIT_26, INIT_25, INIT_24, INIT_23, INIT_22, INIT_21, INIT_20,
      INIT_1F, INIT_1E, INIT_1D, INIT_1C, INIT_1B, INIT_1A, INIT_19, INIT_18,
      INIT_17, INIT_16, INIT_15, INIT_14, INIT_13, INIT_12, INIT_11, INIT_10,
      INIT_0F, INIT_0E, INIT_0D, INIT_0C, INIT_0B, INIT_0A, INIT_09, INIT_08,
      INIT_07, INIT_06, INIT_05, INIT_04, INIT_03, INIT_02, INIT_01, INIT_00
    }),
    .INIT_P({INITP_0F, INITP_0E, INITP_0D, INITP_0C, INITP_0B, INITP_0A, INITP_09, INITP_08,
             INITP_07, INITP_06, INITP_05, INITP_04, INITP_03, INITP_02, INITP_01, INITP_00}),
    .SDP(SDP),
    .RWA(READ_WIDTH_A), .RWB(SDP ? 0 : READ_WIDTH_B),
    .WWA(SDP ? 0 : WRITE_WIDTH_A), .WWB(WRITE_WIDTH_B),
    .WMA(WRITE_MODE_A), .WMB(WRITE_MODE_B),
    .DOA_REG(DOA_REG), .DOB_REG(DOB_REG),
    .INITVAL_A(IA), .INITVAL_B(IB), .SRVAL_A(SA), .SRVAL_B(SB),
    .RPA(RSTREG_PRIORITY_A), .RPB(RSTREG_PRIORITY_B)
  ) core (
    .clka(CLKARDCLK), .ena(ENARDEN), .rstrama(RSTRAMARSTRAM), .rstrega(RSTREGARSTREG), .regcea(REGCEAREGCE),
    .wea({4'h0, WEA}), .addra(ADDRARDADDR),
    .dia({32'h0, DIADI}), .dipa({4'h0, DIPADIP}), .doa(doa), .dopa(dopa),
    .clkb(CLKBWRCLK), .enb(ENBWREN), .rstramb(RSTRAMB), .rstregb(RSTREGB), .regceb(REGCEB),
    .web(SDP ? WEBWE : {4'h0, WEBWE[3:0]}), .addrb(ADDRBWRADDR),
    .dib(SDP ? {DIBDI, DIADI} : {32'h0, DIBDI}), .dipb(SDP ? {DIPBDIP, DIPADIP} : {4'h0, DIPBDIP}),
    .dob(dob), .dopb(dopb)
  );
  // TDP: each port's own bus (the low half of the core's). SDP: the read word {DOBDO, DOADO}.
  assign DOADO = doa[31:0];
  assign DOPADOP = dopa[3:0];
  assign DOBDO = SDP ? doa[63:32] : dob[31:0];
  assign DOPBDOP = SDP ? dopa[7:4] : dopb[3:0];
  assign CASCADEOUTA = 1'b0;
  assign CASCADEOUTB = 1'b0;
  assign ECCPARITY = 8'h0;
  assign RDADDRECC = 9'h0;
  assign SBITERR = 1'b0;
  assign DBITERR = 1'b0;
endmodule
