#ifndef NF_LIF_RNN_H_
#define NF_LIF_RNN_H_
// One timestep of the LIF RNN, and a sequence of them between streams, as HLS
// kernels that equal the integer golden model bit for bit
// (quantize/include/neurofab/quantize/integer_lif_rnn.hpp, docs/fixed-point.md):
//
//   S_i = b_i + Σ_k W_in[i,k] X_k + Σ_{j: s_j = 1} W_rec[i,j]     exact, synapse_t (F_s fraction bits);
//                                                                spike input: an add per input event
//   I_i ← fit_I( D_αs(I_i) + round_r(S_i) )
//   refractory (c_i > 0): u_i = v_i, s_i = 0, c_i ← c_i - 1
//   otherwise: u_i = fit_v( D_β(v_i) + round_r(I_i) ), s_i = [u_i ≥ θ], c_i ← s_i ? R : 0
//   v_i ← s_i ? (subtract: fit_v(u_i - θ); zero: 0) : u_i
//   y_m ← fit_y( D_κ(y_m) + round_r(b_out_m + Σ_{j: s_j = 1} W_out[m,j]) )   with the new spikes
//
// D is the decay of nf_hls_fixed.h (per-unit shift k or multiplier d_q / 2^B);
// every round_r is a cast whose quantization mode is the spec's rounding.
// Event-driven, as nf_lif_core: the recurrent and readout sums walk the list of
// units that spiked (state.spike_list), never the silent columns.
//
// CONFIG_T (nf_config.h, generated from the quantized artifact): n_in (encoded
// inputs), n_rec, n_out, lanes, reuse_factor, rounding, spike_input (inputs are
// 0/1 events), the formats input_t, w_in_t, w_rec_t, b_rec_t, current_t,
// membrane_t, w_out_t, b_out_t, output_t, synapse_t and out_accum_t (exact by
// the quantizer's width bound), decay_form (shift_decay or multiplier_decay<B>),
// decay_t (a per-unit decay parameter), kappa(), threshold(), reset_to_zero,
// refractory_steps, refractory_t, unit_index_t.

#include "nf_hls_fixed.h"
#include "nf_hls_types.h"

