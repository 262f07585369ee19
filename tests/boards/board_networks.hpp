#pragma once
// Quantized networks for the build-flow tests: random weights (the flow does
// not care whether a network was trained), sized by the test.
#include "neurofab/quantize/quantized_artifact.hpp"
#include "stress_networks.hpp"

namespace nf::test {

// A rate RNN on xor (n_in 2, n_out 1), 8-bit weights, 16-bit state.
inline quantize::QuantizedArtifact board_rate_network(int units) {
  return quantize::quantize_artifact(random_rate_network("xor", units, {}, 1.2, 5), "board-test", {});
}

// A LIF RNN on xor that spikes (biases around 0.8), Poisson-encoded inputs
// (the core sees 2·n_in = 4 inputs), multiplier decays.
inline quantize::QuantizedArtifact board_lif_network(int units) {
  models::LifRnnConfig config;
  config.encoding = models::InputEncoding::kPoisson;
  return quantize::quantize_artifact(random_lif_network("xor", units, config, 1.5, 0.8, 5), "board-test", {});
}

}  // namespace nf::test
