#include "neurofab/interop/nir_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/json_fields.hpp"
#include "neurofab/common/npy.hpp"
#include "neurofab/interop/nir_export.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/tasks/task_data.hpp"

namespace nf::interop {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A gain within this of 1 is taken as exactly 1: snnTorch computes r and w_in
// from float32 decays (r = 9.99999762 for β = 0.9).
constexpr double kUnitGainTolerance = 1e-5;

constexpr const char* kShape =
    "neurofab imports one recurrent LIF layer: Input -> Affine|Linear -> CubaLIF|LIF (<-> Affine|Linear) -> "
    "Affine|Linear -> [LI] -> Output";

// ---------------------------------------------------------------- the graph's shape

struct FlatGraph {
  std::map<std::string, NirNode> nodes;
  std::vector<std::pair<std::string, std::string>> edges;

  std::vector<std::string> successors(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [from, to] : edges)
      if (from == name) out.push_back(to);
    return out;
  }
  std::vector<std::string> predecessors(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [from, to] : edges)
      if (to == name) out.push_back(from);
    return out;
  }
};

// Nested NIRGraph nodes are replaced by their nodes (named "<graph>.<node>"),
// their own Input and Output nodes by direct edges.
FlatGraph flatten(const NirNode& graph, const std::string& file) {
  FlatGraph flat;
  std::set<std::string> pass_through;
  std::map<std::string, std::string> entry, exit;  // a subgraph's name → its inner input / output node
  for (const auto& [name, node] : graph.nodes) {
    if (node.type != "NIRGraph") {
      flat.nodes.emplace(name, node);
      continue;
    }
    FlatGraph inner = flatten(node, file);
    std::vector<std::string> inputs, outputs;
    for (auto& [inner_name, inner_node] : inner.nodes) {
      const std::string full = name + "." + inner_name;
      if (inner_node.type == "Input") inputs.push_back(full);
      if (inner_node.type == "Output") outputs.push_back(full);
      if (inner_node.type == "Input" || inner_node.type == "Output") pass_through.insert(full);
      flat.nodes.emplace(full, std::move(inner_node));
    }
    if (inputs.size() != 1 || outputs.size() != 1) {
      throw InputError(fmt::format("{}: subgraph '{}' has {} Input and {} Output nodes; neurofab flattens subgraphs "
                                   "with one of each",
                                   file, name, inputs.size(), outputs.size()));
    }
    entry[name] = inputs[0];
    exit[name] = outputs[0];
    for (const auto& [from, to] : inner.edges) flat.edges.emplace_back(name + "." + from, name + "." + to);
  }
  for (auto [from, to] : graph.edges) {
    if (exit.count(from)) from = exit[from];
    if (entry.count(to)) to = entry[to];
    for (const auto& end : {from, to}) {
      if (!flat.nodes.count(end)) throw InputError(fmt::format("{}: an edge names node '{}', which is not in the graph", file, end));
    }
    flat.edges.emplace_back(from, to);
  }
  // Contract the subgraphs' Input and Output nodes.
  for (const std::string& p : pass_through) {
    std::vector<std::pair<std::string, std::string>> kept;
    const auto in = flat.predecessors(p), out = flat.successors(p);
    for (const auto& e : flat.edges)
      if (e.first != p && e.second != p) kept.push_back(e);
    for (const auto& a : in)
      for (const auto& b : out) kept.emplace_back(a, b);
    flat.edges = std::move(kept);
    flat.nodes.erase(p);
  }
  std::sort(flat.edges.begin(), flat.edges.end());
  flat.edges.erase(std::unique(flat.edges.begin(), flat.edges.end()), flat.edges.end());
  return flat;
}

// The node names of the one shape neurofab runs.
struct Layer {
  std::string input, in_proj, neuron, rec_proj, out_proj, readout, output;  // rec_proj, readout may be empty
};

bool is_projection(const NirNode& n) { return n.type == "Affine" || n.type == "Linear"; }

