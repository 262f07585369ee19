#include "neurofab/models/artifact.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>
#include <nlohmann/json.hpp>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/json_fields.hpp"
#include "neurofab/common/matrix_kernels.hpp"
#include "neurofab/common/npy.hpp"
#include "neurofab/models/tasks/task_data.hpp"
#include "npy_tensors.hpp"

namespace nf::models {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kOptimizerDir = "optimizer";

// Tensors: write_matrix / read_matrix in npy_tensors.hpp.

// ---------------------------------------------------------------- json sections

json init_to_json(const InitSpec& spec) {
  return {{"scheme", to_string(spec.scheme)}, {"gain", spec.gain}, {"density", spec.density}};
}

InitSpec init_from_json(const JsonFields& f) {
  InitSpec spec;
  try {
    spec.scheme = init_scheme_from_string(f.string("scheme"));
  } catch (const InputError& e) {
    f.fail("scheme", e.what());
  }
  spec.gain = f.number("gain");
  spec.density = f.number("density");
  return spec;
}

json training_to_json(const TrainingConfig& t) {
  return {{"batch_size", t.batch_size},
          {"max_epochs", t.max_epochs},
          {"steps_per_epoch", t.steps_per_epoch},
          {"learning_rate", t.learning_rate},
          {"adam_beta1", t.adam.beta1},
          {"adam_beta2", t.adam.beta2},
          {"adam_epsilon", t.adam.epsilon},
          {"clip_norm", t.clip_norm},
          {"l2_weights", t.regularization.l2_weights},
          {"l1_weights", t.regularization.l1_weights},
          {"l2_rates", t.regularization.l2_rates},
          {"l1_rates", t.regularization.l1_rates},
          {"target_rate", t.regularization.target_rate},
          {"target_rate_weight", t.regularization.target_rate_weight},
          {"loss_threshold", t.loss_threshold},
          {"extra_epochs", t.extra_epochs},
          {"plateau_patience", t.plateau_patience},
          {"plateau_factor", t.plateau_factor},
          {"min_learning_rate", t.min_learning_rate},
          {"validation_trials", t.validation_trials},
          {"checkpoint_every", t.checkpoint_every},
          {"loss_on_scored_steps", t.loss_on_scored_steps},
          {"divergence_factor", t.divergence_factor},
          {"max_rollbacks", t.max_rollbacks},
          {"rollback_lr_factor", t.rollback_lr_factor}};
}

int checked_int(const JsonFields& f, const std::string& key) {
  const std::int64_t v = f.integer(key);
  if (v < INT32_MIN || v > INT32_MAX) f.fail(key, "out of range");
  return static_cast<int>(v);
}

TrainingConfig training_from_json(const JsonFields& f) {
  TrainingConfig t;
  t.batch_size = checked_int(f, "batch_size");
  t.max_epochs = checked_int(f, "max_epochs");
  t.steps_per_epoch = checked_int(f, "steps_per_epoch");
  t.learning_rate = f.number("learning_rate");
  t.adam.beta1 = f.number("adam_beta1");
  t.adam.beta2 = f.number("adam_beta2");
  t.adam.epsilon = f.number("adam_epsilon");
  t.clip_norm = f.number("clip_norm");
  t.regularization.l2_weights = f.number("l2_weights");
  t.regularization.l1_weights = f.number("l1_weights");
  t.regularization.l2_rates = f.number("l2_rates");
  t.regularization.l1_rates = f.number("l1_rates");
  // Added with the LIF model; rate artifacts written before it have neither.
  if (f.has("target_rate")) t.regularization.target_rate = f.number("target_rate");
  if (f.has("target_rate_weight")) t.regularization.target_rate_weight = f.number("target_rate_weight");
  t.loss_threshold = f.number("loss_threshold");
  t.extra_epochs = checked_int(f, "extra_epochs");
  t.plateau_patience = checked_int(f, "plateau_patience");
  t.plateau_factor = f.number("plateau_factor");
  t.min_learning_rate = f.number("min_learning_rate");
  t.validation_trials = checked_int(f, "validation_trials");
  t.checkpoint_every = checked_int(f, "checkpoint_every");
  if (f.has("loss_on_scored_steps")) t.loss_on_scored_steps = f.boolean("loss_on_scored_steps");
  // Added with the divergence guard; artifacts written before it take the defaults.
  if (f.has("divergence_factor")) t.divergence_factor = f.number("divergence_factor");
  if (f.has("max_rollbacks")) t.max_rollbacks = checked_int(f, "max_rollbacks");
  if (f.has("rollback_lr_factor")) t.rollback_lr_factor = f.number("rollback_lr_factor");
  try {
    t.validate();
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", f.file(), e.what()));
  }
  return t;
}

json finite_or_null(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json state_to_json(const TrainingState& s) {
  json log = json::array();
  for (const auto& r : s.log) {
    log.push_back({{"epoch", r.epoch},
                   {"loss", finite_or_null(r.loss)},
                   {"task_loss", finite_or_null(r.task_loss)},
                   {"validation_success", r.validation_success},
                   {"validation_loss", finite_or_null(r.validation_loss)},
                   {"learning_rate", r.learning_rate},
                   {"seconds", r.seconds}});
  }
  json rollbacks = json::array();
  for (const auto& r : s.rollbacks) {
    rollbacks.push_back({{"epoch", r.epoch},
                         {"loss", finite_or_null(r.loss)},
                         {"reason", r.reason},
                         {"learning_rate", r.learning_rate}});
  }
  json best = nullptr;
  if (s.best.epoch > 0) {
    best = {{"epoch", s.best.epoch},
            {"validation_success", s.best.validation_success},
            {"validation_loss", finite_or_null(s.best.validation_loss)}};
  }
  return {{"epochs_done", s.epochs_done},
          {"learning_rate", s.learning_rate},
          {"best_loss", finite_or_null(s.best_loss)},
          {"epochs_since_best", s.epochs_since_best},
          {"converged_epoch", s.converged_epoch},
          {"finished", s.finished},
          {"stopped", s.stopped},
          {"best_network", best},
          {"rollbacks", rollbacks},
          {"optimizer_step", s.optimizer.step()},
          {"log", log}};
}

TrainingState state_from_json(const JsonFields& f) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  TrainingState s;
  s.epochs_done = checked_int(f, "epochs_done");
  s.learning_rate = f.number("learning_rate");
  s.best_loss = f.number_or_null("best_loss", std::numeric_limits<double>::infinity());
  s.epochs_since_best = checked_int(f, "epochs_since_best");
  s.converged_epoch = checked_int(f, "converged_epoch");
  s.finished = f.boolean("finished");
  if (s.epochs_done < 0) f.fail("epochs_done", "must be >= 0");
  const auto& log = f.array("log");
  for (std::size_t i = 0; i < log.size(); ++i) {
    const JsonFields r = f.element("log", i);
    // validation_loss came with the best-network rule; older logs lack it.
    const double validation_loss = r.has("validation_loss") ? r.number_or_null("validation_loss", kNaN) : kNaN;
    s.log.push_back({checked_int(r, "epoch"), r.number_or_null("loss", kNaN), r.number_or_null("task_loss", kNaN),
                     r.number("validation_success"), validation_loss, r.number("learning_rate"),
                     r.number("seconds")});
  }
  // Artifacts written before the best-network rule and the divergence guard have none of these.
  if (f.has("stopped")) s.stopped = f.string("stopped");
  if (f.has("rollbacks")) {
    for (std::size_t i = 0; i < f.array("rollbacks").size(); ++i) {
      const JsonFields r = f.element("rollbacks", i);
      s.rollbacks.push_back(
          {checked_int(r, "epoch"), r.number_or_null("loss", kNaN), r.string("reason"), r.number("learning_rate")});
    }
  }
  if (f.has("best_network") && !f.raw("best_network").is_null()) {
    const JsonFields b = f.object("best_network");
    s.best.epoch = checked_int(b, "epoch");
    if (s.best.epoch < 1 || s.best.epoch > s.epochs_done) b.fail("epoch", "must be in [1, epochs_done]");
    s.best.validation_success = b.number("validation_success");
    s.best.validation_loss = b.number_or_null("validation_loss", std::numeric_limits<double>::infinity());
  }
  return s;
}

// ---------------------------------------------------------------- model sections

json frozen_to_json(const std::set<std::string>& frozen) {
  json names = json::array();
  for (const auto& name : frozen) names.push_back(name);
  return names;
}

std::set<std::string> frozen_from_json(const JsonFields& m) {
  std::set<std::string> frozen;
  for (const auto& name : m.array("frozen")) {
    if (!name.is_string()) m.fail("frozen", "expected an array of tensor names");
    frozen.insert(name.get<std::string>());
  }
  return frozen;
}

}  // namespace

