#pragma once
// Success against bit width: for each weight width b (states keep the base
// options' width), the network is quantized and evaluated three ways on the
// same trials — the float model, the float model with its weights replaced by
// their b-bit values (weight quantization alone), and the integer golden
// model (everything in fixed point); with fine-tuning options, a fourth: the
// integer model after quantization-aware fine-tuning at that width.

#include <optional>
#include <string>
#include <vector>

#include "neurofab/models/artifact.hpp"
#include "neurofab/quantize/fine_tuning.hpp"
#include "neurofab/quantize/quantizer.hpp"

namespace nf::quantize {

struct SweepRow {
  int weight_bits = 0;
  int state_bits = 0;
  double float_success = 0, float_mse = 0;
  double quantized_weights_success = 0, quantized_weights_mse = 0;
  double integer_success = 0, integer_mse = 0;
  std::int64_t overflow_events = 0;
  std::optional<double> fine_tuned_success, fine_tuned_mse;  // with fine-tuning only
};

std::vector<SweepRow> bit_width_sweep(const models::Artifact& artifact, const QuantizeOptions& base,
                                      const std::vector<int>& weight_bits, int trials,
                                      const std::optional<FineTuneOptions>& fine_tuning = std::nullopt);

std::string sweep_csv(const std::vector<SweepRow>& rows);
std::string sweep_markdown(const std::vector<SweepRow>& rows);

}  // namespace nf::quantize
