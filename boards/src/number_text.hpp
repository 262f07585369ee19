#pragma once
// Numbers as the build's messages and reports print them.

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace nf::boards {

// A count that may be fractional (BRAM tiles): "12" or "12.5".
inline std::string format_count(double value) {
  return value == std::floor(value) ? fmt::format("{}", static_cast<std::int64_t>(value)) : fmt::format("{:.1f}", value);
}

inline std::string fixed(double value, int digits) { return fmt::format("{:.{}f}", value, digits); }

// Rounded, with a space between thousands: "12 345".
inline std::string thousands(double value) {
  const auto n = static_cast<std::int64_t>(std::llround(value));
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

}  // namespace nf::boards
