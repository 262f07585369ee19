// The fixed-point primitives of the golden model against an independent, exact
// rational reference (GMP's mpz_class / mpq_class): every rounding mode, every
// shift, every width, both overflow modes, the real-number conversion, and the
// format / mode parsers. The reference works from the definitions in
// fixed_point.hpp (floor division, floor(q + 1/2), nearest with ties to even,
// clamping, arithmetic modulo 2^W), never from the implementation's bit tricks.
#include "neurofab/quantize/fixed_point.hpp"

#include <gmpxx.h>

#include <algorithm>
#include <array>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"

using namespace nf::quantize;

namespace {

constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();

// ---------------------------------------------------------------------------
// Exact reference arithmetic.

static_assert(sizeof(long) == sizeof(std::int64_t), "the GMP conversions below assume an LP64 long");

mpz_class z(std::int64_t x) { return mpz_class(static_cast<long>(x)); }

mpz_class pow2(int e) {
  mpz_class r;
  mpz_ui_pow_ui(r.get_mpz_t(), 2, static_cast<unsigned long>(e));
  return r;
}

bool fits_i64(const mpz_class& v) { return mpz_fits_slong_p(v.get_mpz_t()) != 0; }

std::int64_t to_i64(const mpz_class& v) {
  REQUIRE(fits_i64(v));
  return static_cast<std::int64_t>(v.get_si());
}

// The exact rational x · 2^-s (any sign of s).
mpq_class scaled(const mpq_class& x, int s) {
  mpq_class r;
  if (s >= 0) {
    mpq_div_2exp(r.get_mpq_t(), x.get_mpq_t(), static_cast<mp_bitcnt_t>(s));
  } else {
    mpq_mul_2exp(r.get_mpq_t(), x.get_mpq_t(), static_cast<mp_bitcnt_t>(-s));
  }
  return r;
}

mpq_class exact_double(double v) {
  mpq_class q;
  mpq_set_d(q.get_mpq_t(), v);  // exact: every finite double is a dyadic rational
  return q;
}

mpz_class floor_of(const mpq_class& q) {
  mpz_class r;
  mpz_fdiv_q(r.get_mpz_t(), q.get_num_mpz_t(), q.get_den_mpz_t());
  return r;
}

// q rounded to an integer per the header's definitions.
mpz_class round_ref(const mpq_class& q, Rounding rounding) {
  switch (rounding) {
    case Rounding::kFloor:
      return floor_of(q);
    case Rounding::kHalfUp:
      return floor_of(q + mpq_class(1, 2));
    case Rounding::kConvergent: {
      const mpz_class f = floor_of(q);
      const mpq_class frac = q - mpq_class(f);
      const int c = cmp(frac, mpq_class(1, 2));
      if (c > 0) return f + 1;
      if (c < 0) return f;
      return mpz_even_p(f.get_mpz_t()) != 0 ? f : mpz_class(f + 1);  // a tie: the even neighbour
    }
  }
  FAIL("unknown rounding mode");
  return 0;
}

mpz_class shift_round_ref(std::int64_t x, int s, Rounding rounding) {
  return round_ref(scaled(mpq_class(z(x)), s), rounding);
}

struct FitRef {
  mpz_class value;
  bool changed = false;
};

// v into `bits` bits: clamp, or the unique representative of v mod 2^bits in
// [-2^(bits-1), 2^(bits-1) - 1].
FitRef fit_ref(const mpz_class& v, int bits, Overflow overflow) {
  const mpz_class hi = pow2(bits - 1) - 1;
  const mpz_class lo = -pow2(bits - 1);
  if (v >= lo && v <= hi) return {v, false};
  if (overflow == Overflow::kSaturate) return {v > hi ? hi : lo, true};
  const mpz_class modulus = pow2(bits);
  mpz_class r;
  mpz_fdiv_r(r.get_mpz_t(), v.get_mpz_t(), modulus.get_mpz_t());  // in [0, 2^bits)
  if (r > hi) r -= modulus;
  return {r, true};
}

// quantize_real's reference: exact v · 2^F, rounded, then saturated.
mpz_class quantize_real_ref(double v, const FixedFormat& format, Rounding rounding) {
  const mpz_class code = round_ref(scaled(exact_double(v), -format.frac_bits), rounding);
  return fit_ref(code, format.total_bits, Overflow::kSaturate).value;
}

// ---------------------------------------------------------------------------
// Random inputs.

bool coin(nf::Rng& rng) { return (rng.next_u64() & 1) != 0; }

std::int64_t uniform_in(nf::Rng& rng, std::int64_t lo, std::int64_t hi) {  // inclusive
  const auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  const std::uint64_t offset = span == std::numeric_limits<std::uint64_t>::max() ? rng.next_u64() : rng.below(span + 1);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + offset);
}

