#pragma once
// A trained network as one self-describing folder — the artifact every later
// stage reads. Layout (docs/artifact.md):
//
//   <dir>/model.json              format version, model type (rate_rnn, lif_rnn), shapes,
//                                 hyper-parameters, initialisation, task + parameters,
//                                 seed, training configuration, state and log, tensor index
//   <dir>/W_in.npy ... b_out.npy  weights, float32, C order, W[post, pre]
//   <dir>/beta.npy, alpha_syn.npy LIF only: per-unit decays, float32
//   <dir>/mask_W_*.npy            connectivity masks, uint8 0/1
//   <dir>/optimizer/*.npy         Adam moments, so training can be resumed
//
// Saving assembles the folder under a temporary name and swaps it into place;
// loading checks every field and tensor and reports the first defect as one
// nf::InputError naming the file and field.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "neurofab/common/json_fields.hpp"
#include "neurofab/models/family.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/rate_rnn.hpp"
#include "neurofab/models/training.hpp"

namespace nf::models {

inline constexpr int kArtifactFormatVersion = 1;

template <typename Network>
struct TrainedArtifact {
  Network network;
  NetworkInit init;
  std::string task_name;
  std::map<std::string, double> task_params;
  std::uint64_t seed = 0;
  TrainingConfig training;
  TrainingState state;
};
using RateRnnArtifact = TrainedArtifact<RateRnn<float>>;
using LifRnnArtifact = TrainedArtifact<LifRnn<float>>;
using Artifact = std::variant<RateRnnArtifact, LifRnnArtifact>;

// The "model" section of model.json for each family, and back (checked: an
// error names the file and field). Quantized artifacts reuse them.
nlohmann::json model_to_json(const RateRnnConfig& config);
nlohmann::json model_to_json(const LifRnnConfig& config);
RateRnnConfig rate_config_from_json(const JsonFields& model);
LifRnnConfig lif_config_from_json(const JsonFields& model);

Family family_of(const Artifact& artifact);
// "rate_rnn" or "lif_rnn", as in model.json; and a name for people.
std::string model_type(const Artifact& artifact);
std::string model_description(const Artifact& artifact);

void save_artifact(const std::filesystem::path& dir, const RateRnnArtifact& artifact);
void save_artifact(const std::filesystem::path& dir, const LifRnnArtifact& artifact);
// Loads either family; throws nf::InputError naming the file and field.
Artifact load_artifact(const std::filesystem::path& dir);
// Loads an artifact that must be of one family (an error names the one it is).
RateRnnArtifact load_rate_artifact(const std::filesystem::path& dir);
LifRnnArtifact load_lif_artifact(const std::filesystem::path& dir);

}  // namespace nf::models
