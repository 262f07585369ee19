#ifndef NF_TB_DATA_H_
#define NF_TB_DATA_H_
// The C-simulation testbench's side: golden vectors from tb_data/ and the
// bit-exact comparison against them (testbench only: std library, no HLS rules).
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

}  // namespace nf_tb

#endif  // NF_TB_DATA_H_
