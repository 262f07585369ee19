// Runs a fixed-seed battery of ap_int / ap_fixed / hls::stream operations and
// prints every result in a canonical form, one line each. Built twice
// (tests/hls/tests.cmake): with the neurofab stand-ins (-DNF_HLS_STANDIN_TYPES)
// and with Xilinx's ap_types headers; test_ap_standins.cpp requires the two
// outputs to be identical line for line.
//
// Canonical form: a fixed-point result is the hex of its W-bit code (the
// value is code · 2^-(W - I)); its type is printed by mangled name, once per
// operation and type pair (the stand-ins are declared like Xilinx's, so equal
// types have equal names). Doubles are printed as their 64 bits in hex.
// The first lines are "types: <NF_HLS_TYPES_NAME>" and "seed: <seed>"; the
// last one "operations: <count>". Usage: ap_types_probe [seed].
//
// Only the raw-code accessors below differ between the two builds. Pairs and
// operations the stand-ins reject at compile time (widths above 120 bits,
// to_int() with I < 0, the signed/unsigned comparisons Xilinx evaluates as
// unsigned) are skipped in both builds by the same compile-time tests.

#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <typeinfo>

#include "nf_hls_types.h"

namespace {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;
typedef unsigned long long u64;

// ---- the raw code, the only implementation-specific part -------------------

u128 low_mask(int w) { return w >= 128 ? ~u128(0) : (u128(1) << w) - 1; }

#if defined(NF_STANDIN_AP_FIXED_H_)
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
u128 get_code(const ap_fixed_base<W, I, S, Q, O, N>& x) {
  return u128(nf_standin::raw_code(x)) & low_mask(W);
}
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
void set_code(ap_fixed_base<W, I, S, Q, O, N>& x, u128 code) {
  nf_standin::set_raw_code(x, i128(code));
}
#else
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
u128 get_code(const ap_fixed_base<W, I, S, Q, O, N>& x) {
  ap_uint<W> bits;
  bits.V = x.V;
  const ap_uint<128> wide = bits;
  const u64 hi = (wide >> 64).to_uint64();
  const u64 lo = wide.to_uint64();
  return (u128(hi) << 64) | lo;
}
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
void set_code(ap_fixed_base<W, I, S, Q, O, N>& x, u128 code) {
  ap_uint<128> wide = static_cast<u64>(code >> 64);
  wide <<= 64;
  wide |= ap_uint<128>(static_cast<u64>(code));
  const ap_uint<W> bits = wide;
  x.V = bits.V;
}
#endif

// ---- output ---------------------------------------------------------------

long long g_operations = 0;

std::string hex(u128 v) {
  char buffer[40];
  const u64 hi = static_cast<u64>(v >> 64);
  const u64 lo = static_cast<u64>(v);
  if (hi != 0)
    std::snprintf(buffer, sizeof buffer, "%llx%016llx", hi, lo);
  else
    std::snprintf(buffer, sizeof buffer, "%llx", lo);
  return buffer;
}

std::string hex_double(double d) {
  u64 bits;
  std::memcpy(&bits, &d, sizeof bits);
  char buffer[20];
  std::snprintf(buffer, sizeof buffer, "%016llx", bits);
  return buffer;
}

template <class T>
std::string code_of(const T& x) {
  return hex(get_code(x));
}

// One result line; counts one operation.
void result(const std::string& line) {
  std::printf("%s\n", line.c_str());
  ++g_operations;
}

// ---- type traits of the battery (the same in both builds) -------------------

template <class T>
struct fmt;
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct fmt<ap_fixed<W, I, Q, O, N>> {
  static constexpr int w = W, i = I, f = W - I;
  static constexpr bool s = true;
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct fmt<ap_ufixed<W, I, Q, O, N>> {
  static constexpr int w = W, i = I, f = W - I;
  static constexpr bool s = false;
};

constexpr int max_of(int a, int b) { return a > b ? a : b; }

template <class A, class B>
struct pair_fmt {
  // Xilinx's RType widths (ap_fixed_base.h): they must stay <= 120 bits for
  // the stand-ins.
  static constexpr int plus_i =
      max_of(fmt<A>::i + (fmt<B>::s && !fmt<A>::s), fmt<B>::i + (fmt<A>::s && !fmt<B>::s)) + 1;
  static constexpr int plus_w = plus_i + max_of(fmt<A>::f, fmt<B>::f);
  static constexpr bool sums = plus_w <= 120;
  static constexpr bool products = fmt<A>::w + fmt<B>::w <= 120;
  // The comparisons Xilinx's C model makes as unsigned (see nf_standin_ap_fixed.h).
  static constexpr int wa = fmt<A>::f >= fmt<B>::f ? fmt<A>::w : fmt<A>::w + fmt<B>::f - fmt<A>::f + 1;
  static constexpr int wb = fmt<A>::f <= fmt<B>::f ? fmt<B>::w : fmt<B>::w + fmt<A>::f - fmt<B>::f;
  static constexpr int unsigned_w = fmt<A>::s ? wb : wa;
  static constexpr int signed_w = fmt<A>::s ? wa : wb;
  static constexpr bool compares =
      !(fmt<A>::s != fmt<B>::s && unsigned_w >= signed_w && unsigned_w >= 32);
};

template <bool B>
using flag = std::integral_constant<bool, B>;

// ---- random codes ------------------------------------------------------------

typedef std::mt19937_64 Rng;

u64 below(Rng& rng, u64 n) { return n == 0 ? 0 : rng() % n; }

u128 random_bits(Rng& rng, int w) {
  const u128 v = (u128(rng()) << 64) | rng();
  return v & low_mask(w);
}

// A w-bit code: extremes, powers of two, small values, full-range random;
// half the time with a rounding tie at bit tie_bit (that bit set, all below
// it clear) when 0 <= tie_bit < w, so that dropping tie_bit + 1 bits lands
// exactly halfway.
u128 random_code(Rng& rng, int w, bool s, int tie_bit) {
  const u128 mask = low_mask(w);
  const u128 sign_bit = u128(1) << (w - 1);
  u128 c;
  switch (below(rng, 16)) {
    case 0: c = 0; break;
    case 1: c = s ? sign_bit - 1 : mask; break;       // max
    case 2: c = s ? sign_bit : 0; break;              // min
    case 3: c = (s ? sign_bit : 0) + 1; break;        // min + 1
    case 4: c = (s ? sign_bit - 1 : mask) - 1; break;  // max - 1
    case 5: c = 1; break;
    case 6: c = mask; break;  // -1 if signed
    case 7: c = u128(1) << below(rng, static_cast<u64>(w)); break;
    case 8:
    case 9: c = u128(i128(static_cast<int>(below(rng, 33)) - 16)); break;
    default: c = random_bits(rng, w); break;
  }
  if (tie_bit >= 0 && tie_bit < w && below(rng, 2) == 0) {
    c &= ~low_mask(tie_bit + 1);
    c |= u128(1) << tie_bit;
    if (below(rng, 4) == 0) c = (u128(0) - c);  // a negative tie
  }
  return c & mask;
}

template <class T>
T random_value(Rng& rng, int tie_bit) {
  T x;
  set_code(x, random_code(rng, fmt<T>::w, fmt<T>::s, tie_bit));
  return x;
}

// ---- one type ---------------------------------------------------------------------

template <class T>
void to_native(const std::string& tag, const T& x, flag<true>) {
  char buffer[200];
  std::snprintf(buffer, sizeof buffer, "%s to_int=%d to_uint=%u to_int64=%lld to_uint64=%llu",
                tag.c_str(), x.to_int(), x.to_uint(), x.to_int64(), x.to_uint64());
  result(buffer);
}
template <class T>
void to_native(const std::string&, const T&, flag<false>) {}

template <class T>
void single_type(Rng& rng, const std::string& name) {
  // Unary minus (type once), conversions out.
  std::printf("type -%s: %s\n", name.c_str(), typeid(-T()).name());
  for (int k = 0; k < 60; ++k) {
    const T x = random_value<T>(rng, -1);
    const std::string tag = name + " x=" + code_of(x);
    result(tag + " neg=" + code_of(-x));
    result(tag + " to_double=" + hex_double(x.to_double()));
    to_native(tag, x, flag<(fmt<T>::i >= 0)>());
  }
  // Shifts by 0 .. W + 3, unsigned and int (negative: the other way).
  for (int k = 0; k < 6; ++k) {
    const T x = random_value<T>(rng, -1);
    const std::string tag = name + " x=" + code_of(x);
    for (int n = 0; n <= fmt<T>::w + 3; ++n) {
      const unsigned un = static_cast<unsigned>(n);
      result(tag + " <<" + std::to_string(n) + "u=" + code_of(T(x << un)) + " >>" +
             std::to_string(n) + "u=" + code_of(T(x >> un)));
      result(tag + " <<" + std::to_string(n) + "=" + code_of(T(x << n)) + " >>" +
             std::to_string(n) + "=" + code_of(T(x >> n)) + " <<-" + std::to_string(n) + "=" +
             code_of(T(x << -n)) + " >>-" + std::to_string(n) + "=" + code_of(T(x >> -n)));
    }
  }
  // From double.
  const int w = fmt<T>::w, f = fmt<T>::f, i = fmt<T>::i;
  const double specials[] = {0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 0.25, -0.75,
                             std::ldexp(1.0, i), -std::ldexp(1.0, i), std::ldexp(1.0, i - 1),
                             -std::ldexp(1.0, i - 1), std::ldexp(1.0, -f), -std::ldexp(1.0, -f),
                             std::ldexp(1.0, -f - 1), -std::ldexp(1.0, -f - 1),
                             std::ldexp(3.0, -f - 2), -std::ldexp(3.0, -f - 2), DBL_MAX, -DBL_MAX,
                             DBL_MIN, -DBL_MIN, std::numeric_limits<double>::denorm_min(),
                             -std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(), 1e300, -1e-300};
  for (double d : specials) result(name + " from_double " + hex_double(d) + " = " + code_of(T(d)));
  for (int k = 0; k < 120; ++k) {
    double d;
    switch (k % 3) {
      case 0: {  // representable: a code with at most 53 significant bits
        u128 c = random_code(rng, w, fmt<T>::s, -1);
        if (w > 53) c &= ~low_mask(w - 53);
        const i128 v = fmt<T>::s && ((c >> (w - 1)) & 1) != 0 ? i128(c | ~low_mask(w)) : i128(c);
        d = std::ldexp(static_cast<double>(v), -f);
        break;
      }
      case 1: {  // a tie: an odd multiple of 2^-(F + 1)
        const i128 odd = i128(2 * (rng() >> 14) + 1);
        const int bits = static_cast<int>(below(rng, static_cast<u64>(w + 2)));
        const i128 v = odd & i128(low_mask(bits + 1));
        d = std::ldexp(static_cast<double>(v | 1), -f - 1) * (below(rng, 2) ? -1.0 : 1.0);
        break;
      }
      default: {  // random, from well below the grid to well above the range
        const double m = static_cast<double>(rng() >> 11) / 9007199254740992.0;  // [0, 1)
        const int e = -f - 8 + static_cast<int>(below(rng, static_cast<u64>(w + 16)));
        d = std::ldexp(1.0 + m, e) * (below(rng, 2) ? -1.0 : 1.0);
        break;
      }
    }
    result(name + " from_double " + hex_double(d) + " = " + code_of(T(d)));
  }
  // From native integers.
  for (int k = 0; k < 12; ++k) {
    const int bits = static_cast<int>(below(rng, 65));
    const u64 r = bits == 0 ? 0 : rng() >> (64 - bits);
    const bool negative = below(rng, 2) != 0;
    const long long ll = negative ? -static_cast<long long>(r >> 1) : static_cast<long long>(r >> 1);
    const std::string tag = name + " from_int r=" + hex(r) + " ";
    result(tag + "int=" + code_of(T(static_cast<int>(ll))) +
           " unsigned=" + code_of(T(static_cast<unsigned>(r))) +
           " long=" + code_of(T(static_cast<long>(ll))) +
           " ulong=" + code_of(T(static_cast<unsigned long>(r))) + " llong=" + code_of(T(ll)) +
           " ullong=" + code_of(T(static_cast<unsigned long long>(r))) +
           " bool=" + code_of(T(r != 0)));
  }
}

// ---- a pair of types ---------------------------------------------------------------

template <class A, class B>
void sums(Rng&, const std::string& tag, const A& a, const B& b, flag<true>) {
  result(tag + " + " + code_of(a + b) + " - " + code_of(a - b));
  A c = a;
  c += b;
  A d = a;
  d -= b;
  result(tag + " += " + code_of(c) + " -= " + code_of(d));
}
template <class A, class B>
void sums(Rng&, const std::string&, const A&, const B&, flag<false>) {}

template <class A, class B>
void products(Rng&, const std::string& tag, const A& a, const B& b, flag<true>) {
  result(tag + " * " + code_of(a * b));
  A c = a;
  c *= b;
  result(tag + " *= " + code_of(c));
}
template <class A, class B>
void products(Rng&, const std::string&, const A&, const B&, flag<false>) {}

template <class A, class B>
void comparisons(const std::string& tag, const A& a, const B& b, flag<true>) {
  char bits[8] = {char('0' + (a == b)), char('0' + (a != b)), char('0' + (a < b)),
                  char('0' + (a <= b)), char('0' + (a > b)),  char('0' + (a >= b)), 0};
  result(tag + " == != < <= > >= " + bits);
}
template <class A, class B>
void comparisons(const std::string&, const A&, const B&, flag<false>) {}

template <class A, class B>
void result_types(const std::string& names, flag<true>, flag<true>) {
  std::printf("type %s +: %s -: %s *: %s\n", names.c_str(), typeid(A() + B()).name(),
              typeid(A() - B()).name(), typeid(A() * B()).name());
}
template <class A, class B>
void result_types(const std::string& names, flag<true>, flag<false>) {
  std::printf("type %s +: %s -: %s\n", names.c_str(), typeid(A() + B()).name(),
              typeid(A() - B()).name());
}
template <class A, class B>
void result_types(const std::string& names, flag<false>, flag<true>) {
  std::printf("type %s *: %s\n", names.c_str(), typeid(A() * B()).name());
}
template <class A, class B>
void result_types(const std::string&, flag<false>, flag<false>) {}

template <class A, class B>
void type_pair(Rng& rng, const std::string& name_a, const std::string& name_b) {
  typedef pair_fmt<A, B> P;
  const std::string names = name_a + " " + name_b;
  result_types<A, B>(names, flag<P::sums>(), flag<P::products>());
  for (int k = 0; k < 40; ++k) {
    // a with ties for the conversion into B; b with ties for a *= b (a product
    // drops F_B bits) or a += b (drops F_B - F_A bits).
    const A a = random_value<A>(rng, fmt<A>::f - fmt<B>::f - 1);
    const B b = random_value<B>(
        rng, below(rng, 2) ? fmt<B>::f - 1 : fmt<B>::f - fmt<A>::f - 1);
    const std::string tag = names + " a=" + code_of(a) + " b=" + code_of(b);
    result(tag + " B(a)=" + code_of(B(a)));
    sums(rng, tag, a, b, flag<P::sums>());
    products(rng, tag, a, b, flag<P::products>());
    comparisons(tag, a, b, flag<P::compares>());
  }
}

// ---- the type list ---------------------------------------------------------------------
// Every Q mode, AP_SAT and AP_WRAP, signed and unsigned, W 1 .. 66, I < 0,
// 0, < W, = W and > W.

template <class... T>
struct TypeList {};

typedef TypeList<
    ap_fixed<1, 1, AP_TRN, AP_WRAP>, ap_ufixed<1, 0, AP_RND, AP_SAT>,
    ap_fixed<2, 1, AP_RND_CONV, AP_SAT>, ap_ufixed<2, 3, AP_RND_ZERO, AP_WRAP>,
    ap_fixed<4, -2, AP_RND_MIN_INF, AP_SAT>, ap_fixed<5, 7, AP_RND_INF, AP_SAT>,
    ap_fixed<8, 0, AP_RND_INF, AP_WRAP>, ap_fixed<8, 8, AP_TRN_ZERO, AP_SAT>,
    ap_ufixed<8, 4, AP_TRN, AP_SAT>, ap_fixed<8, 3, AP_RND_CONV, AP_WRAP>,
    ap_fixed<12, 5, AP_RND, AP_WRAP>, ap_ufixed<12, -3, AP_TRN_ZERO, AP_WRAP>,
    ap_fixed<16, 20, AP_RND_CONV, AP_WRAP>, ap_fixed<18, 6, AP_RND_ZERO, AP_SAT>,
    ap_ufixed<24, 12, AP_RND_INF, AP_SAT>, ap_fixed<31, 16, AP_RND_MIN_INF, AP_WRAP>,
    ap_fixed<32, 16, AP_RND, AP_SAT>, ap_ufixed<33, 1, AP_RND_CONV, AP_WRAP>,
    ap_fixed<40, -5, AP_TRN, AP_SAT>, ap_ufixed<48, 48, AP_RND_ZERO, AP_SAT>,
    ap_fixed<53, 10, AP_TRN_ZERO, AP_WRAP>, ap_fixed<60, 30, AP_RND_INF, AP_WRAP>,
    ap_ufixed<64, 32, AP_RND_MIN_INF, AP_SAT>, ap_fixed<66, 2, AP_RND_CONV, AP_SAT>>
    Types;

template <class A, class... B>
void pairs_with(Rng& rng, int index_a, TypeList<B...>) {
  int index_b = 0;
  const int unused[] = {0, (type_pair<A, B>(rng, "T" + std::to_string(index_a),
                                           "T" + std::to_string(index_b++)),
                            0)...};
  (void)unused;
}

template <class... T>
void run_all(Rng& rng, TypeList<T...> list) {
  int index = 0;
  const int names[] = {0, (std::printf("T%d = %s\n", index++, typeid(T).name()), 0)...};
  (void)names;
  index = 0;
  const int singles[] = {0, (single_type<T>(rng, "T" + std::to_string(index++)), 0)...};
  (void)singles;
  index = 0;
  const int pairs[] = {0, (pairs_with<T>(rng, index++, list), 0)...};
  (void)pairs;
}

// ---- ap_int / ap_uint ----------------------------------------------------------------

template <class T>
void integer_type(Rng& rng, const std::string& name) {
  for (int k = 0; k < 40; ++k) {
    const int bits = static_cast<int>(below(rng, 65));
    const u64 r = bits == 0 ? 0 : rng() >> (64 - bits);
    const T from_ull = static_cast<unsigned long long>(r);
    const T from_ll = static_cast<long long>(r);
    const T from_int = static_cast<int>(r);
    const T from_unsigned = static_cast<unsigned>(r);
    const T from_short = static_cast<short>(r);
    const T from_bool = r != 0;
    T decremented = from_ull;
    decremented = decremented - 1;
    const unsigned narrowed = static_cast<unsigned>(from_ull);
    char buffer[400];
    std::snprintf(buffer, sizeof buffer,
                  "%s r=%s ull=%s ll=%s int=%s unsigned=%s short=%s bool=%s c-1=%s unsigned=%u "
                  "to_int=%d to_uint=%u to_int64=%lld to_uint64=%llu",
                  name.c_str(), hex(r).c_str(), hex(u64(from_ull)).c_str(),
                  hex(u64(from_ll)).c_str(), hex(u64(from_int)).c_str(),
                  hex(u64(from_unsigned)).c_str(), hex(u64(from_short)).c_str(),
                  hex(u64(from_bool)).c_str(), hex(u64(decremented)).c_str(), narrowed,
                  from_ull.to_int(), from_ull.to_uint(), from_ull.to_int64(),
                  from_ull.to_uint64());
    result(buffer);
  }
}

void integers(Rng& rng) {
  integer_type<ap_int<1>>(rng, "ap_int<1>");
  integer_type<ap_uint<1>>(rng, "ap_uint<1>");
  integer_type<ap_int<2>>(rng, "ap_int<2>");
  integer_type<ap_uint<6>>(rng, "ap_uint<6>");
  integer_type<ap_int<8>>(rng, "ap_int<8>");
  integer_type<ap_uint<17>>(rng, "ap_uint<17>");
  integer_type<ap_int<31>>(rng, "ap_int<31>");
  integer_type<ap_int<32>>(rng, "ap_int<32>");
  integer_type<ap_uint<32>>(rng, "ap_uint<32>");
  integer_type<ap_int<33>>(rng, "ap_int<33>");
  integer_type<ap_uint<63>>(rng, "ap_uint<63>");
  integer_type<ap_int<64>>(rng, "ap_int<64>");
  integer_type<ap_uint<64>>(rng, "ap_uint<64>");
}

// ---- hls::stream ------------------------------------------------------------------------

void streams(Rng& rng) {
  typedef ap_fixed<18, 6, AP_RND_CONV, AP_SAT> value_t;
  hls::stream<value_t> fixed_stream("probe_fixed");
  hls::stream<int> int_stream;
  for (int round = 0; round < 20; ++round) {
    const int n = static_cast<int>(below(rng, 9));
    for (int k = 0; k < n; ++k) {
      const value_t v = random_value<value_t>(rng, -1);
      if (k % 2 == 0)
        fixed_stream.write(v);
      else
        fixed_stream << v;
      int_stream.write(round * 100 + k);
    }
    result("stream round " + std::to_string(round) + " size=" + std::to_string(fixed_stream.size()) +
           " empty=" + std::to_string(fixed_stream.empty()));
    for (int k = 0; k < n; ++k) {
      value_t v;
      if (k % 3 == 0)
        v = fixed_stream.read();
      else if (k % 3 == 1)
        fixed_stream.read(v);
      else
        fixed_stream >> v;
      int i;
      int_stream >> i;
      result("stream read " + code_of(v) + " " + std::to_string(i));
    }
    result("stream drained empty=" + std::to_string(fixed_stream.empty()) +
           std::to_string(int_stream.empty()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const u64 seed = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 20251125ULL;
  std::printf("types: %s\n", NF_HLS_TYPES_NAME);
  std::printf("seed: %llu\n", seed);
  Rng rng(seed);
  run_all(rng, Types());
  integers(rng);
  streams(rng);
  std::printf("operations: %lld\n", g_operations);
  return 0;
}
