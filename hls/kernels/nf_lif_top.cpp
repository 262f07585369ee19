#include "nf_lif_top.h"

#include "nf_lif_rnn.h"
#include "nf_weights.h"

void nf_lif_top(hls::stream<nf_hls::stream_word<nf_config::input_t> >& x_stream,
                hls::stream<nf_hls::stream_word<nf_config::output_t> >& y_stream, unsigned n_steps,
                unsigned& overflow_events) {
#pragma HLS INTERFACE mode = axis port = x_stream
#pragma HLS INTERFACE mode = axis port = y_stream
#pragma HLS INTERFACE mode = s_axilite port = n_steps bundle = control
#pragma HLS INTERFACE mode = s_axilite port = overflow_events bundle = control
#pragma HLS INTERFACE mode = s_axilite port = return bundle = control
  nf_hls::lif_sequence<nf_config>(x_stream, y_stream, n_steps, overflow_events, nf_w_in, nf_w_rec, nf_b_rec,
                                  nf_w_out, nf_b_out, nf_beta, nf_alpha_syn);
}

void nf_lif_step_top(const nf_config::input_t x[nf_config::n_in], nf_hls::lif_state<nf_config>& state) {
  // The state's arrays are BRAM ports (each read and written once per
  // iteration of a pipelined loop: dual port); its scalars are registers.
#pragma HLS DISAGGREGATE variable = state
#pragma HLS INTERFACE mode = s_axilite port = x bundle = control
#pragma HLS INTERFACE mode = bram port = state.current storage_type = ram_2p
#pragma HLS INTERFACE mode = bram port = state.membrane storage_type = ram_2p
#pragma HLS INTERFACE mode = bram port = state.spikes storage_type = ram_2p
#pragma HLS INTERFACE mode = bram port = state.refractory storage_type = ram_2p
#pragma HLS INTERFACE mode = bram port = state.spike_list storage_type = ram_2p
#pragma HLS INTERFACE mode = s_axilite port = state.output bundle = control
#pragma HLS INTERFACE mode = s_axilite port = state.spike_count bundle = control
#pragma HLS INTERFACE mode = s_axilite port = state.bank bundle = control
#pragma HLS INTERFACE mode = s_axilite port = state.overflow_events bundle = control
#pragma HLS INTERFACE mode = s_axilite port = return bundle = control
  nf_hls::lif_step<nf_config>(x, state, nf_w_in, nf_w_rec, nf_b_rec, nf_w_out, nf_b_out, nf_beta, nf_alpha_syn);
}
