#include "neurofab/rtl/rtl_generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <type_traits>
#include <nlohmann/json.hpp>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/resources.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/golden/cycle_model.hpp"

namespace nf::rtl {
namespace fs = std::filesystem;
using quantize::IntegerRateRnn;
using quantize::IntMatrix;

namespace {

constexpr int kMaxLanes = 64;

// One $readmemh line: `values` as W-bit two's-complement lanes, lane 0 in the low bits.
std::string hex_word(const std::vector<std::int64_t>& values, int width) {
  const std::size_t bits = values.size() * static_cast<std::size_t>(width);
  std::vector<bool> word(bits + 3, false);
  for (std::size_t l = 0; l < values.size(); ++l) {
    const auto code = static_cast<std::uint64_t>(values[l]);
    for (int b = 0; b < width; ++b) word[l * static_cast<std::size_t>(width) + static_cast<std::size_t>(b)] = (code >> b) & 1U;
  }
  std::string hex;
  for (std::size_t digit = (bits + 3) / 4; digit-- > 0;) {
    int value = 0;
    for (int b = 3; b >= 0; --b) value = value * 2 + (word[digit * 4 + static_cast<std::size_t>(b)] ? 1 : 0);
    hex += "0123456789abcdef"[value];
  }
  return hex;
}

// The image of a [rows, cols] matrix for P lanes: word g·cols + j holds rows g·P + l, column j
// (rows past the end are zero). At least two words, as the ROMs need an address bit.
std::string lane_image(const IntMatrix& m, int lanes, int width) {
  const auto rows = static_cast<int>(m.rows()), cols = static_cast<int>(m.cols());
  const int groups = (rows + lanes - 1) / lanes;
  std::string text;
  int words = 0;
  for (int g = 0; g < groups; ++g) {
    for (int j = 0; j < cols; ++j) {
      std::vector<std::int64_t> values(static_cast<std::size_t>(lanes), 0);
      for (int l = 0; l < lanes; ++l) {
        if (g * lanes + l < rows) values[static_cast<std::size_t>(l)] = m(g * lanes + l, j);
      }
      text += hex_word(values, width) + "\n";
      ++words;
    }
  }
  for (; words < 2; ++words) text += hex_word(std::vector<std::int64_t>(static_cast<std::size_t>(lanes), 0), width) + "\n";
  return text;
}

std::string column_image(const quantize::IntVector& v, int lanes, int width) {
  IntMatrix m(v.size(), 1);
  m.col(0) = v;
  return lane_image(m, lanes, width);
}

// ⌈log2 n⌉ in integers, as SystemVerilog's $clog2 (0 for n = 1).
int ceil_log2(int n) {
  int bits = 0;
  while ((1 << bits) < n) ++bits;
  return bits;
}

std::string package_line(const char* name, std::int64_t value, const char* type = "int unsigned") {
  return fmt::format("  localparam {} {} = {};\n", type, name, value);
}

int rounding_code(quantize::Rounding r) {
  switch (r) {
    case quantize::Rounding::kFloor:
      return 0;
    case quantize::Rounding::kHalfUp:
      return 1;
    case quantize::Rounding::kConvergent:
      break;
  }
  return 2;
}

void check_rate_supported(const IntegerRateRnn& net) {
  const auto& s = net.spec();
  if (s.activation.function == models::Activation::kTanh && s.activation.piecewise_linear) {
    throw InputError("nf_rate_core has no piecewise-linear activation yet: quantize without --piecewise-linear");
  }
  if (std::max(s.accumulator_bits, s.output_accumulator_bits) > 64) {
    throw InputError(fmt::format("the accumulator needs {} bits, the cores allow 64",
                                 std::max(s.accumulator_bits, s.output_accumulator_bits)));
  }
}

void check_lif_supported(const quantize::IntegerLifRnn& net) {
  const auto& s = net.spec();
  if (s.decay.form == quantize::DecayForm::kMultiplier && (s.decay.multiplier_bits < 1 || s.decay.multiplier_bits > 30)) {
    throw InputError(fmt::format("nf_lif_core takes decay multipliers of 1 to 30 bits (the network has {})",
                                 s.decay.multiplier_bits));
  }
  for (const auto* f : {&s.current, &s.membrane, &s.output}) {
    if (f->total_bits > 32) throw InputError("nf_lif_core's debug port reads states of at most 32 bits");
  }
}

// Bits of the readout sum Σ W_out[m,j]·2^ShiftOut + b_out·2^ShiftOutBias over all N units (its bound).
int readout_accumulator_bits(int units, int w_out_bits, int shift_out, int b_out_bits, int shift_out_bias) {
  const long double bound = static_cast<long double>(units) * std::ldexp(1.0L, w_out_bits - 1 + shift_out) +
                            std::ldexp(1.0L, b_out_bits - 1 + shift_out_bias);
  return static_cast<int>(std::ceil(std::log2(bound))) + 1;
}

// The decay parameter's width: k ≤ 62 (shift) or d_q ≤ 2^B (multiplier).
int decay_param_bits(const quantize::DecaySpec& d) {
  return d.form == quantize::DecayForm::kShift ? 6 : d.multiplier_bits + 1;
}

std::string unsigned_image(const quantize::IntVector& values, int width) {
  std::string text;
  for (Eigen::Index i = 0; i < values.size(); ++i) text += hex_word({values(i)}, width) + "\n";
  for (Eigen::Index i = values.size(); i < 2; ++i) text += hex_word({0}, width) + "\n";
  return text;
}

std::string file_list(models::Family family) {
  std::string files = "nf_config_pkg.sv\n";
  for (const auto& f : core_sources(family)) files += f.string() + "\n";
  return files;
}

// The files of <rtldir> in memory, by name, and the configuration they carry.
struct GeneratedRtl {
  RtlConfiguration configuration;
  std::map<std::string, std::string> files;  // file name → text
  nlohmann::json summary;                    // rtl.json before the config id
};

nlohmann::json rtl_summary(const quantize::QuantizedArtifact& artifact, models::Family family, int lanes, int units,
                           int inputs, int outputs) {
  return {{"format", "neurofab-rtl"},
          {"model_type", std::string(models::model_type_name(family))},
          {"top", top_module(family)},
          {"lanes", lanes},
          {"units", units},
          {"inputs", inputs},
          {"outputs", outputs},
          {"clear_cycles", golden::clear_cycles(units)},
          {"quantized_artifact", artifact.source}};
}

// FNV-1a, 32 bits, continued from `hash`.
std::uint32_t fnv1a32(const std::string& text, std::uint32_t hash = 2166136261U) {
  for (const unsigned char c : text) hash = (hash ^ c) * 16777619U;
  return hash;
}

// nf_config_pkg.sv from its localparams: a header naming the core, one line
// per parameter, the cycles per timestep as a comment.
std::string package_text(models::Family family, const std::vector<PackageParameter>& parameters,
                         const std::string& cycles_note) {
  std::string text = fmt::format(
      "// Generated by `neurofab rtl` from a quantized artifact: parameters only.\n"
      "// Do not edit; regenerate. The logic is in rtl/sv/nf_{}_core.sv.\n"
      "package nf_config_pkg;\n",
      models::short_name(family));
  for (const auto& p : parameters) text += package_line(p.name.c_str(), p.value, p.is_signed ? "int" : "int unsigned");
  // This text is hashed into ConfigId (rtl.json, the bitstream, HIL's check of
  // a flashed board), so it is frozen: the comment still names the cycle
  // model's first home, now golden/cycle_model.hpp. Rewording it would give
  // every network a new config id and make every flashed board a stranger.
  text += fmt::format("  // cycles per timestep (quantize/cycle_model.hpp): {}\n", cycles_note);
  text += "endpackage\n";
  return text;
}

// nf_config_pkg.sv's localparams, in the package's order.
class ParameterList {
 public:
  void add(const char* name, std::int64_t value) { parameters_.push_back({name, value, false}); }
  void add_signed(const char* name, std::int64_t value) { parameters_.push_back({name, value, true}); }
  std::vector<PackageParameter> take() { return std::move(parameters_); }