json model_to_json(const RateRnnConfig& c) {
  return {{"n_in", c.n_in},
          {"n_rec", c.n_rec},
          {"n_out", c.n_out},
          {"activation", to_string(c.activation)},
          {"dt_ms", c.dt_ms},
          {"tau_ms", c.tau_ms},
          {"alpha", c.alpha()},
          {"noise_sd", c.noise_sd},
          {"dale_ratio", c.dale_ratio},
          {"n_excitatory", c.n_excitatory()},
          {"frozen", frozen_to_json(c.frozen)}};
}

json model_to_json(const LifRnnConfig& c) {
  return {{"n_in", c.n_in},
          {"n_rec", c.n_rec},
          {"n_out", c.n_out},
          {"dt_ms", c.dt_ms},
          {"tau_mem_ms", c.tau_mem_ms},
          {"tau_syn_ms", c.tau_syn_ms},
          {"tau_out_ms", c.tau_out_ms},
          {"beta", c.beta()},
          {"alpha_syn", c.alpha_syn()},
          {"kappa", c.kappa()},
          {"threshold", c.threshold},
          {"reset", to_string(c.reset)},
          {"refractory_steps", c.refractory_steps},
          {"input_encoding", to_string(c.encoding)},
          {"encoding_gain", c.encoding_gain},
          {"delta_threshold", c.delta_threshold},
          {"n_in_encoded", c.n_in_encoded()},
          {"surrogate", to_string(c.surrogate)},
          {"surrogate_slope", c.surrogate_slope},
          {"detach_reset", c.detach_reset},
          {"train_tau", c.train_tau},
          {"dale_ratio", c.dale_ratio},
          {"n_excitatory", c.n_excitatory()},
          {"frozen", frozen_to_json(c.frozen)}};
}

