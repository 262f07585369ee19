#pragma once
// The fit check of `neurofab build`: a design that needs more of a resource
// than the device has is refused (FitError) with the resources over, how they
// were counted, and what to change to make it fit (fewer lanes, fewer bits,
// a smaller network, a larger FPGA), in terms of this network's numbers.

#include <string>
#include <vector>

#include "build_context.hpp"
#include "neurofab/boards/utilisation.hpp"

namespace nf::boards {

// The changes that would reduce the use of `resource` ("logic cells", "BRAM (4 Kb)", "DSP", ...).
std::vector<std::string> fit_advice(const BuildContext& c, const std::string& resource);

// Throws FitError for the rows in `over`; `when` says how they were found.
[[noreturn]] void refuse(const BuildContext& c, const std::vector<ResourceUse>& over, const std::string& when);

// Refuses when any row does not fit.
void check_fit(const BuildContext& c, const std::vector<ResourceUse>& rows, const std::string& when);

}  // namespace nf::boards