// A value of random bit length b ∈ [0, max_bits] (so |x| < 2^b ≤ 2^max_bits), random sign.
std::int64_t random_magnitude(nf::Rng& rng, int max_bits) {
  const auto b = static_cast<int>(rng.below(static_cast<std::uint64_t>(max_bits) + 1));
  const std::uint64_t mask = b == 0 ? 0 : (b >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << b) - 1);
  const auto mag = static_cast<std::int64_t>(rng.next_u64() & mask & (~std::uint64_t{0} >> 1));
  return coin(rng) ? -mag : mag;
}

// Counts cases and mismatches; says whether a mismatch should be reported in
// detail (the first few), so a systematic bug does not flood the output.
struct Tally {
  long cases = 0;
  long bad = 0;
  bool record(bool ok) {
    ++cases;
    if (ok) return false;
    return ++bad <= 8;
  }
};

std::string str(std::int64_t v) { return std::to_string(v); }

// A double both exactly (hexadecimal) and readably.
std::string fmt_double(double v) {
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%a (%.17g)", v, v);
  return buffer;
}

// Candidate edge values for shift s, as exact integers (filtered to the legal
// domain by the caller).
std::vector<mpz_class> shift_edges(int s) {
  std::vector<mpz_class> out = {0, 1, -1, z(kI64Min), z(kI64Max), z(kI64Min) + 1, z(kI64Max) - 1};
  if (s > 0) {
    const mpz_class p = pow2(s), h = pow2(s - 1);
    for (const int sign : {1, -1}) {
      for (const mpz_class& m : {h, mpz_class(h - 1), mpz_class(h + 1), p, mpz_class(p - 1), mpz_class(p + 1),
                                 mpz_class(3 * h), mpz_class(3 * h - 1), mpz_class(3 * h + 1)}) {
        out.push_back(sign * m);
      }
    }
    // Exact ties k·2^s + 2^(s-1) (and their neighbours) for negative and positive
    // k, including the most negative and most positive k that fit.
    const mpz_class k_min = -pow2(63 - s), k_max = pow2(63 - s) - 1;
    std::vector<mpz_class> ks = {-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, k_min, mpz_class(k_min + 1), k_max,
                                 mpz_class(k_max - 1)};
    for (const mpz_class& k : ks) {
      for (int d = -1; d <= 1; ++d) out.push_back(k * p + h + d);
    }
  } else {
    const mpz_class limit = pow2(62 + s) - 1;  // |x| < 2^(62+s)
    for (const mpz_class& m : {limit, mpz_class(limit - 1), mpz_class(limit / 2)}) {
      out.push_back(m);
      out.push_back(-m);
    }
  }
  return out;
}

bool legal_for_shift(const mpz_class& x, int s) {
  if (!fits_i64(x)) return false;
  if (s >= 0) return true;
  return abs(x) < pow2(62 + s);
}

std::int64_t random_x_for_shift(nf::Rng& rng, int s) {
  if (s < 0) return random_magnitude(rng, 62 + s);
  switch (s == 0 ? rng.below(2) : rng.below(5)) {
    case 0:
      return static_cast<std::int64_t>(rng.next_u64());  // anywhere in int64
    case 1:
      return random_magnitude(rng, 63);
    case 2: {  // an exact tie or a neighbour of one, anywhere in the range
      const mpz_class k_min = -pow2(63 - s);
      const auto k = z(static_cast<std::int64_t>(rng.below(std::uint64_t{1} << (64 - s)))) + k_min;
      const mpz_class x = k * pow2(s) + pow2(s - 1) + static_cast<long>(rng.below(5)) - 2;
      return fits_i64(x) ? to_i64(x) : 0;
    }
    case 3:  // a small x: results near zero with every remainder
      return random_magnitude(rng, std::min(63, s + 3));
    default: {  // small k with an exact tie
      const auto k = static_cast<long>(rng.below(64)) - 32;
      const mpz_class x = k * pow2(s) + pow2(s - 1);
      return fits_i64(x) ? to_i64(x) : 0;
    }
  }
}

constexpr Rounding kRoundings[] = {Rounding::kFloor, Rounding::kHalfUp, Rounding::kConvergent};

// 'text', as the error messages quote their input.
std::string quoted(const std::string& text) {
  std::string out = "'";
  out += text;
  out += '\'';
  return out;
}

