#include "neurofab/sim/serial_port.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "neurofab/common/error.hpp"

namespace nf::sim {
namespace {

speed_t speed_of(int baud, const std::filesystem::path& path) {
  static const std::map<int, speed_t> kSpeeds = {
      {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},
      {230400, B230400},   {460800, B460800},   {500000, B500000},   {921600, B921600},   {1000000, B1000000},
      {1500000, B1500000}, {2000000, B2000000}, {3000000, B3000000}, {4000000, B4000000}};
  const auto it = kSpeeds.find(baud);
  if (it == kSpeeds.end()) {
    throw InputError(fmt::format("--baud: {} is not a standard rate for {} (use 115200, 921600, 1000000, …)", baud,
                                 path.string()));
  }
  return it->second;
}

}  // namespace

SerialPort::SerialPort(const std::filesystem::path& path, int baud) : path_(path) {
  const speed_t speed = speed_of(baud, path);
  fd_ = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd_ < 0) {
    throw InputError(fmt::format("--port {}: cannot open ({}; is the board plugged in, and may you use it?)",
                                 path.string(), std::strerror(errno)));
  }
  // Exclusive: a second program on the same port would steal bytes of the frames.
  if (::ioctl(fd_, TIOCEXCL) != 0 && errno != ENOTTY) {
    ::close(fd_);
    throw InputError(fmt::format("--port {}: cannot lock ({})", path.string(), std::strerror(errno)));
  }
  termios tty{};
  if (::tcgetattr(fd_, &tty) != 0) {
    ::close(fd_);
    throw InputError(fmt::format("--port {}: not a terminal device ({})", path.string(), std::strerror(errno)));
  }
  ::cfmakeraw(&tty);  // 8 data bits, no parity, no echo, no line editing
  tty.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | CRTSCTS);
  tty.c_cflag |= CLOCAL | CREAD;
  tty.c_cc[VMIN] = 0;
  tty.c_cc[VTIME] = 0;
  ::cfsetispeed(&tty, speed);
  ::cfsetospeed(&tty, speed);
  if (::tcsetattr(fd_, TCSANOW, &tty) != 0) {
    ::close(fd_);
    throw InputError(fmt::format("--port {}: cannot set {} baud 8N1 ({})", path.string(), baud, std::strerror(errno)));
  }
  ::tcflush(fd_, TCIOFLUSH);  // bytes from before we opened it belong to nobody
}

SerialPort::~SerialPort() {
  if (fd_ >= 0) ::close(fd_);
}

void SerialPort::write(const Bytes& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw IoError(fmt::format("{}: write failed ({})", path_.string(), std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
}

std::size_t SerialPort::read_some(Bytes& into, std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready < 0) {
    if (errno == EINTR) return 0;
    throw IoError(fmt::format("{}: poll failed ({})", path_.string(), std::strerror(errno)));
  }
  if (ready == 0) return 0;
  if ((p.revents & (POLLERR | POLLNVAL)) != 0) throw IoError(fmt::format("{}: the port failed", path_.string()));
  std::uint8_t buffer[4096];
  const ssize_t n = ::read(fd_, buffer, sizeof buffer);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return 0;
    throw IoError(fmt::format("{}: read failed ({}; was the board unplugged?)", path_.string(), std::strerror(errno)));
  }
  if (n == 0 && (p.revents & POLLHUP) != 0) throw IoError(fmt::format("{}: the other end hung up", path_.string()));
  into.insert(into.end(), buffer, buffer + n);
  return static_cast<std::size_t>(n);
}

}  // namespace nf::sim
