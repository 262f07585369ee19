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
// units that spiked, never the silent columns.
//
// Schedule: nf_lif_core's (rtl/sv/nf_lif_core.sv, golden/cycle_model.hpp),
// group for group. Units in G = ceil(N/P) groups of P lanes; one pipelined
// loop (II = 1) runs every group's two phases in turn:
//   - synapses, n_x + S_{t-1} iterations: the n_x inputs, then the previous
//     step's spike list (bias loaded first). Weights are bank-major,
//     w[P][G][n] partitioned completely in dimension 1, so lane l reads its
//     own memory at the same address for any P;
//   - update, one lane per iteration (P iterations): current, membrane, spike,
//     reset, refractory; a unit that spikes is appended to this step's spike
//     list at once (ascending, as the golden model's).
// The lists are ping-pong (spike_list[2][N]: the step reads [bank], writes
// [1 - bank], flips bank), so nothing is copied. A second pipelined loop runs
// the readout in G_o = ceil(n_out/P) groups of P outputs: the new spike list
// (S_t iterations), then the group's P outputs, one per iteration (the RTL
// emits them in one cycle; here they are state in a memory).
// An update's up to three overflow flags are added as one popcount per
// iteration.
// Iterations per step: G·(n_x + S_{t-1} + P) + G_o·(S_t + P) in two loop
// entries, against the RTL's
// G·((n_x + 1) + (S_{t-1} + 2) + (P + 1)) + G_o·((S_t + 2) + 1) cycles.
//
// CONFIG_T (nf_config.h, generated from the quantized artifact): n_in (encoded
// inputs), n_rec, n_out, lanes, groups, output_groups, reuse_factor, rounding, spike_input (inputs are
// 0/1 events), the formats input_t, w_in_t, w_rec_t, b_rec_t, current_t,
// membrane_t, w_out_t, b_out_t, output_t, synapse_t and out_accum_t (exact by
// the quantizer's width bound), decay_form (shift_decay or multiplier_decay<B>),
// decay_t (a per-unit decay parameter), kappa(), threshold(), reset_to_zero,
// refractory_steps, refractory_t, unit_index_t.

#include "nf_hls_fixed.h"
#include "nf_hls_stream.h"
#include "nf_hls_types.h"

