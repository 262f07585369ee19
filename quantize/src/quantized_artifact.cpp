#include "neurofab/quantize/quantized_artifact.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/json_fields.hpp"
#include "neurofab/common/npy.hpp"
#include "neurofab/models/tasks/task_data.hpp"

namespace nf::quantize {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "neurofab-quantized";

// ---------------------------------------------------------------- tensors

json write_codes(const fs::path& dir, const std::string& name, const IntMatrix& m, bool vector) {
  std::vector<std::int64_t> shape = {m.rows()};
  if (!vector) shape.push_back(m.cols());
  const std::string file = name + ".npy";
  write_npy<std::int32_t>(dir / file, shape, m.data());  // row-major: C order
  return {{"file", file}, {"dtype", "int32"}, {"shape", shape}};
}

// Reads the int32 tensor `name` of `index`, checks its shape and that every
// code lies in [min, max] (the format's range, or a parameter's).
IntMatrix read_codes(const fs::path& dir, const JsonFields& index, const std::string& name, Eigen::Index rows,
                     Eigen::Index cols, bool vector, std::int64_t min, std::int64_t max, const std::string& range_of) {
  const JsonFields entry = index.object(name);
  const std::string file = entry.string("file");
  if (file.empty() || file.find("..") != std::string::npos || fs::path(file).is_absolute()) {
    entry.fail("file", fmt::format("'{}' is not a file name inside the artifact folder", file));
  }
  const fs::path path = dir / file;
  const NpyArray<std::int32_t> array = read_npy<std::int32_t>(path);
  const std::vector<std::int64_t> want =
      vector ? std::vector<std::int64_t>{rows} : std::vector<std::int64_t>{rows, cols};
  if (array.shape != want) {
    throw InputError(fmt::format("{}: tensor '{}' has shape ({}), the model needs ({})", path.string(), name,
                                 fmt::join(array.shape, ", "), fmt::join(want, ", ")));
  }
  IntMatrix m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) {
    const std::int32_t code = array.data[static_cast<std::size_t>(k)];
    if (code < min || code > max) {
      throw InputError(fmt::format("{}: tensor '{}' has the code {} at flat index {}, outside {} [{}, {}]",
                                   path.string(), name, code, k, range_of, min, max));
    }
    m.data()[k] = code;
  }
  return m;
}

IntMatrix read_in_format(const fs::path& dir, const JsonFields& index, const std::string& name, Eigen::Index rows,
                         Eigen::Index cols, bool vector, const FixedFormat& f) {
  return read_codes(dir, index, name, rows, cols, vector, f.min_code(), f.max_code(),
                    fmt::format("its format {}", f.to_string()));
}

// ---------------------------------------------------------------- json

FixedFormat format_from_json(const JsonFields& formats, const std::string& name) {
  const JsonFields f = formats.object(name);
  FixedFormat format{static_cast<int>(f.integer("total_bits")), static_cast<int>(f.integer("frac_bits"))};
  try {
    format.validate(fmt::format("format '{}'", name));
  } catch (const InputError& e) {
    formats.fail(name, e.what());
  }
  return format;
}

json options_to_json(const QuantizeOptions& o, const CalibrationRanges& ranges) {
  return {{"method", to_string(o.calibration)},
          {"percentile", o.percentile},
          {"trials", o.calibration_trials},
          {"seed", o.calibration_seed},
          {"weight_bits", o.weight_bits},
          {"state_bits", o.state_bits},
          {"input_bits", o.input_bits},
          {"ranges", ranges}};
}

// ---------------------------------------------------------------- per family

