#pragma once
// A trained ELiSe network as one folder (docs/elise.md, "Artifact"):
//
//   <dir>/model.json        format, format_version, "model_type": "elise",
//                           config (sizes, variant, connectivity), parameters,
//                           seed, pattern name, training record (as given),
//                           scaffold (parents per latent neuron), step counter,
//                           tensor index
//   <dir>/W_den.npy         dendritic weights W(post, pre), float64, n x n
//   <dir>/mask_W_den.npy    synapses that exist, uint8 0/1, n x n
//   <dir>/delays.npy        delay per presynaptic neuron in steps, int32, n
//   <dir>/pattern_rates.npy the pattern the network learned, float64, n_visible x T
//   <dir>/state/*.npy       u, v, rbar (n), rate_history (n x H), g_exc, g_inh
//                           (n), float64 — so training continues exactly
//
// Weights and state are float64 so that save, load and continue is
// bit-identical to never saving. Written through StagingDir (atomic); loading
// checks every field and tensor and names the file and field on error.

#include <cstdint>
#include <filesystem>
#include <string>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurofab/common/json_fields.hpp"
#include "neurofab/models/elise/network.hpp"

namespace nf::models {

inline constexpr int kEliseArtifactFormatVersion = 1;
inline constexpr const char* kEliseModelType = "elise";

struct EliseArtifact {
  EliseNetwork network;
  std::uint64_t seed = 0;
  std::string pattern_name;
  Eigen::MatrixXd pattern_rates;  // n_visible x steps per cycle
  nlohmann::json training;        // the training record, stored as given
};

nlohmann::json elise_config_to_json(const EliseConfig& config);
// Reads the "config" object of model.json; errors name the file and field.
EliseConfig elise_config_from_json(const JsonFields& config);

void save_elise_artifact(const std::filesystem::path& dir, const EliseArtifact& artifact);
// Throws nf::InputError naming the file and field.
EliseArtifact load_elise_artifact(const std::filesystem::path& dir);
// True if dir/model.json exists and says "model_type": "elise" (no other checks).
bool is_elise_artifact(const std::filesystem::path& dir);

}  // namespace nf::models
