#pragma once
// --min-success: the stages that produce or score a network (train, eval,
// compare) can be told the success rate a result must reach, so a script
// stops at the first stage that misses it instead of carrying a broken
// network on (exit status 4, nf::TargetMissedError).

#include <CLI/CLI.hpp>
#include <string>

namespace nf::cli {

// Registers --min-success PERCENT on `cmd`; `percent` stays < 0 when not given.
void add_min_success_option(CLI::App& cmd, double& percent);

// Throws nf::TargetMissedError naming `what` and both figures when `success`
// (a fraction) is below `min_percent` (a percentage; < 0: no requirement).
void require_success(double success, double min_percent, const std::string& what);

}  // namespace nf::cli
