#include "analyze_commands.hpp"

namespace nf::cli {

// Placeholder until the spectrum analysis lands (issue #8).
void add_analyze_spectrum(CLI::App& analyze) { (void)analyze; }

}  // namespace nf::cli
