#ifndef NF_STANDIN_AP_FIXED_H_
#define NF_STANDIN_AP_FIXED_H_
// Stand-in for Xilinx's ap_fixed<W, I, Q, O, N> / ap_ufixed<...> (ap_fixed.h),
// for building and C-simulating the HLS kernels with a plain C++14 compiler.
// Selected by nf_hls_types.h when Xilinx's headers are not on the include path.
//
// A subset: exactly what the kernels use, bit-exact with Xilinx's headers for
// it. tests/hls/ap_types_probe.cpp runs >100 000 operations through both and
// tests/hls/test_ap_standins.cpp requires identical results. What is not in
// the subset does not compile (static_assert or no overload), on purpose.
//
// Number format. A value is code · 2^-F, F = W - I fraction bits, code a W-bit
// two's complement (ap_fixed, S = true) or unsigned (ap_ufixed) integer.
// 1 <= W <= 120 (the code is kept in an __int128); I is free: I < 0 or I > W
// (a grid finer or coarser than 1) work as on Xilinx.
//
// Every change of format (construction from another ap_fixed, from a native
// integer or a double, assignment, +=, -=, *=) rounds onto the target grid
// with the target's Q, then fits the target range with the target's O:
//   AP_TRN          floor (toward -inf)                   (the default)
//   AP_TRN_ZERO     toward zero
//   AP_RND          to nearest, ties toward +inf
//   AP_RND_ZERO     to nearest, ties toward zero
//   AP_RND_MIN_INF  to nearest, ties toward -inf
//   AP_RND_INF      to nearest, ties away from zero
//   AP_RND_CONV     to nearest, ties to even
//   AP_WRAP         keep the low W bits (modulo 2^W)      (the default)
//   AP_SAT          clamp to [min, max] of the format
// AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP_SM and N != 0 are not implemented.
// A double is read as Xilinx reads it: its exact value, except that denormals
// count as 1.m · 2^-1023 and inf/NaN as 1.m · 2^1024 (only formats with more
// than ~1000 fraction or integer bits could tell).
//
// Operators, all exact (Xilinx's result types, modes AP_TRN, AP_WRAP):
//   a * b   ap_[u]fixed<W + W2, I + I2>, signed if either is
//   a + b   ap_[u]fixed<Ip + max(F, F2), Ip>, Ip = max(I + (S2 && !S),
//           I2 + (S && !S2)) + 1, signed if either is
//   a - b   ap_fixed<Ip + max(F, F2), Ip> (always signed)
//   -a      ap_fixed_base<W + 1, I + 1, true>
//   a += b, a -= b, a *= b: the exact result converted back into a's type
//   ==, !=, <, <=, >, >=: exact. Xilinx's C model compares a signed with an
//     unsigned operand as C does (unsigned, so -1 > 1) when, after aligning
//     the binary points, the unsigned one is at least 32 bits and at least as
//     wide as the signed one; those pairs do not compile here (static_assert).
//   a << n, a >> n (n unsigned int or int; a negative int shifts the other
//     way): a shift of the raw code, same type, no rounding or saturation.
//     << keeps the low W bits (0 for n >= W); >> is arithmetic for ap_fixed,
//     logical for ap_ufixed (for n >= W: -1 code if negative, else 0).
// Conversions out (explicit only; no implicit conversion to double or int,
// stricter than Xilinx so that an accidental mix with native types fails to
// compile):
//   to_double()  the value rounded to nearest, ties to even
//   to_int(), to_uint(), to_int64(), to_uint64(): the integer part rounded
//     toward zero, cast to the C type (low 32 / 64 bits). Xilinx quirks kept:
//     for I == 0 a negative value gives -1 (Xilinx increments a 1-bit signed
//     zero); I < 0 does not compile (Xilinx reads an uninitialised word).
// Default construction gives 0 (Xilinx leaves the value uninitialised).

#include <cmath>
#include <cstdint>
#include <cstring>

#include "nf_standin_ap_int.h"

