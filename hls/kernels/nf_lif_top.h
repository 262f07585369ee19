#ifndef NF_LIF_TOP_H_
#define NF_LIF_TOP_H_
// The HLS tops of a LIF RNN; weights and constants are ROMs from nf_weights.h
// and nf_config.h, generated from the quantized artifact.
//
// nf_lif_top: one trial of n_steps timesteps from the zero state, for an AXI
// DMA. x_stream carries n_in input codes (or 0/1 events of a spike encoding)
// per step, y_stream n_out output codes per step (AXI4-Stream, one value per
// word, TLAST on the trial's last output word); n_steps, overflow_events (the
// trial's count of saturated or wrapped values) and start/done over AXI4-Lite
// ("control").
#include "nf_config.h"

void nf_lif_top(hls::stream<nf_hls::stream_word<nf_config::input_t> >& x_stream,
                hls::stream<nf_hls::stream_word<nf_config::output_t> >& y_stream, unsigned n_steps,
                unsigned& overflow_events);

// nf_lif_step_top: one timestep (nf_hls::lif_step on the same ROMs), driven by
// a host. The state stays outside: its per-unit arrays and the two spike lists
// in BRAMs, the outputs y (state.output), spike counts, bank and
// overflow_events with x and start/done over AXI4-Lite. The testbench checks
// every step through it.
void nf_lif_step_top(const nf_config::input_t x[nf_config::n_in], nf_hls::lif_state<nf_config>& state);

#endif  // NF_LIF_TOP_H_