namespace nf_hls {

// The LIF RNN's state between steps, passed explicitly.
template <class CONFIG_T>
struct lif_state {
  typename CONFIG_T::current_t current[CONFIG_T::n_rec];
  typename CONFIG_T::membrane_t membrane[CONFIG_T::n_rec];
  bool spikes[CONFIG_T::n_rec];
  typename CONFIG_T::refractory_t refractory[CONFIG_T::n_rec];
  typename CONFIG_T::output_t output[CONFIG_T::n_out];
  // Ping-pong spike lists: spike_list[bank] holds the units that spiked at the
  // last step (ascending), spike_count[bank] how many.
  typename CONFIG_T::unit_index_t spike_list[2][CONFIG_T::n_rec];
  unsigned spike_count[2];
  ap_uint<1> bank;
  unsigned overflow_events;  // values saturated or wrapped so far (the golden model's count)
};

template <class CONFIG_T>
void lif_reset(lif_state<CONFIG_T>& state) {
  for (unsigned i = 0; i < CONFIG_T::n_rec; ++i) {
    state.current[i] = 0;
    state.membrane[i] = 0;
    state.spikes[i] = false;
    state.refractory[i] = 0;
    state.spike_list[0][i] = 0;
    state.spike_list[1][i] = 0;
  }
  for (unsigned m = 0; m < CONFIG_T::n_out; ++m) state.output[m] = 0;
  state.spike_count[0] = 0;
  state.spike_count[1] = 0;
  state.bank = 0;
  state.overflow_events = 0;
}

// The neuron update of unit i from its synaptic input S; returns s_i, and in
// `events` the number of values it saturated or wrapped (0 to 3).
template <class CONFIG_T>
bool lif_update(unsigned i, const typename CONFIG_T::synapse_t& synapse, lif_state<CONFIG_T>& state,
                const typename CONFIG_T::decay_t beta[CONFIG_T::n_rec],
                const typename CONFIG_T::decay_t alpha_syn[CONFIG_T::n_rec], unsigned& events) {
#pragma HLS INLINE
  typedef typename CONFIG_T::current_t current_t;
  typedef typename CONFIG_T::membrane_t membrane_t;
  const ap_q_mode Q = CONFIG_T::rounding;
  const typename CONFIG_T::decay_form form = typename CONFIG_T::decay_form();

  bool current_overflow = false, membrane_overflow = false, reset_overflow = false;
  const typename on_grid_of<current_t, typename CONFIG_T::synapse_t, Q>::type input = synapse;
  const current_t current =
      fit_flagged<current_t>(decay<Q>(state.current[i], alpha_syn[i], form) + input, current_overflow);
  state.current[i] = current;

  membrane_t membrane = state.membrane[i];
  bool spike = false;
  if (state.refractory[i] != 0) {
    state.refractory[i] = state.refractory[i] - 1;
  } else {
    const typename on_grid_of<membrane_t, current_t, Q>::type drive = current;
    membrane = fit_flagged<membrane_t>(decay<Q>(membrane, beta[i], form) + drive, membrane_overflow);
    const membrane_t threshold = CONFIG_T::threshold();
    spike = membrane >= threshold;
    state.refractory[i] = spike ? CONFIG_T::refractory_steps : 0;
    if (spike) {
      membrane = CONFIG_T::reset_to_zero ? membrane_t(0)
                                         : fit_flagged<membrane_t>(membrane - threshold, reset_overflow);
    }
  }
  state.membrane[i] = membrane;
  state.spikes[i] = spike;
  events = unsigned(current_overflow) + unsigned(membrane_overflow) + unsigned(reset_overflow);
  return spike;
}

// One timestep: X (n_in codes or 0/1 events) → state (I, v, s, c, y, spike
// lists, bank, overflow count). The outputs y are state.output.
template <class CONFIG_T>
void lif_step(const typename CONFIG_T::input_t x[CONFIG_T::n_in], lif_state<CONFIG_T>& state,
              const typename CONFIG_T::w_in_t w_in[CONFIG_T::lanes][CONFIG_T::groups][CONFIG_T::n_in],
              const typename CONFIG_T::w_rec_t w_rec[CONFIG_T::lanes][CONFIG_T::groups][CONFIG_T::n_rec],
              const typename CONFIG_T::b_rec_t b_rec[CONFIG_T::lanes][CONFIG_T::groups],
              const typename CONFIG_T::w_out_t w_out[CONFIG_T::lanes][CONFIG_T::output_groups][CONFIG_T::n_rec],
              const typename CONFIG_T::b_out_t b_out[CONFIG_T::lanes][CONFIG_T::output_groups],
              const typename CONFIG_T::decay_t beta[CONFIG_T::n_rec],
              const typename CONFIG_T::decay_t alpha_syn[CONFIG_T::n_rec]) {
  typedef typename CONFIG_T::synapse_t synapse_t;
  typedef typename CONFIG_T::out_accum_t out_accum_t;
  typedef typename CONFIG_T::output_t output_t;
  const unsigned lanes = CONFIG_T::lanes, groups = CONFIG_T::groups, output_groups = CONFIG_T::output_groups;
  const unsigned n_in = CONFIG_T::n_in, n_rec = CONFIG_T::n_rec, n_out = CONFIG_T::n_out;
  // For LOOP_TRIPCOUNT: a pragma takes a constant, not a type member (unused where pragmas are ignored).
  const unsigned max_schedule = CONFIG_T::groups * (CONFIG_T::n_in + CONFIG_T::n_rec + CONFIG_T::lanes);
  const unsigned max_readout = CONFIG_T::output_groups * (CONFIG_T::n_rec + CONFIG_T::lanes);
  (void)max_schedule;
  (void)max_readout;
  const ap_q_mode Q = CONFIG_T::rounding;
#pragma HLS ARRAY_PARTITION variable = w_in complete dim = 1
#pragma HLS ARRAY_PARTITION variable = w_rec complete dim = 1
#pragma HLS ARRAY_PARTITION variable = b_rec complete dim = 1
#pragma HLS ARRAY_PARTITION variable = w_out complete dim = 1
#pragma HLS ARRAY_PARTITION variable = b_out complete dim = 1

  const unsigned old_bank = state.bank, new_bank = 1 - old_bank;
  const unsigned previous = state.spike_count[old_bank];
  unsigned count = 0;  // this step's spikes so far
  unsigned events = 0;
  // The synapses and the update of every group, as one pipelined loop: per
  // group, n_x + S_{t-1} MAC items, then the P lanes' updates.
  const unsigned macs = n_in + previous;
  const unsigned per_group = macs + lanes;
  synapse_t acc[CONFIG_T::lanes];
#pragma HLS ARRAY_PARTITION variable = acc complete dim = 1
  unsigned g = 0, c = 0;  // the group, and its item
Schedule:
  for (unsigned it = 0; it < groups * per_group; ++it) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT min = n_in max = max_schedule
    NF_HLS_PIPELINED_ITERATION();
    if (c < macs) {
      // Synapses: the inputs, then the previous step's spike list. Both
      // indices stay in range whichever item this is (hardware may read both).
      const bool input_item = c < n_in;
      const unsigned k = input_item ? c : 0;
      const unsigned e = input_item ? 0 : c - n_in;
      const unsigned j = state.spike_list[old_bank][e];
      const bool event = CONFIG_T::spike_input && x[k] != typename CONFIG_T::input_t(0);
    SynapseLanes:
      for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
        const synapse_t start = c == 0 ? synapse_t(b_rec[l][g]) : acc[l];
        synapse_t term;
        if (!input_item) {
          term = w_rec[l][g][j];
        } else if (CONFIG_T::spike_input) {
          term = event ? synapse_t(w_in[l][g][k]) : synapse_t(0);
        } else {
          term = w_in[l][g][k] * x[k];
        }
        acc[l] = start + term;
      }
    } else {
      // Update: lane c - macs of the group; a spike joins this step's list.
      const unsigned lane = c - macs;
      const unsigned i = g * lanes + lane;
      if (i < n_rec) {
        unsigned unit_events = 0;
        const bool spike = lif_update<CONFIG_T>(i, acc[lane], state, beta, alpha_syn, unit_events);
        events += unit_events;
        if (spike) state.spike_list[new_bank][count++] = i;
      }
    }
    if (++c == per_group) {
      c = 0;
      ++g;
    }
  }
  state.spike_count[new_bank] = count;

  // The readout of every output group, as one pipelined loop: per group, the
  // new spike list, then the P outputs.
  const unsigned per_output_group = count + lanes;
  out_accum_t out_acc[CONFIG_T::lanes];
