#include "neurofab/rtl/rtl_generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <type_traits>
#include <nlohmann/json.hpp>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/quantize/cycle_model.hpp"

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

std::string file_list(const std::string& model_type) {
  std::string files = "nf_config_pkg.sv\n";
  for (const auto& f : core_sources(model_type)) files += f.string() + "\n";
  return files;
}

nlohmann::json rtl_summary(const quantize::QuantizedArtifact& artifact, const std::string& model_type, int lanes,
                           int units, int inputs, int outputs) {
  return {{"format", "neurofab-rtl"},
          {"model_type", model_type},
          {"top", top_module(model_type)},
          {"lanes", lanes},
          {"units", units},
          {"inputs", inputs},
          {"outputs", outputs},
          {"clear_cycles", quantize::clear_cycles(units)},
          {"quantized_artifact", artifact.source}};
}

// FNV-1a, 32 bits, continued from `hash`.
std::uint32_t fnv1a32(const std::string& text, std::uint32_t hash = 2166136261U) {
  for (const unsigned char c : text) hash = (hash ^ c) * 16777619U;
  return hash;
}

// The config id over the package and the memory images (sorted by name), put
// into the package as ConfigId and into rtl.json as config_id: the host link
// reports it, so a host can tell which network a board carries.
void stamp_config_id(const fs::path& dir) {
  std::set<fs::path> images;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".mem") images.insert(entry.path().filename());
  }
  const fs::path package_path = dir / "nf_config_pkg.sv";
  std::string package = read_text_file(package_path);
  std::uint32_t id = fnv1a32(package);
  for (const auto& name : images) id = fnv1a32(name.string() + "\n" + read_text_file(dir / name), id);
  const std::size_t end = package.rfind("endpackage");
  // Only the system tops read it (INFO); the core-only lock-step builds would warn.
  package.insert(end, fmt::format("  // FNV-1a-32 of this package without these lines and of the memory images (docs/host-link.md).\n"
                                  "  // verilator lint_off UNUSEDPARAM\n"
                                  "  localparam int unsigned ConfigId = 32'h{:08x};\n"
                                  "  // verilator lint_on UNUSEDPARAM\n",
                                  id));
  write_file_atomically(package_path, package);
  nlohmann::json summary = nlohmann::json::parse(read_text_file(dir / "rtl.json"));
  summary["config_id"] = fmt::format("{:08x}", id);
  write_file_atomically(dir / "rtl.json", summary.dump(2) + "\n");
}

}  // namespace

void RtlOptions::validate(int units) const {
  if (lanes < 1 || lanes > kMaxLanes) {
    throw InputError(fmt::format("--lanes: {} is outside [1, {}]", lanes, kMaxLanes));
  }
  if (lanes > units) throw InputError(fmt::format("--lanes: {} lanes for {} units (use at most {})", lanes, units, units));
}

fs::path rtl_source_dir() { return NF_RTL_SOURCE_DIR; }

std::vector<fs::path> core_sources(const std::string& model_type) {
  const fs::path dir = rtl_source_dir();
  std::vector<fs::path> files;
  for (const char* name : {"nf_shift_round.sv", "nf_fit.sv", "nf_rom.sv", "nf_ram.sv", "nf_mac_lane.sv", "nf_stream_assert.sv"}) {
    files.push_back(dir / name);
  }
  if (model_type == "rate_rnn") {
    files.push_back(dir / "nf_rate_core.sv");
    files.push_back(dir / "nf_rate_top.sv");
  } else if (model_type == "lif_rnn") {
    files.push_back(dir / "nf_decay.sv");
    files.push_back(dir / "nf_lif_core.sv");
    files.push_back(dir / "nf_lif_top.sv");
  } else {
    throw InputError(fmt::format("no RTL core for model type '{}'", model_type));
  }
  return files;
}