void save_network(const fs::path& out, const IntegerRateRnn& net, json& root) {
  const auto& s = net.spec();
  const auto& t = net.tensors();
  root["model_type"] = std::string(models::model_type_name(models::Family::kRate));
  root["model"] = models::model_to_json(net.config());
  const auto& a = s.activation;
  json tensors = {{"W_in", write_codes(out, "W_in", t.w_in, false)},
                  {"W_rec", write_codes(out, "W_rec", t.w_rec, false)},
                  {"b_rec", write_codes(out, "b_rec", t.b_rec, true)},
                  {"W_out", write_codes(out, "W_out", t.w_out, false)},
                  {"b_out", write_codes(out, "b_out", t.b_out, true)}};
  if (!a.entries.empty()) {
    const IntMatrix table = Eigen::Map<const IntVector>(a.entries.data(), static_cast<Eigen::Index>(a.entries.size()));
    tensors["activation_table"] = write_codes(out, "activation_table", table, true);
  }
  root["fixed_point"] = fixed_point_to_json(net);
  root["tensors"] = tensors;
}

void save_network(const fs::path& out, const IntegerLifRnn& net, json& root) {
  const auto& t = net.tensors();
  root["model_type"] = std::string(models::model_type_name(models::Family::kLif));
  root["model"] = models::model_to_json(net.config());
  root["fixed_point"] = fixed_point_to_json(net);
  root["tensors"] = {{"W_in", write_codes(out, "W_in", t.w_in, false)},
                     {"W_rec", write_codes(out, "W_rec", t.w_rec, false)},
                     {"b_rec", write_codes(out, "b_rec", t.b_rec, true)},
                     {"W_out", write_codes(out, "W_out", t.w_out, false)},
                     {"b_out", write_codes(out, "b_out", t.b_out, true)},
                     {"beta", write_codes(out, "beta", t.beta, true)},
                     {"alpha_syn", write_codes(out, "alpha_syn", t.alpha_syn, true)}};
}

IntegerRateRnn load_rate(const fs::path& dir, const JsonFields& root) {
  const models::RateRnnConfig c = models::rate_config_from_json(root.object("model"));
  const JsonFields fp = root.object("fixed_point");
  const JsonFields formats = fp.object("formats");
  RateRnnFixedPoint s;
  s.rounding = fp.parsed_string("rounding", rounding_from_string);
  s.overflow = fp.parsed_string("overflow", overflow_from_string);
  s.input = format_from_json(formats, "input");
  s.w_in = format_from_json(formats, "W_in");
  s.w_rec = format_from_json(formats, "W_rec");
  s.b_rec = format_from_json(formats, "b_rec");
  s.state = format_from_json(formats, "state");
  s.w_out = format_from_json(formats, "W_out");
  s.b_out = format_from_json(formats, "b_out");
  s.output = format_from_json(formats, "output");
  s.accumulator_bits = static_cast<int>(fp.integer("accumulator_bits"));
  s.output_accumulator_bits = static_cast<int>(fp.integer("output_accumulator_bits"));
  const JsonFields act = fp.object("activation");
  s.activation.function = act.parsed_string("function", models::activation_from_string);
  if (s.activation.function != c.activation) act.fail("function", "differs from the model's activation");
  s.activation.piecewise_linear = act.boolean("piecewise_linear");
  s.activation.index_bits = static_cast<int>(act.integer("index_bits"));
  s.activation.input_frac_bits = static_cast<int>(act.integer("input_frac_bits"));
  s.activation.interpolation_bits = static_cast<int>(act.integer("interpolation_bits"));
  if (s.activation.index_bits < 2 || s.activation.index_bits > 20) act.fail("index_bits", "must be in [2, 20]");
  if (s.activation.interpolation_bits < 0 || s.activation.interpolation_bits > 16) {
    act.fail("interpolation_bits", "must be in [0, 16]");
  }
  const JsonFields leak = fp.object("leak");
  s.leak_bits = static_cast<int>(leak.integer("bits"));
  if (s.leak_bits < 1 || s.leak_bits > 30) leak.fail("bits", "must be in [1, 30]");
  s.leak_multiplier = leak.integer("multiplier");
  if (s.leak_multiplier < 1 || s.leak_multiplier > (std::int64_t{1} << s.leak_bits)) {
    leak.fail("multiplier", fmt::format("must be in [1, 2^{}]", s.leak_bits));
  }

  const JsonFields index = root.object("tensors");
  IntegerRateRnnTensors t;
  t.w_in = read_in_format(dir, index, "W_in", c.n_rec, c.n_in, false, s.w_in);
  t.w_rec = read_in_format(dir, index, "W_rec", c.n_rec, c.n_rec, false, s.w_rec);
  t.b_rec = read_in_format(dir, index, "b_rec", c.n_rec, 1, true, s.b_rec).col(0);
  t.w_out = read_in_format(dir, index, "W_out", c.n_out, c.n_rec, false, s.w_out);
  t.b_out = read_in_format(dir, index, "b_out", c.n_out, 1, true, s.b_out).col(0);
  if (c.activation == models::Activation::kTanh) {
    const Eigen::Index size = (Eigen::Index{1} << s.activation.index_bits) + (s.activation.piecewise_linear ? 1 : 0);
    const IntMatrix table = read_in_format(dir, index, "activation_table", size, 1, true, s.state);
    s.activation.entries.assign(table.data(), table.data() + table.size());
  }
  return IntegerRateRnn(c, std::move(s), std::move(t));
}