template <class F>
std::string input_error_message(F&& f) {
  try {
    f();
  } catch (const nf::InputError& e) {
    return e.what();
  }
  return "<no nf::InputError was thrown>";
}

}  // namespace

// ---------------------------------------------------------------------------
// shift_round

TEST_CASE("shift_round equals the exact rational x / 2^s rounded per mode", "[fixed_point]") {
  const Rounding rounding = GENERATE(Rounding::kFloor, Rounding::kHalfUp, Rounding::kConvergent);
  const std::uint64_t seed = GENERATE(101u, 102u);
  INFO("seed " << seed << ", rounding " << to_string(rounding));
  nf::Rng rng(seed);
  Tally tally;
  const int per_shift = 400;
  for (int s = -20; s <= 62; ++s) {
    std::vector<std::int64_t> xs;
    for (const mpz_class& e : shift_edges(s)) {
      if (legal_for_shift(e, s)) xs.push_back(to_i64(e));
    }
    for (int i = 0; i < per_shift; ++i) xs.push_back(random_x_for_shift(rng, s));
    for (const std::int64_t x : xs) {
      const std::int64_t actual = shift_round(x, s, rounding);
      const mpz_class expected = shift_round_ref(x, s, rounding);
      if (tally.record(str(actual) == expected.get_str())) {
        INFO("shift_round(" << x << ", " << s << ", " << to_string(rounding) << ")");
        CHECK(str(actual) == expected.get_str());
      }
    }
  }
  CHECK(tally.bad == 0);
  CHECK(tally.cases >= 83L * per_shift);
}

TEST_CASE("shift_round on hand-picked ties and extremes", "[fixed_point]") {
  // x = ±2.5, ±3.5 (s = 1) and ±0.5 (s = 62, x = ±2^61): the tie behaviour of each mode.
  struct Case {
    std::int64_t x;
    int s;
    std::int64_t floor, half_up, convergent;
  };
  const std::int64_t two61 = std::int64_t{1} << 61;
  const Case cases[] = {
      {5, 1, 2, 3, 2},
      {-5, 1, -3, -2, -2},
      {7, 1, 3, 4, 4},
      {-7, 1, -4, -3, -4},
      {two61, 62, 0, 1, 0},
      {-two61, 62, -1, 0, 0},
      {3 * two61, 62, 1, 2, 2},   // 1.5
      {-3 * two61, 62, -2, -1, -2},  // -1.5
      {kI64Max, 62, 1, 2, 2},     // 2 - 2^-62
      {kI64Min, 62, -2, -2, -2},  // exactly -2
      {kI64Max, 1, kI64Max / 2, kI64Max / 2 + 1, kI64Max / 2 + 1},  // 2^62 - 0.5: tie, floor is odd
      {kI64Min, 1, kI64Min / 2, kI64Min / 2, kI64Min / 2},
      {kI64Min + 1, 1, kI64Min / 2, kI64Min / 2 + 1, kI64Min / 2},  // -2^62 + 0.5: floor -2^62 is even
      {3, -2, 12, 12, 12},
      {-3, -2, -12, -12, -12},
      {(std::int64_t{1} << 42) - 1, -20, ((std::int64_t{1} << 42) - 1) << 20, ((std::int64_t{1} << 42) - 1) << 20,
       ((std::int64_t{1} << 42) - 1) << 20},
      {kI64Min, 0, kI64Min, kI64Min, kI64Min},
  };
  for (const Case& c : cases) {
    INFO("x = " << c.x << ", s = " << c.s);
    CHECK(shift_round(c.x, c.s, Rounding::kFloor) == c.floor);
    CHECK(shift_round(c.x, c.s, Rounding::kHalfUp) == c.half_up);
    CHECK(shift_round(c.x, c.s, Rounding::kConvergent) == c.convergent);
    for (const Rounding r : kRoundings) {
      CHECK(str(shift_round(c.x, c.s, r)) == shift_round_ref(c.x, c.s, r).get_str());
    }
  }
}

// ---------------------------------------------------------------------------
// fit

