// Runs a quantized artifact's integer model on evaluation trials
// (quantize::run_trials) and prints one FNV-1a hash of every recorded signal
// of every step, plus the overflow count. Built twice — from the quantize
// sources compiled at -O0 and from the optimised library — so a test can check
// that the integer model does not depend on the optimisation level.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/quantize/trial_run.hpp"

using namespace nf;

namespace {

struct Hash {
  std::uint64_t value = 1469598103934665603ull;
  void add(std::int64_t x) {
    for (int byte = 0; byte < 8; ++byte) {
      value ^= static_cast<std::uint64_t>(x >> (8 * byte)) & 0xff;
      value *= 1099511628211ull;
    }
  }
  template <typename T>
  void add_all(const std::vector<T>& values) {
    for (const T v : values) add(v);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <qdir> <trials>\n", argv[0]);
    return 2;
  }
  const quantize::QuantizedArtifact q = quantize::load_quantized(argv[1]);
  const golden::GoldenTrace trace = quantize::run_trials(q, std::atoi(argv[2]), q.seed);
  Hash hash;
  for (const golden::Signal& s : trace.signals()) {
    if (s.is_int64()) {
      hash.add_all(trace.values<std::int64_t>(s.name));
    } else {
      hash.add_all(trace.values<std::int32_t>(s.name));
    }
  }
  std::int64_t overflow = 0;
  for (const std::int64_t n : trace.values<std::int64_t>("overflow_events")) overflow += n;
  std::printf("%016llx %lld\n", static_cast<unsigned long long>(hash.value), static_cast<long long>(overflow));
  return 0;
}
