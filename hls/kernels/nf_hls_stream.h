#ifndef NF_HLS_STREAM_H_
#define NF_HLS_STREAM_H_
// The stream side of the sequence kernels (rate_sequence, lif_sequence): one
// step's inputs read from, and outputs written to, AXI4-Stream words
// (stream_word: TDATA and TLAST, nf_hls_types.h), one value per word in unit
// order. TLAST marks the trial's last output word; the inputs' TLAST is not
// used, since a trial reads exactly n_steps · n_in words.

#include "nf_hls_types.h"

namespace nf_hls {

template <class CONFIG_T>
void read_step_inputs(hls::stream<stream_word<typename CONFIG_T::input_t> >& x_stream,
                      typename CONFIG_T::input_t x[CONFIG_T::n_in]) {
ReadInputs:
  for (unsigned k = 0; k < CONFIG_T::n_in; ++k) {
#pragma HLS PIPELINE II = 1
    x[k] = x_stream.read().data;
  }
}

template <class CONFIG_T>
void write_step_outputs(const typename CONFIG_T::output_t y[CONFIG_T::n_out], bool last_step,
                        hls::stream<stream_word<typename CONFIG_T::output_t> >& y_stream) {
WriteOutputs:
  for (unsigned m = 0; m < CONFIG_T::n_out; ++m) {
#pragma HLS PIPELINE II = 1
    stream_word<typename CONFIG_T::output_t> word;
    word.data = y[m];
    word.last = last_step && m + 1 == CONFIG_T::n_out;
    y_stream.write(word);
  }
}

}  // namespace nf_hls

#endif  // NF_HLS_STREAM_H_