TEST_CASE("fit saturates or wraps like exact modular arithmetic and counts overflows", "[fixed_point]") {
  const Overflow overflow = GENERATE(Overflow::kSaturate, Overflow::kWrap);
  const std::uint64_t seed = GENERATE(201u, 202u);
  INFO("seed " << seed << ", overflow " << to_string(overflow));
  nf::Rng rng(seed);
  Tally tally;
  long out_of_range = 0;
  for (int bits = 2; bits <= 63; ++bits) {
    const mpz_class hi = pow2(bits - 1) - 1, lo = -pow2(bits - 1), span = pow2(bits);
    std::vector<mpz_class> candidates = {0, 1, -1, z(kI64Min), z(kI64Max), z(kI64Min) + 1, z(kI64Max) - 1};
    for (const mpz_class& edge : {hi, lo, span, mpz_class(-span)}) {
      for (int d = -2; d <= 2; ++d) candidates.push_back(edge + d);
    }
    for (int i = 0; i < 500; ++i) {
      switch (rng.below(3)) {
        case 0: candidates.push_back(z(static_cast<std::int64_t>(rng.next_u64()))); break;
        case 1: candidates.push_back(z(random_magnitude(rng, 63))); break;
        default: candidates.push_back((coin(rng) ? hi : lo) + static_cast<long>(rng.below(2001)) - 1000); break;
      }
    }
    for (const mpz_class& candidate : candidates) {
      if (!fits_i64(candidate)) continue;
      const std::int64_t x = to_i64(candidate);
      const FitRef expected = fit_ref(candidate, bits, overflow);
      const std::int64_t start = static_cast<std::int64_t>(rng.below(1000));
      OverflowCount count{start};
      const std::int64_t actual = fit(x, bits, overflow, &count);
      const std::int64_t without_count = fit(x, bits, overflow);
      const std::int64_t increment = count.events - start;
      const bool ok = str(actual) == expected.value.get_str() && without_count == actual &&
                      increment == (expected.changed ? 1 : 0);
      out_of_range += expected.changed ? 1 : 0;
      if (tally.record(ok)) {
        INFO("fit(" << x << ", " << bits << ", " << to_string(overflow) << ")");
        CHECK(str(actual) == expected.value.get_str());
        CHECK(without_count == actual);
        CHECK(increment == (expected.changed ? 1 : 0));
      }
    }
  }
  CHECK(tally.bad == 0);
  CHECK(tally.cases >= 62L * 500);
  CHECK(out_of_range > 1000);  // both branches were exercised
  CHECK(out_of_range < tally.cases - 1000);
}

TEST_CASE("fit on hand-picked values", "[fixed_point]") {
  OverflowCount count;
  CHECK(fit(127, 8, Overflow::kSaturate, &count) == 127);
  CHECK(fit(-128, 8, Overflow::kWrap, &count) == -128);
  CHECK(count.events == 0);
  CHECK(fit(128, 8, Overflow::kSaturate, &count) == 127);
  CHECK(fit(-129, 8, Overflow::kSaturate, &count) == -128);
  CHECK(fit(128, 8, Overflow::kWrap, &count) == -128);
  CHECK(fit(-129, 8, Overflow::kWrap, &count) == 127);
  CHECK(fit(256 + 5, 8, Overflow::kWrap, &count) == 5);
  CHECK(count.events == 5);
  CHECK(fit(kI64Min, 63, Overflow::kWrap) == 0);
  CHECK(fit(kI64Max, 63, Overflow::kWrap) == -1);
  CHECK(fit(kI64Max, 63, Overflow::kSaturate) == (std::int64_t{1} << 62) - 1);
  CHECK(fit(kI64Min, 2, Overflow::kSaturate) == -2);
  CHECK(fit(kI64Max, 2, Overflow::kWrap) == -1);  // low bits 11
  CHECK(fit(2, 2, Overflow::kWrap) == -2);
}

// ---------------------------------------------------------------------------
// requantize

