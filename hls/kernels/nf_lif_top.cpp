#include "nf_lif_top.h"

#include "nf_lif_rnn.h"
#include "nf_weights.h"

void nf_lif_top(hls::stream<nf_config::input_t>& x_stream, hls::stream<nf_config::output_t>& y_stream,
                unsigned n_steps, unsigned& overflow_events) {
#pragma HLS INTERFACE axis port = x_stream
#pragma HLS INTERFACE axis port = y_stream
#pragma HLS INTERFACE s_axilite port = n_steps
#pragma HLS INTERFACE s_axilite port = overflow_events
#pragma HLS INTERFACE s_axilite port = return
  nf_hls::lif_sequence<nf_config>(x_stream, y_stream, n_steps, overflow_events, nf_w_in, nf_w_rec, nf_b_rec,
                                  nf_w_out, nf_b_out, nf_beta, nf_alpha_syn);
}

void nf_lif_step_top(const nf_config::input_t x[nf_config::n_in], nf_hls::lif_state<nf_config>& state) {
  nf_hls::lif_step<nf_config>(x, state, nf_w_in, nf_w_rec, nf_b_rec, nf_w_out, nf_b_out, nf_beta, nf_alpha_syn);
}