IntegerLifRnn load_lif(const fs::path& dir, const JsonFields& root) {
  const models::LifRnnConfig c = models::lif_config_from_json(root.object("model"));
  const JsonFields fp = root.object("fixed_point");
  const JsonFields formats = fp.object("formats");
  LifRnnFixedPoint s;
  s.rounding = fp.parsed_string("rounding", rounding_from_string);
  s.overflow = fp.parsed_string("overflow", overflow_from_string);
  s.input = format_from_json(formats, "input");
  s.w_in = format_from_json(formats, "W_in");
  s.w_rec = format_from_json(formats, "W_rec");
  s.b_rec = format_from_json(formats, "b_rec");
  s.current = format_from_json(formats, "current");
  s.membrane = format_from_json(formats, "membrane");
  s.w_out = format_from_json(formats, "W_out");
  s.b_out = format_from_json(formats, "b_out");
  s.output = format_from_json(formats, "output");
  s.accumulator_bits = static_cast<int>(fp.integer("accumulator_bits"));
  s.threshold = fp.integer("threshold");
  if (s.threshold < 1 || s.threshold > s.membrane.max_code()) {
    fp.fail("threshold", fmt::format("must be in [1, {}] (the membrane format's positive codes)", s.membrane.max_code()));
  }
  const JsonFields decay = fp.object("decay");
  s.decay.form = decay.parsed_string("form", decay_form_from_string);
  s.decay.multiplier_bits = static_cast<int>(decay.integer("multiplier_bits"));
  if (s.decay.multiplier_bits < 1 || s.decay.multiplier_bits > 30) decay.fail("multiplier_bits", "must be in [1, 30]");
  const std::int64_t max_parameter =
      s.decay.form == DecayForm::kShift ? 62 : (std::int64_t{1} << s.decay.multiplier_bits);
  const std::string parameter_range = fmt::format("the {} decay's parameter range", to_string(s.decay.form));

  const JsonFields index = root.object("tensors");
  IntegerLifRnnTensors t;
  t.kappa = decay.integer("kappa");
  if (t.kappa < 0 || t.kappa > max_parameter) decay.fail("kappa", fmt::format("must be in [0, {}]", max_parameter));
  t.w_in = read_in_format(dir, index, "W_in", c.n_rec, c.n_in_encoded(), false, s.w_in);
  t.w_rec = read_in_format(dir, index, "W_rec", c.n_rec, c.n_rec, false, s.w_rec);
  t.b_rec = read_in_format(dir, index, "b_rec", c.n_rec, 1, true, s.b_rec).col(0);
  t.w_out = read_in_format(dir, index, "W_out", c.n_out, c.n_rec, false, s.w_out);
  t.b_out = read_in_format(dir, index, "b_out", c.n_out, 1, true, s.b_out).col(0);
  t.beta = read_codes(dir, index, "beta", c.n_rec, 1, true, 0, max_parameter, parameter_range).col(0);
  t.alpha_syn = read_codes(dir, index, "alpha_syn", c.n_rec, 1, true, 0, max_parameter, parameter_range).col(0);
  return IntegerLifRnn(c, std::move(s), std::move(t));
}