TEST_CASE("requantize equals fit(shift_round(...)) and the rational reference", "[fixed_point]") {
  const Rounding rounding = GENERATE(Rounding::kFloor, Rounding::kHalfUp, Rounding::kConvergent);
  const Overflow overflow = GENERATE(Overflow::kSaturate, Overflow::kWrap);
  const std::uint64_t seed = GENERATE(301u, 302u);
  INFO("seed " << seed << ", rounding " << to_string(rounding) << ", overflow " << to_string(overflow));
  nf::Rng rng(seed);
  Tally tally;
  long changed = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    FixedFormat format;
    int from_frac = 0, shift = 0;
    do {  // shift_round requires |shift| ≤ 62
      format.total_bits = 2 + static_cast<int>(rng.below(31));
      format.frac_bits = -8 + static_cast<int>(rng.below(static_cast<std::uint64_t>(format.total_bits + 9)));
      from_frac = -8 + static_cast<int>(rng.below(69));
      shift = from_frac - format.frac_bits;
    } while (shift > 62);
    std::int64_t x = 0;
    const int max_bits = shift < 0 ? 62 + shift : 63;  // |x| < 2^(62 + shift) for a left shift
    switch (rng.below(3)) {
      case 0:
        x = shift < 0 ? random_magnitude(rng, max_bits) : static_cast<std::int64_t>(rng.next_u64());
        break;
      case 1:
        x = random_magnitude(rng, max_bits);
        break;
      default: {  // around the format's limits, with a random or tie remainder
        const mpz_class code = (coin(rng) ? mpz_class(z(format.max_code())) : mpz_class(z(format.min_code()))) +
                               static_cast<long>(rng.below(5)) - 2;
        mpz_class v;
        if (shift >= 0) {
          v = code * pow2(shift);
        } else {  // x · 2^-shift lands on or next to the code
          mpz_fdiv_q(v.get_mpz_t(), code.get_mpz_t(), pow2(-shift).get_mpz_t());
          v += static_cast<long>(rng.below(2));
        }
        if (shift > 0) {
          v += coin(rng) ? pow2(shift - 1) : z(static_cast<std::int64_t>(rng.below(std::uint64_t{1} << shift)));
        }
        x = legal_for_shift(v, shift) ? to_i64(v) : 0;
        break;
      }
    }
    OverflowCount count;
    const std::int64_t actual = requantize(x, from_frac, format, rounding, overflow, &count);
    const std::int64_t composed = fit(shift_round(x, from_frac - format.frac_bits, rounding), format.total_bits, overflow);
    // The real value x · 2^-from_frac expressed with F fractional bits, rounded, fitted.
    const mpq_class real = scaled(mpq_class(z(x)), from_frac);
    const FitRef expected = fit_ref(round_ref(scaled(real, -format.frac_bits), rounding), format.total_bits, overflow);
    changed += expected.changed ? 1 : 0;
    const bool ok = actual == composed && str(actual) == expected.value.get_str() &&
                    count.events == (expected.changed ? 1 : 0);
    if (tally.record(ok)) {
      INFO("requantize(" << x << ", " << from_frac << ", " << format.to_string() << ")");
      CHECK(actual == composed);
      CHECK(str(actual) == expected.value.get_str());
      CHECK(count.events == (expected.changed ? 1 : 0));
    }
  }
  CHECK(tally.bad == 0);
  CHECK(tally.cases == n);
  CHECK(changed > 100);  // both in-range and overflowing results were exercised
  CHECK(changed < n - 100);
}

// ---------------------------------------------------------------------------
// quantize_real / dequantize

namespace {

std::vector<double> real_edges(const FixedFormat& f) {
  const double res = f.resolution(), max = f.max_value();
  const double min = std::ldexp(static_cast<double>(f.min_code()), -f.frac_bits);
  const double tiny = std::numeric_limits<double>::denorm_min();
  std::vector<double> out = {0.0,
                             -0.0,
                             tiny,
                             -tiny,
                             3 * tiny,
                             -3 * tiny,
                             std::ldexp(1.0, -1070),
                             -std::ldexp(1.0, -1070),
                             std::ldexp(1.0, -1060),
                             -std::ldexp(1.0, -1060),
                             std::numeric_limits<double>::min(),
                             -std::numeric_limits<double>::min(),
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::lowest(),
                             1e-300,
                             -1e-300,
                             res / 2,
                             -res / 2,
                             res / 4,
                             -res / 4,
                             3 * res / 2,
                             -3 * res / 2,
                             max,
                             min,
                             max + res / 2,
                             min - res / 2,
                             max - res / 2,
                             min + res / 2,
                             max + res,
                             min - res,
                             2 * max,
                             2 * min};
  for (const double v : std::vector<double>(out)) {
    for (const double toward : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
      const double next = std::nextafter(v, toward);
      if (std::isfinite(next)) out.push_back(next);  // ±inf are checked on their own
    }
  }
  return out;
}

double random_real(nf::Rng& rng, const FixedFormat& f) {
  const std::int64_t k = uniform_in(rng, f.min_code() - 3, f.max_code() + 2);
  switch (rng.below(7)) {
    case 0:  // uniform over somewhat more than the range
      return rng.uniform(-1.5, 1.5) * std::ldexp(1.0, f.total_bits - 1 - f.frac_bits);
    case 1:  // an exact tie (k + 1/2) · 2^-F, negative ones included
      return std::ldexp(static_cast<double>(k) + 0.5, -f.frac_bits);
    case 2: {  // a neighbour of a tie
      const double tie = std::ldexp(static_cast<double>(k) + 0.5, -f.frac_bits);
      return std::nextafter(tie, coin(rng) ? 1e300 : -1e300);
    }
    case 3:  // an exact grid point
      return std::ldexp(static_cast<double>(k), -f.frac_bits);
    case 4: {  // any magnitude, down to subnormals
      const double mantissa = rng.uniform(1.0, 2.0);
      const int e = -1080 + static_cast<int>(rng.below(1080 + 80));
      return (coin(rng) ? -1.0 : 1.0) * std::ldexp(mantissa, e);
    }
    case 5: {  // any finite bit pattern
      double v = 0;
      do {
        v = std::bit_cast<double>(rng.next_u64());
      } while (!std::isfinite(v));
      return v;
    }
    default:  // tiny: within a few resolutions of zero
      return rng.uniform(-4.0, 4.0) * f.resolution();
  }
}

}  // namespace