Layer find_layer(const FlatGraph& g, const std::string& file) {
  static const std::set<std::string> kSupported = {"Input", "Output", "Affine", "Linear", "CubaLIF", "LIF", "LI"};
  Layer layer;
  std::vector<std::string> inputs, outputs, neurons;
  for (const auto& [name, node] : g.nodes) {
    if (!kSupported.count(node.type)) {
      throw InputError(fmt::format("{}: node '{}' is a {}, which neurofab cannot run; {}", file, name, node.type, kShape));
    }
    if (node.type == "Input") inputs.push_back(name);
    if (node.type == "Output") outputs.push_back(name);
    if (node.type == "CubaLIF" || node.type == "LIF") neurons.push_back(name);
  }
  const auto exactly_one = [&](const std::vector<std::string>& found, const char* what) {
    if (found.size() != 1) {
      throw InputError(fmt::format("{}: the graph has {} {} nodes ({}); {}", file, found.size(), what,
                                   fmt::join(found, ", "), kShape));
    }
    return found[0];
  };
  layer.input = exactly_one(inputs, "Input");
  layer.output = exactly_one(outputs, "Output");
  for (const std::string& neuron : neurons) {
    const auto next = g.successors(neuron);
    if (neurons.size() > 1 && next.size() == 1 && next[0] == layer.output) {
      throw InputError(fmt::format("{}: node '{}' is a spiking {} before the Output; neurofab's readout is an LI node "
                                   "or none (snnTorch exports a Leaky readout as a spiking LIF: end the network in its "
                                   "Linear layer, or make the readout an LI node)",
                                   file, neuron, g.nodes.at(neuron).type));
    }
  }
  layer.neuron = exactly_one(neurons, "CubaLIF/LIF");

  const auto only_successor = [&](const std::string& name, const char* wanted) {
    const auto next = g.successors(name);
    if (next.size() != 1) {
      throw InputError(fmt::format("{}: node '{}' feeds {} nodes ({}), expected one ({}); {}", file, name, next.size(),
                                   fmt::join(next, ", "), wanted, kShape));
    }
    return next[0];
  };
  layer.in_proj = only_successor(layer.input, "the input Affine/Linear");
  if (!is_projection(g.nodes.at(layer.in_proj)) || only_successor(layer.in_proj, "the LIF layer") != layer.neuron) {
    throw InputError(fmt::format("{}: the Input must feed one Affine/Linear node that feeds '{}'; {}", file,
                                 layer.neuron, kShape));
  }
  for (const std::string& next : g.successors(layer.neuron)) {
    const NirNode& n = g.nodes.at(next);
    const auto back = g.successors(next);
    if (is_projection(n) && back.size() == 1 && back[0] == layer.neuron) {
      if (!layer.rec_proj.empty()) throw InputError(fmt::format("{}: '{}' has two recurrent edges; {}", file, layer.neuron, kShape));
      layer.rec_proj = next;
    } else if (is_projection(n) && layer.out_proj.empty()) {
      layer.out_proj = next;
    } else {
      throw InputError(fmt::format("{}: node '{}' ({}) after '{}' does not fit; {}", file, next, n.type, layer.neuron, kShape));
    }
  }
  if (layer.out_proj.empty()) throw InputError(fmt::format("{}: '{}' feeds no output Affine/Linear; {}", file, layer.neuron, kShape));
  std::string after = only_successor(layer.out_proj, "an LI or the Output");
  if (g.nodes.at(after).type == "LI") {
    layer.readout = after;
    after = only_successor(after, "the Output");
  }
  if (after != layer.output) {
    throw InputError(fmt::format("{}: node '{}' ({}) follows '{}'; {}", file, after, g.nodes.at(after).type,
                                 layer.readout.empty() ? layer.out_proj : layer.readout, kShape));
  }
  // Every edge must be one of the shape's (no skip connections, no extra inputs).
  std::set<std::pair<std::string, std::string>> expected = {
      {layer.input, layer.in_proj}, {layer.in_proj, layer.neuron}, {layer.neuron, layer.out_proj}};
  if (!layer.rec_proj.empty()) expected.insert({{layer.neuron, layer.rec_proj}, {layer.rec_proj, layer.neuron}});
  if (layer.readout.empty()) expected.insert({layer.out_proj, layer.output});
  else expected.insert({{layer.out_proj, layer.readout}, {layer.readout, layer.output}});
  for (const auto& e : g.edges) {
    if (!expected.count(e)) {
      throw InputError(fmt::format("{}: edge {} -> {} does not fit; {}", file, e.first, e.second, kShape));
    }
  }
  if (g.nodes.size() != expected.size() + 1 - (layer.rec_proj.empty() ? 0 : 1)) {
    std::vector<std::string> unused;
    const std::set<std::string> used = {layer.input,    layer.in_proj, layer.neuron, layer.rec_proj,
                                        layer.out_proj, layer.readout, layer.output};
    for (const auto& [name, node] : g.nodes)
      if (!used.count(name)) unused.push_back(name);
    if (!unused.empty()) {
      throw InputError(fmt::format("{}: node(s) {} are not on the path from Input to Output; {}", file,
                                   fmt::join(unused, ", "), kShape));
    }
  }
  return layer;
}

