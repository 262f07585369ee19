#pragma once
// Progress of a long loop: on a terminal one line rewritten in place (epoch,
// metrics, ETA); otherwise plain log lines, at most one every few seconds, so
// CI logs and redirected output stay readable.

#include <chrono>
#include <cstdio>
#include <string>

namespace nf {

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
