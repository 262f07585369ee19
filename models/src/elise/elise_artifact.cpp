#include "neurofab/models/elise/elise_artifact.hpp"

#include <fmt/format.h>

#include <limits>

#include "../npy_tensors.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"

namespace nf::models {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "neurofab-artifact";
constexpr const char* kStateDir = "state";

// Every parameter by its field name, so model.json and the struct read alike.
template <typename Params, typename F>
void for_each_parameter(Params& p, F&& f) {
  f("e_l_mv", p.e_l_mv);
  f("e_exc_mv", p.e_exc_mv);
  f("e_inh_mv", p.e_inh_mv);
  f("g_l", p.g_l);
  f("g_den", p.g_den);
  f("phi_slope_per_mv", p.phi_slope_per_mv);
  f("phi_midpoint_mv", p.phi_midpoint_mv);
  f("scaffold_g_exc", p.scaffold_g_exc);
  f("scaffold_g_inh", p.scaffold_g_inh);
  f("inhibitory_delay_ms", p.inhibitory_delay_ms);
  f("delay_min_ms", p.delay_min_ms);
  f("delay_max_ms", p.delay_max_ms);
  f("teacher_lambda", p.teacher_lambda);
  f("eta_visible_to_visible", p.eta_visible_to_visible);
  f("eta_other", p.eta_other);
  f("dendritic_init_sd", p.dendritic_init_sd);
  f("dt_ms", p.dt_ms);
  f("scaffold_p0", p.scaffold_p0);
  f("scaffold_p", p.scaffold_p);
  f("scaffold_q", p.scaffold_q);
}

int int_field(const JsonFields& f, const std::string& key) {
  const std::int64_t v = f.integer(key);
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) f.fail(key, "out of range");
  return static_cast<int>(v);
}

std::vector<int> int_list(const JsonFields& f, const std::string& key, const json& array) {
  std::vector<int> out;
  for (const json& x : array) {
    if (!x.is_number_integer()) f.fail(key, "expected an array of integers");
    const auto v = x.get<std::int64_t>();
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) f.fail(key, "out of range");
    out.push_back(static_cast<int>(v));
  }
  return out;
}

json scaffold_to_json(const EliseScaffold& s) {
  return {{"parents", s.parents}, {"outputs_drawn", s.outputs_drawn}, {"recruitment_order", s.recruitment_order}};
}

EliseScaffold scaffold_from_json(const JsonFields& f, const EliseConfig& c) {
  EliseScaffold s;
  s.n_visible = c.n_visible;
  s.n_latent = c.n_latent;
  const json& parents = f.array("parents");
  if (parents.size() != static_cast<std::size_t>(c.n_latent)) {
    f.fail("parents", fmt::format("lists {} latent neurons, config.n_latent is {}", parents.size(), c.n_latent));
  }
  for (const json& p : parents) {
    if (!p.is_array()) f.fail("parents", "expected an array of arrays of neuron indices");
    s.parents.push_back(int_list(f, "parents", p));
  }
  s.outputs_drawn = int_list(f, "outputs_drawn", f.array("outputs_drawn"));
  if (s.outputs_drawn.size() != static_cast<std::size_t>(c.n_total())) {
    f.fail("outputs_drawn", fmt::format("has {} entries, the network has {} neurons", s.outputs_drawn.size(), c.n_total()));
  }
  s.recruitment_order = int_list(f, "recruitment_order", f.array("recruitment_order"));
  try {
    s.validate(c.params.scaffold_max_inputs, "");
  } catch (const InputError& e) {
    f.fail("parents", std::string(e.what()).substr(2));  // drop validate's ": " prefix
  }
  return s;
}

// A tensor read that names the model.json field when the .npy itself is
// missing or malformed.
template <typename T, typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> tensor(const fs::path& dir, const JsonFields& index,
                                                             const std::string& name, Eigen::Index rows,
                                                             Eigen::Index cols, bool vector) {
  try {
    return read_matrix<T, Scalar>(dir, index, name, rows, cols, vector);
  } catch (const InputError& e) {
    const std::string message = e.what();
    if (message.find(index.field_name(name)) != std::string::npos) throw;
    throw InputError(fmt::format("{} (listed in {} as field '{}')", message, index.file(), index.field_name(name)));
  }
}

}  // namespace

