#pragma once
// The netlist levels of `neurofab verify --level synth|routed` and of
// `neurofab build --verify synth|routed`: a board build's netlist on the virtual
// board, in lock step with the golden model (sim/netlist_board.hpp).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/sim/netlist_board.hpp"

namespace nf::cli {

struct NetlistCheckRequest {
  sim::NetlistLevel level = sim::NetlistLevel::kRouted;
  int trials = 1;
  std::string cache;  // Verilated builds (empty: the default cache)
};

// Runs the check, prints its result and returns it as JSON (report.json's
// "netlist_check"). Throws nf::VerificationError when any value differs.
nlohmann::json check_build_netlist(const quantize::QuantizedArtifact& q, const std::string& qdir,
                                   const std::filesystem::path& build_dir, const NetlistCheckRequest& request);

}  // namespace nf::cli
