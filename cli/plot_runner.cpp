#include "plot_runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "neurofab/common/error.hpp"
#include "neurofab/common/process.hpp"
#include "neurofab/common/resources.hpp"

namespace nf::cli {
namespace fs = std::filesystem;

fs::path plots_dir() {
  if (const char* env = std::getenv("NEUROFAB_PLOTS_DIR"); env != nullptr && *env != '\0') return env;
  return resource_path("plots");
}


// Runs python on the script; stdout and stderr go to `log`. Throws nf::IoError
// with the script's last lines and what it needs when it fails.
void run_plot_script(const std::string& command, const fs::path& script, const fs::path& data_dir,
                     const fs::path& out) {
  const std::string python = NF_PLOT_PYTHON;
  const std::string needs = fmt::format("{} needs {} with python3-matplotlib and python3-numpy "
                                        "(Debian: apt install python3-matplotlib)", command, python);
  if (::access(python.c_str(), X_OK) != 0) throw IoError(fmt::format("cannot run {}: {}; {}", python, std::strerror(errno), needs));
  if (!fs::is_regular_file(script))
    throw IoError(fmt::format("plot script {} not found (NEUROFAB_PLOTS_DIR names the folder that holds {})",
                              script.string(), script.filename().string()));

  const fs::path log = data_dir / "python.log";
  // -E: ignore PYTHONPATH/PYTHONHOME, which may belong to another Python (pyenv, venv).
  const ProcessResult result = [&] {
    try {
      return run_process({python, "-E", script.string(), data_dir.string(), out.string()}, log);
    } catch (const IoError& e) {
      throw IoError(fmt::format("{}; {}", e.what(), needs));
    }
  }();
  if (result.ok()) {
    if (!fs::is_regular_file(out))
      throw IoError(fmt::format("plot script {} finished without writing {}", script.string(), out.string()));
    return;
  }
  // The script renames its temporary PNG into place only on success and
  // deletes it on an error; a crash may leave it, so remove it here too.
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(out.parent_path(), ignored)) {
    if (entry.path().filename().string().rfind(fmt::format(".{}.tmp-", out.filename().string()), 0) == 0) {
      fs::remove(entry.path(), ignored);
    }
  }

  const std::string tail = last_lines(log, 6);
  if (result.exited && result.exit_code == 3)  // the scripts' code for a failed import
    throw IoError(fmt::format("{} cannot import matplotlib or numpy; {}{}", python, needs, tail));
  throw IoError(fmt::format("plot script {} failed ({}); {}. Its last lines:{}", script.string(), result.describe(),
                            needs, tail));
}


}  // namespace nf::cli