#pragma HLS ARRAY_PARTITION variable = out_acc complete dim = 1
  unsigned go = 0, r = 0;  // the output group, and its item
Readout:
  for (unsigned it = 0; it < output_groups * per_output_group; ++it) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT min = 1 max = max_readout
    NF_HLS_PIPELINED_ITERATION();
    if (r < count) {
      const unsigned j = state.spike_list[new_bank][r];
    ReadoutLanes:
      for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
        const out_accum_t start = r == 0 ? out_accum_t(b_out[l][go]) : out_acc[l];
        out_acc[l] = start + w_out[l][go][j];
      }
    } else {
      // Emit: output lane r - count of the group (with no spike, the bias alone).
      const unsigned lane = r - count;
      const unsigned m = go * lanes + lane;
      if (m < n_out) {
        const out_accum_t sum = count == 0 ? out_accum_t(b_out[lane][go]) : out_acc[lane];
        const typename on_grid_of<output_t, out_accum_t, Q>::type drive = sum;
        const typename CONFIG_T::decay_t kappa = CONFIG_T::kappa();
        bool overflowed = false;
        state.output[m] = fit_flagged<output_t>(
            decay<Q>(state.output[m], kappa, typename CONFIG_T::decay_form()) + drive, overflowed);
        events += overflowed;
      }
    }
    if (++r == per_output_group) {
      r = 0;
      ++go;
    }
  }
  state.overflow_events += events;
  state.bank = new_bank;
}

// A LIF trial: n_steps timesteps from the zero state between AXI4-Stream
// words (nf_hls_stream.h); the trial's overflow count at the end.
template <class CONFIG_T>
void lif_sequence(hls::stream<stream_word<typename CONFIG_T::input_t> >& x_stream,
                  hls::stream<stream_word<typename CONFIG_T::output_t> >& y_stream, unsigned n_steps,
                  unsigned& overflow_events,
                  const typename CONFIG_T::w_in_t w_in[CONFIG_T::lanes][CONFIG_T::groups][CONFIG_T::n_in],
                  const typename CONFIG_T::w_rec_t w_rec[CONFIG_T::lanes][CONFIG_T::groups][CONFIG_T::n_rec],
                  const typename CONFIG_T::b_rec_t b_rec[CONFIG_T::lanes][CONFIG_T::groups],
                  const typename CONFIG_T::w_out_t w_out[CONFIG_T::lanes][CONFIG_T::output_groups][CONFIG_T::n_rec],
                  const typename CONFIG_T::b_out_t b_out[CONFIG_T::lanes][CONFIG_T::output_groups],
                  const typename CONFIG_T::decay_t beta[CONFIG_T::n_rec],
                  const typename CONFIG_T::decay_t alpha_syn[CONFIG_T::n_rec]) {
  lif_state<CONFIG_T> state;
  lif_reset(state);
Steps:
  for (unsigned t = 0; t < n_steps; ++t) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1000
    typename CONFIG_T::input_t x[CONFIG_T::n_in];
    read_step_inputs<CONFIG_T>(x_stream, x);
    lif_step<CONFIG_T>(x, state, w_in, w_rec, b_rec, w_out, b_out, beta, alpha_syn);
    write_step_outputs<CONFIG_T>(state.output, t + 1 == n_steps, y_stream);
  }
  overflow_events = state.overflow_events;
}

}  // namespace nf_hls

#endif  // NF_LIF_RNN_H_