// Runs `validate` and prefixes its error with the file.
template <typename Config>
void validate_in(const Config& c, const fs::path& file) {
  try {
    c.validate();
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", file.string(), e.what()));
  }
}

RateRnnConfig rate_config_from_json(const JsonFields& m) {
  RateRnnConfig c;
  c.n_in = checked_int(m, "n_in");
  c.n_rec = checked_int(m, "n_rec");
  c.n_out = checked_int(m, "n_out");
  c.activation = m.parsed_string("activation", activation_from_string);
  c.dt_ms = m.number("dt_ms");
  c.tau_ms = m.number("tau_ms");
  c.noise_sd = m.number("noise_sd");
  c.dale_ratio = m.number("dale_ratio");
  c.frozen = frozen_from_json(m);
  validate_in(c, m.file());
  return c;
}

LifRnnConfig lif_config_from_json(const JsonFields& m) {
  LifRnnConfig c;
  c.n_in = checked_int(m, "n_in");
  c.n_rec = checked_int(m, "n_rec");
  c.n_out = checked_int(m, "n_out");
  c.dt_ms = m.number("dt_ms");
  c.tau_mem_ms = m.number("tau_mem_ms");
  c.tau_syn_ms = m.number("tau_syn_ms");
  c.tau_out_ms = m.number("tau_out_ms");
  c.threshold = m.number("threshold");
  c.reset = m.parsed_string("reset", reset_mode_from_string);
  c.refractory_steps = checked_int(m, "refractory_steps");
  c.encoding = m.parsed_string("input_encoding", input_encoding_from_string);
  c.encoding_gain = m.number("encoding_gain");
  c.delta_threshold = m.number("delta_threshold");
  c.surrogate = m.parsed_string("surrogate", surrogate_from_string);
  c.surrogate_slope = m.number("surrogate_slope");
  c.detach_reset = m.boolean("detach_reset");
  c.train_tau = m.boolean("train_tau");
  c.dale_ratio = m.number("dale_ratio");
  c.frozen = frozen_from_json(m);
  validate_in(c, m.file());
  return c;
}