// Same names and order as Xilinx's ap_decl.h.
enum ap_q_mode { AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV, AP_TRN, AP_TRN_ZERO };
enum ap_o_mode { AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

template <int W, int I, bool S = true, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_fixed_base;
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_fixed;
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_ufixed;

namespace nf_standin {

__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

// Largest and smallest code of a w-bit word (1 <= w <= 120).
inline int128 max_code(int w, bool s) {
  return s ? (int128(1) << (w - 1)) - 1 : (int128(1) << w) - 1;
}
inline int128 min_code(int w, bool s) { return s ? -(int128(1) << (w - 1)) : 0; }

// Shifts and masks with a run-time count, so that a count fixed by template
// arguments never shows up as a constant shift by >= 128 or < 0 (GCC warns
// about those even in a branch that is not taken).
inline uint128 shift_left(uint128 x, int n) { return n >= 128 ? 0 : x << n; }
inline uint128 low_mask(int n) { return n >= 128 ? ~uint128(0) : (uint128(1) << n) - 1; }
inline int128 shift_right(int128 x, int n) { return x >> n; }  // arithmetic, 0 <= n < 128

// v modulo 2^w, read as a w-bit two's complement (s) or unsigned number.
inline int128 wrap(int128 v, int w, bool s) {
  const uint128 mask = (uint128(1) << w) - 1;
  uint128 bits = uint128(v) & mask;
  if (s && ((bits >> (w - 1)) & 1) != 0) bits |= ~mask;
  return int128(bits);
}

// v · 2^-d rounded to an integer with q, for d >= 1 and |v| < 2^120.
inline int128 round_shift(int128 v, int d, ap_q_mode q) {
  enum Rest { kExact, kBelowHalf, kHalf, kAboveHalf };
  int128 floor_q;  // floor(v · 2^-d)
  Rest rest;       // where v - floor_q · 2^d lies in [0, 2^d)
  if (d >= 127) {  // |v| < 2^(d-1): the rest is v (v >= 0) or 2^d + v (v < 0)
    floor_q = v < 0 ? -1 : 0;
    rest = v == 0 ? kExact : v > 0 ? kBelowHalf : kAboveHalf;
  } else {
    floor_q = v >> d;  // arithmetic shift
    const uint128 r = uint128(v) & ((uint128(1) << d) - 1);
    const uint128 half = uint128(1) << (d - 1);
    rest = r == 0 ? kExact : r < half ? kBelowHalf : r == half ? kHalf : kAboveHalf;
  }
  const bool negative = v < 0;
  bool up = false;
  switch (q) {
    case AP_TRN: up = false; break;
    case AP_TRN_ZERO: up = negative && rest != kExact; break;
    case AP_RND: up = rest == kHalf || rest == kAboveHalf; break;
    case AP_RND_ZERO: up = rest == kAboveHalf || (rest == kHalf && negative); break;
    case AP_RND_MIN_INF: up = rest == kAboveHalf; break;
    case AP_RND_INF: up = rest == kAboveHalf || (rest == kHalf && !negative); break;
    case AP_RND_CONV: up = rest == kAboveHalf || (rest == kHalf && (floor_q & 1) != 0); break;
  }
  return up ? floor_q + 1 : floor_q;
}

// The one conversion every constructor and assignment goes through: the code
// of the value v · 2^-f_src (|v| < 2^120) in the format of width w, f fraction
// bits and signedness s, rounded with q, then fitted with o.
inline int128 convert(int128 v, int f_src, int w, int f, bool s, ap_q_mode q, ap_o_mode o) {
  const int128 hi = max_code(w, s);
  const int128 lo = min_code(w, s);
  const int d = f_src - f;  // fraction bits dropped (d > 0) or appended (d < 0)
  if (d <= 0) {
    // v · 2^-d is exact but may not fit: decide that before shifting.
    const int up = -d;
    if (v == 0) return 0;
    if (o == AP_SAT) {
      // v · 2^up > hi  <=>  v > floor(hi / 2^up);  v · 2^up < lo  <=>  v < ceil(lo / 2^up)
      const int128 v_max = up >= 127 ? 0 : hi >> up;
      const int128 v_min = up >= 127 ? 0 : -((-lo) >> up);
      if (v > v_max) return hi;
      if (v < v_min) return lo;
      return int128(uint128(v) << up);
    }
    if (up >= w) return 0;  // AP_WRAP: all w low bits are appended zeros
    return wrap(int128(uint128(v) << up), w, s);
  }
  const int128 rounded = round_shift(v, d, q);  // |rounded| <= |v| + 1
  if (o == AP_SAT) return rounded > hi ? hi : rounded < lo ? lo : rounded;
  return wrap(rounded, w, s);
}

// A double as Xilinx's ap_fixed_base(double) reads it: sign, the 52 stored
// mantissa bits with the hidden bit always set, the biased exponent minus
// 1023 (so denormals read as 1.m · 2^-1023, inf/NaN as 1.m · 2^1024).
inline int128 convert_double(double x, int w, int f, bool s, ap_q_mode q, ap_o_mode o) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if ((bits << 1) == 0) return 0;  // +0 and -0
  const int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  const std::uint64_t mantissa = (bits & ((std::uint64_t(1) << 52) - 1)) | (std::uint64_t(1) << 52);
  const int128 v = (bits >> 63) != 0 ? -int128(mantissa) : int128(mantissa);
  return convert(v, 52 - exponent, w, f, s, q, o);
}

// Sign of a · 2^-fa - b · 2^-fb (|a|, |b| < 2^120), computed without overflow.
inline int compare(int128 a, int fa, int128 b, int fb) {
  if (fa < fb) return -compare(b, fb, a, fa);
  if (fa == fb) return a < b ? -1 : a > b ? 1 : 0;
  // Compare a with b · 2^k: write a = a_hi · 2^k + a_lo, 0 <= a_lo < 2^k.
  const int k = fa - fb;
  const int128 a_hi = k >= 127 ? (a < 0 ? -1 : 0) : a >> k;
  const bool a_lo_nonzero = k >= 127 ? a != 0 : (uint128(a) & ((uint128(1) << k) - 1)) != 0;
  if (a_hi != b) return a_hi < b ? -1 : 1;
  return a_lo_nonzero ? 1 : 0;
}

constexpr int max_int(int a, int b) { return a > b ? a : b; }

// ap_fixed or ap_ufixed (Xilinx's _ap_fixed_factory).
template <int W, int I, bool S>
struct fixed_type {
  typedef ap_fixed<W, I> type;
};
template <int W, int I>
struct fixed_type<W, I, false> {
  typedef ap_ufixed<W, I> type;
};

// Result types of a op b (Xilinx's ap_fixed_base::RType).
template <int W, int I, bool S, int W2, int I2, bool S2>
struct result_type {
  static constexpr int kF = W - I;
  static constexpr int kF2 = W2 - I2;
  static constexpr int kPlusI = max_int(I + (S2 && !S), I2 + (S && !S2)) + 1;
  static constexpr int kPlusW = kPlusI + max_int(kF, kF2);
  typedef typename fixed_type<W + W2, I + I2, S || S2>::type mult;
  typedef typename fixed_type<kPlusW, kPlusI, S || S2>::type plus;
  typedef typename fixed_type<kPlusW, kPlusI, true>::type minus;
};

// True where Xilinx's C model compares a with b as unsigned numbers (see the
// top of this file): ap_fixed_base's comparison aligns the binary points
// (widening the operand with fewer fraction bits), then ap_private compares
// like C does once the unsigned operand is >= 32 bits and >= the signed one.
template <int W, int I, bool S, int W2, int I2, bool S2>
struct xilinx_compares_unsigned {
  static constexpr int kF = W - I;
  static constexpr int kF2 = W2 - I2;
  static constexpr int kWa = kF >= kF2 ? W : W + kF2 - kF + 1;
  static constexpr int kWb = kF <= kF2 ? W2 : W2 + kF - kF2;
  static constexpr int kUnsignedW = S ? kWb : kWa;
  static constexpr int kSignedW = S ? kWa : kWb;
  static constexpr bool value = S != S2 && kUnsignedW >= kSignedW && kUnsignedW >= 32;
};

// Raw access, for the stand-ins themselves and as a test hook
// (raw_code/set_raw_code below; not part of Xilinx's API).
struct access {
  template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
  static int128 code(const ap_fixed_base<W, I, S, Q, O, N>& x) {
    return x.code_;
  }
  // Sets the code modulo 2^W.
  template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
  static void set_code(ap_fixed_base<W, I, S, Q, O, N>& x, int128 code) {
    x.code_ = wrap(code, W, S);
  }
};

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
int128 raw_code(const ap_fixed_base<W, I, S, Q, O, N>& x) {
  return access::code(x);
}
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
void set_raw_code(ap_fixed_base<W, I, S, Q, O, N>& x, int128 code) {
  access::set_code(x, code);
}

}  // namespace nf_standin

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
struct ap_fixed_base {
  static_assert(W >= 1, "stand-in ap_fixed: the width W must be at least 1");
  static_assert(W <= 120, "stand-in ap_fixed: widths above 120 bits are not implemented "
                          "(products and sums of wide types get there quickly)");
  static_assert(O == AP_SAT || O == AP_WRAP,
                "stand-in ap_fixed: only the overflow modes AP_SAT and AP_WRAP are implemented "
                "(not AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP_SM)");
  static_assert(N == 0, "stand-in ap_fixed: saturation bits N != 0 are not implemented");

