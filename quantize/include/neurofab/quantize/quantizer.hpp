#pragma once
// The quantization pass: a trained float network → formats, integer tensors
// and the integer golden model (docs/fixed-point.md).
//
// Calibration runs the float model on task trials and takes, per signal, its
// max-abs or a percentile of |value| (inputs, states, currents, membranes,
// outputs); weights and biases use their own max-abs. A range R in W bits gets
// F = W - 2 - floor(log2 R), the finest grid whose range exceeds R (R = 0: F = W - 1).
// Any format can be overridden by name. Presets by bit width: weights and
// biases get `weight_bits`, states, currents, membranes and outputs
// `state_bits`, inputs `input_bits`.

#include <map>
#include <string>

#include "neurofab/models/artifact.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/quantize/integer_lif_rnn.hpp"
#include "neurofab/quantize/integer_rate_rnn.hpp"

namespace nf::quantize {

enum class Calibration { kMaxAbs, kPercentile };
std::string to_string(Calibration calibration);
Calibration calibration_from_string(const std::string& name);  // throws nf::InputError

struct QuantizeOptions {
  int weight_bits = 8;
  int state_bits = 16;
  int input_bits = 16;
  Rounding rounding = Rounding::kHalfUp;
  Overflow overflow = Overflow::kSaturate;
  Calibration calibration = Calibration::kMaxAbs;
  double percentile = 99.99;   // for kPercentile, in (0, 100]
  int calibration_trials = 64;
  std::uint64_t calibration_seed = 0;  // the task trials of calibration (a stream of this seed)
  // Formats by name, replacing the calibrated ones. Names: input, W_in, W_rec,
  // b_rec, W_out, b_out, output, and state (rate) or current, membrane (LIF).
  std::map<std::string, FixedFormat> overrides;
  // Rate RNN.
  bool piecewise_linear = false;
  int table_index_bits = 10;
  int table_input_frac_bits = 7;  // with 10 index bits: tanh over ±4
  int interpolation_bits = 4;
  int leak_bits = 16;
  // LIF.
  DecaySpec decay;

  void validate() const;  // throws nf::InputError naming the option
};

// The signal ranges calibration measured (max-abs or percentile), by format name.
using CalibrationRanges = std::map<std::string, double>;

// F for range `range` in `bits` bits (see above).
int frac_bits_for_range(double range, int bits);
// Bits of the signed accumulator that holds any value of magnitude ≤ bound.
int bits_for_magnitude(double bound);

struct QuantizedRate {
  IntegerRateRnn network;
  CalibrationRanges ranges;
};
struct QuantizedLif {
  IntegerLifRnn network;
  CalibrationRanges ranges;
};

QuantizedRate quantize_rate(const models::RateRnnArtifact& artifact, const QuantizeOptions& options);
QuantizedLif quantize_lif(const models::LifRnnArtifact& artifact, const QuantizeOptions& options);
// Either of the two, by the artifact's family (for code generic over families).
inline QuantizedRate quantize_network(const models::RateRnnArtifact& a, const QuantizeOptions& o) {
  return quantize_rate(a, o);
}
inline QuantizedLif quantize_network(const models::LifRnnArtifact& a, const QuantizeOptions& o) {
  return quantize_lif(a, o);
}

}  // namespace nf::quantize
