#pragma once
// Success against weight width — the one implementation, behind `neurofab
// quantize --sweep-bits`, the bits axis of `neurofab analyze degradation` and
// the quantization columns of the training sweep. For each weight width b
// (states keep the base options' width) the network is quantized and scored
// (models/output_scores.hpp) on the same evaluation trials at three levels:
// the float model, the float model with its weights replaced by their b-bit
// values (weight quantization alone), and the integer golden model
// (everything in fixed point, quantize::integer_outputs); with fine-tuning
// options, a fourth: the integer model after quantization-aware fine-tuning
// at that width.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "neurofab/models/artifact.hpp"
#include "neurofab/models/output_scores.hpp"
#include "neurofab/quantize/fine_tuning.hpp"
#include "neurofab/quantize/quantizer.hpp"

namespace nf::quantize {

// One width's levels.
struct WidthPoint {
  int weight_bits = 0;
  int state_bits = 0;
  models::OutputScores quantized_weights;  // the float model, weights replaced by their codes' values
  models::OutputScores integer;            // the integer golden model
  std::int64_t overflow_events = 0;        // of the integer model, over all trials
  std::optional<models::OutputScores> fine_tuned;  // the integer model after fine-tuning (with FineTuneOptions)
};

struct WidthSweep {
  models::OutputScores float_reference;  // the float model itself, on the same trials
  std::vector<WidthPoint> points;        // in the order of weight_bits
};

// `trials` evaluation trials of `seed` at every width of `weight_bits`.
WidthSweep success_against_width(const models::Artifact& artifact, const QuantizeOptions& base,
                                 const std::vector<int>& weight_bits, int trials, std::uint64_t seed,
                                 const std::optional<FineTuneOptions>& fine_tuning = std::nullopt);

// The float network with W_in, W_rec, b_rec, W_out, b_out replaced by the
// values of their codes in `quantized` (weight quantization alone).
models::RateRnn<float> with_quantized_weights(models::RateRnn<float> network, const IntegerRateRnn& quantized);
models::LifRnn<float> with_quantized_weights(models::LifRnn<float> network, const IntegerLifRnn& quantized);

// The table of `neurofab quantize --sweep-bits` (sweep.csv, sweep.md): one row
// per width, on the artifact's own seed.
struct SweepRow {
  int weight_bits = 0;
  int state_bits = 0;
  double float_success = 0, float_mse = 0;
  double quantized_weights_success = 0, quantized_weights_mse = 0;
  double integer_success = 0, integer_mse = 0;
  std::int64_t overflow_events = 0;
  std::optional<double> fine_tuned_success, fine_tuned_mse;  // with fine-tuning only
};

std::vector<SweepRow> sweep_rows(const WidthSweep& sweep);
// success_against_width on the artifact's seed, as table rows.
std::vector<SweepRow> bit_width_sweep(const models::Artifact& artifact, const QuantizeOptions& base,
                                      const std::vector<int>& weight_bits, int trials,
                                      const std::optional<FineTuneOptions>& fine_tuning = std::nullopt);

std::string sweep_csv(const std::vector<SweepRow>& rows);
std::string sweep_markdown(const std::vector<SweepRow>& rows);

}  // namespace nf::quantize
