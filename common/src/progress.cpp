#include "neurofab/common/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <utility>

namespace nf {
namespace {

std::string format_duration(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s / 60) % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

ProgressReporter::ProgressReporter(std::FILE* stream, long first, long total, double log_interval_seconds,
                                   std::string unit)
    : stream_(stream),
      first_(first),
      total_(total),
      log_interval_seconds_(log_interval_seconds),
      unit_(std::move(unit)),
      is_terminal_(::isatty(::fileno(stream)) == 1),
      start_(std::chrono::steady_clock::now()),
      last_log_(start_) {}

std::string ProgressReporter::line(long done, const std::string& fields) const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string eta =
      done >= total_ ? std::string("0s")
      : done > first_ ? format_duration(elapsed / static_cast<double>(done - first_) *
                                         static_cast<double>(total_ - done))
                     : std::string("?");
  return fmt::format("{} {}/{}  {}  elapsed {}  eta {}", unit_, done, total_, fields,
                     format_duration(elapsed), eta);
}

void ProgressReporter::update(long done, const std::string& fields) {
  const auto now = std::chrono::steady_clock::now();
  if (is_terminal_) {
    fmt::print(stream_, "\r\033[K{}", line(done, fields));
    std::fflush(stream_);
  } else if (std::chrono::duration<double>(now - last_log_).count() >= log_interval_seconds_) {
    fmt::print(stream_, "{}\n", line(done, fields));
    std::fflush(stream_);
    last_log_ = now;
  }
}

void ProgressReporter::finish(long done, const std::string& fields) {
  if (is_terminal_) fmt::print(stream_, "\r\033[K");
  fmt::print(stream_, "{}\n", line(done, fields));
  std::fflush(stream_);
}

}  // namespace nf
