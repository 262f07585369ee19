#include "analyze_commands.hpp"

namespace nf::cli {

// Placeholder until the degeneracy analysis lands (issue #8).
void add_analyze_degeneracy(CLI::App& analyze) { (void)analyze; }

}  // namespace nf::cli
