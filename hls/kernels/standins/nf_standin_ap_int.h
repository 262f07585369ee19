#ifndef NF_STANDIN_AP_INT_H_
#define NF_STANDIN_AP_INT_H_
// Stand-in for Xilinx's ap_int<W> / ap_uint<W> (ap_int.h), for building and
// C-simulating the HLS kernels with a plain C++14 compiler. Selected by
// nf_hls_types.h when Xilinx's headers are not on the include path.
//
// A subset: exactly what the kernels use, bit-exact with Xilinx's headers for
// it (tests/hls checks the stand-ins against the real headers, operation by
// operation):
//   ap_int<W>, ap_uint<W>, 1 <= W <= 64 (wider: static_assert)
//   construction from any native integer: the value modulo 2^W, read as a
//     W-bit two's complement (ap_int) or unsigned (ap_uint) number;
//     default construction gives 0 (Xilinx leaves it uninitialised)
//   implicit conversion to long long (ap_int) / unsigned long long (ap_uint),
//     Xilinx's RetType for W <= 64, so `unsigned s = k;` and `c = c - 1;`
//     (native arithmetic, wrapped again on assignment) work as on Xilinx
//   to_int(), to_uint(), to_int64(), to_uint64(): the value cast to the C type
//     (low 32 bits for the 32-bit ones, as a C cast of the 64-bit value)
// Nothing else (no ranges, bit selects, ap_int arithmetic operators, ...):
// the kernels must not need more, and the stand-ins would have to be checked
// again for it.

#include <type_traits>

template <int W, bool S>
struct ap_int_base {
  static_assert(W >= 1, "stand-in ap_int: the width W must be at least 1");
  static_assert(W <= 64, "stand-in ap_int: widths above 64 bits are not implemented");

  // The value as the 64-bit C type Xilinx converts to (its RetType).
  typedef typename std::conditional<S, long long, unsigned long long>::type value_type;

  static const int width = W;

  ap_int_base() : value_(0) {}

  template <class T, class = typename std::enable_if<std::is_integral<T>::value>::type>
  ap_int_base(T x) : value_(wrap(static_cast<unsigned long long>(x))) {}

  operator value_type() const { return value_; }

  int to_int() const { return static_cast<int>(value_); }
  unsigned to_uint() const { return static_cast<unsigned>(value_); }
  long long to_int64() const { return static_cast<long long>(value_); }
  unsigned long long to_uint64() const { return static_cast<unsigned long long>(value_); }

 private:
  // x modulo 2^W (x is already modulo 2^64, as the cast to unsigned long long
  // of any native integer is), sign-extended from bit W-1 for ap_int.
  static value_type wrap(unsigned long long x) {
    const unsigned long long mask = ~0ULL >> (64 - W);
    unsigned long long bits = x & mask;
    if (S && ((bits >> (W - 1)) & 1ULL) != 0) bits |= ~mask;
    return static_cast<value_type>(bits);
  }

  value_type value_;
};

template <int W, bool S>
const int ap_int_base<W, S>::width;

template <int W>
struct ap_int : ap_int_base<W, true> {
  ap_int() {}
  template <class T, class = typename std::enable_if<std::is_integral<T>::value>::type>
  ap_int(T x) : ap_int_base<W, true>(x) {}
};

template <int W>
struct ap_uint : ap_int_base<W, false> {
  ap_uint() {}
  template <class T, class = typename std::enable_if<std::is_integral<T>::value>::type>
  ap_uint(T x) : ap_int_base<W, false>(x) {}
};

#endif  // NF_STANDIN_AP_INT_H_