 private:
  std::vector<PackageParameter> parameters_;
};

// The parameters both cores' packages start with, in this order: sizes, the
// debug address width (as the core derives it with $clog2 of units and
// outputs) and the input-side widths.
template <typename Spec>
void add_leading_parameters(ParameterList& p, int units, int inputs, int outputs, int lanes, const Spec& s) {
  p.add("NumUnits", units);
  p.add("NumInputs", inputs);
  p.add("NumOutputs", outputs);
  p.add("Lanes", lanes);
  p.add("DebugAddrWidth", std::max({1, ceil_log2(units), ceil_log2(outputs)}));
  p.add("InputWidth", s.input.total_bits);
  p.add("WInWidth", s.w_in.total_bits);
  p.add("WRecWidth", s.w_rec.total_bits);
  p.add("BiasWidth", s.b_rec.total_bits);
}

std::vector<PackageParameter> rate_parameters(const IntegerRateRnn& net, const RtlOptions& o) {
  const auto& c = net.config();
  const auto& s = net.spec();
  const int fa = s.accumulator_frac(), fo = s.output_frac();
  const bool tanh = s.activation.function == models::Activation::kTanh;
  ParameterList p;
  add_leading_parameters(p, c.n_rec, c.n_in, c.n_out, o.lanes, s);
  p.add("StateWidth", s.state.total_bits);
  p.add("WOutWidth", s.w_out.total_bits);
  p.add("BOutWidth", s.b_out.total_bits);
  p.add("OutputWidth", s.output.total_bits);
  p.add("AccWidth", std::max(s.accumulator_bits, s.output_accumulator_bits));
  p.add("ShiftIn", fa - s.w_in.frac_bits - s.input.frac_bits);
  p.add("ShiftRec", fa - s.w_rec.frac_bits - s.state.frac_bits);
  p.add("ShiftBias", fa - s.b_rec.frac_bits);
  p.add("ShiftOut", fo - s.w_out.frac_bits - s.state.frac_bits);
  p.add("ShiftOutBias", fo - s.b_out.frac_bits);
  p.add_signed("OutputShift", fo - s.output.frac_bits);
  p.add("Rounding", rounding_code(s.rounding));
  p.add("Overflow", s.overflow == quantize::Overflow::kWrap ? 1 : 0);
  p.add("Activation", tanh ? 1 : 0);
  p.add("TableBits", s.activation.index_bits);
  p.add_signed("TableShift", fa - s.activation.input_frac_bits);
  p.add_signed("ReluShift", fa - s.state.frac_bits);
  p.add("LeakBits", s.leak_bits);
  p.add("LeakMultiplier", s.leak_multiplier);
  return p.take();
}

std::vector<PackageParameter> lif_parameters(const quantize::IntegerLifRnn& net, const RtlOptions& o) {
  const auto& c = net.config();
  const auto& s = net.spec();
  const bool spike_input = c.encoding != models::InputEncoding::kCurrent;
  const int fs = s.synapse_frac(spike_input), fo = s.output_frac();
  const int shift_out = fo - s.w_out.frac_bits, shift_out_bias = fo - s.b_out.frac_bits;
  const int acc_bits = std::max(s.accumulator_bits, readout_accumulator_bits(c.n_rec, s.w_out.total_bits, shift_out,
                                                                             s.b_out.total_bits, shift_out_bias));
  if (acc_bits > 64) throw InputError(fmt::format("the accumulator needs {} bits, the cores allow 64", acc_bits));
  ParameterList p;
  add_leading_parameters(p, c.n_rec, c.n_in_encoded(), c.n_out, o.lanes, s);
  p.add("CurrentWidth", s.current.total_bits);
  p.add("MembraneWidth", s.membrane.total_bits);
  p.add("WOutWidth", s.w_out.total_bits);
  p.add("BOutWidth", s.b_out.total_bits);
  p.add("OutputWidth", s.output.total_bits);
  p.add("AccWidth", acc_bits);
  p.add("ShiftIn", fs - s.w_in.frac_bits - (spike_input ? 0 : s.input.frac_bits));
  p.add("ShiftRec", fs - s.w_rec.frac_bits);
  p.add("ShiftBias", fs - s.b_rec.frac_bits);
  p.add("ShiftOut", shift_out);
  p.add("ShiftOutBias", shift_out_bias);
  p.add_signed("CurrentShift", fs - s.current.frac_bits);
  p.add_signed("MembraneShift", s.current.frac_bits - s.membrane.frac_bits);
  p.add_signed("OutputShift", fo - s.output.frac_bits);
  p.add("Rounding", rounding_code(s.rounding));
  p.add("Overflow", s.overflow == quantize::Overflow::kWrap ? 1 : 0);
  p.add("DecayForm", s.decay.form == quantize::DecayForm::kShift ? 0 : 1);
  p.add("DecayParamWidth", decay_param_bits(s.decay));
  p.add("MultiplierBits", s.decay.multiplier_bits);
  p.add("Kappa", net.tensors().kappa);
  p.add_signed("Threshold", s.threshold);
  p.add("ResetSubtract", c.reset == models::ResetMode::kSubtract ? 1 : 0);
  p.add("RefractorySteps", c.refractory_steps);
  return p.take();
}

std::string rate_cycles_note(const IntegerRateRnn& net, const RtlOptions& o) {
  const auto& c = net.config();
  return fmt::format("{}", golden::rate_step_cycles({c.n_rec, c.n_in, c.n_out, o.lanes}));
}

constexpr const char* kLifCyclesNote = "G·((n_x + 1) + (S_{t-1} + 2) + (P + 1)) + G_o·(S_t + 3)";

}  // namespace

std::int64_t RtlConfiguration::parameter(std::string_view name) const {
  for (const auto& p : parameters) {
    if (p.name == name) return p.value;
  }
  throw std::out_of_range(fmt::format("nf_config_pkg has no localparam {}", name));
}

std::map<std::string, std::int64_t> RtlConfiguration::widths() const {
  std::map<std::string, std::int64_t> result;
  const std::string_view suffix = "Width";
  for (const auto& p : parameters) {
    const std::string_view name = p.name;
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix && name != "DebugAddrWidth") {
      result[p.name] = p.value;
    }
  }
  return result;
}

