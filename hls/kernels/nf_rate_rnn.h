#ifndef NF_RATE_RNN_H_
#define NF_RATE_RNN_H_
// One timestep of the rate RNN, and a sequence of them between streams, as
// HLS kernels that equal the integer golden model bit for bit
// (quantize/include/neurofab/quantize/integer_rate_rnn.hpp, docs/fixed-point.md):
//
//   a_i = b_i + Σ_k W_in[i,k] x_k + Σ_j W_rec[i,j] h_j       exact, in accum_t (F_a fraction bits)
//   p_i = φ_q(a_i)                                         relu, tanh table, or piecewise-linear tanh
//   h_i ← fit_h( round_r((1 - α) h_i + α p_i) )              α = α_q / 2^D, an ap_ufixed<D + 1, 1>
//   y_m = fit_y( round_r(b_out_m + Σ_j W_out[m,j] h_j) )     with the new h
//
// ap_fixed aligns binary points, so the golden model's shifts by
// 2^(F_a - F_w - F_x) are implicit; every round_r is a cast to an ap_fixed
// whose quantization mode is the spec's rounding (nf_hls_fixed.h).
//
// CONFIG_T is generated from the quantized artifact (nf_config.h, hls4ml-style):
//   n_in, n_rec, n_out, lanes (P units computed in parallel, as the RTL core's
//   lanes), reuse_factor (= ceil(n_rec / lanes): units each MAC lane serves per step),
//   rounding (ap_q_mode), the formats input_t, w_in_t, w_rec_t, b_rec_t, state_t,
//   w_out_t, b_out_t, output_t, the accumulators accum_t, out_accum_t (exact by
//   the quantizer's width bound), activation (a tag below), table_size,
//   table_index_bits (L), table_input_frac_bits (k), interpolation_bits (R),
//   leak_t and leak_alpha().
// The schedule mirrors nf_rate_core: groups of `lanes` units, each group one
// pipelined pass over the inputs and the old state, then its update.

#include "nf_hls_fixed.h"
#include "nf_hls_types.h"

