#pragma once
// Running the external tools of a build: finding them on PATH, running one
// with its output in a log of logs/, and recording the exact command and its
// wall time (report.json "commands" and "seconds", build.sh).

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neurofab/common/process.hpp"

namespace nf::boards {

// A program on PATH, or empty.
std::filesystem::path find_program(const std::string& name);
// Throws ToolError naming the Debian package when `name` is not on PATH.
void require_program(const std::string& name, const std::string& package);

// One shell word (build.sh): quoted unless it is plainly safe.
std::string shell_word(const std::string& word);
// argv as one shell command line.
std::string shell_line(const std::vector<std::string>& argv);

// The first line a tool prints for its version (`yosys -V`, `nextpnr-ice40 --version`), or "unknown".
std::string tool_version(const std::vector<std::string>& argv);

double seconds_since(std::chrono::steady_clock::time_point start);

struct CommandRecord {
  std::string step;
  std::string cwd;  // relative to the output folder
  std::vector<std::string> argv;
  std::string log;  // relative to the output folder
  double seconds = 0;
};

// Runs the tools of one build in its folder and keeps what it ran.
class ToolRunner {
 public:
  explicit ToolRunner(std::filesystem::path root) : root_(std::move(root)) {}

  // Runs argv in root/cwd (cwd empty: root), its output in root/log, and records the command.
  ProcessResult run(const std::string& step, const std::vector<std::string>& argv, const std::string& cwd,
                    const std::string& log);

  // report.json "commands": step, cwd ("." for the folder itself), argv, log, seconds.
  nlohmann::json commands_json() const;
  // report.json "seconds": each step's wall time, and what record_seconds adds.
  const nlohmann::json& seconds() const { return seconds_; }
  void record_seconds(const std::string& name, double seconds) { seconds_[name] = seconds; }

  // build.sh: the commands run so far, rerunnable from the folder; `last_line` ends it (may be empty).
  void write_build_script(const std::string& last_line) const;

 private:
  std::filesystem::path root_;
  std::vector<CommandRecord> commands_;
  nlohmann::json seconds_ = nlohmann::json::object();
};

}  // namespace nf::boards
