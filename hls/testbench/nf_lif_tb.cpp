// C-simulation testbench of the LIF RNN kernels against the integer golden
// model's vectors (tb_data/, written by `neurofab hls`), bit for bit:
//   1. nf_lif_step_top (lif_step), trial by trial from the zero state: every unit's current I,
//      membrane v, spike s and refractory counter c, every output y and the
//      step's overflow count, at every timestep;
//   2. the top nf_lif_top (what csynth and cosim build), called directly once
//      per trial: the y stream at every timestep, its TLAST, and the trial's
//      overflow count.
// Prints PASS and returns 0 only when every value is equal; a mismatch prints
// trial, step, signal and unit (first 20) and returns 1.
// Usage: nf_lif_tb [tb_data folder, default tb_data]

#include <cstdio>
#include <vector>

#include "nf_lif_top.h"
#include "nf_tb_data.h"

namespace {

typedef nf_config C;

void check_step_kernel(const nf_tb::Data& data, nf_tb::Checker& checker) {
  nf_tb::IterationStats iterations;
  const std::vector<long long> input = data.load("input", C::n_in);
  const std::vector<long long> current = data.load("current", C::n_rec);
  const std::vector<long long> membrane = data.load("membrane", C::n_rec);
  const std::vector<long long> spikes = data.load("spikes", C::n_rec);
  const std::vector<long long> refractory = data.load("refractory", C::n_rec);
  const std::vector<long long> output = data.load("output", C::n_out);
  const std::vector<long long> overflow = data.load("overflow_events", 1);
  static nf_hls::lif_state<C> s;  // static: large networks would overflow the stack
  for (int trial = 0; trial < data.trials(); ++trial) {
    nf_hls::lif_reset(s);
    for (int step = 0; step < data.steps(); ++step) {
      const long long row = static_cast<long long>(trial) * data.steps() + step;
      C::input_t x[C::n_in];
      for (unsigned k = 0; k < C::n_in; ++k) x[k] = nf_tb::from_code<C::input_t>(input[row * C::n_in + k]);
      const unsigned events_before = s.overflow_events;
      iterations.begin();
      nf_lif_step_top(x, s);
      iterations.end();
      for (unsigned i = 0; i < C::n_rec; ++i) {
        const long long at = row * C::n_rec + i;
        const int unit = static_cast<int>(i);
        checker.check("I", trial, step, unit, current[at], nf_tb::code_of(s.current[i]));
        checker.check("v", trial, step, unit, membrane[at], nf_tb::code_of(s.membrane[i]));
        checker.check("s", trial, step, unit, spikes[at], s.spikes[i] ? 1 : 0);
        checker.check("c", trial, step, unit, refractory[at], static_cast<long long>(s.refractory[i].to_uint64()));
      }
      for (unsigned m = 0; m < C::n_out; ++m) {
        checker.check("y", trial, step, static_cast<int>(m), output[row * C::n_out + m], nf_tb::code_of(s.output[m]));
      }
      checker.check("overflow_events", trial, step, 0, overflow[row], s.overflow_events - events_before);
    }
  }
  iterations.report();
}

}  // namespace

int main(int argc, char** argv) {
  const nf_tb::Data data(argc > 1 ? argv[1] : "tb_data");
  nf_tb::check_shape<C>(data, "lif_rnn");
  nf_tb::Checker checker;
  check_step_kernel(data, checker);
  const long long step_values = checker.compared();
  const nf_tb::StreamVectors<C> vectors(data);
  for (int trial = 0; trial < data.trials(); ++trial) {
    hls::stream<nf_hls::stream_word<C::input_t> > x_stream("x_stream");
    hls::stream<nf_hls::stream_word<C::output_t> > y_stream("y_stream");
    nf_tb::fill_input_stream<C>(data, vectors, trial, x_stream);
    unsigned overflow_events = 0;
    nf_lif_top(x_stream, y_stream, static_cast<unsigned>(data.steps()), overflow_events);
    nf_tb::check_output_stream<C>(data, vectors, trial, y_stream, overflow_events, checker);
  }
  return nf_tb::report(data, checker, step_values, "lif_step", "I, v, s, c, y, overflow", "nf_lif_top");
}
