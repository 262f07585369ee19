// C-simulation testbench of the LIF RNN kernels against the integer golden
// model's vectors (tb_data/, written by `neurofab hls`), bit for bit:
//   1. nf_lif_step_top (lif_step), trial by trial from the zero state: every unit's current I,
//      membrane v, spike s and refractory counter c, every output y and the
//      step's overflow count, at every timestep;
//   2. the top nf_lif_top (what csynth and cosim build): the y stream at every
//      timestep and the trial's overflow count.
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
      nf_lif_step_top(x, s);
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
}

void check_top(const nf_tb::Data& data, nf_tb::Checker& checker) {
  const std::vector<long long> input = data.load("input", C::n_in);
  const std::vector<long long> output = data.load("output", C::n_out);
  const std::vector<long long> overflow = data.load("overflow_events", 1);
  for (int trial = 0; trial < data.trials(); ++trial) {
    hls::stream<C::input_t> x_stream("x_stream");
    hls::stream<C::output_t> y_stream("y_stream");
    const long long first = static_cast<long long>(trial) * data.steps();
    long long trial_overflow = 0;
    for (int step = 0; step < data.steps(); ++step) {
      for (unsigned k = 0; k < C::n_in; ++k) {
        x_stream.write(nf_tb::from_code<C::input_t>(input[(first + step) * C::n_in + k]));
      }
      trial_overflow += overflow[first + step];
    }
    unsigned overflow_events = 0;
    nf_lif_top(x_stream, y_stream, static_cast<unsigned>(data.steps()), overflow_events);
    for (int step = 0; step < data.steps(); ++step) {
      for (unsigned m = 0; m < C::n_out; ++m) {
        const long long expected = output[(first + step) * C::n_out + m];
        if (y_stream.empty()) {
          checker.check("top y (stream ended early)", trial, step, static_cast<int>(m), expected, -1);
          continue;
        }
        checker.check("top y", trial, step, static_cast<int>(m), expected, nf_tb::code_of(y_stream.read()));
      }
    }
    checker.check("top words left in y_stream", trial, data.steps(), 0, 0, static_cast<long long>(y_stream.size()));
    checker.check("top overflow_events (trial)", trial, data.steps(), 0, trial_overflow, overflow_events);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const nf_tb::Data data(argc > 1 ? argv[1] : "tb_data");
  if (data.meta("model") != "lif_rnn") nf_tb::fail("tb_data is for a " + data.meta("model") + ", not a lif_rnn");
  data.expect("n_in", C::n_in);
  data.expect("n_rec", C::n_rec);
  data.expect("n_out", C::n_out);
  std::printf("nf csim: lif_rnn n_in %u n_rec %u n_out %u lanes %u, %d trials x %d steps, types %s\n", C::n_in,
              C::n_rec, C::n_out, C::lanes, data.trials(), data.steps(), NF_HLS_TYPES_NAME);
  nf_tb::Checker checker;
  check_step_kernel(data, checker);
  const long long step_values = checker.compared();
  check_top(data, checker);
  std::printf("nf csim: lif_step: %lld values (I, v, s, c, y, overflow) at %lld timesteps; nf_lif_top: %lld values\n",
              step_values, static_cast<long long>(data.trials()) * data.steps(), checker.compared() - step_values);
  if (checker.mismatches() != 0) {
    std::printf("FAIL: %lld of %lld values differ from the golden model\n", checker.mismatches(), checker.compared());
    return 1;
  }
  std::printf("PASS: all %lld values equal the golden model\n", checker.compared());
  return 0;
}