std::vector<fs::path> system_sources(const std::string& model_type) {
  std::vector<fs::path> files = core_sources(model_type);
  const fs::path dir = rtl_source_dir();
  for (const char* name : {"nf_reset_sync.sv", "nf_uart_rx.sv", "nf_uart_tx.sv", "nf_host_link.sv", "nf_system_shell.sv"}) {
    files.push_back(dir / name);
  }
  files.push_back(dir / (system_top_module(model_type) + ".sv"));
  return files;
}

std::string system_top_module(const std::string& model_type) {
  if (model_type == "rate_rnn") return "nf_rate_system";
  if (model_type == "lif_rnn") return "nf_lif_system";
  throw InputError(fmt::format("no RTL core for model type '{}'", model_type));
}

std::string top_module(const std::string& model_type) {
  if (model_type == "rate_rnn") return "nf_rate_top";
  if (model_type == "lif_rnn") return "nf_lif_top";
  throw InputError(fmt::format("no RTL core for model type '{}'", model_type));
}

std::string config_package(const IntegerRateRnn& net, const RtlOptions& o) {
  const auto& c = net.config();
  const auto& s = net.spec();
  const int fa = s.accumulator_frac(), fo = s.output_frac();
  const bool tanh = s.activation.function == models::Activation::kTanh;
  const quantize::RateCoreShape shape{c.n_rec, c.n_in, c.n_out, o.lanes};
  const auto line = [](const char* name, std::int64_t value, const char* type = "int unsigned") {
    return package_line(name, value, type);
  };
  std::string text =
      "// Generated by `neurofab rtl` from a quantized artifact: parameters only.\n"
      "// Do not edit; regenerate. The logic is in rtl/sv/nf_rate_core.sv.\n"
      "package nf_config_pkg;\n";
  text += line("NumUnits", c.n_rec) + line("NumInputs", c.n_in) + line("NumOutputs", c.n_out) +
          line("Lanes", o.lanes);
  // The debug address width, as the core derives it with $clog2 (units and outputs).
  text += line("DebugAddrWidth", std::max({1, ceil_log2(c.n_rec), ceil_log2(c.n_out)}));
  text += line("InputWidth", s.input.total_bits) + line("WInWidth", s.w_in.total_bits) +
          line("WRecWidth", s.w_rec.total_bits) + line("BiasWidth", s.b_rec.total_bits) +
          line("StateWidth", s.state.total_bits) + line("WOutWidth", s.w_out.total_bits) +
          line("BOutWidth", s.b_out.total_bits) + line("OutputWidth", s.output.total_bits);
  text += line("AccWidth", std::max(s.accumulator_bits, s.output_accumulator_bits));
  text += line("ShiftIn", fa - s.w_in.frac_bits - s.input.frac_bits) +
          line("ShiftRec", fa - s.w_rec.frac_bits - s.state.frac_bits) + line("ShiftBias", fa - s.b_rec.frac_bits) +
          line("ShiftOut", fo - s.w_out.frac_bits - s.state.frac_bits) + line("ShiftOutBias", fo - s.b_out.frac_bits);
  text += line("OutputShift", fo - s.output.frac_bits, "int");
  text += line("Rounding", rounding_code(s.rounding)) +
          line("Overflow", s.overflow == quantize::Overflow::kWrap ? 1 : 0);
  text += line("Activation", tanh ? 1 : 0) + line("TableBits", s.activation.index_bits) +
          line("TableShift", fa - s.activation.input_frac_bits, "int") +
          line("ReluShift", fa - s.state.frac_bits, "int");
  text += line("LeakBits", s.leak_bits) + line("LeakMultiplier", s.leak_multiplier);
  text += fmt::format("  // cycles per timestep (quantize/cycle_model.hpp): {}\n", quantize::rate_step_cycles(shape));
  text += "endpackage\n";
  return text;
}

