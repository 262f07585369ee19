#ifndef NF_TB_DATA_H_
#define NF_TB_DATA_H_
// The C-simulation testbench's side: golden vectors from tb_data/ and the
// bit-exact comparison against them, and the check of the sequence top both
// testbenches share (testbench only: std library and the HLS types, no HLS rules).
//
// tb_data/ (written by `neurofab hls` from the integer golden model):
//   meta.txt         "key value" lines: model, trials K, steps T, n_in, n_rec, n_out
//   <signal>.dat     K·T lines, one per trial and step in order, each the
//                    signal's values after that step as integer codes
//                    (input: what the step consumes)
// A missing, short or malformed file stops the testbench with a message
// naming it and the line.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "nf_hls_types.h"

namespace nf_tb {

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "nf csim: error: %s\n", what.c_str());
  std::exit(2);
}

// The fixed-point value code · 2^-F of T (F = T's fraction bits); exact for
// codes of up to 53 bits, as every format of the golden model is.
template <class T>
T from_code(long long code) {
  return T(std::ldexp(static_cast<double>(code), -(T::width - T::iwidth)));
}

// The integer code of a fixed-point value (exact, see from_code).
template <class T>
long long code_of(const T& value) {
  return std::llround(std::ldexp(value.to_double(), T::width - T::iwidth));
}

class Data {
 public:
  explicit Data(const std::string& dir) : dir_(dir) {
    const std::string path = dir + "/meta.txt";
    std::ifstream in(path);
    if (!in) fail(path + ": missing or unreadable (run from the project folder, or pass the tb_data folder)");
    std::string key, value;
    while (in >> key >> value) meta_[key] = value;
    trials_ = meta_int("trials");
    steps_ = meta_int("steps");
  }

  const std::string& meta(const std::string& key) const {
    const auto it = meta_.find(key);
    if (it == meta_.end()) fail(dir_ + "/meta.txt: no '" + key + "' line");
    return it->second;
  }
  long long meta_int(const std::string& key) const {
    const std::string& text = meta(key);
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0') fail(dir_ + "/meta.txt: '" + key + "' is not an integer: " + text);
    return v;
  }
  // Stops unless meta.txt's `key` is `want` (the configuration the testbench was built for).
  void expect(const std::string& key, long long want) const {
    if (meta_int(key) != want) {
      fail(dir_ + "/meta.txt: " + key + " " + meta(key) + ", but the kernel was built with " + std::to_string(want) +
           " (tb_data from another network?)");
    }
  }

  int trials() const { return static_cast<int>(trials_); }
  int steps() const { return static_cast<int>(steps_); }

  // <signal>.dat: trials · steps lines of `width` integers each, row-major.
  std::vector<long long> load(const std::string& signal, int width) const {
    const std::string path = dir_ + "/" + signal + ".dat";
    std::ifstream in(path);
    if (!in) fail(path + ": missing or unreadable");
    std::vector<long long> values;
    values.reserve(static_cast<std::size_t>(trials_ * steps_ * width));
    std::string line;
    for (long long row = 0; row < trials_ * steps_; ++row) {
      if (!std::getline(in, line)) {
        fail(path + ": " + std::to_string(row) + " lines, expected " + std::to_string(trials_ * steps_) +
             " (trials x steps)");
      }
      std::istringstream fields(line);
      long long v = 0;
      int n = 0;
      while (fields >> v) {
        values.push_back(v);
        ++n;
      }
      if (n != width || !fields.eof()) {
        fail(path + ":" + std::to_string(row + 1) + ": " + std::to_string(n) + " integers, expected " +
             std::to_string(width));
      }
    }
    return values;
  }

 private:
  std::string dir_;
  std::map<std::string, std::string> meta_;
  long long trials_ = 0, steps_ = 0;
};

// Counts comparisons and reports the first mismatches (trial, step, signal, unit).
class Checker {
 public:
  void check(const char* signal, int trial, int step, int unit, long long expected, long long actual) {
    ++compared_;
    if (expected == actual) return;
    if (++mismatches_ <= kReported) {
      std::printf("MISMATCH trial %d step %d %s[%d]: expected %lld, actual %lld\n", trial, step, signal, unit,
                  expected, actual);
    }
  }
  long long compared() const { return compared_; }
  long long mismatches() const { return mismatches_; }

 private:
  static const long long kReported = 20;
  long long compared_ = 0, mismatches_ = 0;
};

// Iterations of the step kernel's pipelined loops per step, when built with
// -DNF_HLS_COUNT_ITERATIONS (nf_hls_fixed.h); `neurofab hls` writes the
// expected figures into README.md and hls.json, and the tests compare them.
class IterationStats {
 public:
  // Around each call of the step top (called directly, for cosim's sake).
  void begin() {
#ifdef NF_HLS_COUNT_ITERATIONS
    before_ = nf_hls::pipelined_iterations();
#endif
  }
  void end() {
#ifdef NF_HLS_COUNT_ITERATIONS
    const unsigned long long n = nf_hls::pipelined_iterations() - before_;
    total_ += n;
    max_ = n > max_ ? n : max_;
    ++steps_;
#endif
  }
  void report() const {
#ifdef NF_HLS_COUNT_ITERATIONS
    std::printf("nf csim: step kernel pipelined-loop iterations per step: mean %.6f max %llu\n",
                steps_ > 0 ? static_cast<double>(total_) / static_cast<double>(steps_) : 0.0, max_);
#endif
  }