// ---------------------------------------------------------------- parameters

struct Reader {
  const FlatGraph& g;
  const std::string& file;
  bool exponential = false;  // decays exp(-dt/τ) instead of forward Euler's 1 - dt/τ

  const NirArray& param(const std::string& node, const std::string& name) const {
    return g.nodes.at(node).param(name, file, node);
  }
  // A per-unit parameter: n values, or one for all.
  std::vector<double> units(const std::string& node, const std::string& name, int n) const {
    const NirArray& a = param(node, name);
    if (a.size() == n) return a.values;
    if (a.size() == 1) return std::vector<double>(static_cast<std::size_t>(n), a.values[0]);
    throw InputError(fmt::format("{}: node '{}': '{}' has {} values, the layer has {} units", file, node, name,
                                 a.size(), n));
  }
  // A weight matrix [rows, cols] of an Affine/Linear node, C order.
  std::vector<double> weight(const std::string& node, int rows, int cols) const {
    const NirArray& a = param(node, "weight");
    if (a.shape.size() != 2 || a.shape[0] != rows || a.shape[1] != cols) {
      throw InputError(fmt::format("{}: node '{}': weight has shape [{}], expected [{}, {}]", file, node,
                                   fmt::join(a.shape, ", "), rows, cols));
    }
    return a.values;
  }
  std::vector<double> bias(const std::string& node, int rows) const {
    if (g.nodes.at(node).type == "Linear") return std::vector<double>(static_cast<std::size_t>(rows), 0.0);
    const NirArray& a = param(node, "bias");
    if (a.size() != rows) {
      throw InputError(fmt::format("{}: node '{}': bias has {} values, expected {}", file, node, a.size(), rows));
    }
    return a.values;
  }
  int io_width(const std::string& node) const {
    const NirArray& a = param(node, "shape");
    if (a.size() < 1) throw InputError(fmt::format("{}: node '{}': empty shape", file, node));
    double width = 1;
    for (double d : a.values) width *= d;
    return static_cast<int>(width);
  }
  void require_all(const std::string& node, const std::string& name, int n, double value, const std::string& why) const {
    const auto v = units(node, name, n);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] != value) {
        throw InputError(fmt::format("{}: node '{}': {} = {} at unit {}; {}", file, node, name, v[i], i, why));
      }
    }
  }
  // Decays 1 - dt/τ (forward Euler) or exp(-dt/τ), each checked to lie in [0, 1).
  std::vector<double> decays(const std::string& node, const std::string& name, int n, double dt) const {
    std::vector<double> d;
    for (const double tau : units(node, name, n)) {
      if (!(std::isfinite(tau) && tau > 0)) {
        throw InputError(fmt::format("{}: node '{}': {} = {} is not a positive finite time constant", file, node, name, tau));
      }
      if (exponential) {
        d.push_back(std::exp(-dt / tau));
        continue;
      }
      if (tau < dt) {
        throw InputError(fmt::format("{}: node '{}': {} = {} s is shorter than the step dt = {} s, so the decay "
                                     "1 - dt/τ would be negative (is --dt right?)",
                                     file, node, name, tau, dt));
      }
      d.push_back(1.0 - dt / tau);
    }
    return d;
  }
};

// Gains within the tolerance of 1 become exactly 1.
double gain_or_one(double gain) { return std::abs(gain - 1.0) <= kUnitGainTolerance ? 1.0 : gain; }

Eigen::MatrixXf to_matrix(const std::vector<double>& c_order, int rows, int cols) {
  Eigen::MatrixXf m(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) m(r, c) = static_cast<float>(c_order[static_cast<std::size_t>(r) * cols + c]);
  return m;
}

