#pragma once
// The icepack step of `neurofab build` (iCE40): the routed <top>.asc into the
// bitstream <top>.bin.

#include <cstdint>
#include <string>

#include "build_context.hpp"
#include "tool_runner.hpp"

namespace nf::boards {

// Returns the bitstream's size in bytes; throws ToolError when icepack fails or writes nothing.
std::uintmax_t pack_bitstream(const BuildContext& c, ToolRunner& tools);

// icepack has no version option: Debian's package version of fpga-icestorm.
std::string icestorm_version();

}  // namespace nf::boards
