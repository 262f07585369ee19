#include "neurofab/interop/nir_export.hpp"

#include <fmt/format.h>

#include <cmath>

#include "neurofab/common/error.hpp"
#include "neurofab/common/json_fields.hpp"
#include "neurofab/models/family.hpp"

namespace nf::interop {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The numbers of one LIF graph, in real units, whatever profile they come from.
struct GraphValues {
  std::vector<double> w_in, b_rec, w_rec, w_out, b_out;  // C order, [post, pre]
  std::vector<double> beta, alpha_syn;                     // per unit
  double kappa = 0;
  double threshold = 1;
  int n_in = 0, n_rec = 0, n_out = 0;  // n_in: the encoded width
  NirDtype dtype = NirDtype::kFloat32;
  bool float32_decays = true;  // the decays are float32 (the float profile): τ must give them back exactly
};

template <typename Matrix>
std::vector<double> c_order(const Matrix& m, double scale = 1.0) {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(m.size()));
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) out.push_back(static_cast<double>(m(r, c)) * scale);
  return out;
}

// τ = dt / (1 - d): the time constant whose forward-Euler step is the decay d.
// For float32 decays, τ is nudged (by ulps) until float32(1 - dt/τ) == d, so
// an import gives the decay back bit for bit.
double tau_of(double decay, double dt, bool float32_decay, const std::string& what) {
  if (!(decay < 1.0)) {
    throw InputError(fmt::format("{} is {} (no leak): NIR's LIF, CubaLIF and LI have no time constant for it",
                                 what, decay));
  }
  double tau = dt / (1.0 - decay);
  if (!float32_decay) return tau;
  const auto back = [&](double t) { return static_cast<float>(1.0 - dt / t); };
  const float wanted = static_cast<float>(decay);
  for (int i = 0; i < 64 && back(tau) != wanted; ++i) {
    tau = std::nextafter(tau, back(tau) < wanted ? HUGE_VAL : 0.0);
  }
  if (back(tau) != wanted) throw std::logic_error(fmt::format("no τ reproduces the float32 decay {}", decay));
  return tau;
}

std::vector<double> per_unit(int n, double value) { return std::vector<double>(static_cast<std::size_t>(n), value); }

NirNode node(std::string type) {
  NirNode n;
  n.type = std::move(type);
  return n;
}

NirNode io_node(const char* type, int width) {
  NirNode n = node(type);
  n.params["shape"] = NirArray{NirDtype::kInt64, {1}, {static_cast<double>(width)}};
  return n;
}

NirNode affine(int rows, int cols, std::vector<double> weight, std::vector<double> bias, NirDtype dtype) {
  NirNode n = node("Affine");
  n.params["weight"] = NirArray::matrix(rows, cols, std::move(weight), dtype);
  n.params["bias"] = NirArray::vector(std::move(bias), dtype);
  return n;
}

// The graph of the header; the metadata is added by the caller.
NirNode build_graph(const GraphValues& v, double dt, const std::string& where) {
  const int n = v.n_rec;
  NirNode graph = node("NIRGraph");
  graph.nodes["input"] = io_node("Input", v.n_in);
  graph.nodes["w_in"] = affine(n, v.n_in, v.w_in, v.b_rec, v.dtype);

  std::vector<double> tau_mem, r, tau_syn, w_in_gain;
  bool synaptic = false;
  for (int i = 0; i < n; ++i) {
    const double beta = v.beta[static_cast<std::size_t>(i)], alpha = v.alpha_syn[static_cast<std::size_t>(i)];
    tau_mem.push_back(tau_of(beta, dt, v.float32_decays, fmt::format("{}: the membrane decay β of unit {}", where, i)));
    r.push_back(1.0 / (1.0 - beta));
    tau_syn.push_back(tau_of(alpha, dt, v.float32_decays, fmt::format("{}: the synaptic decay α_s of unit {}", where, i)));
    w_in_gain.push_back(1.0 / (1.0 - alpha));
    synaptic = synaptic || alpha != 0.0;
  }
  NirNode lif = node(synaptic ? "CubaLIF" : "LIF");
  lif.params[synaptic ? "tau_mem" : "tau"] = NirArray::vector(tau_mem);
  lif.params["r"] = NirArray::vector(r);
  lif.params["v_leak"] = NirArray::vector(per_unit(n, 0.0));
  lif.params["v_threshold"] = NirArray::vector(per_unit(n, v.threshold));
  lif.params["v_reset"] = NirArray::vector(per_unit(n, 0.0));
  if (synaptic) {
    lif.params["tau_syn"] = NirArray::vector(tau_syn);
    lif.params["w_in"] = NirArray::vector(w_in_gain);
  }
  graph.nodes["lif"] = std::move(lif);

  NirNode w_rec = node("Linear");
  w_rec.params["weight"] = NirArray::matrix(n, n, v.w_rec, v.dtype);
  graph.nodes["w_rec"] = std::move(w_rec);
  graph.nodes["w_out"] = affine(v.n_out, n, v.w_out, v.b_out, v.dtype);
  graph.nodes["output"] = io_node("Output", v.n_out);
  graph.edges = {{"input", "w_in"}, {"w_in", "lif"}, {"lif", "w_rec"}, {"w_rec", "lif"}, {"lif", "w_out"}};
  if (v.kappa > 0) {
    NirNode readout = node("LI");
    readout.params["tau"] = NirArray::vector(per_unit(v.n_out, tau_of(v.kappa, dt, false, where + ": the readout decay κ")));
    readout.params["r"] = NirArray::vector(per_unit(v.n_out, 1.0 / (1.0 - v.kappa)));
    readout.params["v_leak"] = NirArray::vector(per_unit(v.n_out, 0.0));
    graph.nodes["readout"] = std::move(readout);
    graph.edges.insert(graph.edges.end(), {{"w_out", "readout"}, {"readout", "output"}});
  } else {
    graph.edges.emplace_back("w_out", "output");
  }
  return graph;
}