std::variant<IntegerRateRnn, IntegerLifRnn> load_network(const fs::path& dir, const JsonFields& root) {
  if (models::family_field(root) == models::Family::kRate) return load_rate(dir, root);
  return load_lif(dir, root);
}

}  // namespace

json format_to_json(const FixedFormat& f) {
  return {{"total_bits", f.total_bits}, {"frac_bits", f.frac_bits}, {"q", f.to_string()}};
}

json fixed_point_to_json(const IntegerRateRnn& net) {
  const auto& s = net.spec();
  const auto& a = s.activation;
  const json formats = {{"input", format_to_json(s.input)},   {"W_in", format_to_json(s.w_in)},
                        {"W_rec", format_to_json(s.w_rec)},   {"b_rec", format_to_json(s.b_rec)},
                        {"state", format_to_json(s.state)},   {"W_out", format_to_json(s.w_out)},
                        {"b_out", format_to_json(s.b_out)},   {"output", format_to_json(s.output)}};
  // α = 2^-k (α_q = 2^(D-k)) can be a shift in hardware.
  json shift = nullptr;
  for (int k = 0; k <= s.leak_bits; ++k)
    if (s.leak_multiplier == (std::int64_t{1} << (s.leak_bits - k))) shift = k;
  return {{"rounding", to_string(s.rounding)},
                         {"overflow", to_string(s.overflow)},
                         {"formats", formats},
                         {"accumulator_frac_bits", s.accumulator_frac()},
                         {"accumulator_bits", s.accumulator_bits},
                         {"output_accumulator_frac_bits", s.output_frac()},
                         {"output_accumulator_bits", s.output_accumulator_bits},
                         {"activation",
                          {{"function", models::to_string(a.function)},
                           {"piecewise_linear", a.piecewise_linear},
                           {"index_bits", a.index_bits},
                           {"input_frac_bits", a.input_frac_bits},
                           {"interpolation_bits", a.interpolation_bits}}},
                         {"leak", {{"bits", s.leak_bits}, {"multiplier", s.leak_multiplier}, {"shift", shift}}}};
}

json fixed_point_to_json(const IntegerLifRnn& net) {
  const auto& s = net.spec();
  const auto& t = net.tensors();
  const json formats = {{"input", format_to_json(s.input)},       {"W_in", format_to_json(s.w_in)},
                  {"W_rec", format_to_json(s.w_rec)},       {"b_rec", format_to_json(s.b_rec)},
                  {"current", format_to_json(s.current)},   {"membrane", format_to_json(s.membrane)},
                  {"W_out", format_to_json(s.w_out)},       {"b_out", format_to_json(s.b_out)},
                  {"output", format_to_json(s.output)}};
  const bool spike_input = net.config().encoding != models::InputEncoding::kCurrent;
  return {{"rounding", to_string(s.rounding)},
                         {"overflow", to_string(s.overflow)},
                         {"formats", formats},
                         {"synapse_frac_bits", s.synapse_frac(spike_input)},
                         {"accumulator_bits", s.accumulator_bits},
                         {"output_frac_bits", s.output_frac()},
                         {"threshold", s.threshold},
                         {"decay",
                          {{"form", to_string(s.decay.form)},
                           {"multiplier_bits", s.decay.multiplier_bits},
                           {"kappa", t.kappa}}}};
}

QuantizedArtifact quantize_artifact(const models::Artifact& artifact, const std::string& source,
                                    const QuantizeOptions& options) {
  return std::visit(
      [&](const auto& a) {
        auto [network, ranges] = quantize_network(a, options);
        return QuantizedArtifact{std::move(network), a.task_name, a.task_params, a.seed, source, options,
                                 std::move(ranges), {}};
      },
      artifact);
}

