// C-simulation testbench of the rate RNN kernels against the integer golden
// model's vectors (tb_data/, written by `neurofab hls`), bit for bit:
//   1. nf_rate_step_top (rate_step), trial by trial from the zero state: every unit's h, every
//      output y and the step's overflow count, at every timestep;
//   2. the top nf_rate_top (what csynth and cosim build), called directly once
//      per trial: the y stream at every timestep, its TLAST, and the trial's
//      overflow count.
// Prints PASS and returns 0 only when every value is equal; a mismatch prints
// trial, step, signal and unit (first 20) and returns 1.
// Usage: nf_rate_tb [tb_data folder, default tb_data]

#include <cstdio>
#include <vector>

#include "nf_rate_top.h"
#include "nf_tb_data.h"

namespace {

typedef nf_config C;

void check_step_kernel(const nf_tb::Data& data, nf_tb::Checker& checker) {
  nf_tb::IterationStats iterations;
  const std::vector<long long> input = data.load("input", C::n_in);
  const std::vector<long long> state = data.load("state", C::n_rec);
  const std::vector<long long> output = data.load("output", C::n_out);
  const std::vector<long long> overflow = data.load("overflow_events", 1);
  static C::state_t h[2][C::n_rec];  // static: large networks would overflow the stack
  ap_uint<1> bank = 0;
  unsigned overflow_events = 0;
  for (int trial = 0; trial < data.trials(); ++trial) {
    nf_hls::rate_reset<C>(h, bank, overflow_events);
    for (int step = 0; step < data.steps(); ++step) {
      const long long row = static_cast<long long>(trial) * data.steps() + step;
      C::input_t x[C::n_in];
      for (unsigned k = 0; k < C::n_in; ++k) x[k] = nf_tb::from_code<C::input_t>(input[row * C::n_in + k]);
      C::output_t y[C::n_out];
      const unsigned events_before = overflow_events;
      const ap_uint<1> bank_before = bank;
      iterations.begin();
      nf_rate_step_top(x, h, bank, overflow_events, y);
      iterations.end();
      checker.check("bank (flipped)", trial, step, 0, 1 - bank_before.to_int(), bank.to_int());
      for (unsigned i = 0; i < C::n_rec; ++i) {
        checker.check("h", trial, step, static_cast<int>(i), state[row * C::n_rec + i], nf_tb::code_of(h[bank][i]));
      }
      for (unsigned m = 0; m < C::n_out; ++m) {
        checker.check("y", trial, step, static_cast<int>(m), output[row * C::n_out + m], nf_tb::code_of(y[m]));
      }
      checker.check("overflow_events", trial, step, 0, overflow[row], overflow_events - events_before);
    }
  }
  iterations.report();
}

}  // namespace

int main(int argc, char** argv) {
  const nf_tb::Data data(argc > 1 ? argv[1] : "tb_data");
  nf_tb::check_shape<C>(data, "rate_rnn");
  nf_tb::Checker checker;
  check_step_kernel(data, checker);
  const long long step_values = checker.compared();
  const nf_tb::StreamVectors<C> vectors(data);
  for (int trial = 0; trial < data.trials(); ++trial) {
    hls::stream<nf_hls::stream_word<C::input_t> > x_stream("x_stream");
    hls::stream<nf_hls::stream_word<C::output_t> > y_stream("y_stream");
    nf_tb::fill_input_stream<C>(data, vectors, trial, x_stream);
    unsigned overflow_events = 0;
    nf_rate_top(x_stream, y_stream, static_cast<unsigned>(data.steps()), overflow_events);
    nf_tb::check_output_stream<C>(data, vectors, trial, y_stream, overflow_events, checker);
  }
  return nf_tb::report(data, checker, step_values, "rate_step", "h, y, overflow", "nf_rate_top");
}
