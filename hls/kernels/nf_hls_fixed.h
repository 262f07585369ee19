#ifndef NF_HLS_FIXED_H_
#define NF_HLS_FIXED_H_
// The fixed-point operations of the integer golden model
// (quantize/include/neurofab/quantize/fixed_point.hpp, docs/fixed-point.md),
// written with ap_fixed so that every rounding and overflow is a cast whose
// quantization mode (AP_TRN = floor, AP_RND = half up, AP_RND_CONV = ties to
// even) and overflow mode (AP_SAT, AP_WRAP) are the golden model's:
//
//   requantize(x, F_from, fmt, r, o)  =  ap_fixed<W, W - F, r, o>(x)
//
// The helpers below cover what a cast cannot say by itself: a rounding that
// must be told apart from the overflow that follows it (to count overflow
// events as the golden model does), and a shift by a per-unit amount.
//
// HLS rules: header-only templates, no heap, recursion, exceptions or std
// containers; C++14 (the Vitis HLS front end).

#include "nf_hls_types.h"

// C-simulation only: -DNF_HLS_COUNT_ITERATIONS counts the iterations of the
// step kernels' pipelined loops, so a test can hold them to the cycle model
// (at II = 1 an iteration is a cycle). Empty otherwise, and in synthesis.
#if defined(NF_HLS_COUNT_ITERATIONS) && !defined(__SYNTHESIS__)
namespace nf_hls {
inline unsigned long long& pipelined_iterations() {
  static unsigned long long count = 0;
  return count;
}
}  // namespace nf_hls
#define NF_HLS_PIPELINED_ITERATION() (++nf_hls::pipelined_iterations())
#else
#define NF_HLS_PIPELINED_ITERATION() ((void)0)
#endif

namespace nf_hls {

// X rounded with Q onto T's grid (T's fraction bits), wide enough that it never
// overflows (AP_WRAP cannot trigger): the value a shift_round() of the golden
// model produces before its fit() into T. One integer bit above the wider of
// the two covers a rounding up of X's largest magnitude; the width is at least
// 2 even on a grid coarser than any value of X.
template <class T, class X, ap_q_mode Q>
struct on_grid_of {
  static const int frac = T::width - T::iwidth;
  static const int wider = X::iwidth > T::iwidth ? X::iwidth : T::iwidth;
  static const int integer = (wider > 2 - frac ? wider : 2 - frac) + 1;
  typedef ap_fixed<integer + frac, integer, Q, AP_WRAP> type;
};

// The same for a value of T itself (a decay of a T, a leak between two Ts).
template <class T, ap_q_mode Q>
struct rounded {
  typedef typename on_grid_of<T, T, Q>::type type;
};

// fit(x) into T: T's overflow mode (saturate or wrap) on a value already on T's
// grid (no rounding happens). `overflowed` says whether the value changed: the
// golden model's fit counts that as an overflow event. The kernels sum a
// step's flags locally (a popcount, then one add into the count), so no
// update chains increments through a shared counter.
template <class T, class X>
T fit_flagged(const X& x, bool& overflowed) {
#pragma HLS INLINE
  const T fitted = x;
  overflowed = fitted != x;
  return fitted;
}

// x · 2^-k rounded with Q onto x's grid, for a run-time k ∈ [0, MaxShift]:
// shift_round(x, k, r) of the golden model. The copy of x carries MaxShift
// more fraction bits, so the right shift (a floor of the raw code) loses nothing
// and the rounding is all in the final cast.
template <ap_q_mode Q, int MaxShift, class T>
typename rounded<T, Q>::type shift_round_right(const T& x, unsigned k) {
#pragma HLS INLINE
  typedef ap_fixed<T::width + MaxShift, T::iwidth, AP_TRN, AP_WRAP> wide_t;
  const wide_t wide = x;
  return wide >> k;
}

// The decay D_d(x) of the LIF golden model, two forms (DecayForm):
//   shift        x - shift_round(x, k, r), per-unit k
//   multiplier   shift_round(x · d_q, B, r), d = d_q / 2^B as an ap_ufixed<B + 1, 1>
// Tags select the form at compile time, so only the configured one is built.
struct shift_decay {};
template <int B>
struct multiplier_decay {
  typedef ap_ufixed<B + 1, 1> factor_t;  // d_q / 2^B ∈ [0, 1]
};

// For |x| < 2^(W-1), shift_round(x, k, r) is the same for every k ≥ W + 1 (0,
// or -1 under floor for x < 0), so the shift is clamped there: exact, and
// the barrel shifter stays W + 1 wide.
template <ap_q_mode Q, class T, class K>
typename rounded<T, Q>::type decay(const T& x, const K& k, shift_decay) {
#pragma HLS INLINE
  const unsigned max_shift = T::width + 1;
  const unsigned long long requested = k;  // ap_uint converts to unsigned long long
  const unsigned shift = requested > max_shift ? max_shift : static_cast<unsigned>(requested);
  return x - shift_round_right<Q, T::width + 1>(x, shift);
}

template <ap_q_mode Q, class T, int B>
typename rounded<T, Q>::type decay(const T& x, const typename multiplier_decay<B>::factor_t& d,
                                   multiplier_decay<B>) {
#pragma HLS INLINE
  return x * d;
}

}  // namespace nf_hls

#endif  // NF_HLS_FIXED_H_
