#pragma once
// NIR graphs into neurofab: a float LIF artifact, or — for a graph neurofab
// wrote from a quantized network (the integer profile) — the quantized folder,
// rebuilt from the file alone.
//
// Accepted: one Input, one Output, and between them one recurrent LIF layer
//   Input → Affine|Linear → CubaLIF|LIF (⇄ Affine|Linear) → Affine|Linear → [LI] → Output
// Nested NIRGraph nodes (snnTorch's older RNN subgraphs) are flattened first.
// Every other node type, a second layer, an edge that does not fit this shape,
// a size that disagrees, v_leak ≠ 0, v_reset ≠ 0, thresholds that differ
// between units, a τ shorter than the step or not finite: refused, one line
// naming the file and node. What the import assumes or folds, it says (notes).
//
// Semantics for a graph without neurofab metadata (docs/interop.md):
//   - the time step comes from the caller (--dt); τ are in seconds; decays are
//     forward Euler, d = 1 - dt/τ (NIR's reference, snnTorch, Norse), or
//     exp(-dt/τ) when the caller says so (the gains below have the same form);
//   - CubaLIF's gains: the Euler step is I_t = α I + (1-α) w_in S and
//     v_t = β v + (1-β) r I; neurofab's is I_t = α I + S, u_t = β v + I, so the
//     per-unit gain g = (1-α) w_in (1-β) r (LIF: (1-β) r) multiplies the rows of
//     W_in, W_rec and b, and is taken as exactly 1 within 1e-5 (snnTorch writes
//     r and w_in from float32 decays); LI's (1-κ) r multiplies W_out and b_out;
//   - the biases of the input and recurrent Affine nodes add up to b;
//   - the reset is NIR's (to v_reset = 0) unless the caller says subtract.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "neurofab/interop/nir_graph.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::interop {

struct NirImportOptions {
  std::optional<double> dt_seconds;          // required for graphs without neurofab metadata
  std::optional<models::ResetMode> reset;    // for graphs without neurofab metadata (default: zero, as NIR)
  bool exponential_decay = false;            // d = exp(-dt/τ) (e.g. Rockpool) instead of forward Euler's 1 - dt/τ
  std::optional<std::string> task_name;      // required for graphs without neurofab metadata;
  std::map<std::string, double> task_params; // a data file: models::kDataTaskName and register_task_data()
};

// The quantized folder an integer-profile graph rebuilds: model.json (without
// its tensor index) and every tensor's integer codes, [post, pre] C order.
struct QuantizedFiles {
  nlohmann::json model;
  struct Tensor {
    std::vector<std::int64_t> shape;
    std::vector<std::int32_t> codes;
  };
  std::map<std::string, Tensor> tensors;
  std::string task_name;  // the task section is written from these (a data task's file copied in)
  std::map<std::string, double> task_params;
};

struct NirImport {
  std::optional<models::LifRnnArtifact> artifact;  // the float profile (and every foreign graph)
  std::optional<QuantizedFiles> quantized;         // the integer profile
  bool neurofab_metadata = false;                  // the graph was written by neurofab
  std::vector<std::string> notes;                  // what was assumed or folded, for the user
};

// `file` names the graph in messages. Throws nf::InputError.
NirImport import_nir(const NirNode& graph, const std::string& file, const NirImportOptions& options);

// Writes the imported network as an artifact folder (atomically); an integer
// profile's folder is loaded back (every check of load_quantized) before it
// replaces `out`. Throws nf::InputError naming `file` when it does not load.
void write_import(const NirImport& imported, const std::string& file, const std::filesystem::path& out);

}  // namespace nf::interop