// τ in ms whose exponential decay exp(-dt/τ) is `decay` (neurofab's model
// section), or 0 for a decay of 0 where the model allows it.
double tau_ms_of(double decay, double dt_ms) { return decay <= 0 ? 0.0 : -dt_ms / std::log(decay); }

// ---------------------------------------------------------------- neurofab's metadata

struct Metadata {
  bool present = false;
  json root;  // the graph's "neurofab" group
  std::string profile = "float";
};

Metadata read_metadata(const NirNode& graph, const std::string& file) {
  Metadata m;
  if (!graph.metadata.contains(kNirMetadataKey)) return m;
  m.present = true;
  m.root = graph.metadata[kNirMetadataKey];
  const JsonFields f(m.root, file, "metadata/neurofab");
  if (f.string("format") != kNirFormat) f.fail("format", fmt::format("expected \"{}\"", kNirFormat));
  if (f.integer("format_version") != kNirFormatVersion) {
    f.fail("format_version", fmt::format("unsupported version {} (this build reads {})", f.integer("format_version"),
                                         kNirFormatVersion));
  }
  if (f.string("time_unit") != "s") f.fail("time_unit", "neurofab writes and reads seconds (\"s\")");
  if (f.string("discretisation") != "forward_euler") f.fail("discretisation", "neurofab reads \"forward_euler\"");
  m.profile = f.string("profile");
  if (m.profile != "float" && m.profile != "integer") f.fail("profile", "expected \"float\" or \"integer\"");
  return m;
}

json node_meta(const FlatGraph& g, const std::string& node) {
  const NirNode& n = g.nodes.at(node);
  return n.metadata.contains(kNirMetadataKey) ? n.metadata[kNirMetadataKey] : json::object();
}

// ---------------------------------------------------------------- float import

// The elements of (nested) JSON arrays in C order: metadata arrays come back
// from HDF5 with their datasets' shapes.
json flat_list(const json& value) {
  if (!value.is_array()) return value;
  json out = json::array();
  for (const auto& item : value) {
    if (item.is_array()) {
      for (auto& inner : flat_list(item)) out.push_back(std::move(inner));
    } else {
      out.push_back(item);
    }
  }
  return out;
}

struct FloatLayer {
  models::LifRnnConfig config;
  models::LifRnnTensors<float> tensors;
  models::Connectivity connectivity;
};