namespace nf_hls {

// The LIF RNN's state, passed explicitly from step to step.
template <class CONFIG_T>
struct lif_state {
  typename CONFIG_T::current_t current[CONFIG_T::n_rec];
  typename CONFIG_T::membrane_t membrane[CONFIG_T::n_rec];
  bool spikes[CONFIG_T::n_rec];
  typename CONFIG_T::refractory_t refractory[CONFIG_T::n_rec];
  typename CONFIG_T::output_t output[CONFIG_T::n_out];
  typename CONFIG_T::unit_index_t spike_list[CONFIG_T::n_rec];  // units with s = 1, ascending
  unsigned spike_count;                                         // entries of spike_list in use
  unsigned overflow_events;  // values saturated or wrapped so far (the golden model's count)
};

template <class CONFIG_T>
void lif_reset(lif_state<CONFIG_T>& state) {
  for (unsigned i = 0; i < CONFIG_T::n_rec; ++i) {
    state.current[i] = 0;
    state.membrane[i] = 0;
    state.spikes[i] = false;
    state.refractory[i] = 0;
    state.spike_list[i] = 0;
  }
  for (unsigned m = 0; m < CONFIG_T::n_out; ++m) state.output[m] = 0;
  state.spike_count = 0;
  state.overflow_events = 0;
}

// The neuron update of unit i from its synaptic input S; returns s_i.
template <class CONFIG_T>
bool lif_update(unsigned i, const typename CONFIG_T::synapse_t& synapse, lif_state<CONFIG_T>& state,
                const typename CONFIG_T::decay_t beta[CONFIG_T::n_rec],
                const typename CONFIG_T::decay_t alpha_syn[CONFIG_T::n_rec]) {
#pragma HLS INLINE
  typedef typename CONFIG_T::current_t current_t;
  typedef typename CONFIG_T::membrane_t membrane_t;
  const ap_q_mode Q = CONFIG_T::rounding;
  const typename CONFIG_T::decay_form form = typename CONFIG_T::decay_form();

  const typename on_grid_of<current_t, typename CONFIG_T::synapse_t, Q>::type input = synapse;
  const current_t current =
      fit_counting<current_t>(decay<Q>(state.current[i], alpha_syn[i], form) + input, state.overflow_events);
  state.current[i] = current;

  membrane_t membrane = state.membrane[i];
  bool spike = false;
  if (state.refractory[i] != 0) {
    state.refractory[i] = state.refractory[i] - 1;
  } else {
    const typename on_grid_of<membrane_t, current_t, Q>::type drive = current;
    membrane = fit_counting<membrane_t>(decay<Q>(membrane, beta[i], form) + drive, state.overflow_events);
    const membrane_t threshold = CONFIG_T::threshold();
    spike = membrane >= threshold;
    state.refractory[i] = spike ? CONFIG_T::refractory_steps : 0;
    if (spike) {
      membrane = CONFIG_T::reset_to_zero ? membrane_t(0)
                                         : fit_counting<membrane_t>(membrane - threshold, state.overflow_events);
    }
  }
  state.membrane[i] = membrane;
  state.spikes[i] = spike;
  return spike;
}

// One timestep: X (n_in codes or 0/1 events) → state (I, v, s, c, y, spike
// list, overflow count). The outputs y are state.output.
template <class CONFIG_T>
void lif_step(const typename CONFIG_T::input_t x[CONFIG_T::n_in], lif_state<CONFIG_T>& state,
              const typename CONFIG_T::w_in_t w_in[CONFIG_T::n_rec][CONFIG_T::n_in],
              const typename CONFIG_T::w_rec_t w_rec[CONFIG_T::n_rec][CONFIG_T::n_rec],
              const typename CONFIG_T::b_rec_t b_rec[CONFIG_T::n_rec],
              const typename CONFIG_T::w_out_t w_out[CONFIG_T::n_out][CONFIG_T::n_rec],
              const typename CONFIG_T::b_out_t b_out[CONFIG_T::n_out],
              const typename CONFIG_T::decay_t beta[CONFIG_T::n_rec],
              const typename CONFIG_T::decay_t alpha_syn[CONFIG_T::n_rec]) {
  typedef typename CONFIG_T::synapse_t synapse_t;
  typedef typename CONFIG_T::out_accum_t out_accum_t;
  typedef typename CONFIG_T::output_t output_t;
  const unsigned lanes = CONFIG_T::lanes;
  const unsigned groups = (CONFIG_T::n_rec + CONFIG_T::lanes - 1) / CONFIG_T::lanes;
  const unsigned max_events = CONFIG_T::n_rec;  // for LOOP_TRIPCOUNT: a pragma takes a constant, not a type member
  (void)max_events;                             // (unused where the pragmas are ignored)
  const ap_q_mode Q = CONFIG_T::rounding;
#pragma HLS ARRAY_PARTITION variable = w_in cyclic factor = lanes dim = 1
#pragma HLS ARRAY_PARTITION variable = w_rec cyclic factor = lanes dim = 1
#pragma HLS ARRAY_PARTITION variable = b_rec cyclic factor = lanes dim = 1
#pragma HLS ARRAY_PARTITION variable = beta cyclic factor = lanes dim = 1
#pragma HLS ARRAY_PARTITION variable = alpha_syn cyclic factor = lanes dim = 1

  // The spikes of this step, collected while the previous step's list is still read.
  bool spiked[CONFIG_T::n_rec];
UnitGroups:
  for (unsigned g = 0; g < groups; ++g) {
    synapse_t acc[CONFIG_T::lanes];
#pragma HLS ARRAY_PARTITION variable = acc complete
  Bias:
    for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
      const unsigned i = g * lanes + l;
      acc[l] = i < CONFIG_T::n_rec ? synapse_t(b_rec[i]) : synapse_t(0);
    }
  Inputs:
    for (unsigned k = 0; k < CONFIG_T::n_in; ++k) {
#pragma HLS PIPELINE II = 1
      const typename CONFIG_T::input_t no_event = 0;
    InputLanes:
      for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
        const unsigned i = g * lanes + l;
        if (i >= CONFIG_T::n_rec) continue;
        if (CONFIG_T::spike_input) {
          if (x[k] != no_event) acc[l] += w_in[i][k];
        } else {
          acc[l] += w_in[i][k] * x[k];
        }
      }
    }
  Recurrent:
    for (unsigned e = 0; e < CONFIG_T::n_rec; ++e) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT min = 0 max = max_events
      if (e >= state.spike_count) break;
      const unsigned j = state.spike_list[e];
    RecurrentLanes:
      for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
        const unsigned i = g * lanes + l;
        if (i < CONFIG_T::n_rec) acc[l] += w_rec[i][j];
      }
    }
  Update:
    for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
      const unsigned i = g * lanes + l;
      if (i < CONFIG_T::n_rec) spiked[i] = lif_update<CONFIG_T>(i, acc[l], state, beta, alpha_syn);
    }
  }

  unsigned count = 0;
