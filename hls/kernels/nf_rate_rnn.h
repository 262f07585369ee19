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
//   lanes), groups (G = ceil(n_rec / P)), reuse_factor (= G), rounding
//   (ap_q_mode), the formats input_t, w_in_t, w_rec_t, b_rec_t, state_t,
//   w_out_t, b_out_t, output_t, the accumulators accum_t, out_accum_t (exact by
//   the quantizer's width bound), activation (a tag below), table_size,
//   table_index_bits (L), table_input_frac_bits (k), interpolation_bits (R),
//   leak_t and leak_alpha().
//
// Schedule: nf_rate_core's (rtl/sv/nf_rate_core.sv, golden/cycle_model.hpp),
// group for group, as ONE pipelined loop (II = 1) of G·(n_in + N) + P iterations:
//   - MAC stream: group g's P lanes take one item per iteration, the n_in
//     inputs and then the N old h_j, with the bias loaded on the first item.
//     Weights are bank-major, w[P][G][n] partitioned completely in dimension 1,
//     so lane l reads its own memory at the same address g·n + k for any P.
//   - Hand-over: at a group's last item its P sums move to a holding bank, and
//     the old h_i of its own units, caught from the stream as it passed, with them.
//   - Update, one lane per iteration, overlapping the next group's MACs: φ (one
//     table read, or two for the piecewise-linear table), leak, fit; the new h_i
//     is written to the other bank of the ping-pong state h[2][N] and multiplied
//     into the n_out readout accumulators at once (W_out[:, i], one word per output).
//   - The last group's update takes the final P iterations; then emit fits every y.
// Per iteration the state memories see one read (old bank) and one write (new
// bank), the table one (two) reads, and the overflow count one add of the
// iteration's flag; the emit's flags are popcounted and added once.
// Expected latency: G·(n_in + N) + P iterations + the loop's pipeline depth +
// the emit, against the RTL's G·(n_in + N) + P + 4 cycles (the generated
// project's README gives both for its network).

#include "nf_hls_fixed.h"
#include "nf_hls_stream.h"
#include "nf_hls_types.h"

