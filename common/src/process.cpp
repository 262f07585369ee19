#include "neurofab/common/process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "neurofab/common/error.hpp"

extern char** environ;

namespace nf {

std::string ProcessResult::describe() const {
  return exited ? fmt::format("exit status {}", exit_code) : fmt::format("killed by signal {}", signal);
}

ProcessResult run_process(const std::vector<std::string>& args, const std::filesystem::path& log,
                          const std::filesystem::path& working_dir) {
  if (args.empty()) throw IoError("run_process: no program given");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  if (!working_dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, working_dir.c_str());
  std::vector<std::string> copies = args;
  std::vector<char*> argv;
  for (auto& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, copies[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw IoError(fmt::format("cannot run {}: {}", args[0], std::strerror(spawned)));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw IoError(fmt::format("waiting for {} failed: {}", args[0], std::strerror(errno)));
  }
  ProcessResult result;
  result.exited = WIFEXITED(status);
  result.exit_code = result.exited ? WEXITSTATUS(status) : 0;
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return result;
}

std::string last_lines(const std::filesystem::path& log, int count) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  const std::size_t first = lines.size() > static_cast<std::size_t>(count) ? lines.size() - count : 0;
  std::string text;
  for (std::size_t i = first; i < lines.size(); ++i) text += "\n  | " + lines[i];
  return text;
}

}  // namespace nf
