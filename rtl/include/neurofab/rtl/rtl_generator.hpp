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

#include <filesystem>
#include <string>
#include <vector>

#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::rtl {

struct RtlOptions {
  int lanes = 1;  // P, parallel MAC lanes
  void validate(int units) const;  // throws nf::InputError naming --lanes
};

// The folder of hand-written sources (rtl/sv of this source tree).
std::filesystem::path rtl_source_dir();

// The sources of a family's top in compile order (absolute paths), without the package.
std::vector<std::filesystem::path> core_sources(const std::string& model_type);
// The Verilog top module's name for a quantized artifact's family.
std::string top_module(const std::string& model_type);
// The board-level system top (core + UART host link, docs/host-link.md):
// its sources in compile order (without the package), and its module name.
std::vector<std::filesystem::path> system_sources(const std::string& model_type);
std::string system_top_module(const std::string& model_type);

// The text of nf_config_pkg.sv.
std::string config_package(const quantize::IntegerRateRnn& network, const RtlOptions& options);
std::string config_package(const quantize::IntegerLifRnn& network, const RtlOptions& options);

// Writes <rtldir> (staged, then swapped in). Throws nf::InputError for a
// network the cores cannot run (named: e.g. the piecewise-linear activation).
void generate_rtl(const quantize::QuantizedArtifact& artifact, const RtlOptions& options,
                  const std::filesystem::path& out_dir);

}  // namespace nf::rtl