json elise_config_to_json(const EliseConfig& c) {
  json params = json::object();
  for_each_parameter(c.params, [&](const char* name, double value) { params[name] = value; });
  params["scaffold_max_inputs"] = c.params.scaffold_max_inputs;
  return {{"n_visible", c.n_visible},
          {"n_latent", c.n_latent},
          {"variant", to_string(c.variant)},
          {"connectivity", to_string(c.connectivity)},
          {"limited_in_degree", c.limited_in_degree},
          {"sparse_density", c.sparse_density},
          {"parameters", params}};
}

EliseConfig elise_config_from_json(const JsonFields& f) {
  EliseConfig c;
  c.n_visible = int_field(f, "n_visible");
  c.n_latent = int_field(f, "n_latent");
  c.variant = f.parsed_string("variant", elise_variant_from_string);
  c.connectivity = f.parsed_string("connectivity", elise_connectivity_from_string);
  c.limited_in_degree = int_field(f, "limited_in_degree");
  c.sparse_density = f.number("sparse_density");
  const JsonFields p = f.object("parameters");
  for_each_parameter(c.params, [&](const char* name, double& value) { value = p.number(name); });
  c.params.scaffold_max_inputs = int_field(p, "scaffold_max_inputs");
  try {
    c.validate();
  } catch (const InputError& e) {
    // validate says "elise.<field>: <why>"; name the field where it is in the file.
    const std::string message = e.what();
    const std::size_t colon = message.find(": ");
    const std::string field = message.rfind("elise.", 0) == 0 && colon != std::string::npos
                                  ? message.substr(6, colon - 6) : std::string();
    if (field.empty()) throw InputError(fmt::format("{}: {}", f.file(), message));
    const std::string why = message.substr(colon + 2);
    if (p.has(field)) p.fail(field, why);
    f.fail(field, why);
  }
  return c;
}

void save_elise_artifact(const fs::path& dir, const EliseArtifact& a) {
  const EliseNetwork& net = a.network;
  if (a.pattern_rates.rows() != net.n_visible()) {
    throw InputError(fmt::format("{}: the pattern has {} rows, the network {} visible neurons", dir.string(),
                                 a.pattern_rates.rows(), net.n_visible()));
  }
  StagingDir staging(dir);
  const fs::path out = staging.path();
  fs::create_directory(out / kStateDir);
  const EliseState& s = net.state();
  const std::string state_prefix = std::string(kStateDir) + "/";
  Eigen::VectorXi delays(net.n_total());
  for (int j = 0; j < net.n_total(); ++j) delays(j) = net.delay_steps()[static_cast<std::size_t>(j)];

  json tensors = json::object();
  tensors["W_den"] = write_matrix<double>(out, "W_den.npy", net.weights(), false);
  tensors["mask_W_den"] = write_matrix<std::uint8_t>(out, "mask_W_den.npy", net.connection_mask(), false);
  tensors["delays"] = write_matrix<std::int32_t>(out, "delays.npy", delays, true);
  tensors["pattern_rates"] = write_matrix<double>(out, "pattern_rates.npy", a.pattern_rates, false);
  tensors["u"] = write_matrix<double>(out, state_prefix + "u.npy", s.u, true);
  tensors["v"] = write_matrix<double>(out, state_prefix + "v.npy", s.v, true);
  tensors["rbar"] = write_matrix<double>(out, state_prefix + "rbar.npy", s.rbar, true);
  tensors["rate_history"] = write_matrix<double>(out, state_prefix + "rate_history.npy", s.rate_history, false);
  tensors["g_exc"] = write_matrix<double>(out, state_prefix + "g_exc.npy", s.g_exc, true);
  tensors["g_inh"] = write_matrix<double>(out, state_prefix + "g_inh.npy", s.g_inh, true);

  const EliseDerived& d = net.derived();
  const json model = {
      {"format", kFormat},
      {"format_version", kEliseArtifactFormatVersion},
      {"model_type", kEliseModelType},
      {"config", elise_config_to_json(net.config())},
      // For readers only (recomputed on load).
      {"derived",
       {{"rate_at_rest", d.rate_at_rest},
        {"teacher_conductance", d.teacher_conductance},
        {"delay_min_steps", d.delay_min_steps},
        {"delay_max_steps", d.delay_max_steps},
        {"inhibitory_delay_steps", d.inhibitory_delay_steps},
        {"history_length", d.history_length()}}},
      {"seed", a.seed},
      {"pattern", {{"name", a.pattern_name}, {"steps", a.pattern_rates.cols()}}},
      {"training", a.training},
      {"scaffold", scaffold_to_json(net.scaffold())},
      {"state", {{"step", s.step}}},
      {"tensors", tensors},
  };
  write_file_atomically(out / "model.json", model.dump(2) + "\n");
  staging.commit();
}

