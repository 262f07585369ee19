#pragma once
// What every step of `neurofab build` reads: the network, the board, the
// options, the staging folder, and the RTL configuration it builds
// (boards/src/build_flow.cpp fills it, step by step).

#include <filesystem>
#include <string>
#include <vector>

#include "neurofab/boards/board.hpp"
#include "neurofab/boards/build_flow.hpp"
#include "neurofab/boards/performance.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/rtl/rtl_generator.hpp"

namespace nf::boards {

struct BuildContext {
  const quantize::QuantizedArtifact& q;
  std::string qdir;                  // the artifact's folder, as given (recorded in the report)
  const Board& board;
  BuildOptions options;
  std::filesystem::path root;        // the staging folder; every path below is relative to it
  std::string top;                   // the system top module
  UartTiming uart;
  rtl::RtlConfiguration rtl;         // what `neurofab rtl` wrote into rtl/
  std::vector<std::string> sources;  // file names inside rtl/, compile order, package first
  std::vector<std::string> images;   // .mem files inside rtl/, sorted
  CycleStats cycles;
};

}  // namespace nf::boards