namespace nf_hls {

// Activation tags (CONFIG_T::activation).
struct relu {};
struct tanh_table {};               // T[j], j = clamp(round_r(a · 2^k)) + 2^(L-1)
struct tanh_piecewise_linear {};    // T[j] + round_r((T[j+1] - T[j]) f) between 2^L + 1 breakpoints

// The rate RNN's state, passed explicitly from step to step.
template <class CONFIG_T>
struct rate_state {
  typename CONFIG_T::state_t h[CONFIG_T::n_rec];
  unsigned overflow_events;  // values saturated or wrapped so far (the golden model's count)
};

template <class CONFIG_T>
void rate_reset(rate_state<CONFIG_T>& state) {
  for (unsigned i = 0; i < CONFIG_T::n_rec; ++i) state.h[i] = 0;
  state.overflow_events = 0;
}

// φ_q(a) = max(0, fit_h(round_r(a))): one cast (it is not counted as an overflow event).
template <class CONFIG_T>
typename CONFIG_T::state_t activate(const typename CONFIG_T::accum_t& a,
                                    const typename CONFIG_T::state_t table[CONFIG_T::table_size], relu) {
#pragma HLS INLINE
  (void)table;
  typedef typename CONFIG_T::state_t state_t;
  const state_t zero = 0;
  const state_t q = a;
  return q < zero ? zero : q;
}

// j' = clamp(round_r(a · 2^k), -2^(L-1), 2^(L-1) - 1) is one cast to an
// L-bit integer type that saturates (a · 2^k is exact: the factor is a power of two).
template <class CONFIG_T>
typename CONFIG_T::state_t activate(const typename CONFIG_T::accum_t& a,
                                    const typename CONFIG_T::state_t table[CONFIG_T::table_size], tanh_table) {
#pragma HLS INLINE
  const int L = CONFIG_T::table_index_bits, k = CONFIG_T::table_input_frac_bits;
  typedef ap_fixed<L, L, CONFIG_T::rounding, AP_SAT> index_t;
  const ap_ufixed<k + 1, k + 1> scale = 1ULL << k;
  const index_t j = a * scale;
  return table[j.to_int() + (1 << (L - 1))];
}

// u = a · 2^k floored to R fraction bits (the golden model's z / 2^R); below
// -2^(L-1) or from 2^(L-1) on, the end breakpoints; else j = floor(u) + 2^(L-1),
// f = u - floor(u), p = T[j] + round_r((T[j+1] - T[j]) f).
template <class CONFIG_T>
typename CONFIG_T::state_t activate(const typename CONFIG_T::accum_t& a,
                                    const typename CONFIG_T::state_t table[CONFIG_T::table_size],
                                    tanh_piecewise_linear) {
#pragma HLS INLINE
  typedef typename CONFIG_T::state_t state_t;
  typedef typename CONFIG_T::accum_t accum_t;
  const int L = CONFIG_T::table_index_bits, k = CONFIG_T::table_input_frac_bits, R = CONFIG_T::interpolation_bits;
  const int u_integer = (accum_t::iwidth + k > L ? accum_t::iwidth + k : L) + 1;
  typedef ap_fixed<u_integer + R, u_integer, AP_TRN, AP_WRAP> u_t;
  typedef ap_fixed<L + 1, L + 1, AP_TRN, AP_WRAP> index_t;
  const ap_ufixed<k + 1, k + 1> scale = 1ULL << k;
  const u_t u = a * scale;
  const index_t half = 1 << (L - 1);
  const index_t minus_half = -(1 << (L - 1));
  if (u < minus_half) return table[0];
  if (u >= half) return table[1 << L];
  const index_t floor_u = u;  // in range: the cast truncates the fraction (floor)
  const ap_ufixed<R, 0> f = u - floor_u;
  const unsigned j = floor_u.to_int() + (1 << (L - 1));
  const state_t low = table[j], high = table[j + 1];
  const typename rounded<state_t, CONFIG_T::rounding>::type step = (high - low) * f;
  const state_t p = low + step;  // between low and high: exact
  return p;
}

// h ← fit_h(round_r((1 - α) h + α p)): exact products, one rounding cast, a counted fit.
template <class CONFIG_T>
typename CONFIG_T::state_t leak(const typename CONFIG_T::state_t& h, const typename CONFIG_T::state_t& p,
                                unsigned& overflow_events) {
#pragma HLS INLINE
  typedef typename CONFIG_T::leak_t leak_t;
  typedef typename CONFIG_T::state_t state_t;
  const leak_t alpha = CONFIG_T::leak_alpha();
  const leak_t one = 1;
  const leak_t keep = one - alpha;
  const typename rounded<state_t, CONFIG_T::rounding>::type mixed = keep * h + alpha * p;
  return fit_counting<state_t>(mixed, overflow_events);
}

// One timestep: x (n_in codes) → state (h, overflow count) → y (n_out codes).
template <class CONFIG_T>
void rate_step(const typename CONFIG_T::input_t x[CONFIG_T::n_in], rate_state<CONFIG_T>& state,
               typename CONFIG_T::output_t y[CONFIG_T::n_out],
               const typename CONFIG_T::w_in_t w_in[CONFIG_T::n_rec][CONFIG_T::n_in],
               const typename CONFIG_T::w_rec_t w_rec[CONFIG_T::n_rec][CONFIG_T::n_rec],
               const typename CONFIG_T::b_rec_t b_rec[CONFIG_T::n_rec],
               const typename CONFIG_T::w_out_t w_out[CONFIG_T::n_out][CONFIG_T::n_rec],
               const typename CONFIG_T::b_out_t b_out[CONFIG_T::n_out],
               const typename CONFIG_T::state_t table[CONFIG_T::table_size]) {
  typedef typename CONFIG_T::accum_t accum_t;
  typedef typename CONFIG_T::out_accum_t out_accum_t;
  typedef typename CONFIG_T::state_t state_t;
  typedef typename CONFIG_T::output_t output_t;
  const unsigned lanes = CONFIG_T::lanes;
  const unsigned groups = (CONFIG_T::n_rec + CONFIG_T::lanes - 1) / CONFIG_T::lanes;
#pragma HLS ARRAY_PARTITION variable = w_in cyclic factor = lanes dim = 1
#pragma HLS ARRAY_PARTITION variable = w_rec cyclic factor = lanes dim = 1
#pragma HLS ARRAY_PARTITION variable = b_rec cyclic factor = lanes dim = 1

  // The new state is computed from the old one for every unit before any is written.
  state_t h_next[CONFIG_T::n_rec];
#pragma HLS ARRAY_PARTITION variable = h_next cyclic factor = lanes dim = 1
UnitGroups:
  for (unsigned g = 0; g < groups; ++g) {
    accum_t acc[CONFIG_T::lanes];
#pragma HLS ARRAY_PARTITION variable = acc complete
  Bias:
    for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
      const unsigned i = g * lanes + l;
      acc[l] = i < CONFIG_T::n_rec ? accum_t(b_rec[i]) : accum_t(0);
    }
  Inputs:
    for (unsigned k = 0; k < CONFIG_T::n_in; ++k) {
#pragma HLS PIPELINE II = 1
    InputLanes:
      for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
        const unsigned i = g * lanes + l;
        if (i < CONFIG_T::n_rec) acc[l] += w_in[i][k] * x[k];
      }
    }
  Recurrent:
    for (unsigned j = 0; j < CONFIG_T::n_rec; ++j) {
#pragma HLS PIPELINE II = 1
    RecurrentLanes:
      for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
        const unsigned i = g * lanes + l;
        if (i < CONFIG_T::n_rec) acc[l] += w_rec[i][j] * state.h[j];
      }
    }
  Update:
    for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
      const unsigned i = g * lanes + l;
      if (i < CONFIG_T::n_rec) {
        const state_t p = activate<CONFIG_T>(acc[l], table, typename CONFIG_T::activation());
        h_next[i] = leak<CONFIG_T>(state.h[i], p, state.overflow_events);
      }
    }
  }