std::string RtlConfiguration::config_id_text() const { return fmt::format("{:08x}", config_id); }

void RtlOptions::validate(int units) const {
  if (lanes < 1 || lanes > kMaxLanes) {
    throw InputError(fmt::format("--lanes: {} is outside [1, {}]", lanes, kMaxLanes));
  }
  if (lanes > units) throw InputError(fmt::format("--lanes: {} lanes for {} units (use at most {})", lanes, units, units));
}

fs::path rtl_source_dir() { return resource_path("rtl"); }

std::vector<fs::path> core_sources(models::Family family) {
  const fs::path dir = rtl_source_dir();
  std::vector<fs::path> files;
  for (const char* name : {"nf_shift_round.sv", "nf_fit.sv", "nf_rom.sv", "nf_ram.sv", "nf_mac_lane.sv", "nf_stream_assert.sv"}) {
    files.push_back(dir / name);
  }
  if (family == models::Family::kRate) {
    files.push_back(dir / "nf_rate_core.sv");
    files.push_back(dir / "nf_rate_top.sv");
  } else {
    files.push_back(dir / "nf_decay.sv");
    files.push_back(dir / "nf_lif_core.sv");
    files.push_back(dir / "nf_lif_top.sv");
  }
  return files;
}

std::vector<fs::path> system_sources(models::Family family) {
  std::vector<fs::path> files = core_sources(family);
  const fs::path dir = rtl_source_dir();
  for (const char* name : {"nf_reset_sync.sv", "nf_uart_rx.sv", "nf_uart_tx.sv", "nf_host_link.sv", "nf_system_shell.sv"}) {
    files.push_back(dir / name);
  }
  files.push_back(dir / (system_top_module(family) + ".sv"));
  return files;
}

