#ifndef NF_RATE_TOP_H_
#define NF_RATE_TOP_H_
// The HLS tops of a rate RNN; weights and constants are ROMs from nf_weights.h
// and nf_config.h, generated from the quantized artifact.
//
// nf_rate_top: one trial of n_steps timesteps from the zero state, for an AXI
// DMA. x_stream carries n_in input codes per step, y_stream n_out output codes
// per step (AXI4-Stream, one value per word, TLAST on the trial's last output
// word); n_steps, overflow_events (the trial's count of saturated or wrapped
// values) and start/done over AXI4-Lite ("control").
#include "nf_config.h"

void nf_rate_top(hls::stream<nf_hls::stream_word<nf_config::input_t> >& x_stream,
                 hls::stream<nf_hls::stream_word<nf_config::output_t> >& y_stream, unsigned n_steps,
                 unsigned& overflow_events);

// nf_rate_step_top: one timestep (nf_hls::rate_step on the same ROMs), driven
// by a host. The state stays outside: h, two banks of N values in a dual-port
// BRAM (h[bank] is read, h[1 - bank] written), with bank, overflow_events, x,
// y and start/done over AXI4-Lite. The testbench checks every step through it.
void nf_rate_step_top(const nf_config::input_t x[nf_config::n_in], nf_config::state_t h[2][nf_config::n_rec],
                      ap_uint<1>& bank, unsigned& overflow_events, nf_config::output_t y[nf_config::n_out]);

#endif  // NF_RATE_TOP_H_