// What every neurofab graph says about itself (the "neurofab" group of the graph's metadata).
json graph_metadata(const models::LifRnnConfig& c, double dt, const std::string& profile) {
  return {{"format", kNirFormat},
          {"format_version", kNirFormatVersion},
          {"profile", profile},
          {"family", std::string(models::model_type_name(models::Family::kLif))},
          {"dt", dt},
          {"time_unit", "s"},
          {"discretisation", "forward_euler"},
          {"reset", models::to_string(c.reset)},
          {"refractory_steps", c.refractory_steps},
          {"input_encoding", models::to_string(c.encoding)},
          {"threshold", c.threshold}};
}

// Per-node metadata NIR has no field for.
void annotate(NirNode& graph, const models::LifRnnConfig& c) {
  graph.nodes["lif"].metadata[kNirMetadataKey] = {
      {"reset", models::to_string(c.reset)},
      {"refractory_steps", c.refractory_steps},
      {"note", "reset and refractory period as neurofab runs them; NIR's v_reset cannot express a reset by "
               "subtraction"}};
  if (c.encoding != models::InputEncoding::kCurrent) {
    graph.nodes["input"].metadata[kNirMetadataKey] = {
        {"input_encoding", models::to_string(c.encoding)},
        {"note", "the graph's input is the encoded spike train: channels 2k (x_k > 0) and 2k+1 (x_k < 0) of task "
                 "input k"}};
  }
}

double dt_of(const models::LifRnnConfig& c, const NirExportOptions& o) {
  const double dt = o.dt_seconds.value_or(c.dt_ms / 1000.0);
  if (!(std::isfinite(dt) && dt > 0)) throw InputError(fmt::format("--dt: must be > 0 seconds (got {})", dt));
  return dt;
}

json task_metadata(const std::string& name, const std::map<std::string, double>& params) {
  json p = json::object();
  for (const auto& [k, value] : params) p[k] = value;
  return {{"name", name}, {"params", p}};
}

// Integer values as JSON: a matrix as nested rows ([rows][cols], written as an
// int32 dataset of that shape), a vector (one column) as one list.
template <typename Matrix>
json integer_array(const Matrix& m, bool vector) {
  json out = json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    json row = json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(static_cast<std::int64_t>(m(r, c)));
    if (vector) out.push_back(row[0]);
    else out.push_back(row);
  }
  return out;
}

// A mask that is not all ones, as 0/1 rows; null when dense.
json mask_metadata(const Eigen::MatrixXf& mask) {
  if ((mask.array() == 1.0f).all()) return nullptr;
  return integer_array(mask, false);
}

}  // namespace

NirNode lif_to_nir(const models::LifRnnArtifact& a, const NirExportOptions& o) {
  const models::LifRnnConfig& c = a.network.config();
  const auto& w = a.network.weights();
  const double dt = dt_of(c, o);
  GraphValues v;
  v.n_in = c.n_in_encoded();
  v.n_rec = c.n_rec;
  v.n_out = c.n_out;
  v.w_in = c_order(w.w_in);
  v.b_rec = c_order(w.b_rec);
  v.w_rec = c_order(w.w_rec);
  v.w_out = c_order(w.w_out);
  v.b_out = c_order(w.b_out);
  v.beta = c_order(w.beta);
  v.alpha_syn = c_order(w.alpha_syn);
  v.kappa = c.kappa();
  v.threshold = c.threshold;
  NirNode graph = build_graph(v, dt, "the network");
  annotate(graph, c);
  const models::Connectivity& k = a.network.connectivity();
  const std::pair<const char*, const Eigen::MatrixXf*> masks[] = {
      {"w_in", &k.mask_in}, {"w_rec", &k.mask_rec}, {"w_out", &k.mask_out}};
  for (const auto& [name, mask] : masks) {
    if (json flat = mask_metadata(*mask); !flat.is_null()) graph.nodes[name].metadata[kNirMetadataKey]["mask"] = flat;
  }
  json meta = graph_metadata(c, dt, "float");
  meta["model"] = models::model_to_json(c);
  meta["task"] = task_metadata(a.task_name, a.task_params);
  meta["seed"] = a.seed;
  graph.metadata[kNirMetadataKey] = meta;
  return graph;
}

