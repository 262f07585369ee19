#include "nf_rate_top.h"

#include "nf_rate_rnn.h"
#include "nf_weights.h"

void nf_rate_top(hls::stream<nf_hls::stream_word<nf_config::input_t> >& x_stream,
                 hls::stream<nf_hls::stream_word<nf_config::output_t> >& y_stream, unsigned n_steps,
                 unsigned& overflow_events) {
#pragma HLS INTERFACE mode = axis port = x_stream
#pragma HLS INTERFACE mode = axis port = y_stream
#pragma HLS INTERFACE mode = s_axilite port = n_steps bundle = control
#pragma HLS INTERFACE mode = s_axilite port = overflow_events bundle = control
#pragma HLS INTERFACE mode = s_axilite port = return bundle = control
  nf_hls::rate_sequence<nf_config>(x_stream, y_stream, n_steps, overflow_events, nf_w_in, nf_w_rec, nf_b_rec,
                                   nf_w_out, nf_b_out, nf_activation_table);
}

void nf_rate_step_top(const nf_config::input_t x[nf_config::n_in], nf_config::state_t h[2][nf_config::n_rec],
                      ap_uint<1>& bank, unsigned& overflow_events, nf_config::output_t y[nf_config::n_out]) {
#pragma HLS INTERFACE mode = s_axilite port = x bundle = control
#pragma HLS INTERFACE mode = bram port = h storage_type = ram_2p
#pragma HLS INTERFACE mode = s_axilite port = bank bundle = control
#pragma HLS INTERFACE mode = s_axilite port = overflow_events bundle = control
#pragma HLS INTERFACE mode = s_axilite port = y bundle = control
#pragma HLS INTERFACE mode = s_axilite port = return bundle = control
  nf_hls::rate_step<nf_config>(x, h, bank, overflow_events, y, nf_w_in, nf_w_rec, nf_b_rec, nf_w_out, nf_b_out,
                               nf_activation_table);
}