std::string config_package(const quantize::IntegerLifRnn& net, const RtlOptions& o) {
  const auto& c = net.config();
  const auto& s = net.spec();
  const auto line = [](const char* name, std::int64_t value, const char* type = "int unsigned") {
    return package_line(name, value, type);
  };
  const bool spike_input = c.encoding != models::InputEncoding::kCurrent;
  const int fs = s.synapse_frac(spike_input), fo = s.output_frac();
  const int shift_out = fo - s.w_out.frac_bits, shift_out_bias = fo - s.b_out.frac_bits;
  const int acc_bits = std::max(s.accumulator_bits, readout_accumulator_bits(c.n_rec, s.w_out.total_bits, shift_out,
                                                                             s.b_out.total_bits, shift_out_bias));
  if (acc_bits > 64) throw InputError(fmt::format("the accumulator needs {} bits, the cores allow 64", acc_bits));
  std::string text =
      "// Generated by `neurofab rtl` from a quantized artifact: parameters only.\n"
      "// Do not edit; regenerate. The logic is in rtl/sv/nf_lif_core.sv.\n"
      "package nf_config_pkg;\n";
  text += line("NumUnits", c.n_rec) + line("NumInputs", c.n_in_encoded()) + line("NumOutputs", c.n_out) +
          line("Lanes", o.lanes);
  // The debug address width, as the core derives it with $clog2 (units and outputs).
  text += line("DebugAddrWidth", std::max({1, ceil_log2(c.n_rec), ceil_log2(c.n_out)}));
  text += line("InputWidth", s.input.total_bits) + line("WInWidth", s.w_in.total_bits) +
          line("WRecWidth", s.w_rec.total_bits) + line("BiasWidth", s.b_rec.total_bits) +
          line("CurrentWidth", s.current.total_bits) + line("MembraneWidth", s.membrane.total_bits) +
          line("WOutWidth", s.w_out.total_bits) + line("BOutWidth", s.b_out.total_bits) +
          line("OutputWidth", s.output.total_bits);
  text += line("AccWidth", acc_bits);
  text += line("ShiftIn", fs - s.w_in.frac_bits - (spike_input ? 0 : s.input.frac_bits)) +
          line("ShiftRec", fs - s.w_rec.frac_bits) + line("ShiftBias", fs - s.b_rec.frac_bits) +
          line("ShiftOut", shift_out) + line("ShiftOutBias", shift_out_bias);
  text += line("CurrentShift", fs - s.current.frac_bits, "int") +
          line("MembraneShift", s.current.frac_bits - s.membrane.frac_bits, "int") +
          line("OutputShift", fo - s.output.frac_bits, "int");
  text += line("Rounding", rounding_code(s.rounding)) +
          line("Overflow", s.overflow == quantize::Overflow::kWrap ? 1 : 0);
  text += line("DecayForm", s.decay.form == quantize::DecayForm::kShift ? 0 : 1) +
          line("DecayParamWidth", decay_param_bits(s.decay)) + line("MultiplierBits", s.decay.multiplier_bits) +
          line("Kappa", net.tensors().kappa);
  text += line("Threshold", s.threshold, "int") +
          line("ResetSubtract", c.reset == models::ResetMode::kSubtract ? 1 : 0) +
          line("RefractorySteps", c.refractory_steps);
  text += "  // cycles per timestep (quantize/cycle_model.hpp): G·((n_x + 1) + (S_{t-1} + 2) + (P + 1)) + G_o·(S_t + 3)\n";
  text += "endpackage\n";
  return text;
}

