#pragma once
// `neurofab hls <qdir> -o <dir>`: a complete Vitis HLS project for one
// quantized network (docs/hls.md). The kernels are the hand-written templates of
// hls/kernels (copied verbatim); only parameters and data are generated:
//
//   <dir>/firmware/nf_config.h    struct nf_config: sizes, lanes, rounding and
//                                 overflow, every format as an ap_fixed type, the
//                                 accumulators, activation or decay form, constants
//   <dir>/firmware/nf_weights.h   the weights, biases, activation table or decay
//                                 parameters as ap_fixed arrays (exact literals)
//   <dir>/firmware/*.h, *.cpp     kernels, the top nf_rate_top / nf_lif_top, the
//                                 type selector and the stand-in ap_types
//   <dir>/tb/                     the C-simulation testbench
//   <dir>/tb_data/                golden vectors of the integer model (text)
//   <dir>/run_hls.tcl             csim, csynth, cosim, export of the IP
//   <dir>/hls.json                the configuration, machine-readable
//   <dir>/README.md               how to run it, with and without Vitis

#include <cstdint>
#include <filesystem>
#include <string>

#include "neurofab/common/progress.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::hls {

inline constexpr int kHlsExportSteps = 4;

struct HlsOptions {
  int lanes = 1;                 // units computed in parallel (the RTL core's P)
  int trials = 4;                // golden-vector trials in tb_data
  std::uint64_t seed = 1;        // of those trials (task batch and noise)
  std::string part = "xc7z020clg400-1";
  double clock_period_ns = 10.0;
  // Optional: called at each step boundary of export_project (headers, kernel
  // and testbench sources, testbench vectors, scripts; kHlsExportSteps steps).
  // The export runs no C-simulation (that is run_hls.tcl's, in Vitis).
  ProgressCallback progress;
  void validate(int units) const;  // throws nf::InputError naming the option
};

// The text of nf_config.h and nf_weights.h for a network. The weights that
// every lane reads at once are bank-major for `lanes` lanes: [lanes][groups][n]
// (row g·lanes + l in [l][g], zero rows pad the last group).
std::string config_header(const quantize::IntegerRateRnn& network, const HlsOptions& options,
                          const std::string& source);
std::string config_header(const quantize::IntegerLifRnn& network, const HlsOptions& options,
                          const std::string& source);
std::string weights_header(const quantize::IntegerRateRnn& network, int lanes);
std::string weights_header(const quantize::IntegerLifRnn& network, int lanes);

// q · 2^-F as a decimal literal that equals it exactly ("-0.375", "96.0").
std::string exact_decimal(std::int64_t code, int frac_bits);

// The top function's name for a family ("nf_rate_top", "nf_lif_top").
std::string top_function(const quantize::QuantizedArtifact& artifact);

// Writes the project folder <out_dir> (staged, then swapped in). `source` is
// the quantized folder as given (recorded in the headers and README).
void export_project(const quantize::QuantizedArtifact& artifact, const HlsOptions& options,
                    const std::filesystem::path& out_dir, const std::string& source);

}  // namespace nf::hls
