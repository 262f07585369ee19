// The virtual board: the Verilated system top (nf_rate_system or
// nf_lif_system: core + UART host link, rtl/sv/) behind a pseudo-terminal,
// so a host program talks to it exactly as to a board's USB-UART
// (docs/host-link.md). Built by nf_sim (virtual_board.hpp) with the top's
// ClocksPerBit and QuietCycles as -G parameters and the same numbers as
// NF_CLOCKS_PER_BIT / NF_QUIET_CYCLES; run in the folder of `neurofab rtl`
// (the memory images are read from the working directory):
//
//   nf_board_sim            prints "pty <path>", then serves until stdin closes
//
// The UART is simulated bit by bit: bytes from the pty are driven onto
// uart_rx_i (8N1, ClocksPerBit cycles a bit), uart_tx_o is sampled mid-bit
// and its bytes go back to the pty. The simulation runs freely like a board's
// clock; once the line has been quiet for 4·QuietCycles (every timeout of the
// link has fired, the design only counts cycles) it waits up to 1 ms for host
// bytes between chunks of cycles, so an idle board costs little CPU. The
// port is announced after power-up (4·QuietCycles cycles: reset released,
// the core cleared), as a board is configured before a host talks to it.
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#include <verilated.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>

#if defined(NF_TOP_RATE)
#include "Vnf_rate_system.h"
using Top = Vnf_rate_system;
#elif defined(NF_TOP_LIF)
#include "Vnf_lif_system.h"
using Top = Vnf_lif_system;
#else
#error "define the system top (NF_TOP_RATE or NF_TOP_LIF)"
#endif

#if !defined(NF_CLOCKS_PER_BIT) || !defined(NF_QUIET_CYCLES)
#error "define NF_CLOCKS_PER_BIT and NF_QUIET_CYCLES (the -G parameters of the top)"
#endif

namespace {

constexpr std::int64_t kClocksPerBit = NF_CLOCKS_PER_BIT;
constexpr std::int64_t kQuietCycles = NF_QUIET_CYCLES;

// Drives bytes onto a UART line: start bit, 8 data bits LSB first, stop bit.
class UartDriver {
 public:
  void push(std::uint8_t byte) { queue_.push_back(byte); }
  bool busy() const { return bit_ >= 0 || !queue_.empty(); }

  // The line level for the next cycle.
  std::uint8_t next() {
    if (bit_ < 0) {
      if (queue_.empty()) return 1;
      byte_ = queue_.front();
      queue_.pop_front();
      bit_ = 0;
      count_ = 0;
    }
    const std::uint8_t level = bit_ == 0 ? 0 : bit_ <= 8 ? (byte_ >> (bit_ - 1)) & 1U : 1;
    if (++count_ == kClocksPerBit) {
      count_ = 0;
      if (++bit_ == 10) bit_ = -1;
    }
    return level;
  }

 private:
  std::deque<std::uint8_t> queue_;
  std::uint8_t byte_ = 0;
  int bit_ = -1;  // -1 idle, 0 start, 1..8 data, 9 stop
  std::int64_t count_ = 0;
};

// Decodes a UART line sampled once a cycle (mid-bit sampling).
class UartReceiver {
 public:
  bool busy() const { return bit_ >= 0; }

  // Returns true with `byte` set when a stop bit completes a byte.
  bool sample(std::uint8_t level, std::uint8_t& byte) {
    if (bit_ < 0) {
      if (level == 0) {  // start bit: sample in the middle of each bit from here
        bit_ = 0;
        count_ = kClocksPerBit / 2;
      }
      return false;
    }
    if (--count_ > 0) return false;
    count_ = kClocksPerBit;
    if (bit_ == 0) {
      if (level != 0) bit_ = -1;  // a glitch, not a start bit
      else bit_ = 1;
      return false;
    }
    if (bit_ <= 8) {
      byte_ = static_cast<std::uint8_t>(byte_ | (level << (bit_ - 1)));
      ++bit_;
      return false;
    }
    const bool framed = level == 1;
    const std::uint8_t out = byte_;
    bit_ = -1;
    byte_ = 0;
    if (!framed) {  // the RTL broke the line protocol: say so, drop the byte (the host sees the loss)
      std::fprintf(stderr, "nf_board_sim: framing error on uart_tx_o (no stop bit), byte 0x%02x dropped\n", out);
      return false;
    }
    byte = out;
    return true;
  }