  static const int width = W;
  static const int iwidth = I;
  static const ap_q_mode qmode = Q;
  static const ap_o_mode omode = O;

  // ---- construction ------------------------------------------------------
  ap_fixed_base() : code_(0) {}

  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_fixed_base(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& x)
      : code_(from_code(nf_standin::access::code(x), W2 - I2)) {}

  // Native integers are exact values with no fraction bits (Xilinx: a
  // temporary ap_fixed_base<64, 64, S> assigned to this type).
  ap_fixed_base(bool x) : code_(from_code(x ? 1 : 0, 0)) {}
  ap_fixed_base(int x) : code_(from_code(x, 0)) {}
  ap_fixed_base(unsigned int x) : code_(from_code(x, 0)) {}
  ap_fixed_base(long x) : code_(from_code(x, 0)) {}
  ap_fixed_base(unsigned long x) : code_(from_code(x, 0)) {}
  ap_fixed_base(long long x) : code_(from_code(x, 0)) {}
  ap_fixed_base(unsigned long long x) : code_(from_code(x, 0)) {}

  ap_fixed_base(double x) : code_(nf_standin::convert_double(x, W, W - I, S, Q, O)) {}

  // ---- arithmetic (exact, Xilinx's result types) ---------------------------
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  typename nf_standin::result_type<W, I, S, W2, I2, S2>::mult operator*(
      const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) const {
    // The product of the codes is the code on the grid F + F2, and fits in
    // W + W2 bits.
    typename nf_standin::result_type<W, I, S, W2, I2, S2>::mult r;
    nf_standin::access::set_code(r, code_ * nf_standin::access::code(y));
    return r;
  }

  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  typename nf_standin::result_type<W, I, S, W2, I2, S2>::plus operator+(
      const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) const {
    typedef typename nf_standin::result_type<W, I, S, W2, I2, S2>::plus R;
    const R a(*this), b(y);  // exact: R holds both
    R r;
    nf_standin::access::set_code(r, nf_standin::access::code(a) + nf_standin::access::code(b));
    return r;
  }

  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  typename nf_standin::result_type<W, I, S, W2, I2, S2>::minus operator-(
      const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) const {
    typedef typename nf_standin::result_type<W, I, S, W2, I2, S2>::minus R;
    const R a(*this), b(y);  // exact: R holds both
    R r;
    nf_standin::access::set_code(r, nf_standin::access::code(a) - nf_standin::access::code(b));
    return r;
  }

