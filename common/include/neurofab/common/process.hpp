#pragma once
// Running another program (python for figures, verilator, a Verilated
// testbench): spawned directly (no shell), its stdout and stderr both written
// to a log file, optionally in another working directory.

#include <filesystem>
#include <string>
#include <vector>

namespace nf {

struct ProcessResult {
  bool exited = false;  // false: killed by a signal
  int exit_code = 0;    // when exited
  int signal = 0;       // when killed
  bool ok() const { return exited && exit_code == 0; }
  std::string describe() const;  // "exit status 3" or "killed by signal 9"
};

// Runs argv[0] (a path, or a name looked up in PATH) with `argv`. Throws
// nf::IoError naming the program when it cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const std::filesystem::path& log,
                          const std::filesystem::path& working_dir = {});

// The last `count` non-blank lines of a log, each as "\n  | line" (for error messages).
std::string last_lines(const std::filesystem::path& log, int count);

}  // namespace nf
