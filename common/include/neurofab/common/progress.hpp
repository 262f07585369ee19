#pragma once
// Progress of a long loop: on a terminal one line rewritten in place (epoch,
// metrics, ETA); otherwise plain log lines, at most one every few seconds, so
// CI logs and redirected output stay readable.

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

namespace nf {

// A library's progress hook for a long call (verify, build, hls export,
// compare): `done` of `total` steps are finished and `stage` names the step
// that starts now (when done == total: how the call ended, e.g. "done").
// `done` grows by one per call, from 0 to `total`. Optional: an empty
// callback (the default everywhere) costs nothing and prints nothing; the
// CLI passes none. Called on the thread doing the work.
using ProgressCallback = std::function<void(int done, int total, const std::string& stage)>;

// Calls `progress` when it is set.
inline void report_progress(const ProgressCallback& progress, int done, int total, const std::string& stage) {
  if (progress) progress(done, total, stage);
}

class ProgressReporter {
 public:
  // Iterations `first`..`total` are expected (for the ETA: a resumed run
  // starts at first > 0); output goes to `stream`.
  // `unit` names an iteration in the line ("epoch", "cycle").
  ProgressReporter(std::FILE* stream, long first, long total, double log_interval_seconds = 5.0,
                   std::string unit = "epoch");

  // `done` iterations finished; `fields` is preformatted, e.g. "loss 0.012 acc 97.0%".
  void update(long done, const std::string& fields);
  // Ends the live line (on a terminal) and prints a final plain line.
  void finish(long done, const std::string& fields);

  bool is_terminal() const { return is_terminal_; }

 private:
  std::string line(long done, const std::string& fields) const;

  std::FILE* stream_;
  long first_;
  long total_;
  double log_interval_seconds_;
  std::string unit_;
  bool is_terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_log_;
};

}  // namespace nf