SpikeList:
  for (unsigned i = 0; i < CONFIG_T::n_rec; ++i) {
#pragma HLS PIPELINE II = 1
    if (spiked[i]) state.spike_list[count++] = i;
  }
  state.spike_count = count;

Readout:
  for (unsigned m = 0; m < CONFIG_T::n_out; ++m) {
    out_accum_t o = b_out[m];
  ReadoutEvents:
    for (unsigned e = 0; e < CONFIG_T::n_rec; ++e) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT min = 0 max = max_events
      if (e >= state.spike_count) break;
      o += w_out[m][state.spike_list[e]];
    }
    const typename on_grid_of<output_t, out_accum_t, Q>::type drive = o;
    const typename CONFIG_T::decay_t kappa = CONFIG_T::kappa();
    state.output[m] = fit_counting<output_t>(decay<Q>(state.output[m], kappa, typename CONFIG_T::decay_form()) + drive,
                                             state.overflow_events);
  }
}

// A trial: n_steps timesteps from the zero state, n_in inputs read and n_out
// outputs written per step (one value per stream word, in unit order); the
// trial's overflow count at the end.
template <class CONFIG_T>
void lif_sequence(hls::stream<typename CONFIG_T::input_t>& x_stream,
                  hls::stream<typename CONFIG_T::output_t>& y_stream, unsigned n_steps, unsigned& overflow_events,
                  const typename CONFIG_T::w_in_t w_in[CONFIG_T::n_rec][CONFIG_T::n_in],
                  const typename CONFIG_T::w_rec_t w_rec[CONFIG_T::n_rec][CONFIG_T::n_rec],
                  const typename CONFIG_T::b_rec_t b_rec[CONFIG_T::n_rec],
                  const typename CONFIG_T::w_out_t w_out[CONFIG_T::n_out][CONFIG_T::n_rec],
                  const typename CONFIG_T::b_out_t b_out[CONFIG_T::n_out],
                  const typename CONFIG_T::decay_t beta[CONFIG_T::n_rec],
                  const typename CONFIG_T::decay_t alpha_syn[CONFIG_T::n_rec]) {
  lif_state<CONFIG_T> state;
  lif_reset(state);
Steps:
  for (unsigned t = 0; t < n_steps; ++t) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1000
    typename CONFIG_T::input_t x[CONFIG_T::n_in];
  ReadInputs:
    for (unsigned k = 0; k < CONFIG_T::n_in; ++k) x[k] = x_stream.read();
    lif_step<CONFIG_T>(x, state, w_in, w_rec, b_rec, w_out, b_out, beta, alpha_syn);
  WriteOutputs:
    for (unsigned m = 0; m < CONFIG_T::n_out; ++m) y_stream.write(state.output[m]);
  }
  overflow_events = state.overflow_events;
}

}  // namespace nf_hls

#endif  // NF_LIF_RNN_H_