TEST_CASE("quantize_real equals the exact rational v · 2^F rounded and saturated", "[fixed_point]") {
  const Rounding rounding = GENERATE(Rounding::kFloor, Rounding::kHalfUp, Rounding::kConvergent);
  const std::uint64_t seed = GENERATE(401u, 402u);
  INFO("seed " << seed << ", rounding " << to_string(rounding));
  nf::Rng rng(seed);
  Tally tally;
  for (int w = 2; w <= 32; ++w) {
    for (int frac = -8; frac <= w; ++frac) {
      const FixedFormat format{w, frac};
      std::vector<double> values = real_edges(format);
      for (int i = 0; i < 60; ++i) values.push_back(random_real(rng, format));
      for (const double v : values) {
        const std::int64_t actual = quantize_real(v, format, rounding);
        const mpz_class expected = quantize_real_ref(v, format, rounding);
        if (tally.record(str(actual) == expected.get_str())) {
          INFO("quantize_real(" << fmt_double(v) << ", " << format.to_string() << ", " << to_string(rounding) << ")");
          CHECK(str(actual) == expected.get_str());
        }
      }
    }
  }
  CHECK(tally.bad == 0);
  CHECK(tally.cases >= 806L * 60);
}

TEST_CASE("quantize_real saturates infinities and rejects NaN", "[fixed_point]") {
  const Rounding rounding = GENERATE(Rounding::kFloor, Rounding::kHalfUp, Rounding::kConvergent);
  INFO("rounding " << to_string(rounding));
  for (const FixedFormat format : {FixedFormat{16, 8}, FixedFormat{2, -8}, FixedFormat{32, 32}, FixedFormat{8, 0}}) {
    INFO("format " << format.to_string());
    CHECK(quantize_real(std::numeric_limits<double>::infinity(), format, rounding) == format.max_code());
    CHECK(quantize_real(-std::numeric_limits<double>::infinity(), format, rounding) == format.min_code());
    CHECK_THROWS_AS(quantize_real(std::numeric_limits<double>::quiet_NaN(), format, rounding), nf::InputError);
    CHECK_THROWS_AS(quantize_real(-std::numeric_limits<double>::quiet_NaN(), format, rounding), nf::InputError);
  }
  CHECK_THAT(input_error_message([] { quantize_real(std::nan(""), FixedFormat{}, Rounding::kFloor); }),
             Catch::Contains("NaN"));
}

TEST_CASE("dequantize(quantize_real(v)) is within half a resolution of an in-range v", "[fixed_point]") {
  const Rounding rounding = GENERATE(Rounding::kHalfUp, Rounding::kConvergent);
  const std::uint64_t seed = GENERATE(501u, 502u);
  INFO("seed " << seed << ", rounding " << to_string(rounding));
  nf::Rng rng(seed);
  Tally tally;
  for (int i = 0; i < 20000; ++i) {
    const int w = 2 + static_cast<int>(rng.below(31));
    const FixedFormat format{w, -8 + static_cast<int>(rng.below(static_cast<std::uint64_t>(w + 9)))};
    const double lo = std::ldexp(static_cast<double>(format.min_code()), -format.frac_bits);
    const double hi = format.max_value();
    double v = coin(rng) ? rng.uniform(lo, hi) : random_real(rng, format);
    if (!(v >= lo && v <= hi)) v = std::ldexp(static_cast<double>(uniform_in(rng, format.min_code(), format.max_code() - 1)) + 0.5, -format.frac_bits);
    const std::int64_t code = quantize_real(v, format, rounding);
    const double back = dequantize(code, format);
    const mpq_class error = abs(exact_double(back) - exact_double(v));
    const mpq_class half_res = scaled(mpq_class(1), format.frac_bits + 1);
    // dequantize is exact: code · 2^-F.
    const bool exact = exact_double(back) == scaled(mpq_class(z(code)), format.frac_bits);
    if (tally.record(error <= half_res && exact && code >= format.min_code() && code <= format.max_code())) {
      INFO("v = " << fmt_double(v) << ", format " << format.to_string() << ", code " << code << ", back " << back);
      CHECK(error <= half_res);
      CHECK(exact);
    }
  }
  CHECK(tally.bad == 0);
  CHECK(tally.cases == 20000);
}

