#pragma once
// The files neurofab reads at run time besides its input: the hand-written
// RTL (rtl/), the board files (boards/), the plot scripts (plots/), the
// energy tables (energy/) and the sources of the simulation harness (sim/).
// They live in one folder, share/neurofab, beside the bin/ of the binary:
//
//   installed:   <prefix>/bin/neurofab   ->  <prefix>/share/neurofab/...
//   build tree:  build/cli/neurofab      ->  build/share/neurofab/...
//
// The build tree's share/neurofab holds symbolic links to the source folders
// and `cmake --install` copies them (cmake/Resources.cmake, nf_add_resources).
// Nothing absolute is compiled in: the folder is found from the running
// executable, so an installed prefix can be moved as a whole.

#include <filesystem>

namespace nf {

// The resource folder: $NEUROFAB_RESOURCE_DIR when set, otherwise the first
// share/neurofab found going up from the folder of the running executable
// (test executables deeper in the build tree find build/share/neurofab).
// Throws nf::IoError naming where it looked and what fixes it.
std::filesystem::path resource_root();

// resource_root() / relative with symbolic links resolved (in the build tree:
// the file or folder of the source tree itself). Throws nf::IoError naming the
// path when it does not exist.
std::filesystem::path resource_path(const std::filesystem::path& relative);

}  // namespace nf
