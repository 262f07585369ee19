#pragma once
// A serial port in raw 8N1 mode (termios): a board's USB-UART (/dev/ttyUSB1
// for the iCEBreaker's FTDI channel B) or the pseudo-terminal of a virtual
// board (virtual_board.hpp) — the host link cannot tell them apart.

#include <filesystem>
#include <string>

#include "neurofab/sim/host_link.hpp"

namespace nf::sim {

class SerialPort : public BytePort {
 public:
  // Opens `path` exclusively at `baud` (a standard rate: 9600 … 4000000).
  // Throws nf::InputError naming the port for a missing or busy device or an
  // unsupported baud rate.
  SerialPort(const std::filesystem::path& path, int baud);
  ~SerialPort() override;
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  void write(const Bytes& bytes) override;
  std::size_t read_some(Bytes& into, std::chrono::milliseconds timeout) override;
  const std::filesystem::path& path() const { return path_; }
  std::string name() const override { return path_.string(); }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace nf::sim