FloatLayer read_float_layer(const FlatGraph& g, const Layer& layer, const Metadata& meta, const std::string& file,
                            const NirImportOptions& o, std::vector<std::string>& notes) {
  const Reader read{g, file, o.exponential_decay};
  const NirNode& neuron = g.nodes.at(layer.neuron);
  const bool synaptic = neuron.type == "CubaLIF";
  const int n = static_cast<int>(read.param(layer.neuron, "v_threshold").size());
  const int n_in_enc = read.io_width(layer.input);
  const int n_out = read.io_width(layer.output);

  // The step.
  double dt = 0;
  if (meta.present) {
    dt = JsonFields(meta.root, file, "metadata/neurofab").number("dt");
    if (o.dt_seconds && *o.dt_seconds != dt) {
      throw InputError(fmt::format("{}: the graph was written for dt = {} s (its neurofab metadata); --dt {} would "
                                   "change its decays (leave --dt out)",
                                   file, dt, *o.dt_seconds));
    }
  } else if (o.dt_seconds) {
    dt = *o.dt_seconds;
  } else {
    throw InputError(fmt::format("{}: the graph does not say its time step (NIR has no dt); give --dt SECONDS "
                                 "(graphs from snnTorch's export_to_nir: --dt 1e-4)",
                                 file));
  }

  FloatLayer out;
  models::LifRnnConfig& c = out.config;
  if (meta.present) {
    c = models::lif_config_from_json(JsonFields(meta.root, file, "metadata/neurofab").object("model"));
    if (c.n_rec != n || c.n_in_encoded() != n_in_enc || c.n_out != n_out) {
      throw InputError(fmt::format("{}: the nodes' sizes (N = {}, {} inputs, {} outputs) disagree with the neurofab "
                                   "metadata (N = {}, {}, {}); was the file edited?",
                                   file, n, n_in_enc, n_out, c.n_rec, c.n_in_encoded(), c.n_out));
    }
  } else {
    c.n_in = n_in_enc;
    c.n_rec = n;
    c.n_out = n_out;
    c.dt_ms = dt * 1000.0;
    c.reset = o.reset.value_or(models::ResetMode::kZero);
    c.refractory_steps = 0;
  }
  if (meta.present && o.exponential_decay) {
    throw InputError(fmt::format("{}: the graph's neurofab metadata says its decays are forward Euler; leave "
                                 "--discretisation out",
                                 file));
  }
  if (meta.present && o.reset && *o.reset != c.reset) {
    throw InputError(fmt::format("{}: the graph's neurofab metadata says reset '{}'; --reset {} would change the "
                                 "network (leave --reset out)",
                                 file, models::to_string(c.reset), models::to_string(*o.reset)));
  }

  // The unit: the parameters neurofab has no room for must be its defaults.
  read.require_all(layer.neuron, "v_leak", n, 0.0, "neurofab's units rest at 0 (v_leak = 0)");
  read.require_all(layer.neuron, "v_reset", n, 0.0, "neurofab resets to 0 or by subtracting the threshold");
  const std::vector<double> thresholds = read.units(layer.neuron, "v_threshold", n);
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    if (thresholds[i] != thresholds[0]) {
      throw InputError(fmt::format("{}: node '{}': v_threshold differs between units ({} at unit 0, {} at unit {}); "
                                   "neurofab's units share one threshold",
                                   file, layer.neuron, thresholds[0], thresholds[i], i));
    }
    if (!(thresholds[i] > 0)) {
      throw InputError(fmt::format("{}: node '{}': v_threshold = {} must be > 0", file, layer.neuron, thresholds[i]));
    }
  }
  if (meta.present && thresholds[0] != c.threshold) {
    throw InputError(fmt::format("{}: node '{}': v_threshold {} disagrees with the neurofab metadata ({}); was the "
                                 "file edited?",
                                 file, layer.neuron, thresholds[0], c.threshold));
  }
  c.threshold = thresholds[0];

  const std::vector<double> beta = read.decays(layer.neuron, synaptic ? "tau_mem" : "tau", n, dt);
  const std::vector<double> alpha =
      synaptic ? read.decays(layer.neuron, "tau_syn", n, dt) : std::vector<double>(static_cast<std::size_t>(n), 0.0);
  const std::vector<double> r = read.units(layer.neuron, "r", n);
  const std::vector<double> w_gain = synaptic ? read.units(layer.neuron, "w_in", n) : std::vector<double>(n, 1.0);
  std::vector<double> gain(static_cast<std::size_t>(n));
  int folded = 0;
  for (std::size_t i = 0; i < gain.size(); ++i) {
    gain[i] = gain_or_one((1.0 - beta[i]) * r[i] * (synaptic ? (1.0 - alpha[i]) * w_gain[i] : 1.0));
    folded += gain[i] != 1.0;
  }
  if (folded > 0) {
    notes.push_back(fmt::format("{} unit(s) have an input gain (1-β)·r{} ≠ 1 (e.g. {} at unit 0); folded into their "
                                "rows of W_in, W_rec and b",
                                folded, synaptic ? "·(1-α)·w_in" : "", gain[0]));
  }

  // Projections.
  const int n_in_weights = n_in_enc;
  std::vector<double> w_in = read.weight(layer.in_proj, n, n_in_weights);
  std::vector<double> b = read.bias(layer.in_proj, n);
  std::vector<double> w_rec(static_cast<std::size_t>(n) * n, 0.0);
  if (!layer.rec_proj.empty()) {
    w_rec = read.weight(layer.rec_proj, n, n);
    const std::vector<double> b_rec = read.bias(layer.rec_proj, n);
    bool any = false;
    for (int i = 0; i < n; ++i) {
      b[static_cast<std::size_t>(i)] += b_rec[static_cast<std::size_t>(i)];
      any = any || b_rec[static_cast<std::size_t>(i)] != 0.0;
    }
    if (any) notes.push_back(fmt::format("the recurrent node '{}' has a bias; added to b", layer.rec_proj));
  } else {
    notes.push_back("the graph has no recurrent edge: W_rec = 0");
  }
  for (int i = 0; i < n; ++i) {
    const double unit_gain = gain[static_cast<std::size_t>(i)];
    if (unit_gain == 1.0) continue;
    for (int k = 0; k < n_in_weights; ++k) w_in[static_cast<std::size_t>(i) * n_in_weights + k] *= unit_gain;
    for (int j = 0; j < n; ++j) w_rec[static_cast<std::size_t>(i) * n + j] *= unit_gain;
    b[static_cast<std::size_t>(i)] *= unit_gain;
  }
  std::vector<double> w_out = read.weight(layer.out_proj, n_out, n);
  std::vector<double> b_out = read.bias(layer.out_proj, n_out);

  // Readout.
  double kappa = 0;
  if (!layer.readout.empty()) {
    read.require_all(layer.readout, "v_leak", n_out, 0.0, "neurofab's readout rests at 0 (v_leak = 0)");
    const std::vector<double> k = read.decays(layer.readout, "tau", n_out, dt);
    const std::vector<double> r_out = read.units(layer.readout, "r", n_out);
    for (int m = 0; m < n_out; ++m) {
      if (k[static_cast<std::size_t>(m)] != k[0]) {
        throw InputError(fmt::format("{}: node '{}': tau differs between outputs; neurofab's readout has one τ_out",
                                     file, layer.readout));
      }
      const double out_gain = gain_or_one((1.0 - k[0]) * r_out[static_cast<std::size_t>(m)]);
      if (out_gain == 1.0) continue;
      for (int j = 0; j < n; ++j) w_out[static_cast<std::size_t>(m) * n + j] *= out_gain;
      b_out[static_cast<std::size_t>(m)] *= out_gain;
      if (m == 0) notes.push_back(fmt::format("the readout's gain (1-κ)·r = {} is folded into W_out and b_out", out_gain));
    }
    kappa = k[0];
  }

  // Decays: per-unit tensors in float32; the model section's τ when the graph has none.
  auto& t = out.tensors;
  t = models::LifRnnTensors<float>::zeros(c);
  t.w_in = to_matrix(w_in, n, n_in_weights);
  t.w_rec = to_matrix(w_rec, n, n);
  t.b_rec = to_matrix(b, n, 1);
  t.w_out = to_matrix(w_out, n_out, n);
  t.b_out = to_matrix(b_out, n_out, 1);
  t.beta = to_matrix(beta, n, 1);
  t.alpha_syn = to_matrix(alpha, n, 1);
  if (meta.present) {
    if (std::abs(kappa - c.kappa()) > 1e-12) {
      throw InputError(fmt::format("{}: the readout's τ gives κ = {}, the neurofab metadata {}; was the file edited?",
                                   file, kappa, c.kappa()));
    }
  } else {
    const bool uniform_beta = (t.beta.array() == t.beta(0)).all();
    const bool uniform_alpha = (t.alpha_syn.array() == t.alpha_syn(0)).all();
    c.tau_mem_ms = t.beta(0) > 0 ? tau_ms_of(t.beta(0), c.dt_ms) : c.dt_ms / 1000.0;
    float first_alpha = 0;
    for (Eigen::Index i = 0; i < t.alpha_syn.size() && first_alpha == 0; ++i) first_alpha = t.alpha_syn(i);
    c.tau_syn_ms = tau_ms_of(first_alpha, c.dt_ms);
    c.tau_out_ms = tau_ms_of(kappa, c.dt_ms);
    // Per-unit decays that one τ cannot give are neurofab's trained decays.
    c.train_tau = !(uniform_beta && uniform_alpha && static_cast<float>(c.beta()) == t.beta(0) &&
                    static_cast<float>(c.alpha_syn()) == t.alpha_syn(0));
    if (c.train_tau) notes.push_back("the decays differ between units: imported as per-unit decays (train_tau on)");
  }

  // Connectivity: neurofab's masks when the graph carries them, else dense.
  out.connectivity = models::Connectivity::full(c.n_in_encoded(), n, n_out);
  const std::pair<std::string, Eigen::MatrixXf*> masks[] = {{layer.in_proj, &out.connectivity.mask_in},
                                                            {layer.rec_proj, &out.connectivity.mask_rec},
                                                            {layer.out_proj, &out.connectivity.mask_out}};
  for (const auto& [node, mask] : masks) {
    if (node.empty()) continue;
    const json m = node_meta(g, node);
    if (!m.contains("mask")) continue;
    const std::vector<double> flat = flat_list(m["mask"]).get<std::vector<double>>();
    if (static_cast<Eigen::Index>(flat.size()) != mask->size()) {
      throw InputError(fmt::format("{}: node '{}': its neurofab mask has {} values, the weight {}", file, node,
                                   flat.size(), mask->size()));
    }
    *mask = to_matrix(flat, static_cast<int>(mask->rows()), static_cast<int>(mask->cols()));
  }
  if (meta.present) {
    const json lif_meta = node_meta(g, layer.neuron);
    if (lif_meta.contains("refractory_steps") && lif_meta["refractory_steps"].get<int>() != c.refractory_steps) {
      throw InputError(fmt::format("{}: node '{}': refractory_steps disagrees with the graph's neurofab metadata", file,
                                   layer.neuron));
    }
  } else {
    notes.push_back(fmt::format("no neurofab metadata: dt = {} s as given, {} decays, reset {}{}", dt,
                                o.exponential_decay ? "exponential" : "forward-Euler",
                                models::to_string(c.reset), o.reset ? " (--reset)" : " (NIR's reset to v_reset = 0)"));
  }
  c.validate();
  return out;
}

