#include "analyze_commands.hpp"

namespace nf::cli {

// Placeholder until the fixed_points analysis lands (issue #8).
void add_analyze_fixed_points(CLI::App& analyze) { (void)analyze; }

}  // namespace nf::cli