void save_quantized(const fs::path& dir, const QuantizedArtifact& q) {
  StagingDir staging(dir);
  json root = {{"format", kFormat}, {"format_version", kQuantizedFormatVersion}};
  std::visit([&](const auto& net) { save_network(staging.path(), net, root); }, q.network);
  root["task"] = models::task_section_to_json(staging.path(), q.task_name, q.task_params);  // the data task: + its file
  root["seed"] = q.seed;
  root["source_artifact"] = q.source;
  root["calibration"] = options_to_json(q.options, q.ranges);
  if (q.fine_tuning) {
    const FineTuneRecord& f = *q.fine_tuning;
    root["fine_tuning"] = {{"method", "straight_through_estimator"},
                           {"epochs", f.epochs},
                           {"learning_rate", f.learning_rate},
                           {"steps_per_epoch", f.steps_per_epoch},
                           {"selection_trials", f.selection_trials},
                           {"best_epoch", f.best_epoch},
                           {"selection_success", f.selection_success}};
  }
  write_file_atomically(staging.path() / "model.json", root.dump(2) + "\n");
  staging.commit();
}

bool is_quantized_artifact(const fs::path& dir) {
  std::ifstream in(dir / "model.json");
  if (!in) return false;
  const json j = json::parse(in, nullptr, false);
  return !j.is_discarded() && j.is_object() && j.value("format", "") == kFormat;
}

QuantizedArtifact load_quantized(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw InputError(fmt::format("{}: not an artifact folder (no such folder)", dir.string()));
  const fs::path json_path = dir / "model.json";
  if (!fs::exists(json_path)) throw InputError(fmt::format("{}: missing (not an artifact folder?)", json_path.string()));
  const json document = JsonFields::parse_file(json_path);
  const JsonFields root(document, json_path.string());
  const std::string format = root.string("format");
  if (format == "neurofab-artifact") {
    throw InputError(fmt::format("{}: a float artifact where a quantized one is needed; quantize it first "
                                 "(neurofab quantize {} -o <qdir>)",
                                 dir.string(), dir.string()));
  }
  if (format != kFormat) root.fail("format", fmt::format("expected \"{}\"", kFormat));
  const std::int64_t version = root.integer("format_version");
  if (version != kQuantizedFormatVersion) {
    root.fail("format_version", fmt::format("unsupported version {} (this build reads version {})", version,
                                            kQuantizedFormatVersion));
  }
  QuantizedArtifact q{load_network(dir, root), {}, {}, 0, {}, {}, {}, {}};
  models::task_section_from_json(root.object("task"), dir, q.task_name, q.task_params);  // registers a data task's trials
  q.seed = root.unsigned_integer("seed");
  q.source = root.string("source_artifact");
  const JsonFields cal = root.object("calibration");
  q.options.calibration = cal.parsed_string("method", calibration_from_string);
  q.options.percentile = cal.number("percentile");
  q.options.calibration_trials = static_cast<int>(cal.integer("trials"));
  q.options.weight_bits = static_cast<int>(cal.integer("weight_bits"));
  q.options.state_bits = static_cast<int>(cal.integer("state_bits"));
  q.options.input_bits = static_cast<int>(cal.integer("input_bits"));
  for (const auto& [name, value] : cal.raw("ranges").items()) q.ranges[name] = cal.object("ranges").number(name);
  if (root.has("fine_tuning")) {
    const JsonFields f = root.object("fine_tuning");
    q.fine_tuning = FineTuneRecord{static_cast<int>(f.integer("epochs")), f.number("learning_rate"),
                                   static_cast<int>(f.integer("steps_per_epoch")),
                                   static_cast<int>(f.integer("selection_trials")),
                                   static_cast<int>(f.integer("best_epoch")), f.number("selection_success")};
  }
  return q;
}

}  // namespace nf::quantize
