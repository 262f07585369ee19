#pragma once
// Fixed-point arithmetic of the integer golden model — the one definition
// that the HLS kernels and the RTL reproduce bit for bit (docs/fixed-point.md).
//
// A format Q(W, F) is a signed two's-complement integer q of W bits
// (2 ≤ W ≤ 32) standing for the real value q · 2^-F. F may be negative down to -32 (a
// coarse grid) or up to W. Its range is [-2^(W-1), 2^(W-1) - 1].
//
// Every operation is on int64_t and exact except where it says it rounds:
//   shift_round(x, s, r)  x · 2^-s rounded by r for s > 0; x · 2^-s exactly (a left
//                         shift) for s ≤ 0. With m = 2^(s-1), f = floor(x / 2^s):
//                           floor        f                       (arithmetic shift)
//                           half_up      floor((x + m) / 2^s)    (ties toward +∞)
//                           convergent   round half to even      (ties to the even neighbour)
//   fit(x, W, o)          x into W bits: saturate to the range, or wrap (keep the
//                         low W bits, sign-extended); counts what it changed.
//   requantize(x, F_from, fmt, r, o) = fit(shift_round(x, F_from - fmt.F, r), fmt.W, o)
// No floating point is used by any of these; quantize_real() (float → Q(W, F))
// is the only conversion, used offline by the quantizer, never inside a step.

#include <cstdint>
#include <string>

namespace nf::quantize {

enum class Rounding { kFloor, kHalfUp, kConvergent };
enum class Overflow { kSaturate, kWrap };

std::string to_string(Rounding rounding);
std::string to_string(Overflow overflow);
Rounding rounding_from_string(const std::string& name);  // throws nf::InputError
Overflow overflow_from_string(const std::string& name);  // throws nf::InputError

struct FixedFormat {
  int total_bits = 16;  // W
  int frac_bits = 8;    // F

  std::int64_t max_code() const { return (std::int64_t{1} << (total_bits - 1)) - 1; }
  std::int64_t min_code() const { return -(std::int64_t{1} << (total_bits - 1)); }
  double resolution() const;  // 2^-F
  double max_value() const;   // max_code · 2^-F
  // Throws nf::InputError naming `what` (e.g. "format 'W_rec'") when W ∉ [2, 32], F > W or F < -32.
  void validate(const std::string& what) const;
  std::string to_string() const;  // "Q16.8" meaning W = 16, F = 8
  bool operator==(const FixedFormat&) const = default;
};

// Parses "W.F" or "QW.F" (e.g. "16.8", "Q8.-2"); throws nf::InputError.
FixedFormat parse_format(const std::string& text);

// Counts of values that did not fit their format (saturated or wrapped).
struct OverflowCount {
  std::int64_t events = 0;
  void add(bool happened) { events += happened ? 1 : 0; }
};

// x · 2^-shift with the rounding rule; exact left shift for shift ≤ 0.
// Requires |shift| ≤ 62 and, for shift < 0, no overflow of int64 (callers keep
// |x| < 2^(62 + shift)).
constexpr std::int64_t shift_round(std::int64_t x, int shift, Rounding rounding) {
  if (shift <= 0) return x * (std::int64_t{1} << -shift);
  const std::int64_t floor = x >> shift;  // arithmetic shift: floor division (C++20)
  const std::int64_t remainder = x - (floor << shift);  // in [0, 2^shift)
  const std::int64_t half = std::int64_t{1} << (shift - 1);
  switch (rounding) {
    case Rounding::kFloor:
      return floor;
    case Rounding::kHalfUp:
      return remainder >= half ? floor + 1 : floor;
    case Rounding::kConvergent:
      if (remainder > half) return floor + 1;
      if (remainder < half) return floor;
      return (floor & 1) != 0 ? floor + 1 : floor;  // a tie: to the even neighbour
  }
  return floor;
}

// x into `bits` bits (2..63) by saturation or two's-complement wrap-around.
constexpr std::int64_t fit(std::int64_t x, int bits, Overflow overflow, OverflowCount* count = nullptr) {
  const std::int64_t max = (std::int64_t{1} << (bits - 1)) - 1;
  const std::int64_t min = -max - 1;
  if (x >= min && x <= max) return x;
  if (count != nullptr) count->add(true);
  if (overflow == Overflow::kSaturate) return x > max ? max : min;
  const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
  const std::uint64_t low = static_cast<std::uint64_t>(x) & mask;
  const std::uint64_t sign = std::uint64_t{1} << (bits - 1);
  return static_cast<std::int64_t>((low ^ sign) - sign);  // sign-extend the low `bits` bits
}

// A value with `from_frac` fractional bits, into `format`.
constexpr std::int64_t requantize(std::int64_t x, int from_frac, const FixedFormat& format, Rounding rounding,
                                  Overflow overflow, OverflowCount* count = nullptr) {
  return fit(shift_round(x, from_frac - format.frac_bits, rounding), format.total_bits, overflow, count);
}

// Offline conversion of a real number to `format` (round with `rounding`,
// then saturate): used by the quantizer for weights, tables and constants.
std::int64_t quantize_real(double value, const FixedFormat& format, Rounding rounding);
double dequantize(std::int64_t code, const FixedFormat& format);

}  // namespace nf::quantize