namespace nf_hls {

// Activation tags (CONFIG_T::activation).
struct relu {};
struct tanh_table {};               // T[j], j = clamp(round_r(a · 2^k)) + 2^(L-1)
struct tanh_piecewise_linear {};    // T[j] + round_r((T[j+1] - T[j]) f) between 2^L + 1 breakpoints

// The rate RNN's state between steps, passed explicitly: h[bank] holds the
// state, a step writes h[1 - bank] and flips bank (ping-pong, no copy);
// overflow_events counts the values saturated or wrapped so far (the golden
// model's count).
template <class CONFIG_T>
void rate_reset(typename CONFIG_T::state_t h[2][CONFIG_T::n_rec], ap_uint<1>& bank, unsigned& overflow_events) {
  for (unsigned i = 0; i < CONFIG_T::n_rec; ++i) {
    h[0][i] = 0;
    h[1][i] = 0;
  }
  bank = 0;
  overflow_events = 0;
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

// h ← fit_h(round_r((1 - α) h + α p)): exact products, one rounding cast, a flagged fit.
template <class CONFIG_T>
typename CONFIG_T::state_t leak(const typename CONFIG_T::state_t& h, const typename CONFIG_T::state_t& p,
                                bool& overflowed) {
#pragma HLS INLINE
  typedef typename CONFIG_T::leak_t leak_t;
  typedef typename CONFIG_T::state_t state_t;
  const leak_t alpha = CONFIG_T::leak_alpha();
  const leak_t one = 1;
  const leak_t keep = one - alpha;
  const typename rounded<state_t, CONFIG_T::rounding>::type mixed = keep * h + alpha * p;
  return fit_flagged<state_t>(mixed, overflowed);
}

// One timestep: x (n_in codes) → h[1 - bank] from h[bank], bank flipped,
// overflow_events counted → y (n_out codes).
template <class CONFIG_T>
void rate_step(const typename CONFIG_T::input_t x[CONFIG_T::n_in], typename CONFIG_T::state_t h[2][CONFIG_T::n_rec],
               ap_uint<1>& bank, unsigned& overflow_events, typename CONFIG_T::output_t y[CONFIG_T::n_out],
               const typename CONFIG_T::w_in_t w_in[CONFIG_T::lanes][CONFIG_T::groups][CONFIG_T::n_in],
               const typename CONFIG_T::w_rec_t w_rec[CONFIG_T::lanes][CONFIG_T::groups][CONFIG_T::n_rec],
               const typename CONFIG_T::b_rec_t b_rec[CONFIG_T::lanes][CONFIG_T::groups],
               const typename CONFIG_T::w_out_t w_out[CONFIG_T::n_out][CONFIG_T::n_rec],
               const typename CONFIG_T::b_out_t b_out[CONFIG_T::n_out],
               const typename CONFIG_T::state_t table[CONFIG_T::table_size]) {
  typedef typename CONFIG_T::accum_t accum_t;
  typedef typename CONFIG_T::out_accum_t out_accum_t;
  typedef typename CONFIG_T::state_t state_t;
  typedef typename CONFIG_T::output_t output_t;
  const unsigned lanes = CONFIG_T::lanes, groups = CONFIG_T::groups;
  const unsigned n_in = CONFIG_T::n_in, n_rec = CONFIG_T::n_rec, n_out = CONFIG_T::n_out;
  const unsigned items = n_in + n_rec;  // MAC items per group
#pragma HLS ARRAY_PARTITION variable = w_in complete dim = 1
#pragma HLS ARRAY_PARTITION variable = w_rec complete dim = 1
#pragma HLS ARRAY_PARTITION variable = b_rec complete dim = 1
#pragma HLS ARRAY_PARTITION variable = w_out complete dim = 1
#pragma HLS ARRAY_PARTITION variable = b_out complete dim = 1
#pragma HLS ARRAY_PARTITION variable = y complete dim = 1
  // The two banks are two memories; a step reads one and writes the other, so
  // no iteration's write reaches a later iteration's read.
#pragma HLS ARRAY_PARTITION variable = h complete dim = 1
#pragma HLS DEPENDENCE variable = h inter false

  accum_t acc[CONFIG_T::lanes];       // the lanes' running sums
  accum_t held[CONFIG_T::lanes];      // the finished group's sums, waiting for the update
  state_t caught[CONFIG_T::lanes];    // the old h of the streaming group's own units
  state_t held_h[CONFIG_T::lanes];    // ... and of the finished group's
  out_accum_t readout[CONFIG_T::n_out];
#pragma HLS ARRAY_PARTITION variable = acc complete dim = 1
#pragma HLS ARRAY_PARTITION variable = held complete dim = 1
#pragma HLS ARRAY_PARTITION variable = caught complete dim = 1
#pragma HLS ARRAY_PARTITION variable = held_h complete dim = 1
#pragma HLS ARRAY_PARTITION variable = readout complete dim = 1
ReadoutBias:
  for (unsigned m = 0; m < n_out; ++m) {
#pragma HLS UNROLL
    readout[m] = b_out[m];
  }

  const unsigned old_bank = bank, new_bank = 1 - old_bank;
  unsigned events = 0;
  unsigned g = 0, k = 0;  // the streaming group, and its item
  unsigned base = 0;      // g · P: the group's first unit
Schedule:
  for (unsigned c = 0; c < groups * items + lanes; ++c) {
#pragma HLS PIPELINE II = 1
    NF_HLS_PIPELINED_ITERATION();
    // Update: unit (g - 1)·P + k of the finished group, one lane per iteration.
    if (g > 0 && k < lanes && base - lanes + k < n_rec) {
      const unsigned i = base - lanes + k;
      const state_t p = activate<CONFIG_T>(held[k], table, typename CONFIG_T::activation());
      bool overflowed = false;
      const state_t h_new = leak<CONFIG_T>(held_h[k], p, overflowed);
      h[new_bank][i] = h_new;
      events += overflowed;
    ReadoutLanes:
      for (unsigned m = 0; m < n_out; ++m) {
#pragma HLS UNROLL
        readout[m] += w_out[m][i] * h_new;
      }
    }
    // MAC stream: item k of group g on every lane.
    if (g < groups) {
      // Both indices stay in range whichever item this is (hardware may read both).
      const bool input_item = k < n_in;
      const unsigned kx = input_item ? k : 0;
      const unsigned j = input_item ? 0 : k - n_in;
      const state_t h_old = h[old_bank][j];
    MacLanes:
      for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
        const accum_t start = k == 0 ? accum_t(b_rec[l][g]) : acc[l];
        const accum_t product = input_item ? accum_t(w_in[l][g][kx] * x[kx]) : accum_t(w_rec[l][g][j] * h_old);
        acc[l] = start + product;
        if (!input_item && j == base + l) caught[l] = h_old;
        if (k == items - 1) {
          held[l] = acc[l];
          held_h[l] = caught[l];
        }
      }
    }
    if (++k == items) {
      k = 0;
      ++g;
      base += lanes;
    }
  }

  // Emit: every y at once; the flags' popcount is one add.
  unsigned emit_events = 0;
Emit:
  for (unsigned m = 0; m < n_out; ++m) {
#pragma HLS UNROLL
    const typename on_grid_of<output_t, out_accum_t, CONFIG_T::rounding>::type rounded_o = readout[m];
    bool overflowed = false;
    y[m] = fit_flagged<output_t>(rounded_o, overflowed);
    emit_events += overflowed;
  }
  overflow_events += events + emit_events;
  bank = new_bank;
}

// A rate trial: n_steps timesteps from the zero state between AXI4-Stream
// words (nf_hls_stream.h); the trial's overflow count at the end.
template <class CONFIG_T>
void rate_sequence(hls::stream<stream_word<typename CONFIG_T::input_t> >& x_stream,
                   hls::stream<stream_word<typename CONFIG_T::output_t> >& y_stream, unsigned n_steps,
                   unsigned& overflow_events,
                   const typename CONFIG_T::w_in_t w_in[CONFIG_T::lanes][CONFIG_T::groups][CONFIG_T::n_in],
                   const typename CONFIG_T::w_rec_t w_rec[CONFIG_T::lanes][CONFIG_T::groups][CONFIG_T::n_rec],
                   const typename CONFIG_T::b_rec_t b_rec[CONFIG_T::lanes][CONFIG_T::groups],
                   const typename CONFIG_T::w_out_t w_out[CONFIG_T::n_out][CONFIG_T::n_rec],
                   const typename CONFIG_T::b_out_t b_out[CONFIG_T::n_out],
                   const typename CONFIG_T::state_t table[CONFIG_T::table_size]) {
  typename CONFIG_T::state_t h[2][CONFIG_T::n_rec];
  ap_uint<1> bank;
  unsigned events;
  rate_reset<CONFIG_T>(h, bank, events);
Steps:
  for (unsigned t = 0; t < n_steps; ++t) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1000
    typename CONFIG_T::input_t x[CONFIG_T::n_in];
    typename CONFIG_T::output_t y[CONFIG_T::n_out];
#pragma HLS ARRAY_PARTITION variable = y complete dim = 1
    read_step_inputs<CONFIG_T>(x_stream, x);
    rate_step<CONFIG_T>(x, h, bank, events, y, w_in, w_rec, b_rec, w_out, b_out, table);
    write_step_outputs<CONFIG_T>(y, t + 1 == n_steps, y_stream);
  }
  overflow_events = events;
}

}  // namespace nf_hls

#endif  // NF_RATE_RNN_H_