Commit:
  for (unsigned i = 0; i < CONFIG_T::n_rec; ++i) {
#pragma HLS PIPELINE II = 1
    state.h[i] = h_next[i];
  }

Readout:
  for (unsigned m = 0; m < CONFIG_T::n_out; ++m) {
    out_accum_t o = b_out[m];
  ReadoutSum:
    for (unsigned j = 0; j < CONFIG_T::n_rec; ++j) {
#pragma HLS PIPELINE II = 1
      o += w_out[m][j] * state.h[j];
    }
    const typename on_grid_of<output_t, out_accum_t, CONFIG_T::rounding>::type rounded_o = o;
    y[m] = fit_counting<output_t>(rounded_o, state.overflow_events);
  }
}

// A trial: n_steps timesteps from the zero state, n_in inputs read and n_out
// outputs written per step (one value per stream word, in unit order); the
// trial's overflow count at the end.
template <class CONFIG_T>
void rate_sequence(hls::stream<typename CONFIG_T::input_t>& x_stream,
                   hls::stream<typename CONFIG_T::output_t>& y_stream, unsigned n_steps, unsigned& overflow_events,
                   const typename CONFIG_T::w_in_t w_in[CONFIG_T::n_rec][CONFIG_T::n_in],
                   const typename CONFIG_T::w_rec_t w_rec[CONFIG_T::n_rec][CONFIG_T::n_rec],
                   const typename CONFIG_T::b_rec_t b_rec[CONFIG_T::n_rec],
                   const typename CONFIG_T::w_out_t w_out[CONFIG_T::n_out][CONFIG_T::n_rec],
                   const typename CONFIG_T::b_out_t b_out[CONFIG_T::n_out],
                   const typename CONFIG_T::state_t table[CONFIG_T::table_size]) {
  rate_state<CONFIG_T> state;
  rate_reset(state);
Steps:
  for (unsigned t = 0; t < n_steps; ++t) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1000
    typename CONFIG_T::input_t x[CONFIG_T::n_in];
    typename CONFIG_T::output_t y[CONFIG_T::n_out];
  ReadInputs:
    for (unsigned k = 0; k < CONFIG_T::n_in; ++k) x[k] = x_stream.read();
    rate_step<CONFIG_T>(x, state, y, w_in, w_rec, b_rec, w_out, b_out, table);
  WriteOutputs:
    for (unsigned m = 0; m < CONFIG_T::n_out; ++m) y_stream.write(y[m]);
  }
  overflow_events = state.overflow_events;
}

}  // namespace nf_hls

#endif  // NF_RATE_RNN_H_
