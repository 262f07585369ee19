#pragma once
// neurofab's LIF networks as NIR graphs (docs/interop.md has the table).
//
//   input (Input [n_in_enc]) → w_in (Affine: W_in, b) → lif (CubaLIF, or LIF when
//   every α_s = 0) ⇄ w_rec (Linear: W_rec) ; lif → w_out (Affine: W_out, b_out)
//   → readout (LI, only when κ > 0) → output (Output [n_out])
//
// Time: NIR states τ dv/dt = (v_leak - v) + r I with no time step. The graph is
// written for a step of dt seconds (the network's own by default) with NIR's
// reference discretisation, forward Euler: decay d = 1 - dt/τ, so τ = dt/(1-d).
// r = 1/(1-β) and w_in = 1/(1-α_s) make the Euler step v_t = β v_{t-1} + I_t
// exactly (LI: r = 1/(1-κ)). Rounding 1 - dt/τ to float32 gives back
// neurofab's float32 decay exactly (the writer checks it).
//
// What NIR cannot say goes into namespaced metadata ("neurofab" groups): the
// reset by subtraction (NIR resets to v_reset only), refractory periods, the
// input encoding, connectivity masks, dt and its unit, the model, task and
// seed; for a quantized network (the integer profile) every integer code,
// format, rounding and overflow mode and the decay form, so that the integer
// model is rebuilt from the file alone (nir_import.hpp).

#include <filesystem>
#include <optional>

#include "neurofab/interop/nir_graph.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::interop {

inline constexpr const char* kNirMetadataKey = "neurofab";
inline constexpr const char* kNirFormat = "neurofab-nir";
inline constexpr int kNirFormatVersion = 1;

struct NirExportOptions {
  std::optional<double> dt_seconds;  // the step the τ are written for; default dt_ms / 1000
};

// Throws nf::InputError when a decay is 1 (no leak: NIR's LIF has no such τ).
NirNode lif_to_nir(const models::LifRnnArtifact& artifact, const NirExportOptions& options = {});

// The integer profile. `model_json` is the quantized folder's model.json (its
// sections go into the metadata as they are).
NirNode quantized_lif_to_nir(const quantize::QuantizedArtifact& artifact, const nlohmann::json& model_json,
                             const NirExportOptions& options = {});

// Exports the folder (a float LIF artifact or a quantized LIF folder) to `nir_file`.
// A rate network is refused with one line: NIR has no leaky tanh unit.
void export_nir(const std::filesystem::path& dir, const std::filesystem::path& nir_file,
                const NirExportOptions& options = {});

}  // namespace nf::interop