 private:
  unsigned long long before_ = 0, total_ = 0, max_ = 0, steps_ = 0;
};

// Stops unless tb_data was written for this model family and these sizes, then
// prints the run's line (family, sizes, lanes, trials, steps, types).
template <class C>
void check_shape(const Data& data, const std::string& model) {
  if (data.meta("model") != model) fail("tb_data is for a " + data.meta("model") + ", not a " + model);
  data.expect("n_in", C::n_in);
  data.expect("n_rec", C::n_rec);
  data.expect("n_out", C::n_out);
  std::printf("nf csim: %s n_in %u n_rec %u n_out %u lanes %u, %d trials x %d steps, types %s\n", model.c_str(),
              C::n_in, C::n_rec, C::n_out, C::lanes, data.trials(), data.steps(), NF_HLS_TYPES_NAME);
}

// The sequence top (what csynth and cosim build) is called directly by each
// testbench, once per trial (cosim must see a direct call of the top); these
// two prepare its input stream and check its output stream.

// The vectors the sequence top's checks read, loaded once for every trial.
template <class C>
struct StreamVectors {
  explicit StreamVectors(const Data& data)
      : input(data.load("input", C::n_in)),
        output(data.load("output", C::n_out)),
        overflow(data.load("overflow_events", 1)) {}
  std::vector<long long> input, output, overflow;
};

// The trial's inputs, n_in words per step, as a DMA would send them (TLAST on
// the last word; the kernel does not rely on it).
template <class C>
void fill_input_stream(const Data& data, const StreamVectors<C>& vectors, int trial,
                       hls::stream<nf_hls::stream_word<typename C::input_t> >& x_stream) {
  const std::vector<long long>& input = vectors.input;
  const long long first = static_cast<long long>(trial) * data.steps();
  for (int step = 0; step < data.steps(); ++step) {
    for (unsigned k = 0; k < C::n_in; ++k) {
      nf_hls::stream_word<typename C::input_t> word;
      word.data = from_code<typename C::input_t>(input[(first + step) * C::n_in + k]);
      word.last = step + 1 == data.steps() && k + 1 == C::n_in;
      x_stream.write(word);
    }
  }
}

// The top's output stream against every step's y, TLAST on the trial's last
// word and on no other, nothing left over, and the trial's overflow count.
template <class C>
void check_output_stream(const Data& data, const StreamVectors<C>& vectors, int trial,
                         hls::stream<nf_hls::stream_word<typename C::output_t> >& y_stream, unsigned overflow_events,
                         Checker& checker) {
  const std::vector<long long>& output = vectors.output;
  const std::vector<long long>& overflow = vectors.overflow;
  const long long first = static_cast<long long>(trial) * data.steps();
  long long trial_overflow = 0;
  for (int step = 0; step < data.steps(); ++step) {
    trial_overflow += overflow[first + step];
    for (unsigned m = 0; m < C::n_out; ++m) {
      const long long expected = output[(first + step) * C::n_out + m];
      if (y_stream.empty()) {
        checker.check("top y (stream ended early)", trial, step, static_cast<int>(m), expected, -1);
        continue;
      }
      const nf_hls::stream_word<typename C::output_t> word = y_stream.read();
      checker.check("top y", trial, step, static_cast<int>(m), expected, code_of(word.data));
      const bool last_word = step + 1 == data.steps() && m + 1 == C::n_out;
      checker.check("top TLAST", trial, step, static_cast<int>(m), last_word ? 1 : 0, word.last == 1 ? 1 : 0);
    }
  }
  checker.check("top words left in y_stream", trial, data.steps(), 0, 0, static_cast<long long>(y_stream.size()));
  checker.check("top overflow_events (trial)", trial, data.steps(), 0, trial_overflow, overflow_events);
}

// The closing lines: what was compared, PASS (exit 0) or FAIL (exit 1).
inline int report(const Data& data, const Checker& checker, long long step_values, const char* step_kernel,
                  const char* signals, const char* top) {
  std::printf("nf csim: %s: %lld values (%s) at %lld timesteps; %s: %lld values\n", step_kernel, step_values,
              signals, static_cast<long long>(data.trials()) * data.steps(), top, checker.compared() - step_values);
  if (checker.mismatches() != 0) {
    std::printf("FAIL: %lld of %lld values differ from the golden model\n", checker.mismatches(), checker.compared());
    return 1;
  }
  std::printf("PASS: all %lld values equal the golden model\n", checker.compared());
  return 0;
}

}  // namespace nf_tb

#endif  // NF_TB_DATA_H_