TEST_CASE("dequantize is code · 2^-F", "[fixed_point]") {
  CHECK(dequantize(384, FixedFormat{16, 8}) == 1.5);
  CHECK(dequantize(-1, FixedFormat{16, 8}) == -1.0 / 256);
  CHECK(dequantize(3, FixedFormat{8, -2}) == 12.0);
  CHECK(dequantize(-(std::int64_t{1} << 31), FixedFormat{32, 32}) == -0.5);
  CHECK(dequantize(0, FixedFormat{4, 4}) == 0.0);
}

// ---------------------------------------------------------------------------
// Formats and mode names

TEST_CASE("parse_format accepts W.F and QW.F", "[fixed_point]") {
  CHECK(parse_format("16.8") == FixedFormat{16, 8});
  CHECK(parse_format("Q8.-2") == FixedFormat{8, -2});
  CHECK(parse_format("q4.4") == FixedFormat{4, 4});
  CHECK(parse_format("Q32.32") == FixedFormat{32, 32});
  CHECK(parse_format("2.0") == FixedFormat{2, 0});
  CHECK(parse_format("Q2.-8") == FixedFormat{2, -8});
  // to_string and parse_format round-trip every format in [2, 32] × [-32, W].
  long round_trips = 0;
  for (int w = 2; w <= 32; ++w) {
    for (int frac = -32; frac <= w; ++frac) {
      const FixedFormat f{w, frac};
      INFO("format " << f.to_string());
      std::string expected_name = "Q";
      expected_name += std::to_string(w);
      expected_name += '.';
      expected_name += std::to_string(frac);
      CHECK(f.to_string() == expected_name);
      CHECK(parse_format(f.to_string()) == f);
      CHECK_NOTHROW(f.validate("format under test"));
      ++round_trips;
    }
  }
  CHECK(round_trips > 1000);
}

TEST_CASE("parse_format rejects malformed and out-of-range text with a clear message", "[fixed_point]") {
  for (const std::string text : {"", "16", "16.", "a.b", "16.8x", ".8", "Q", "Q16", "QQ16.8", "16.8.1", " 16.8", "16,8"}) {
    INFO("text '" << text << "'");
    CHECK_THROWS_AS(parse_format(text), nf::InputError);
    const std::string message = input_error_message([&] { parse_format(text); });
    CHECK_THAT(message, Catch::Contains(quoted(text)));
    CHECK_THAT(message, Catch::Contains("W.F"));
  }
  struct Bad {
    std::string text, mentions;
  };
  for (const Bad& bad : {Bad{"Q33.1", "33"}, Bad{"Q1.0", "[2, 32]"}, Bad{"Q0.0", "[2, 32]"}, Bad{"-16.8", "[2, 32]"},
                         Bad{"8.9", "F = 9"}, Bad{"Q2.3", "F = 3"}}) {
    INFO("text '" << bad.text << "'");
    CHECK_THROWS_AS(parse_format(bad.text), nf::InputError);
    const std::string message = input_error_message([&] { parse_format(bad.text); });
    CHECK_THAT(message, Catch::Contains(quoted(bad.text)));
    CHECK_THAT(message, Catch::Contains(bad.mentions));
  }
}

TEST_CASE("FixedFormat::validate names what it validates", "[fixed_point]") {
  for (const FixedFormat f : {FixedFormat{33, 1}, FixedFormat{1, 0}, FixedFormat{8, 9}, FixedFormat{64, 8}}) {
    INFO("format " << f.to_string());
    const std::string message = input_error_message([&] { f.validate("format 'W_rec'"); });
    CHECK_THAT(message, Catch::Contains("format 'W_rec'"));
    CHECK_THROWS_AS(f.validate("x"), nf::InputError);
  }
  CHECK_NOTHROW(FixedFormat{}.validate("default"));
  CHECK(FixedFormat{} == FixedFormat{16, 8});
}

