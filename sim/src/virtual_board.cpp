#include "neurofab/sim/virtual_board.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "neurofab/common/error.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/common/process.hpp"
#include "neurofab/common/resources.hpp"
#include "neurofab/rtl/rtl_generator.hpp"
#include "neurofab/sim/lockstep.hpp"
#include "verilator_build.hpp"

namespace nf::sim {
namespace fs = std::filesystem;

namespace {

// Reads the child's stdout up to the "pty <path>" line (the board is then serving).
fs::path read_port_line(int fd, const fs::path& log) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;  // the simulation exited
    text.append(buffer, static_cast<std::size_t>(n));
    const std::size_t at = text.find("pty ");
    const std::size_t end = at == std::string::npos ? std::string::npos : text.find('\n', at);
    if (end != std::string::npos) return text.substr(at + 4, end - at - 4);
  }
  throw IoError(fmt::format("the virtual board did not start:{}", last_lines(log, 6)));
}

}  // namespace

void VirtualBoardOptions::validate() const {
  if (clocks_per_bit < 4) throw InputError(fmt::format("--clocks-per-bit: {} is below 4", clocks_per_bit));
  if (quiet_cycles != 0 && quiet_cycles < 20 * clocks_per_bit) {
    throw InputError(fmt::format("--quiet-cycles: {} is shorter than two byte times ({})", quiet_cycles,
                                 20 * clocks_per_bit));
  }
}

fs::path build_virtual_board(const fs::path& rtl_dir, models::Family family, const VirtualBoardOptions& o,
                             bool* built) {
  o.validate();
  const fs::path sim_dir = resource_path("sim");
  detail::VerilatorBuild b;
  b.name = fmt::format("{}-board", models::model_type_name(family));
  b.executable = "nf_board_sim";
  b.top_module = rtl::system_top_module(family);
  b.package = rtl_dir / "nf_config_pkg.sv";
  b.rtl_sources = rtl::system_sources(family);
  if (!o.rtl_sources.empty()) {
    for (auto& f : b.rtl_sources) {
      f = o.rtl_sources / f.filename();
      if (!fs::is_regular_file(f)) {
        throw InputError(fmt::format("--rtl-sources: {} has no {} (the folder replaces rtl/sv: copy every file)",
                                     o.rtl_sources.string(), f.filename().string()));
      }
    }
  }
  b.cpp_sources = {sim_dir / "board" / "nf_board_sim.cpp"};
  const int quiet = o.effective_quiet_cycles();
  b.arguments = {"--cc",
                 fmt::format("-GClocksPerBit={}", o.clocks_per_bit),
                 fmt::format("-GQuietCycles={}", quiet),
                 "-CFLAGS",
                 fmt::format("-std=c++17 -O2 {} -DNF_CLOCKS_PER_BIT={} -DNF_QUIET_CYCLES={}",
                             family == models::Family::kLif ? "-DNF_TOP_LIF" : "-DNF_TOP_RATE", o.clocks_per_bit, quiet)};
  return detail::build_cached(b, fs::absolute(o.cache_dir.empty() ? default_cache_dir() : o.cache_dir), built);
}

VirtualBoard::VirtualBoard(const quantize::QuantizedArtifact& artifact, const VirtualBoardOptions& options)
    : work_("neurofab-virtual-board") {
  const fs::path rtl_dir = work_.path() / "rtl";
  rtl::generate_rtl(artifact, {options.lanes}, rtl_dir);
  executable_ = build_virtual_board(rtl_dir, artifact.family(), options);
  start(rtl_dir);
}

VirtualBoard::VirtualBoard(const fs::path& executable) : work_("neurofab-virtual-board"), executable_(executable) {
  start(work_.path());
}

void VirtualBoard::start(const fs::path& working_dir) {
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw IoError(fmt::format("pipe: {}", std::strerror(errno)));
  }
  const fs::path log = work_.path() / "board.log";
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw IoError(fmt::format("{}: cannot create", log.string()));
  pid_ = ::fork();
  if (pid_ < 0) throw IoError(fmt::format("fork: {}", std::strerror(errno)));
  if (pid_ == 0) {  // the child: only async-signal-safe calls until exec
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    if (::chdir(working_dir.c_str()) != 0) ::_exit(127);
    ::execl(executable_.c_str(), executable_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(log_fd);
  stdin_fd_ = in_pipe[1];
  try {
    port_ = read_port_line(out_pipe[0], log);
  } catch (...) {
    ::close(out_pipe[0]);
    ::close(stdin_fd_);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    throw;
  }
  ::close(out_pipe[0]);  // it prints nothing after the port line that matters
}

VirtualBoard::~VirtualBoard() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);  // end of file: the simulation returns
  if (pid_ <= 0) return;
  for (int k = 0; k < 200; ++k) {  // up to 2 s, then kill
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string VirtualBoard::log() const {
  try {
    return read_text_file(work_.path() / "board.log");
  } catch (const IoError&) {
    return {};
  }
}

}  // namespace nf::sim
