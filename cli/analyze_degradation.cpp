#include "analyze_commands.hpp"

namespace nf::cli {

// Placeholder until the degradation analysis lands (issue #8).
void add_analyze_degradation(CLI::App& analyze) { (void)analyze; }

}  // namespace nf::cli
