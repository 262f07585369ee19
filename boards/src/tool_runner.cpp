#include "tool_runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/temp_folder.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/boards/build_flow.hpp"

namespace nf::boards {
namespace fs = std::filesystem;
using nlohmann::json;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

fs::path find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) return candidate;
  }
  return {};
}

void require_program(const std::string& name, const std::string& package) {
  if (find_program(name).empty()) {
    throw ToolError(fmt::format("{} is not installed (Debian package {}; scripts/setup.sh installs it)", name, package));
  }
}

std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=+:,")
                           == std::string::npos) {
    return word;
  }
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string shell_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) {
    if (!line.empty()) line += ' ';
    line += shell_word(a);
  }
  return line;
}

std::string tool_version(const std::vector<std::string>& argv) {
  try {
    const TempFolder temp("neurofab-version");
    const fs::path log = temp.path() / "version.log";
    const ProcessResult r = run_process(argv, log);
    std::istringstream in(read_text_file(log));
    std::string line;
    while (std::getline(in, line)) {
      if (line.find_first_not_of(" \t\r") != std::string::npos) break;
    }
    if (r.ok() && !line.empty()) return line;
  } catch (const std::exception&) {
  }
  return "unknown";
}

ProcessResult ToolRunner::run(const std::string& step, const std::vector<std::string>& argv, const std::string& cwd,
                              const std::string& log) {
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = run_process(argv, root_ / log, cwd.empty() ? root_ : root_ / cwd);
  commands_.push_back({step, cwd, argv, log, seconds_since(start)});
  seconds_[step] = commands_.back().seconds;
  return r;
}

json ToolRunner::commands_json() const {
  json list = json::array();
  for (const auto& c : commands_) {
    list.push_back({{"step", c.step}, {"cwd", c.cwd.empty() ? "." : c.cwd}, {"argv", c.argv}, {"log", c.log},
                    {"seconds", c.seconds}});
  }
  return list;
}

void ToolRunner::write_build_script(const std::string& last_line) const {
  std::string text =
      "#!/bin/sh\n"
      "# The commands `neurofab build` ran (report.json \"commands\"), from this folder.\n"
      "# With the same tool versions and seed they make the same files again.\n"
      "set -e\n"
      "cd \"$(dirname \"$0\")\"\n"
      "mkdir -p logs\n";
  for (const auto& c : commands_) {
    std::string line = shell_line(c.argv);
    if (!c.cwd.empty()) line = fmt::format("(cd {} && {})", c.cwd, line);
    text += fmt::format("{} > {} 2>&1\n", line, c.log);
  }
  text += last_line;
  write_file_atomically(root_ / "build.sh", text);
  fs::permissions(root_ / "build.sh", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add);
}

}  // namespace nf::boards