// ---------------------------------------------------------------- integer import

QuantizedFiles read_integer_layer(const FlatGraph& g, const Layer& layer, const Metadata& meta, const std::string& file) {
  const JsonFields root(meta.root, file, "metadata/neurofab");
  QuantizedFiles q;
  q.model = root.raw("quantized");
  const JsonFields quantized = root.object("quantized");
  const JsonFields model = quantized.object("model");
  const JsonFields formats = quantized.object("fixed_point").object("formats");
  const int n = static_cast<int>(model.integer("n_rec"));
  const int n_out = static_cast<int>(model.integer("n_out"));
  const int n_in_enc = static_cast<int>(model.integer("n_in_encoded"));
  const Reader read{g, file};

  // Codes from a node's metadata; the standard field must be code · 2^-F (else the file was edited).
  const auto codes = [&](const std::string& node, const char* key, std::vector<std::int64_t> shape,
                         const NirArray* real, const char* format) {
    const json m = node_meta(g, node);
    if (!m.contains(key)) {
      throw InputError(fmt::format("{}: node '{}' has no neurofab metadata '{}' (the integer profile needs every code)",
                                   file, node, key));
    }
    QuantizedFiles::Tensor t{std::move(shape), {}};
    std::int64_t count = 1;
    for (auto d : t.shape) count *= d;
    const json list = flat_list(m[key]);
    if (!list.is_array() || static_cast<std::int64_t>(list.size()) != count) {
      throw InputError(fmt::format("{}: node '{}': '{}' must hold {} integer codes", file, node, key, count));
    }
    const double scale = format ? std::ldexp(1.0, -static_cast<int>(formats.object(format).integer("frac_bits"))) : 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_number_integer()) throw InputError(fmt::format("{}: node '{}': '{}'[{}] is not an integer", file, node, key, i));
      const std::int64_t v = list[i].get<std::int64_t>();
      if (v < INT32_MIN || v > INT32_MAX) throw InputError(fmt::format("{}: node '{}': '{}'[{}] = {} is beyond int32", file, node, key, i, v));
      t.codes.push_back(static_cast<std::int32_t>(v));
      if (real && real->values[i] != static_cast<double>(v) * scale) {
        throw InputError(fmt::format("{}: node '{}': value {} at [{}] is not its integer code {} · 2^-{} (was the file "
                                     "edited after export? re-export from the quantized folder)",
                                     file, node, real->values[i], i, v, -std::log2(scale)));
      }
    }
    return t;
  };
  const auto weight = [&](const std::string& node, int rows, int cols) {
    read.weight(node, rows, cols);  // shape check
    return &read.param(node, "weight");
  };
  q.tensors["W_in"] = codes(layer.in_proj, "weight_code", {n, n_in_enc}, weight(layer.in_proj, n, n_in_enc), "W_in");
  q.tensors["b_rec"] = codes(layer.in_proj, "bias_code", {n}, &read.param(layer.in_proj, "bias"), "b_rec");
  if (layer.rec_proj.empty()) throw InputError(fmt::format("{}: the integer profile needs the recurrent node", file));
  q.tensors["W_rec"] = codes(layer.rec_proj, "weight_code", {n, n}, weight(layer.rec_proj, n, n), "W_rec");
  q.tensors["W_out"] = codes(layer.out_proj, "weight_code", {n_out, n}, weight(layer.out_proj, n_out, n), "W_out");
  q.tensors["b_out"] = codes(layer.out_proj, "bias_code", {n_out}, &read.param(layer.out_proj, "bias"), "b_out");
  q.tensors["beta"] = codes(layer.neuron, "beta_code", {n}, nullptr, nullptr);
  q.tensors["alpha_syn"] = codes(layer.neuron, "alpha_syn_code", {n}, nullptr, nullptr);
  return q;
}

}  // namespace