NirNode quantized_lif_to_nir(const quantize::QuantizedArtifact& q, const json& model_json,
                             const NirExportOptions& o) {
  const auto* network = std::get_if<quantize::IntegerLifRnn>(&q.network);
  if (network == nullptr) throw std::logic_error("quantized_lif_to_nir: not a LIF network");
  const models::LifRnnConfig& c = network->config();
  const quantize::LifRnnFixedPoint& s = network->spec();
  const quantize::IntegerLifRnnTensors& t = network->tensors();
  const double dt = dt_of(c, o);
  const auto real = [](const auto& codes, const quantize::FixedFormat& f) { return c_order(codes, std::ldexp(1.0, -f.frac_bits)); };
  GraphValues v;
  v.n_in = c.n_in_encoded();
  v.n_rec = c.n_rec;
  v.n_out = c.n_out;
  v.dtype = NirDtype::kFloat64;
  v.float32_decays = false;
  v.w_in = real(t.w_in, s.w_in);
  v.b_rec = real(t.b_rec, s.b_rec);
  v.w_rec = real(t.w_rec, s.w_rec);
  v.w_out = real(t.w_out, s.w_out);
  v.b_out = real(t.b_out, s.b_out);
  for (Eigen::Index i = 0; i < t.beta.size(); ++i) {
    v.beta.push_back(quantize::realised_decay(t.beta(i), s.decay));
    v.alpha_syn.push_back(quantize::realised_decay(t.alpha_syn(i), s.decay));
  }
  v.kappa = quantize::realised_decay(t.kappa, s.decay);
  v.threshold = std::ldexp(static_cast<double>(s.threshold), -s.membrane.frac_bits);
  NirNode graph = build_graph(v, dt, "the quantized network");
  annotate(graph, c);

  // The codes themselves: the standard fields above hold code · 2^-F, which a
  // float simulator can run; these rebuild the integer model exactly.
  const auto codes = [](const auto& m) { return integer_array(m, m.cols() == 1); };
  auto& meta_in = graph.nodes["w_in"].metadata[kNirMetadataKey];
  meta_in["weight_code"] = codes(t.w_in);
  meta_in["bias_code"] = codes(t.b_rec);
  graph.nodes["w_rec"].metadata[kNirMetadataKey]["weight_code"] = codes(t.w_rec);
  auto& meta_out = graph.nodes["w_out"].metadata[kNirMetadataKey];
  meta_out["weight_code"] = codes(t.w_out);
  meta_out["bias_code"] = codes(t.b_out);
  auto& meta_lif = graph.nodes["lif"].metadata[kNirMetadataKey];
  meta_lif["beta_code"] = codes(t.beta);
  meta_lif["alpha_syn_code"] = codes(t.alpha_syn);
  meta_lif["threshold_code"] = s.threshold;

  json meta = graph_metadata(c, dt, "integer");
  json quantized = model_json;
  quantized.erase("tensors");
  meta["quantized"] = quantized;
  graph.metadata[kNirMetadataKey] = meta;
  return graph;
}

void export_nir(const fs::path& dir, const fs::path& nir_file, const NirExportOptions& options) {
  const auto refuse_rate = [&]() {
    throw InputError(fmt::format(
        "{}: a rate network has no NIR form: NIR has no leaky tanh (or other rate) unit, only spiking and linear "
        "nodes; export-nir takes LIF networks (the rate network's weights are the .npy files in the folder)",
        dir.string()));
  };
  if (quantize::is_quantized_artifact(dir)) {
    const quantize::QuantizedArtifact q = quantize::load_quantized(dir);
    if (q.family() != models::Family::kLif) refuse_rate();
    write_nir(nir_file, quantized_lif_to_nir(q, JsonFields::parse_file(dir / "model.json"), options));
    return;
  }
  const models::Artifact artifact = models::load_artifact(dir);
  const auto* lif = std::get_if<models::LifRnnArtifact>(&artifact);
  if (lif == nullptr) refuse_rate();
  write_nir(nir_file, lif_to_nir(*lif, options));
}

}  // namespace nf::interop
