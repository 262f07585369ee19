#pragma once
// `neurofab rtl <qdir> --lanes P -o <rtldir>`: the parameters and memory
// images that configure the hand-written cores of rtl/sv/ for one quantized
// network (docs/rtl.md). Only numbers are generated, never logic:
//
//   <rtldir>/nf_config_pkg.sv   package nf_config_pkg: sizes, widths, shifts,
//                               rounding/overflow, activation, leak (localparams)
//   <rtldir>/*.mem              $readmemh images: one word per line, P lanes of
//                               W-bit two's-complement codes, lane l in bits
//                               [l·W +: W] (W_in, W_rec, b_rec, W_out, b_out;
//                               rate: act_table; LIF: beta and alpha_syn, one
//                               unsigned decay parameter per unit)
//   <rtldir>/files.f            the SystemVerilog sources in compile order
//   <rtldir>/rtl.json           the configuration, its cycles per step and
//                               config_id (FNV-1a-32 of the package and the
//                               images; also the package's ConfigId)
//
// Word a of a weight image holds, for lane l, unit g·P + l of group g:
//   W_in:  a = g·n_in + k        W_rec: a = g·N + j        b_rec: a = g
// The readout images have one lane per output m instead:
//   rate: W_out a = j (lane m = W_out[m, j]), b_out a = 0 (lane m = b_out_m)
//   LIF:  W_out a = g_o·N + j (output g_o·P + l), b_out a = g_o
// Units past N (the last group's padding) have zero weights.
//
// The same numbers come back as an RtlConfiguration, so a library that needs
// them (boards/: sizes and widths for the report; sim/: the config id a board
// must report) reads values, not the generated text. rtl_configuration()
// computes it without writing anything; generate_rtl() writes the files and
// returns it.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "neurofab/models/family.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::rtl {

struct RtlOptions {
  int lanes = 1;  // P, parallel MAC lanes
  void validate(int units) const;  // throws nf::InputError naming --lanes
};

// One localparam of nf_config_pkg.sv, as written there.
struct PackageParameter {
  std::string name;          // e.g. "WRecWidth"
  std::int64_t value = 0;
  bool is_signed = false;    // `int` (may be negative) rather than `int unsigned`
};

// One $readmemh image of <rtldir>.
struct MemoryImage {
  std::string file;          // e.g. "w_rec.mem"
  int words = 0;             // depth: lines of the image (at least 2, for an address bit)
  int word_bits = 0;         // bits of a word: lanes × the tensor's width
};

// What generate_rtl writes, as values: nf_config_pkg.sv's localparams,
// rtl.json's fields and the memory images' shapes.
struct RtlConfiguration {
  models::Family family = models::Family::kRate;
  std::string top;           // the core's top module (nf_rate_top, nf_lif_top): rtl.json "top"
  int lanes = 1;             // P (Lanes)
  int units = 0;             // N (NumUnits)
  int inputs = 0;            // n_in of the core; LIF spike encodings: the encoded inputs (NumInputs)
  int outputs = 0;           // n_out (NumOutputs)
  int input_width = 0;       // InputWidth: bits of an input code
  int output_width = 0;      // OutputWidth: bits of an output code
  int weight_width = 0;      // WRecWidth: bits of a recurrent weight
  int state_width = 0;       // rate: StateWidth; LIF: MembraneWidth
  int clear_cycles = 0;      // cycles of a state clear (golden/cycle_model.hpp)
  // Cycles per timestep (golden/cycle_model.hpp). Rate: every step the same,
  // both equal. LIF: the bounds of a silent and an all-spiking step.
  std::int64_t cycles_silent = 0;
  std::int64_t cycles_all_spiking = 0;
  std::vector<PackageParameter> parameters;  // nf_config_pkg.sv's localparams in its order, ConfigId apart
  std::vector<MemoryImage> images;           // sorted by file name
  std::uint32_t config_id = 0;               // ConfigId; rtl.json "config_id" is config_id_text()

  // The value of one localparam; throws std::out_of_range for a name the package does not have.
  std::int64_t parameter(std::string_view name) const;
  // The datapath's bit widths: every *Width localparam but DebugAddrWidth, by name.
  std::map<std::string, std::int64_t> widths() const;
  // config_id as 8 lower-case hex digits (rtl.json, the build report).
  std::string config_id_text() const;
};

// The folder of hand-written sources: rtl/sv, installed in share/neurofab/rtl
// (neurofab/common/resources.hpp).
std::filesystem::path rtl_source_dir();

// The sources of a family's top in compile order (absolute paths), without the package.
std::vector<std::filesystem::path> core_sources(models::Family family);
// The Verilog top module's name for a family.
std::string top_module(models::Family family);
// The board-level system top (core + UART host link, docs/host-link.md):
// its sources in compile order (without the package), and its module name.
std::vector<std::filesystem::path> system_sources(models::Family family);
std::string system_top_module(models::Family family);

// The text of nf_config_pkg.sv (without the ConfigId lines generate_rtl adds).
std::string config_package(const quantize::IntegerRateRnn& network, const RtlOptions& options);
std::string config_package(const quantize::IntegerLifRnn& network, const RtlOptions& options);

// The configuration generate_rtl would write, computed in memory (nothing is
// written). Throws as generate_rtl.
RtlConfiguration rtl_configuration(const quantize::QuantizedArtifact& artifact, const RtlOptions& options);

// Writes <rtldir> (staged, then swapped in) and returns what it wrote. Throws
// nf::InputError for a network the cores cannot run (named: e.g. the
// piecewise-linear activation) or bad options.
RtlConfiguration generate_rtl(const quantize::QuantizedArtifact& artifact, const RtlOptions& options,
                              const std::filesystem::path& out_dir);

}  // namespace nf::rtl
