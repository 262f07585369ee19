#include "plot_runner.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "neurofab/common/error.hpp"

extern char** environ;

namespace nf::cli {
namespace fs = std::filesystem;

TempFolder::TempFolder() {
  std::string pattern = (fs::temp_directory_path() / "neurofab-plot-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw IoError(fmt::format("cannot create a temporary folder {}: {}", pattern, std::strerror(errno)));
  path_ = pattern;
}

TempFolder::~TempFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

fs::path plots_dir() {
  if (const char* env = std::getenv("NEUROFAB_PLOTS_DIR"); env != nullptr && *env != '\0') return env;
  return NF_PLOTS_DIR;
}

namespace {

std::string last_lines(const fs::path& log, int count) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  const std::size_t first = lines.size() > static_cast<std::size_t>(count) ? lines.size() - count : 0;
  std::string text;
  for (std::size_t i = first; i < lines.size(); ++i) text += "\n  | " + lines[i];
  return text;
}

}  // namespace

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
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // -E: ignore PYTHONPATH/PYTHONHOME, which may belong to another Python (pyenv, venv).
  std::vector<std::string> args = {python, "-E", script.string(), data_dir.string(), out.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw IoError(fmt::format("cannot run {}: {}; {}", python, std::strerror(spawned), needs));

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw IoError(fmt::format("waiting for {} failed: {}", python, std::strerror(errno)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    if (!fs::is_regular_file(out))
      throw IoError(fmt::format("plot script {} finished without writing {}", script.string(), out.string()));
    return;
  }
  // The script renames its temporary PNG into place only on success and
  // deletes it on an error; a crash may leave it, so remove it here too.
  std::error_code ignored;
  fs::remove(out.parent_path() / fmt::format(".{}.tmp-{}", out.filename().string(), pid), ignored);

  const std::string tail = last_lines(log, 6);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3)  // the scripts' code for a failed import
    throw IoError(fmt::format("{} cannot import matplotlib or numpy; {}{}", python, needs, tail));
  const std::string how = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                            : fmt::format("killed by signal {}", WTERMSIG(status));
  throw IoError(fmt::format("plot script {} failed ({}); {}. Its last lines:{}", script.string(), how, needs, tail));
}


}  // namespace nf::cli
