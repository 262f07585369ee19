#pragma once
// A quantized network as one folder, beside the float artifact it came from
// (docs/fixed-point.md, "The quantized artifact"):
//
//   <qdir>/model.json          format "neurofab-quantized", model type and the float
//                              model's section, task, seed, source artifact, the
//                              `fixed_point` section (rounding, overflow, every
//                              format, accumulator widths, activation table or
//                              decay form, leak, threshold), the calibration and,
//                              after quantization-aware fine-tuning, "fine_tuning"
//   <qdir>/W_in.npy ... b_out  integer codes, int32, C order, W[post, pre]
//   <qdir>/activation_table.npy  rate, tanh: the table, int32 codes in the state format
//   <qdir>/beta.npy, alpha_syn.npy  LIF: per-unit decay parameters (k or d_q), int32
//
// Saving stages the folder and swaps it in; loading checks every field, every
// shape and that every code fits its format, and names the file and field of
// the first defect (nf::InputError).

#include <filesystem>
#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "neurofab/models/family.hpp"
#include "neurofab/quantize/integer_lif_rnn.hpp"
#include "neurofab/quantize/integer_rate_rnn.hpp"
#include "neurofab/quantize/quantizer.hpp"

namespace nf::quantize {

inline constexpr int kQuantizedFormatVersion = 1;

// How the codes were fine-tuned (quantization-aware, see fine_tuning.hpp).
struct FineTuneRecord {
  int epochs = 0;
  double learning_rate = 0;
  int steps_per_epoch = 0;
  int selection_trials = 0;
  int best_epoch = 0;              // the epoch whose weights were kept (0: none beat plain quantization)
  double selection_success = 0;    // of the kept weights, rounded, on the selection trials
};

struct QuantizedArtifact {
  std::variant<IntegerRateRnn, IntegerLifRnn> network;
  std::string task_name;
  std::map<std::string, double> task_params;
  std::uint64_t seed = 0;
  std::string source;  // the float artifact's folder, as given
  QuantizeOptions options;
  CalibrationRanges ranges;
  std::optional<FineTuneRecord> fine_tuning;  // model.json "fine_tuning", when present

  models::Family family() const {
    return std::holds_alternative<IntegerRateRnn>(network) ? models::Family::kRate : models::Family::kLif;
  }
};

// The quantized artifact of a float one (calibration, formats, codes).
QuantizedArtifact quantize_artifact(const models::Artifact& artifact, const std::string& source,
                                    const QuantizeOptions& options);

// The `fixed_point` section of model.json (rounding, overflow, every format,
// accumulators, activation table or decay form, leak, threshold) — also what
// golden vectors record, so the two cannot drift apart.
nlohmann::json format_to_json(const FixedFormat& format);
nlohmann::json fixed_point_to_json(const IntegerRateRnn& network);
nlohmann::json fixed_point_to_json(const IntegerLifRnn& network);

void save_quantized(const std::filesystem::path& dir, const QuantizedArtifact& artifact);
QuantizedArtifact load_quantized(const std::filesystem::path& dir);
// True when dir/model.json says "neurofab-quantized" (false for float artifacts
// and anything unreadable: load_* then gives the precise error).
bool is_quantized_artifact(const std::filesystem::path& dir);

}  // namespace nf::quantize