  // Xilinx: one more bit, signed, default modes, and an ap_fixed_base (not an ap_fixed).
  ap_fixed_base<W + 1, I + 1, true> operator-() const {
    ap_fixed_base<W + 1, I + 1, true> r;
    nf_standin::access::set_code(r, -code_);
    return r;
  }

  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_fixed_base& operator+=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) {
    return *this = ap_fixed_base(*this + y);
  }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_fixed_base& operator-=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) {
    return *this = ap_fixed_base(*this - y);
  }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_fixed_base& operator*=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) {
    return *this = ap_fixed_base(*this * y);
  }

  // ---- comparisons (exact) --------------------------------------------------
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  bool operator==(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) const { return compare(y) == 0; }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  bool operator!=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) const { return compare(y) != 0; }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  bool operator<(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) const { return compare(y) < 0; }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  bool operator<=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) const { return compare(y) <= 0; }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  bool operator>(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) const { return compare(y) > 0; }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  bool operator>=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) const { return compare(y) >= 0; }

  // ---- shifts of the raw code (same type) -----------------------------------
  ap_fixed_base operator<<(unsigned int n) const {
    ap_fixed_base r;
    nf_standin::access::set_code(r, n >= static_cast<unsigned int>(W)
                                        ? 0
                                        : nf_standin::int128(nf_standin::uint128(code_) << n));
    return r;
  }
  ap_fixed_base operator>>(unsigned int n) const {
    ap_fixed_base r;
    // Arithmetic shift (code_ >= 0 for ap_ufixed).
    r.code_ = n >= static_cast<unsigned int>(W) ? (code_ < 0 ? -1 : 0) : code_ >> n;
    return r;
  }
  ap_fixed_base operator<<(int n) const {
    return n < 0 ? *this >> (0U - static_cast<unsigned int>(n)) : *this << static_cast<unsigned int>(n);
  }
  ap_fixed_base operator>>(int n) const {
    return n < 0 ? *this << (0U - static_cast<unsigned int>(n)) : *this >> static_cast<unsigned int>(n);
  }

  // ---- conversions out --------------------------------------------------------
  // __int128 -> double rounds to nearest even; the scaling by 2^-F is exact.
  double to_double() const { return std::ldexp(static_cast<double>(code_), I - W); }

  int to_int() const { return static_cast<int>(integer_part()); }
  unsigned to_uint() const { return static_cast<unsigned>(integer_part()); }
  long long to_int64() const { return static_cast<long long>(integer_part()); }
  unsigned long long to_uint64() const { return static_cast<unsigned long long>(integer_part()); }

 private:
  friend struct nf_standin::access;

  static nf_standin::int128 from_code(nf_standin::int128 v, int f_src) {
    return nf_standin::convert(v, f_src, W, W - I, S, Q, O);
  }

  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  int compare(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& y) const {
    static_assert(!nf_standin::xilinx_compares_unsigned<W, I, S, W2, I2, S2>::value,
                  "stand-in ap_fixed: Xilinx's C model compares this signed/unsigned pair as "
                  "unsigned numbers (a negative value compares greater); convert one operand "
                  "so both have the same signedness, or the unsigned one is narrower");
    return nf_standin::compare(code_, W - I, nf_standin::access::code(y), W2 - I2);
  }

  // The integer part toward zero, modulo 2^128 (the callers keep 32 or 64
  // bits). Xilinx: the top I bits (floor), plus 1 for a negative value with
  // fraction bits set; the +1 is also done for I == 0, in a 1-bit signed
  // word, which makes it -1.
  nf_standin::int128 integer_part() const {
    static_assert(I >= 0, "stand-in ap_fixed: to_int() etc. on a format with I < 0 are not "
                          "implemented (Xilinx's C model returns an uninitialised value)");
    using nf_standin::int128;
    using nf_standin::uint128;
    if (I >= W) return int128(nf_standin::shift_left(uint128(code_), I - W));  // no fraction bits
    const int f = W - I;
    const bool fraction_bits_set = (uint128(code_) & nf_standin::low_mask(f)) != 0;
    const bool bump = S && code_ < 0 && fraction_bits_set;
    if (I == 0) return bump ? -1 : 0;
    return nf_standin::shift_right(code_, f) + (bump ? 1 : 0);
  }

  nf_standin::int128 code_;  // the W-bit code, sign- (S) or zero-extended
};

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const int ap_fixed_base<W, I, S, Q, O, N>::width;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const int ap_fixed_base<W, I, S, Q, O, N>::iwidth;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const ap_q_mode ap_fixed_base<W, I, S, Q, O, N>::qmode;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
const ap_o_mode ap_fixed_base<W, I, S, Q, O, N>::omode;