namespace {

// W_in, W_rec and b_rec in the lane layout (the same for both cores).
template <typename Network>
void write_synapse_images(const Network& net, int lanes, const fs::path& dir) {
  const auto& s = net.spec();
  const auto& t = net.tensors();
  write_file_atomically(dir / "w_in.mem", lane_image(t.w_in, lanes, s.w_in.total_bits));
  write_file_atomically(dir / "w_rec.mem", lane_image(t.w_rec, lanes, s.w_rec.total_bits));
  write_file_atomically(dir / "b_rec.mem", column_image(t.b_rec, lanes, s.b_rec.total_bits));
}

void write_rate_rtl(const quantize::QuantizedArtifact& artifact, const IntegerRateRnn& net, const RtlOptions& options,
                    const fs::path& dir) {
  check_rate_supported(net);
  const auto& s = net.spec();
  const auto& t = net.tensors();
  const auto& c = net.config();
  const int p = options.lanes;
  write_file_atomically(dir / "nf_config_pkg.sv", config_package(net, options));
  write_synapse_images(net, p, dir);
  // The readout takes every output's weight of one unit at once: lanes = outputs.
  write_file_atomically(dir / "w_out.mem", lane_image(t.w_out, c.n_out, s.w_out.total_bits));
  write_file_atomically(dir / "b_out.mem", column_image(t.b_out, c.n_out, s.b_out.total_bits));
  if (s.activation.function == models::Activation::kTanh) {
    std::string table;
    for (const std::int32_t entry : s.activation.entries) table += hex_word({entry}, s.state.total_bits) + "\n";
    write_file_atomically(dir / "act_table.mem", table);
  }
  write_file_atomically(dir / "files.f", file_list("rate_rnn"));
  nlohmann::json summary = rtl_summary(artifact, "rate_rnn", p, c.n_rec, c.n_in, c.n_out);
  summary["cycles_per_step"] = quantize::rate_step_cycles({c.n_rec, c.n_in, c.n_out, p});
  write_file_atomically(dir / "rtl.json", summary.dump(2) + "\n");
}

void write_lif_rtl(const quantize::QuantizedArtifact& artifact, const quantize::IntegerLifRnn& net,
                   const RtlOptions& options, const fs::path& dir) {
  check_lif_supported(net);
  const auto& s = net.spec();
  const auto& t = net.tensors();
  const auto& c = net.config();
  const int p = options.lanes;
  write_file_atomically(dir / "nf_config_pkg.sv", config_package(net, options));
  write_synapse_images(net, p, dir);
  write_file_atomically(dir / "w_out.mem", lane_image(t.w_out, p, s.w_out.total_bits));
  write_file_atomically(dir / "b_out.mem", column_image(t.b_out, p, s.b_out.total_bits));
  write_file_atomically(dir / "beta.mem", unsigned_image(t.beta, decay_param_bits(s.decay)));
  write_file_atomically(dir / "alpha_syn.mem", unsigned_image(t.alpha_syn, decay_param_bits(s.decay)));
  write_file_atomically(dir / "files.f", file_list("lif_rnn"));
  nlohmann::json summary = rtl_summary(artifact, "lif_rnn", p, c.n_rec, c.n_in_encoded(), c.n_out);
  const quantize::LifCoreShape shape{c.n_rec, c.n_in_encoded(), c.n_out, p};
  summary["cycles_per_step"] = {{"silent", quantize::lif_step_cycles(shape, 0, 0)},
                                {"all_spiking", quantize::lif_step_cycles(shape, c.n_rec, c.n_rec)}};
  write_file_atomically(dir / "rtl.json", summary.dump(2) + "\n");
}

}  // namespace

void generate_rtl(const quantize::QuantizedArtifact& artifact, const RtlOptions& options, const fs::path& out_dir) {
  const int units = std::visit([](const auto& net) { return net.config().n_rec; }, artifact.network);
  options.validate(units);
  StagingDir staging(out_dir);
  std::visit(
      [&](const auto& net) {
        using Net = std::decay_t<decltype(net)>;
        if constexpr (std::is_same_v<Net, IntegerRateRnn>) {
          write_rate_rtl(artifact, net, options, staging.path());
        } else {
          write_lif_rtl(artifact, net, options, staging.path());
        }
      },
      artifact.network);
  stamp_config_id(staging.path());
  staging.commit();
}

}  // namespace nf::rtl
