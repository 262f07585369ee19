#include "neurofab/quantize/fixed_point.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "neurofab/common/error.hpp"

namespace nf::quantize {

std::string to_string(Rounding rounding) {
  switch (rounding) {
    case Rounding::kFloor: return "floor";
    case Rounding::kHalfUp: return "half_up";
    case Rounding::kConvergent: return "convergent";
  }
  return "?";
}

std::string to_string(Overflow overflow) { return overflow == Overflow::kSaturate ? "saturate" : "wrap"; }

Rounding rounding_from_string(const std::string& name) {
  if (name == "floor") return Rounding::kFloor;
  if (name == "half_up") return Rounding::kHalfUp;
  if (name == "convergent") return Rounding::kConvergent;
  throw InputError(fmt::format("unknown rounding mode '{}' (expected floor, half_up or convergent)", name));
}

Overflow overflow_from_string(const std::string& name) {
  if (name == "saturate") return Overflow::kSaturate;
  if (name == "wrap") return Overflow::kWrap;
  throw InputError(fmt::format("unknown overflow mode '{}' (expected saturate or wrap)", name));
}

double FixedFormat::resolution() const { return std::ldexp(1.0, -frac_bits); }
double FixedFormat::max_value() const { return std::ldexp(static_cast<double>(max_code()), -frac_bits); }

void FixedFormat::validate(const std::string& what) const {
  if (total_bits < 2 || total_bits > 32) {
    throw InputError(fmt::format("{}: total bits W = {} is outside [2, 32]", what, total_bits));
  }
  if (frac_bits > total_bits) {
    throw InputError(fmt::format("{}: fractional bits F = {} exceed the total bits W = {}", what, frac_bits, total_bits));
  }
  if (frac_bits < -32) throw InputError(fmt::format("{}: fractional bits F = {} is below -32", what, frac_bits));
}

std::string FixedFormat::to_string() const { return fmt::format("Q{}.{}", total_bits, frac_bits); }

FixedFormat parse_format(const std::string& text) {
  std::string body = text;
  if (!body.empty() && (body[0] == 'Q' || body[0] == 'q')) body = body.substr(1);
  const auto dot = body.find('.');
  FixedFormat f;
  const auto parse_int = [&](const std::string& part, int& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  if (dot == std::string::npos || !parse_int(body.substr(0, dot), f.total_bits) ||
      !parse_int(body.substr(dot + 1), f.frac_bits)) {
    throw InputError(fmt::format("'{}' is not a fixed-point format (expected W.F, e.g. 16.8 or Q8.6)", text));
  }
  f.validate(fmt::format("format '{}'", text));
  return f;
}

std::int64_t quantize_real(double value, const FixedFormat& format, Rounding rounding) {
  if (std::isnan(value)) throw InputError("cannot quantize NaN");
  if (std::isinf(value)) return value > 0 ? format.max_code() : format.min_code();
  // Exactly: value = M · 2^E with M a 53-bit integer, so value · 2^F = M · 2^(E+F)
  // is rounded by shift_round itself (scaling the double could underflow).
  int exponent = 0;
  const double fraction = std::frexp(value, &exponent);  // value = fraction · 2^exponent, |fraction| ∈ [0.5, 1)
  const auto mantissa = static_cast<std::int64_t>(std::ldexp(fraction, 53));  // exact
  const int shift = 53 - exponent - format.frac_bits;  // value · 2^F = mantissa · 2^-shift
  if (mantissa == 0) return 0;
  if (shift < 0) {
    // |value · 2^F| ≥ 2^52 > every code: saturate.
    return mantissa > 0 ? format.max_code() : format.min_code();
  }
  if (shift > 62) {
    // |value · 2^F| < 2^-9: rounds to 0, or to -1 when flooring a negative.
    return rounding == Rounding::kFloor && mantissa < 0 ? fit(-1, format.total_bits, Overflow::kSaturate) : 0;
  }
  return fit(shift_round(mantissa, shift, rounding), format.total_bits, Overflow::kSaturate);
}

double dequantize(std::int64_t code, const FixedFormat& format) {
  return std::ldexp(static_cast<double>(code), -format.frac_bits);
}

}  // namespace nf::quantize
