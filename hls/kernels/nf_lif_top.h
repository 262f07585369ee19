#ifndef NF_LIF_TOP_H_
#define NF_LIF_TOP_H_
// The HLS top of a LIF RNN: one trial of n_steps timesteps from the zero
// state. x_stream carries n_in input codes (or 0/1 events of a spike encoding)
// per step, y_stream n_out output codes per step (AXI4-Stream, one value per
// word); overflow_events is the trial's count of saturated or wrapped values.
// Weights and constants are ROMs from nf_weights.h and nf_config.h, generated
// from the quantized artifact.

#include "nf_config.h"

void nf_lif_top(hls::stream<nf_config::input_t>& x_stream, hls::stream<nf_config::output_t>& y_stream,
                unsigned n_steps, unsigned& overflow_events);

// One timestep with the state passed explicitly (nf_hls::lif_step on the same
// ROMs; the outputs are state.output): for a host-driven loop, and for the
// testbench's every-step check.
void nf_lif_step_top(const nf_config::input_t x[nf_config::n_in], nf_hls::lif_state<nf_config>& state);

#endif  // NF_LIF_TOP_H_
