#include "neurofab/common/resources.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <system_error>

#include "neurofab/common/error.hpp"

namespace nf {
namespace fs = std::filesystem;

namespace {

// share/neurofab: relative, given by cmake/Resources.cmake (NF_RESOURCE_SUBDIR).
const fs::path kResourceSubdir = NF_RESOURCE_SUBDIR;

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw IoError(fmt::format("cannot find neurofab's resources: reading /proc/self/exe: {}", ec.message()));
  return exe.parent_path();
}

}  // namespace

fs::path resource_root() {
  if (const char* env = std::getenv("NEUROFAB_RESOURCE_DIR"); env != nullptr && *env != '\0') {
    if (!fs::is_directory(env)) {
      throw IoError(fmt::format("NEUROFAB_RESOURCE_DIR={} is not a folder (it names the share/neurofab of an "
                                "installed neurofab; unset it to use the one beside the binary)", env));
    }
    return env;
  }
  const fs::path start = executable_dir();
  for (fs::path dir = start;; dir = dir.parent_path()) {
    if (fs::is_directory(dir / kResourceSubdir)) return dir / kResourceSubdir;
    if (dir == dir.root_path() || dir.empty()) break;
  }
  throw IoError(fmt::format("neurofab's resources not found: no {} in {} or a folder above it (install with "
                            "`cmake --install <build> --prefix <prefix>`, which puts them in <prefix>/{}, or set "
                            "NEUROFAB_RESOURCE_DIR)",
                            kResourceSubdir.string(), start.string(), kResourceSubdir.string()));
}

fs::path resource_path(const fs::path& relative) {
  const fs::path path = resource_root() / relative;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw IoError(fmt::format("neurofab's resource {} is missing (reinstall: `cmake --install <build>` puts it "
                              "there, in a build tree cmake links it; or set NEUROFAB_RESOURCE_DIR to a "
                              "share/neurofab that has it)",
                              path.string()));
  }
  const fs::path resolved = fs::canonical(path, ec);
  return ec ? path : resolved;
}

}  // namespace nf