std::string system_top_module(models::Family family) { return fmt::format("nf_{}_system", models::short_name(family)); }

std::string top_module(models::Family family) { return fmt::format("nf_{}_top", models::short_name(family)); }

std::string config_package(const IntegerRateRnn& net, const RtlOptions& o) {
  return package_text(models::Family::kRate, rate_parameters(net, o), rate_cycles_note(net, o));
}

std::string config_package(const quantize::IntegerLifRnn& net, const RtlOptions& o) {
  return package_text(models::Family::kLif, lif_parameters(net, o), kLifCyclesNote);
}

namespace {

// One $readmemh image: its text for <rtldir>, its shape for the configuration.
void add_image(GeneratedRtl& g, const std::string& file, std::string text, int word_bits) {
  const auto words = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  g.configuration.images.push_back({file, words, word_bits});
  g.files[file] = std::move(text);
}

// W_in, W_rec and b_rec in the lane layout (the same for both cores).
template <typename Network>
void add_synapse_images(const Network& net, int lanes, GeneratedRtl& g) {
  const auto& s = net.spec();
  const auto& t = net.tensors();
  add_image(g, "w_in.mem", lane_image(t.w_in, lanes, s.w_in.total_bits), lanes * s.w_in.total_bits);
  add_image(g, "w_rec.mem", lane_image(t.w_rec, lanes, s.w_rec.total_bits), lanes * s.w_rec.total_bits);
  add_image(g, "b_rec.mem", column_image(t.b_rec, lanes, s.b_rec.total_bits), lanes * s.b_rec.total_bits);
}

GeneratedRtl rate_rtl(const quantize::QuantizedArtifact& artifact, const IntegerRateRnn& net, const RtlOptions& options) {
  check_rate_supported(net);
  const auto& s = net.spec();
  const auto& t = net.tensors();
  const auto& c = net.config();
  const int p = options.lanes;
  GeneratedRtl g;
  g.configuration.family = models::Family::kRate;
  g.configuration.parameters = rate_parameters(net, options);
  g.files["nf_config_pkg.sv"] = package_text(models::Family::kRate, g.configuration.parameters,
                                             rate_cycles_note(net, options));
  add_synapse_images(net, p, g);
  // The readout takes every output's weight of one unit at once: lanes = outputs.
  add_image(g, "w_out.mem", lane_image(t.w_out, c.n_out, s.w_out.total_bits), c.n_out * s.w_out.total_bits);
  add_image(g, "b_out.mem", column_image(t.b_out, c.n_out, s.b_out.total_bits), c.n_out * s.b_out.total_bits);
  if (s.activation.function == models::Activation::kTanh) {
    std::string table;
    for (const std::int32_t entry : s.activation.entries) table += hex_word({entry}, s.state.total_bits) + "\n";
    add_image(g, "act_table.mem", std::move(table), s.state.total_bits);
  }
  g.files["files.f"] = file_list(models::Family::kRate);
  const std::int64_t cycles = golden::rate_step_cycles({c.n_rec, c.n_in, c.n_out, p});
  g.configuration.cycles_silent = g.configuration.cycles_all_spiking = cycles;
  g.summary = rtl_summary(artifact, models::Family::kRate, p, c.n_rec, c.n_in, c.n_out);
  g.summary["cycles_per_step"] = cycles;
  return g;
}

GeneratedRtl lif_rtl(const quantize::QuantizedArtifact& artifact, const quantize::IntegerLifRnn& net,
                     const RtlOptions& options) {
  check_lif_supported(net);
  const auto& s = net.spec();
  const auto& t = net.tensors();
  const auto& c = net.config();
  const int p = options.lanes;
  GeneratedRtl g;
  g.configuration.family = models::Family::kLif;
  g.configuration.parameters = lif_parameters(net, options);
  g.files["nf_config_pkg.sv"] = package_text(models::Family::kLif, g.configuration.parameters, kLifCyclesNote);
  add_synapse_images(net, p, g);
  add_image(g, "w_out.mem", lane_image(t.w_out, p, s.w_out.total_bits), p * s.w_out.total_bits);
  add_image(g, "b_out.mem", column_image(t.b_out, p, s.b_out.total_bits), p * s.b_out.total_bits);
  add_image(g, "beta.mem", unsigned_image(t.beta, decay_param_bits(s.decay)), decay_param_bits(s.decay));
  add_image(g, "alpha_syn.mem", unsigned_image(t.alpha_syn, decay_param_bits(s.decay)), decay_param_bits(s.decay));
  g.files["files.f"] = file_list(models::Family::kLif);
  const golden::LifCoreShape shape{c.n_rec, c.n_in_encoded(), c.n_out, p};
  g.configuration.cycles_silent = golden::lif_step_cycles(shape, 0, 0);
  g.configuration.cycles_all_spiking = golden::lif_step_cycles(shape, c.n_rec, c.n_rec);
  g.summary = rtl_summary(artifact, models::Family::kLif, p, c.n_rec, c.n_in_encoded(), c.n_out);
  g.summary["cycles_per_step"] = {{"silent", g.configuration.cycles_silent},
                                  {"all_spiking", g.configuration.cycles_all_spiking}};
  return g;
}

// The config id over the package and the memory images (sorted by name), put
// into the package as ConfigId and into rtl.json as config_id: the host link
// reports it, so a host can tell which network a board carries.
void stamp_config_id(GeneratedRtl& g) {
  std::string& package = g.files.at("nf_config_pkg.sv");
  std::uint32_t id = fnv1a32(package);
  auto& images = g.configuration.images;
  std::sort(images.begin(), images.end(), [](const MemoryImage& a, const MemoryImage& b) { return a.file < b.file; });
  for (const auto& image : images) id = fnv1a32(image.file + "\n" + g.files.at(image.file), id);
  const std::size_t end = package.rfind("endpackage");
  // Only the system tops read it (INFO); the core-only lock-step builds would warn.
  package.insert(end, fmt::format("  // FNV-1a-32 of this package without these lines and of the memory images (docs/host-link.md).\n"
                                  "  // verilator lint_off UNUSEDPARAM\n"
                                  "  localparam int unsigned ConfigId = 32'h{:08x};\n"
                                  "  // verilator lint_on UNUSEDPARAM\n",
                                  id));
  g.configuration.config_id = id;
  g.summary["config_id"] = g.configuration.config_id_text();
  g.files["rtl.json"] = g.summary.dump(2) + "\n";
}

// Everything generate_rtl writes, in memory.
GeneratedRtl generate(const quantize::QuantizedArtifact& artifact, const RtlOptions& options) {
  const int units = std::visit([](const auto& net) { return net.config().n_rec; }, artifact.network);
  options.validate(units);
  GeneratedRtl g = std::visit(
      [&](const auto& net) {
        using Net = std::decay_t<decltype(net)>;
        if constexpr (std::is_same_v<Net, IntegerRateRnn>) {
          return rate_rtl(artifact, net, options);
        } else {
          return lif_rtl(artifact, net, options);
        }
      },
      artifact.network);
  RtlConfiguration& c = g.configuration;
  c.top = top_module(c.family);
  c.lanes = static_cast<int>(c.parameter("Lanes"));
  c.units = static_cast<int>(c.parameter("NumUnits"));
  c.inputs = static_cast<int>(c.parameter("NumInputs"));
  c.outputs = static_cast<int>(c.parameter("NumOutputs"));
  c.input_width = static_cast<int>(c.parameter("InputWidth"));
  c.output_width = static_cast<int>(c.parameter("OutputWidth"));
  c.weight_width = static_cast<int>(c.parameter("WRecWidth"));
  c.state_width = static_cast<int>(c.parameter(c.family == models::Family::kLif ? "MembraneWidth" : "StateWidth"));
  c.clear_cycles = static_cast<int>(golden::clear_cycles(c.units));
  stamp_config_id(g);
  return g;
}

}  // namespace

RtlConfiguration rtl_configuration(const quantize::QuantizedArtifact& artifact, const RtlOptions& options) {
  return generate(artifact, options).configuration;
}

RtlConfiguration generate_rtl(const quantize::QuantizedArtifact& artifact, const RtlOptions& options,
                              const fs::path& out_dir) {
  GeneratedRtl g = generate(artifact, options);
  StagingDir staging(out_dir);
  for (const auto& [name, text] : g.files) write_file_atomically(staging.path() / name, text);
  staging.commit();
  return std::move(g.configuration);
}

}  // namespace nf::rtl