bool is_elise_artifact(const fs::path& dir) {
  const fs::path path = dir / "model.json";
  if (!fs::is_regular_file(path)) return false;
  try {
    const json document = JsonFields::parse_file(path);
    return document.is_object() && document.value("model_type", "") == kEliseModelType;
  } catch (const std::exception&) {
    return false;
  }
}

EliseArtifact load_elise_artifact(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw InputError(fmt::format("{}: not an artifact folder (no such folder)", dir.string()));
  const fs::path json_path = dir / "model.json";
  if (!fs::exists(json_path)) throw InputError(fmt::format("{}: missing (not an artifact folder?)", json_path.string()));
  const json document = JsonFields::parse_file(json_path);
  const JsonFields root(document, json_path.string());
  if (root.string("format") != kFormat) root.fail("format", fmt::format("expected \"{}\"", kFormat));
  const std::int64_t version = root.integer("format_version");
  if (version != kEliseArtifactFormatVersion) {
    root.fail("format_version", fmt::format("unsupported version {} (this build reads ELiSe version {})", version,
                                            kEliseArtifactFormatVersion));
  }
  if (const std::string type = root.string("model_type"); type != kEliseModelType) {
    root.fail("model_type", fmt::format("is '{}', this needs an '{}' artifact", type, kEliseModelType));
  }
  const EliseConfig c = elise_config_from_json(root.object("config"));
  const EliseScaffold scaffold = scaffold_from_json(root.object("scaffold"), c);
  const JsonFields index = root.object("tensors");
  const Eigen::Index n = c.n_total();
  const int h = derive(c.params).history_length();

  const JsonFields pattern = root.object("pattern");
  const std::int64_t pattern_steps = pattern.integer("steps");
  if (pattern_steps < 0 || pattern_steps > std::numeric_limits<int>::max()) pattern.fail("steps", "out of range");

  Eigen::MatrixXd weights = tensor<double, double>(dir, index, "W_den", n, n, false);
  Eigen::MatrixXd mask = tensor<std::uint8_t, double>(dir, index, "mask_W_den", n, n, false);
  const Eigen::MatrixXi delay_matrix = tensor<std::int32_t, int>(dir, index, "delays", n, 1, true);
  std::vector<int> delays(delay_matrix.data(), delay_matrix.data() + n);
  EliseState state;
  state.u = tensor<double, double>(dir, index, "u", n, 1, true);
  state.v = tensor<double, double>(dir, index, "v", n, 1, true);
  state.rbar = tensor<double, double>(dir, index, "rbar", n, 1, true);
  state.rate_history = tensor<double, double>(dir, index, "rate_history", n, h, false);
  state.g_exc = tensor<double, double>(dir, index, "g_exc", n, 1, true);
  state.g_inh = tensor<double, double>(dir, index, "g_inh", n, 1, true);
  const JsonFields state_fields = root.object("state");
  state.step = state_fields.integer("step");
  if (state.step < 0) state_fields.fail("step", "must be >= 0");

  EliseArtifact a{EliseNetwork(c, scaffold, std::move(delays), std::move(mask), std::move(weights), std::move(state),
                               json_path.string()),
                  root.unsigned_integer("seed"), pattern.string("name"),
                  tensor<double, double>(dir, index, "pattern_rates", c.n_visible, pattern_steps, false),
                  root.raw("training")};
  return a;
}

}  // namespace nf::models