 private:
  std::uint8_t byte_ = 0;
  int bit_ = -1;
  std::int64_t count_ = 0;
};

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

// A pseudo-terminal whose slave side we keep open in raw mode ourselves: the
// master then never sees a hang-up when a host closes and reopens the port,
// and no line discipline touches the bytes.
struct Pty {
  int master = -1;
  int slave = -1;
  std::string name;

  Pty() {
    master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    check(master >= 0, "posix_openpt");
    check(::grantpt(master) == 0 && ::unlockpt(master) == 0, "grantpt/unlockpt");
    const char* path = ::ptsname(master);
    check(path != nullptr, "ptsname");
    name = path;
    slave = ::open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    check(slave >= 0, "open the pty slave");
    termios tty{};
    check(::tcgetattr(slave, &tty) == 0, "tcgetattr");
    ::cfmakeraw(&tty);
    check(::tcsetattr(slave, TCSANOW, &tty) == 0, "tcsetattr");
    check(::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK) == 0, "fcntl");
  }
  ~Pty() {
    ::close(slave);
    ::close(master);
  }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;
};

class Board {
 public:
  Board() : context_(std::make_unique<VerilatedContext>()), top_(std::make_unique<Top>(context_.get())) {
    top_->clk_i = 0;
    top_->uart_rx_i = 1;
    top_->eval();
  }

  // Power-up: the reset releases and the core clears, as a board does after
  // configuration before any host can talk to it.
  void power_up() {
    for (std::int64_t k = 0; k < 4 * kQuietCycles; ++k) tick();
    flush_board_bytes_or_fail();
  }

  // Serves the pty until stdin reaches end of file.
  void serve(Pty& pty) {
    for (;;) {
      const bool quiet = !rx_.busy() && !tx_.busy() && cycle_ - last_activity_ > 4 * kQuietCycles;
      pollfd fds[2] = {{pty.master, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
      if (::poll(fds, 2, quiet ? 1 : 0) < 0 && errno != EINTR) check(false, "poll");
      if ((fds[1].revents & (POLLIN | POLLHUP)) != 0) {
        char c;
        if (::read(STDIN_FILENO, &c, 1) <= 0) return;  // the parent is gone
      }
      const bool host_spoke = (fds[0].revents & POLLIN) != 0;
      if (host_spoke) take_host_bytes(pty.master);
      // A byte time while bytes move, longer chunks while quiet. A request
      // that just arrived ends the quiet: serving it in a long chunk would
      // delay its answer by up to 16·QuietCycles (a second at gate level).
      const std::int64_t chunk = quiet && !host_spoke ? 16 * kQuietCycles : 10 * kClocksPerBit;
      for (std::int64_t k = 0; k < chunk; ++k) tick();
      flush_board_bytes(pty.master);
    }
  }

 private:
  void flush_board_bytes_or_fail() {
    if (!out_.empty()) throw std::runtime_error("the board sent bytes at power-up, before any request");
  }

  void take_host_bytes(int fd) {
    std::uint8_t buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) return;  // EAGAIN: all taken (EIO: no host has the port open)
      for (ssize_t k = 0; k < n; ++k) rx_.push(buffer[k]);
      last_activity_ = cycle_;
    }
  }

  void flush_board_bytes(int fd) {
    while (!out_.empty()) {
      const ssize_t n = ::write(fd, out_.data(), out_.size());
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        check(false, "write to the pty");
      }
      out_.erase(0, static_cast<std::size_t>(n));
    }
  }

  void tick() {
    top_->uart_rx_i = rx_.next();
    top_->clk_i = 1;
    top_->eval();
    top_->clk_i = 0;
    top_->eval();
    context_->timeInc(1);
    ++cycle_;
    std::uint8_t byte = 0;
    if (tx_.sample(top_->uart_tx_o, byte)) out_.push_back(static_cast<char>(byte));
    if (rx_.busy() || tx_.busy()) last_activity_ = cycle_;
  }

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Top> top_;
  UartDriver rx_;      // host → board (uart_rx_i)
  UartReceiver tx_;    // board → host (uart_tx_o)
  std::string out_;
  std::int64_t cycle_ = 0, last_activity_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 1) throw std::runtime_error("no arguments expected (run in the RTL folder; stdin's end stops it)");
    Pty pty;
    Board board;
    board.power_up();
    std::printf("pty %s\n", pty.name.c_str());
    std::printf("clocks per bit %lld, quiet cycles %lld\n", static_cast<long long>(kClocksPerBit),
                static_cast<long long>(kQuietCycles));
    std::fflush(stdout);
    board.serve(pty);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nf_board_sim: %s\n", e.what());
    return 2;
  }
}