namespace {

std::string model_type_of(const RateRnn<float>&) { return std::string(model_type_name(Family::kRate)); }
std::string model_type_of(const LifRnn<float>&) { return std::string(model_type_name(Family::kLif)); }

// ---------------------------------------------------------------- save

template <typename Network>
void save_any(const fs::path& dir, const TrainedArtifact<Network>& a) {
  StagingDir staging(dir);
  const fs::path out = staging.path();

  // Weights are matrices; biases and per-unit decays are vectors.
  const auto is_vector = [](const std::string& name) { return name[0] != 'W'; };
  json tensors = json::object();
  a.network.weights().for_each([&](const std::string& name, const Eigen::MatrixXf& m) {
    tensors[name] = write_matrix<float>(out, name + ".npy", m, is_vector(name));
  });
  const Connectivity& k = a.network.connectivity();
  tensors["mask_W_in"] = write_matrix<std::uint8_t>(out, "mask_W_in.npy", k.mask_in, false);
  tensors["mask_W_rec"] = write_matrix<std::uint8_t>(out, "mask_W_rec.npy", k.mask_rec, false);
  tensors["mask_W_out"] = write_matrix<std::uint8_t>(out, "mask_W_out.npy", k.mask_out, false);

  json optimizer = json::object();
  if (!a.state.optimizer.first_moments().empty() || !a.state.training_weights.empty()) {
    fs::create_directory(out / kOptimizerDir);
  }
  // Where training stands, when the main tensors hold the best network instead.
  for (const auto& [name, w] : a.state.training_weights) {
    optimizer["weights_" + name] =
        write_matrix<float>(out, std::string(kOptimizerDir) + "/weights_" + name + ".npy", w, false);
  }
  for (const auto& [name, m] : a.state.optimizer.first_moments()) {
    const std::string base = std::string(kOptimizerDir) + "/adam_";
    optimizer["m_" + name] = write_matrix<float>(out, base + "m_" + name + ".npy", m, false);
    optimizer["v_" + name] =
        write_matrix<float>(out, base + "v_" + name + ".npy", a.state.optimizer.second_moments().at(name), false);
  }

  const json model = {
      {"format", "neurofab-artifact"},
      {"format_version", kArtifactFormatVersion},
      {"model_type", model_type_of(a.network)},
      {"model", model_to_json(a.network.config())},
      {"init",
       {{"W_in", init_to_json(a.init.w_in)},
        {"W_rec", init_to_json(a.init.w_rec)},
        {"W_out", init_to_json(a.init.w_out)},
        {"rec_density", a.init.rec_density}}},
      {"task", task_section_to_json(out, a.task_name, a.task_params)},  // the data task: + its file
      {"seed", a.seed},
      // Provenance: the same seed gives the same weights only with the same kernels (docs/determinism.md).
      {"matrix_kernels", matrix_kernels().describe()},
      {"training", training_to_json(a.training)},
      {"state", state_to_json(a.state)},
      {"tensors", tensors},
      {"optimizer_tensors", optimizer},
  };
  write_file_atomically(out / "model.json", model.dump(2) + "\n");
  staging.commit();
}

// ---------------------------------------------------------------- load

// Everything after the model section: it is the same for every family.
template <typename Network>
TrainedArtifact<Network> load_any(const fs::path& dir, const JsonFields& root, const typename Network::Config& c) {
  const JsonFields index = root.object("tensors");
  auto weights = Network::Tensors::zeros(c);
  weights.for_each([&](const std::string& name, Eigen::MatrixXf& m) {
    m = read_matrix<float>(dir, index, name, m.rows(), m.cols(), name[0] != 'W');
  });
  Connectivity k;
  const auto& w = weights;
  k.mask_in = read_matrix<std::uint8_t>(dir, index, "mask_W_in", w.w_in.rows(), w.w_in.cols(), false);
  k.mask_rec = read_matrix<std::uint8_t>(dir, index, "mask_W_rec", c.n_rec, c.n_rec, false);
  k.mask_out = read_matrix<std::uint8_t>(dir, index, "mask_W_out", c.n_out, c.n_rec, false);
  TrainedArtifact<Network> a{Network(c, std::move(k), std::move(weights)), {}, {}, {}, 0, {}, TrainingState{}};
  if (const std::string violation = a.network.constraint_violation(); !violation.empty()) {
    throw InputError(fmt::format("{}: {}", dir.string(), violation));
  }

  const JsonFields init = root.object("init");
  a.init.w_in = init_from_json(init.object("W_in"));
  a.init.w_rec = init_from_json(init.object("W_rec"));
  a.init.w_out = init_from_json(init.object("W_out"));
  a.init.rec_density = init.number("rec_density");

  task_section_from_json(root.object("task"), dir, a.task_name, a.task_params);  // registers a data task's trials
  a.seed = root.unsigned_integer("seed");
  a.training = training_from_json(root.object("training"));
  a.state = state_from_json(root.object("state"));

  std::map<std::string, Eigen::MatrixXf> first, second;
  const JsonFields optimizer = root.object("optimizer_tensors");
  a.network.weights().for_each([&](const std::string& name, const Eigen::MatrixXf& shape) {
    if (optimizer.has("weights_" + name)) {
      a.state.training_weights[name] =
          read_matrix<float>(dir, optimizer, "weights_" + name, shape.rows(), shape.cols(), false);
    }
    if (!optimizer.has("m_" + name)) return;
    first[name] = read_matrix<float>(dir, optimizer, "m_" + name, shape.rows(), shape.cols(), false);
    second[name] = read_matrix<float>(dir, optimizer, "v_" + name, shape.rows(), shape.cols(), false);
  });
  const std::int64_t step = root.object("state").integer("optimizer_step");
  a.state.optimizer = Adam(a.training.adam);
  a.state.optimizer.restore(step, std::move(first), std::move(second));
  return a;
}

}  // namespace