TEST_CASE("FixedFormat codes, values and names", "[fixed_point]") {
  const FixedFormat q16_8{16, 8}, q8_m2{8, -2}, q2_0{2, 0}, q32_32{32, 32}, q4_4{4, 4};
  CHECK(q16_8.max_code() == 32767);
  CHECK(q16_8.min_code() == -32768);
  CHECK(q16_8.resolution() == 1.0 / 256);
  CHECK(q16_8.max_value() == 32767.0 / 256);
  CHECK(q16_8.to_string() == "Q16.8");
  CHECK(q8_m2.max_code() == 127);
  CHECK(q8_m2.min_code() == -128);
  CHECK(q8_m2.resolution() == 4.0);
  CHECK(q8_m2.max_value() == 508.0);
  CHECK(q8_m2.to_string() == "Q8.-2");
  CHECK(q2_0.max_code() == 1);
  CHECK(q2_0.min_code() == -2);
  CHECK(q2_0.max_value() == 1.0);
  CHECK(q32_32.max_code() == 2147483647);
  CHECK(q32_32.min_code() == -2147483648LL);
  CHECK(q32_32.resolution() == std::ldexp(1.0, -32));
  CHECK(q32_32.max_value() == 2147483647.0 / 4294967296.0);
  CHECK(q4_4.max_value() == 7.0 / 16);
  CHECK(q4_4.to_string() == "Q4.4");
}

TEST_CASE("rounding and overflow names round-trip and unknown names are rejected", "[fixed_point]") {
  std::vector<std::string> names;
  for (const Rounding r : kRoundings) {
    CHECK(rounding_from_string(to_string(r)) == r);
    names.push_back(to_string(r));
  }
  CHECK(names == std::vector<std::string>{"floor", "half_up", "convergent"});
  for (const Overflow o : {Overflow::kSaturate, Overflow::kWrap}) CHECK(overflow_from_string(to_string(o)) == o);
  CHECK(to_string(Overflow::kSaturate) == "saturate");
  CHECK(to_string(Overflow::kWrap) == "wrap");
  for (const std::string bad : {"", "Floor", "half-up", "round", "nearest", "convergent ", "saturate"}) {
    INFO("name '" << bad << "'");
    CHECK_THROWS_AS(rounding_from_string(bad), nf::InputError);
    CHECK_THAT(input_error_message([&] { rounding_from_string(bad); }), Catch::Contains(quoted(bad)));
  }
  for (const std::string bad : {"", "Saturate", "saturation", "clamp", "wrap ", "floor"}) {
    INFO("name '" << bad << "'");
    CHECK_THROWS_AS(overflow_from_string(bad), nf::InputError);
    CHECK_THAT(input_error_message([&] { overflow_from_string(bad); }), Catch::Contains(quoted(bad)));
  }
}

// ---------------------------------------------------------------------------
// Compile-time use (the HLS and RTL generators rely on it) and the documented
// tie behaviour, negatives included.

namespace {
static_assert(shift_round(5, 1, Rounding::kConvergent) == 2);    // 2.5 → 2 (even)
static_assert(shift_round(7, 1, Rounding::kConvergent) == 4);    // 3.5 → 4 (even)
static_assert(shift_round(-5, 1, Rounding::kHalfUp) == -2);      // -2.5 → -2 (toward +∞)
static_assert(shift_round(-5, 1, Rounding::kConvergent) == -2);  // -2.5 → -2 (even)
static_assert(shift_round(-7, 1, Rounding::kConvergent) == -4);  // -3.5 → -4 (even)
static_assert(shift_round(-5, 1, Rounding::kFloor) == -3);       // -2.5 → -3
static_assert(shift_round(3, -4, Rounding::kFloor) == 48);       // exact left shift
static_assert(fit(200, 8, Overflow::kSaturate) == 127);
static_assert(fit(200, 8, Overflow::kWrap) == -56);
static_assert(fit(-129, 8, Overflow::kWrap) == 127);
static_assert(requantize(0x180, 8, FixedFormat{8, 0}, Rounding::kConvergent, Overflow::kSaturate) == 2);  // 1.5 → 2
constexpr std::int64_t kCompileTime = shift_round(-3, 1, Rounding::kHalfUp);  // -1.5 → -1
}  // namespace

TEST_CASE("shift_round and fit are usable in constant expressions", "[fixed_point]") {
  // The same values at run time as at compile time.
  std::int64_t x = 5;
  CHECK(shift_round(x, 1, Rounding::kConvergent) == 2);
  x = -5;
  CHECK(shift_round(x, 1, Rounding::kHalfUp) == -2);
  CHECK(shift_round(x, 1, Rounding::kConvergent) == -2);
  CHECK(shift_round(x, 1, Rounding::kFloor) == -3);
  CHECK(kCompileTime == -1);
  std::array<int, static_cast<std::size_t>(fit(1000, 4, Overflow::kSaturate))> sized{};  // size 7
  CHECK(sized.size() == 7);
}