// Signed and unsigned fixed point: the base with its constructors.
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct ap_fixed : ap_fixed_base<W, I, true, Q, O, N> {
  typedef ap_fixed_base<W, I, true, Q, O, N> Base;
  ap_fixed() {}
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_fixed(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& x) : Base(x) {}
  ap_fixed(bool x) : Base(x) {}
  ap_fixed(int x) : Base(x) {}
  ap_fixed(unsigned int x) : Base(x) {}
  ap_fixed(long x) : Base(x) {}
  ap_fixed(unsigned long x) : Base(x) {}
  ap_fixed(long long x) : Base(x) {}
  ap_fixed(unsigned long long x) : Base(x) {}
  ap_fixed(double x) : Base(x) {}
};

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct ap_ufixed : ap_fixed_base<W, I, false, Q, O, N> {
  typedef ap_fixed_base<W, I, false, Q, O, N> Base;
  ap_ufixed() {}
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_ufixed(const ap_fixed_base<W2, I2, S2, Q2, O2, N2>& x) : Base(x) {}
  ap_ufixed(bool x) : Base(x) {}
  ap_ufixed(int x) : Base(x) {}
  ap_ufixed(unsigned int x) : Base(x) {}
  ap_ufixed(long x) : Base(x) {}
  ap_ufixed(unsigned long x) : Base(x) {}
  ap_ufixed(long long x) : Base(x) {}
  ap_ufixed(unsigned long long x) : Base(x) {}
  ap_ufixed(double x) : Base(x) {}
};

#endif  // NF_STANDIN_AP_FIXED_H_