NirImport import_nir(const NirNode& graph, const std::string& file, const NirImportOptions& o) {
  const FlatGraph flat = flatten(graph, file);
  const Layer layer = find_layer(flat, file);
  const Metadata meta = read_metadata(graph, file);
  NirImport result;
  result.neurofab_metadata = meta.present;
  const bool integer = meta.profile == "integer";
  std::optional<FloatLayer> f;
  if (!integer) f = read_float_layer(flat, layer, meta, file, o, result.notes);
  int n_in = 0, n_out = 0;
  if (integer) {
    const JsonFields model = JsonFields(meta.root, file, "metadata/neurofab").object("quantized").object("model");
    n_in = static_cast<int>(model.integer("n_in"));
    n_out = static_cast<int>(model.integer("n_out"));
  } else {
    n_in = f->config.n_in;
    n_out = f->config.n_out;
  }

  std::string task_name;
  std::map<std::string, double> task_params;
  std::uint64_t seed = 0;
  if (meta.present) {
    const JsonFields root(meta.root, file, "metadata/neurofab");
    const JsonFields task = meta.profile == "integer" ? root.object("quantized").object("task") : root.object("task");
    task_name = task.string("name");
    const JsonFields params = task.object("params");
    for (const auto& [name, value] : task.raw("params").items()) task_params[name] = params.number(name);
    seed = meta.profile == "integer" ? root.object("quantized").unsigned_integer("seed") : root.unsigned_integer("seed");
  }
  if (o.task_name) {
    task_name = *o.task_name;
    task_params = o.task_params;
  }
  if (task_name == models::kDataTaskName && !o.task_name) {
    throw InputError(fmt::format("{}: the network was trained on a data file (task 'data'); give that file again "
                                 "with --data FILE.npz",
                                 file));
  }
  if (task_name.empty()) {
    throw InputError(fmt::format("{}: the graph does not say its task; give --task NAME (see `neurofab tasks`) or "
                                 "--data FILE.npz",
                                 file));
  }
  const auto task = models::make_task(task_name, task_params);
  if (task->n_in() != n_in || task->n_out() != n_out) {
    throw InputError(fmt::format("{}: the network has {} inputs and {} outputs, task '{}' {} and {}", file, n_in,
                                 n_out, task_name, task->n_in(), task->n_out()));
  }
  task_params = task->param_values();

  if (integer) {
    result.quantized = read_integer_layer(flat, layer, meta, file);
    result.quantized->task_name = task_name;
    result.quantized->task_params = task_params;
    return result;
  }
  models::LifRnn<float> network(f->config, f->connectivity, f->tensors);
  if (const std::string violation = network.constraint_violation(); !violation.empty()) {
    throw InputError(fmt::format("{}: {}", file, violation));
  }
  result.artifact = models::LifRnnArtifact{std::move(network), {}, task_name, task_params, seed, {}, {}};
  return result;
}

void write_import(const NirImport& imported, const std::string& file, const fs::path& out) {
  if (imported.artifact) {
    models::save_artifact(out, *imported.artifact);
    return;
  }
  const QuantizedFiles& q = *imported.quantized;
  StagingDir staging(out);
  json model = q.model;
  json index = json::object();
  for (const auto& [name, t] : q.tensors) {
    write_npy<std::int32_t>(staging.path() / (name + ".npy"), t.shape, t.codes.data());
    index[name] = {{"dtype", "int32"}, {"file", name + ".npy"}, {"shape", t.shape}};
  }
  model["tensors"] = index;
  model["task"] = models::task_section_to_json(staging.path(), q.task_name, q.task_params);
  write_file_atomically(staging.path() / "model.json", model.dump(2) + "\n");
  try {
    quantize::load_quantized(staging.path());
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: the integer profile does not rebuild a valid quantized network: {}", file, e.what()));
  }
  staging.commit();
}

}  // namespace nf::interop
