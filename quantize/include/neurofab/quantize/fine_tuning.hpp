#pragma once
// Quantization-aware fine-tuning (docs/fixed-point.md, "Fine-tuning"): a
// trained float network is trained on for a few epochs with its weights and
// biases rounded to their fixed-point formats in every forward and backward
// pass (straight-through estimator, models::WeightProjection), so it learns
// weights that still work after rounding. The formats are those the quantizer
// chooses for the trained network and stay fixed while fine-tuning; the
// result is pinned to them, so quantizing the fine-tuned network gives codes
// whose values are exactly the weights the fine-tuning ended with.
//
// Fine-tuning keeps the best epoch, not the last: after every epoch (and
// before the first) the rounded network runs `selection_trials` fresh trials,
// and the weights with the highest success (then the lowest MSE) win. Epoch 0
// is plain post-training quantization, so fine-tuning never returns a network
// that does worse on those trials than no fine-tuning.
//
// What is rounded: W_in, W_rec, b_rec, W_out, b_out (rounding and saturation
// as the quantizer does). States, the tanh table and the LIF decays stay float
// while fine-tuning; at 16-bit states their error is far below the weights'.

#include <vector>

#include "neurofab/models/artifact.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/quantizer.hpp"

namespace nf::quantize {

struct FineTuneOptions {
  int epochs = 30;              // all run; the best is kept
  double learning_rate = 5e-4;  // below training's 2e-3: the network only has to settle onto the grid
  int steps_per_epoch = 10;
  int selection_trials = 256;

  void validate() const;  // throws nf::InputError naming the option
};

struct FineTuned {
  models::Artifact artifact;  // the fine-tuned float network; its weights lie on their grids
  QuantizeOptions options;    // the given options with the fine-tuning's weight formats as overrides
  std::vector<models::EpochRecord> log;
  int best_epoch = 0;                // 0: fine-tuning did not beat plain quantization
  double selection_success = 0;      // of the kept weights, rounded, on the selection trials
  std::vector<double> epoch_success;  // the same per epoch, [0] before fine-tuning
};

// Fine-tunes `artifact` for `options`' formats. The batches come from a stream
// of the artifact's seed that its training did not use (deterministic).
FineTuned fine_tune(const models::Artifact& artifact, const QuantizeOptions& options, const FineTuneOptions& fine_tune);

// The formats of the tensors fine-tuning rounds, by name (W_in, W_rec, b_rec, W_out, b_out).
template <typename Spec>
std::map<std::string, FixedFormat> weight_formats(const Spec& spec);

// The projection of fine-tuning for the given weight formats (by tensor name):
// round to the format's grid and saturate; clamp to the format's range.
models::WeightProjection fixed_point_projection(const std::map<std::string, FixedFormat>& formats, Rounding rounding);

}  // namespace nf::quantize