Family family_of(const Artifact& artifact) {
  return std::holds_alternative<RateRnnArtifact>(artifact) ? Family::kRate : Family::kLif;
}

std::string model_type(const Artifact& artifact) {
  return std::visit([](const auto& a) -> std::string { return model_type_of(a.network); }, artifact);
}

std::string model_description(const Artifact& artifact) {
  return std::string(display_name(family_of(artifact)));
}

void save_artifact(const fs::path& dir, const RateRnnArtifact& a) { save_any(dir, a); }
void save_artifact(const fs::path& dir, const LifRnnArtifact& a) { save_any(dir, a); }

Artifact load_artifact(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw InputError(fmt::format("{}: not an artifact folder (no such folder)", dir.string()));
  const fs::path json_path = dir / "model.json";
  if (!fs::exists(json_path)) throw InputError(fmt::format("{}: missing (not an artifact folder?)", json_path.string()));
  const json document = JsonFields::parse_file(json_path);
  const JsonFields root(document, json_path.string());

  if (root.string("format") != "neurofab-artifact") root.fail("format", "expected \"neurofab-artifact\"");
  const std::int64_t version = root.integer("format_version");
  if (version != kArtifactFormatVersion) {
    root.fail("format_version", fmt::format("unsupported version {} (this build reads version {})", version,
                                            kArtifactFormatVersion));
  }
  if (root.string("model_type") == "elise")
    root.fail("model_type", "'elise': this command takes rate_rnn or lif_rnn artifacts only (ELiSe: neurofab eval)");
  if (family_field(root) == Family::kRate) {
    return load_any<RateRnn<float>>(dir, root, rate_config_from_json(root.object("model")));
  }
  return load_any<LifRnn<float>>(dir, root, lif_config_from_json(root.object("model")));
}

namespace {
template <typename Wanted>
Wanted load_as(const fs::path& dir, Family wanted) {
  Artifact artifact = load_artifact(dir);
  if (auto* a = std::get_if<Wanted>(&artifact)) return std::move(*a);
  throw InputError(fmt::format("{}: model_type is '{}', this needs a '{}' artifact", (dir / "model.json").string(),
                               model_type(artifact), model_type_name(wanted)));
}
}  // namespace

RateRnnArtifact load_rate_artifact(const fs::path& dir) { return load_as<RateRnnArtifact>(dir, Family::kRate); }
LifRnnArtifact load_lif_artifact(const fs::path& dir) { return load_as<LifRnnArtifact>(dir, Family::kLif); }

}  // namespace nf::models
