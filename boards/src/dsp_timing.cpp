#include "neurofab/boards/dsp_timing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <unordered_map>

#include "neurofab/boards/build_flow.hpp"
#include "neurofab/common/error.hpp"

// Why SDF: nextpnr-ice40 0.4 offers three ways to see its delays after
// routing. `--report` lists only the single worst path per pair of clock
// domains; all combinational DSPs share the <async> domain (CLK open) or the
// $PACKER_GND_NET one (CLK tied low), so it gives a global bound at best.
// `--detailed-timing-report` adds the arrival at every register input, DSP
// inputs included, but the paths out of the DSPs are again merged per domain.
// A `--post-route` Python script (this build has Python) can read the routing
// delay of a net, but not the cell delays (getCellDelay is not bound). The SDF
// (`--sdf`) has it all, per pin: every cell's combinational arcs (the LUT
// inputs it really uses), clock-to-out, setup checks, and the routed delay of
// every net to every sink, written from the same getCellDelay/
// getNetinfoRouteDelay calls its timing analysis makes. A longest-path search
// over it with nextpnr's DSP model reproduces nextpnr's critical path to the
// picosecond (68.559 ns on the LIF demo at 4 lanes: its 14.59 MHz), so the
// only change below is the DSP model.

namespace nf::boards {

namespace {

constexpr double kNone = -std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------
// SDF reading: an s-expression reader for the subset nextpnr writes
// (common/kernel/sdf.cc): CELL, CELLTYPE, INSTANCE, DELAY/ABSOLUTE with IOPATH
// and INTERCONNECT, TIMINGCHECK with SETUPHOLD/SETUP; anything else is skipped.

class SdfReader {
 public:
  explicit SdfReader(const std::string& text) : text_(text) {}

  bool at_end() {
    skip_space();
    return pos_ >= text_.size();
  }
  bool peek_open() {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == '(';
  }
  bool peek_close() {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == ')';
  }
  void open() {
    if (!peek_open()) fail("'(' expected");
    ++pos_;
  }
  void close() {
    if (!peek_close()) fail("')' expected");
    ++pos_;
  }
  // An atom as written (escapes kept: an instance path splits at an unescaped '/').
  std::string atom() {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] == '(' || text_[pos_] == ')') fail("a name or number expected");
    std::string out;
    if (text_[pos_] == '"') {
      const std::size_t end = text_.find('"', pos_ + 1);
      if (end == std::string::npos) fail("unterminated string");
      out = text_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return out;
    }
    while (pos_ < text_.size()) {
      const char ch = text_[pos_];
      if (ch == '\\' && pos_ + 1 < text_.size()) {
        out += ch;
        out += text_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      if (ch == '(' || ch == ')' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') break;
      out += ch;
      ++pos_;
    }
    return out;
  }
  // Skips the rest of the current list, nested lists included, and its ')'.
  void skip_rest() {
    int depth = 1;
    while (depth > 0) {
      skip_space();
      if (pos_ >= text_.size()) fail("unbalanced parentheses");
      if (text_[pos_] == '(') {
        ++depth;
        ++pos_;
      } else if (text_[pos_] == ')') {
        --depth;
        ++pos_;
      } else {
        atom();
      }
    }
  }
  // A delay value "(min:typ:max)", "(v)" or "()": the largest number, in the file's unit.
  std::optional<double> value() {
    open();
    std::optional<double> v;
    while (!peek_close()) {
      const std::string a = atom();
      std::size_t start = 0;
      while (start <= a.size()) {
        const std::size_t colon = std::min(a.find(':', start), a.size());
        const std::string part = a.substr(start, colon - start);
        if (!part.empty()) {
          try {
            const double x = std::stod(part);
            v = v ? std::max(*v, x) : x;
          } catch (const std::exception&) {
            fail("a delay value expected, not '" + a + "'");
          }
        }
        start = colon + 1;
      }
    }
    close();
    return v;
  }
  // A port "NAME" or "(posedge NAME)": the name.
  std::string port() {
    if (!peek_open()) return atom();
    open();
    atom();  // posedge | negedge
    std::string name = atom();
    close();
    return name;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw IoError(fmt::format("SDF: {} at character {}", what, pos_));
  }

 private:
  const std::string& text_;
  std::size_t pos_ = 0;
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r')) {
      ++pos_;
    }
  }
};

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

// "inst/port" at the last unescaped '/'; both unescaped.
std::pair<std::string, std::string> split_pin(const std::string& raw) {
  std::size_t cut = std::string::npos;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\') {
      ++i;
    } else if (raw[i] == '/') {
      cut = i;
    }
  }
  if (cut == std::string::npos) return {"", unescape(raw)};
  return {unescape(raw.substr(0, cut)), unescape(raw.substr(cut + 1))};
}

double timescale_to_ns(const std::string& scale) {
  std::size_t digits = 0;
  while (digits < scale.size() && (std::isdigit(static_cast<unsigned char>(scale[digits])) || scale[digits] == '.')) {
    ++digits;
  }
  const double n = digits > 0 ? std::stod(scale.substr(0, digits)) : 1.0;
  const std::string unit = scale.substr(digits);
  if (unit == "ps") return n * 1e-3;
  if (unit == "ns") return n;
  if (unit == "us") return n * 1e3;
  if (unit == "fs") return n * 1e-6;
  throw IoError(fmt::format("SDF: TIMESCALE {}: unknown unit", scale));
}

// The clock pins of the iCE40 cells nextpnr writes (LC, RAM, SPRAM, IO, DSP, I2C/SPI).
bool is_clock_pin(const std::string& port) {
  static const std::set<std::string> kClocks = {"CLK", "RCLK", "WCLK", "CLOCK", "INPUT_CLK", "OUTPUT_CLK", "SBCLKI"};
  return kClocks.count(port) > 0;
}

// ---------------------------------------------------------------------------
// The timing graph: a node per cell pin, arcs with delays, start points
// (register outputs, with their clock-to-out) and end points (register
// inputs, with their setup). Clock pins and the nets into them are left out:
// nextpnr's analysis takes the clock as arriving at time 0 everywhere.

struct Graph {
  std::unordered_map<std::string, int> ids;
  std::vector<std::string> names;
  std::vector<std::vector<std::pair<int, double>>> arcs;
  std::vector<double> start, setup;

  int node(const std::string& cell, const std::string& port) {
    const std::string name = cell + "/" + port;
    const auto [it, added] = ids.emplace(name, static_cast<int>(names.size()));
    if (added) {
      names.push_back(name);
      arcs.emplace_back();
      start.push_back(kNone);
      setup.push_back(kNone);
    }
    return it->second;
  }
  void arc(int from, int to, double ns) { arcs[from].push_back({to, ns}); }
};

// A DSP's pins, as the SDF's nets reach them.
struct DspPins {
  std::set<std::string> inputs, outputs;
};

bool is_carry_output(const std::string& port) { return port == "CO" || port == "ACCUMCO" || port == "SIGNEXTOUT"; }
// Inputs that reach an output without a register when the DSP has none:
// data, and the adder's controls; not the clock enable, resets, holds and loads.
bool is_data_input(const std::string& port) {
  const char c = port.empty() ? ' ' : port[0];
  if ((c == 'A' || c == 'B' || c == 'C' || c == 'D') && port.size() > 1 && port[1] == '_') return true;
  return port == "ADDSUBTOP" || port == "ADDSUBBOT" || port == "CI" || port == "ACCUMCI" || port == "SIGNEXTIN";
}

std::int64_t param(const nlohmann::json& params, const char* name) {
  if (!params.contains(name)) return 0;
  const auto& v = params[name];
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (!s.empty() && s.find_first_not_of("01") == std::string::npos) return std::stoll(s, nullptr, 2);
  }
  throw IoError(fmt::format("netlist: SB_MAC16 parameter {} is not a number", name));
}

}  // namespace

const char* dsp_mode_name(DspMode mode) {
  switch (mode) {
    case DspMode::kCombinational: return "combinational";
    case DspMode::kOutputRegister: return "output register";
    case DspMode::kOtherRegisters: return "other registers";
  }
  return "?";
}

std::map<std::string, DspConfig> ice40_dsp_configs(const nlohmann::json& netlist) {
  std::map<std::string, DspConfig> configs;
  if (!netlist.contains("modules") || !netlist["modules"].is_object()) {
    throw IoError("netlist: not a Yosys JSON netlist (no \"modules\")");
  }
  for (const auto& [module, m] : netlist["modules"].items()) {
    if (!m.contains("cells")) continue;
    for (const auto& [name, cell] : m["cells"].items()) {
      if (cell.value("type", "") != "SB_MAC16") continue;
      const nlohmann::json params = cell.value("parameters", nlohmann::json::object());
      const bool input_regs = param(params, "A_REG") || param(params, "B_REG") || param(params, "C_REG") ||
                              param(params, "D_REG");
      const bool pipeline = param(params, "TOP_8x8_MULT_REG") || param(params, "BOT_8x8_MULT_REG") ||
                            param(params, "PIPELINE_16x16_MULT_REG1") || param(params, "PIPELINE_16x16_MULT_REG2");
      const std::int64_t top = param(params, "TOPOUTPUT_SELECT"), bot = param(params, "BOTOUTPUT_SELECT");
      DspMode mode = DspMode::kOtherRegisters;
      if (!input_regs && !pipeline && top != 1 && bot != 1) {
        mode = DspMode::kCombinational;
      } else if (!input_regs && !pipeline && top == 1 && bot == 1) {
        mode = DspMode::kOutputRegister;
      }
      configs[name + "_DSP"] = {mode, top == 0 || bot == 0};
    }
  }
  return configs;
}

DspTiming time_through_dsps(const std::string& sdf_text, const std::map<std::string, DspConfig>& configs,
                            const DspDelays& delays) {
  Graph g;
  std::map<std::string, DspPins> dsp_pins;
  std::set<std::string> dsp_cells;
  double scale = 1.0;  // ns per SDF unit: 1 ns unless TIMESCALE says (nextpnr writes 1ps)

  // --- read ---------------------------------------------------------------
  SdfReader r(sdf_text);
  r.open();
  if (r.atom() != "DELAYFILE") r.fail("not an SDF file (DELAYFILE expected)");
  struct PendingArc {
    std::string from_cell, from_port, to_cell, to_port;
    double value;
  };
  std::vector<PendingArc> interconnects;
  while (!r.peek_close()) {
    r.open();
    const std::string key = r.atom();
    if (key == "TIMESCALE") {
      std::string s = r.atom();
      if (!r.peek_close()) s += r.atom();
      scale = timescale_to_ns(s);
      r.close();
      continue;
    }
    if (key != "CELL") {
      r.skip_rest();
      continue;
    }
    std::string type, instance;
    while (!r.peek_close()) {
      r.open();
      const std::string field = r.atom();
      if (field == "CELLTYPE") {
        type = r.atom();
        r.close();
      } else if (field == "INSTANCE") {
        instance = r.peek_close() ? "" : unescape(r.atom());
        r.close();
      } else if (field == "DELAY") {
        while (!r.peek_close()) {
          r.open();
          r.atom();  // ABSOLUTE | INCREMENT
          while (!r.peek_close()) {
            r.open();
            const std::string kind = r.atom();
            if (kind == "IOPATH") {
              const std::string from = r.port(), to = r.port();
              double v = kNone;
              while (r.peek_open()) {
                if (const auto x = r.value()) v = std::max(v, *x);
              }
              r.close();
              if (v == kNone || type == "ICESTORM_DSP") continue;  // the DSPs get their own model below
              const std::string cell = instance, a = unescape(from), b = unescape(to);
              if (is_clock_pin(a)) {
                const int n = g.node(cell, b);
                g.start[n] = std::max(g.start[n], v);
              } else {
                g.arc(g.node(cell, a), g.node(cell, b), v);
              }
            } else if (kind == "INTERCONNECT") {
              const std::string from = r.atom(), to = r.atom();
              double v = kNone;
              while (r.peek_open()) {
                if (const auto x = r.value()) v = std::max(v, *x);
              }
              r.close();
              const auto [fc, fp] = split_pin(from);
              const auto [tc, tp] = split_pin(to);
              const std::string from_cell = instance.empty() ? fc : instance + "/" + fc;
              const std::string to_cell = instance.empty() ? tc : instance + "/" + tc;
              interconnects.push_back({from_cell, fp, to_cell, tp, v == kNone ? 0.0 : v});
            } else {
              r.skip_rest();
            }
          }
          r.close();
        }
        r.close();
      } else if (field == "TIMINGCHECK") {
        while (!r.peek_close()) {
          r.open();
          const std::string kind = r.atom();
          if (kind == "SETUPHOLD" || kind == "SETUP") {
            const std::string data = unescape(r.port());
            const std::string clock = unescape(r.port());
            std::optional<double> v;
            if (r.peek_open()) v = r.value();
            while (!r.peek_close()) r.peek_open() ? (void)r.value() : (void)r.atom();
            r.close();
            if (type == "ICESTORM_DSP" || !v || !is_clock_pin(clock)) continue;
            const int n = g.node(instance, data);
            g.setup[n] = std::max(g.setup[n], *v);
          } else {
            r.skip_rest();
          }
        }
        r.close();
      } else {
        r.skip_rest();
      }
    }
    r.close();
    if (type == "ICESTORM_DSP") {
      if (configs.count(instance) == 0) {
        throw IoError(fmt::format("SDF: SB_MAC16 {} is not in Yosys's netlist (names as nextpnr packs them: "
                                  "<Yosys cell>_DSP)",
                                  instance));
      }
      dsp_cells.insert(instance);
    }
  }
  r.close();

  for (const auto& ic : interconnects) {
    if (is_clock_pin(ic.to_port)) continue;  // the clock network: the clock arrives at time 0
    const int from = g.node(ic.from_cell, ic.from_port), to = g.node(ic.to_cell, ic.to_port);
    g.arc(from, to, ic.value);
    if (dsp_cells.count(ic.from_cell)) dsp_pins[ic.from_cell].outputs.insert(ic.from_port);
    if (dsp_cells.count(ic.to_cell)) dsp_pins[ic.to_cell].inputs.insert(ic.to_port);
  }
  // SDF values to ns (the DSP delays are in ns already).
  for (auto& list : g.arcs) {
    for (auto& a : list) a.second *= scale;
  }
  for (auto& s : g.start) s = s == kNone ? kNone : s * scale;
  for (auto& s : g.setup) s = s == kNone ? kNone : s * scale;

  // --- the DSP model -------------------------------------------------------
  for (const auto& cell : dsp_cells) {
    const DspMode mode = configs.at(cell).mode;
    const double multiply = configs.at(cell).adder_output ? delays.multiply_add_ns : delays.multiply_ns;
    const DspPins& pins = dsp_pins[cell];
    const bool registers = mode != DspMode::kCombinational;
    const bool through = mode != DspMode::kOutputRegister;
    for (const auto& in : pins.inputs) {
      const int i = g.node(cell, in);
      if (registers) g.setup[i] = delays.setup_ns;
      for (const auto& out : pins.outputs) {
        // Carry outputs follow the adder combinationally in every mode.
        if (through && is_data_input(in)) {
          g.arc(i, g.node(cell, out), is_carry_output(out) ? delays.multiply_add_ns : multiply);
        } else if (!through && is_data_input(in) && is_carry_output(out)) {
          g.arc(i, g.node(cell, out), delays.multiply_add_ns);
        }
      }
    }
    if (registers) {
      for (const auto& out : pins.outputs) {
        const int o = g.node(cell, out);
        g.start[o] = is_carry_output(out) ? delays.clock_to_carry_ns
                     : mode == DspMode::kOutputRegister ? delays.clock_to_out_ns
                                                        : delays.clock_to_out_other_ns;
      }
    }
  }

  // --- longest paths: forward arrival, backward delay to an end -----------
  const std::size_t n = g.names.size();
  std::vector<int> indegree(n, 0);
  for (const auto& list : g.arcs) {
    for (const auto& [to, d] : list) ++indegree[static_cast<std::size_t>(to)];
  }
  std::vector<int> order;
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (indegree[i] == 0) order.push_back(static_cast<int>(i));
  }
  for (std::size_t k = 0; k < order.size(); ++k) {
    for (const auto& [to, d] : g.arcs[static_cast<std::size_t>(order[k])]) {
      if (--indegree[static_cast<std::size_t>(to)] == 0) order.push_back(to);
    }
  }
  if (order.size() != n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (indegree[i] > 0) {
        throw ToolError(fmt::format("timing through the DSPs: a combinational loop through {} (with the SB_MAC16 "
                                    "blocks timed as combinational)",
                                    g.names[i]));
      }
    }
  }
  std::vector<double> arrival(g.start), to_end(g.setup);
  std::vector<int> pred(n, -1), succ(n, -1);
  for (const int u : order) {
    const auto ui = static_cast<std::size_t>(u);
    if (arrival[ui] == kNone) continue;
    for (const auto& [v, d] : g.arcs[ui]) {
      const auto vi = static_cast<std::size_t>(v);
      if (arrival[ui] + d > arrival[vi]) {
        arrival[vi] = arrival[ui] + d;
        pred[vi] = u;
      }
    }
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const auto ui = static_cast<std::size_t>(*it);
    for (const auto& [v, d] : g.arcs[ui]) {
      const auto vi = static_cast<std::size_t>(v);
      if (to_end[vi] != kNone && to_end[vi] + d > to_end[ui]) {
        to_end[ui] = to_end[vi] + d;
        succ[ui] = v;
      }
    }
  }
  const auto first_of = [&](int node) {
    while (pred[static_cast<std::size_t>(node)] >= 0) node = pred[static_cast<std::size_t>(node)];
    return g.names[static_cast<std::size_t>(node)];
  };
  const auto last_of = [&](int node) {
    while (succ[static_cast<std::size_t>(node)] >= 0) node = succ[static_cast<std::size_t>(node)];
    return g.names[static_cast<std::size_t>(node)];
  };

  DspTiming t;
  t.delays = delays;
  for (std::size_t i = 0; i < n; ++i) {
    if (arrival[i] != kNone && g.setup[i] != kNone) t.design_worst_ns = std::max(t.design_worst_ns, arrival[i] + g.setup[i]);
  }
  for (const auto& cell : dsp_cells) {
    DspPath p;
    p.dsp = cell;
    p.mode = configs.at(cell).mode;
    const DspPins& pins = dsp_pins[cell];
    const auto consider = [&](const std::string& kind, double to_inputs, double inside, double from_outputs,
                              const std::string& from, const std::string& to) {
      const double total = to_inputs + inside + from_outputs;
      if (p.kind == "none" || total > p.total_ns) {
        p = {cell, p.mode, kind, to_inputs, inside, from_outputs, total, from, to};
      }
    };
    for (const auto& in : pins.inputs) {
      const int i = g.node(cell, in);
      const double a = arrival[static_cast<std::size_t>(i)];
      if (a == kNone) continue;
      if (g.setup[static_cast<std::size_t>(i)] != kNone) {
        consider("into", a, g.setup[static_cast<std::size_t>(i)], 0, first_of(i), cell + "/" + in);
      }
      for (const auto& [o, d] : g.arcs[static_cast<std::size_t>(i)]) {
        const double e = to_end[static_cast<std::size_t>(o)];
        if (e == kNone) continue;
        consider("through", a, d, e, first_of(i), last_of(o));
      }
    }
    for (const auto& out : pins.outputs) {
      const int o = g.node(cell, out);
      const double s = g.start[static_cast<std::size_t>(o)], e = to_end[static_cast<std::size_t>(o)];
      if (s == kNone || e == kNone) continue;
      consider("out of", 0, s, e, cell + "/" + out, last_of(o));
    }
    t.dsps.push_back(p);
  }
  std::stable_sort(t.dsps.begin(), t.dsps.end(),
                   [](const DspPath& a, const DspPath& b) { return a.total_ns > b.total_ns; });
  return t;
}

double trusted_fmax_mhz(const DspTiming& timing, double nextpnr_fmax_mhz) {
  const DspPath* w = timing.worst();
  if (w == nullptr || w->kind == "none" || w->total_ns <= 0) return nextpnr_fmax_mhz;
  return std::min(nextpnr_fmax_mhz, 1000.0 / w->total_ns);
}

void check_dsp_timing(const DspTiming& timing, double clock_mhz, double nextpnr_fmax_mhz, const std::string& top,
                      const std::string& what_to_try) {
  const DspPath* w = timing.worst();
  const double period = 1000.0 / clock_mhz;
  if (w == nullptr || w->kind == "none" || w->total_ns <= period) return;
  const std::string parts =
      w->kind == "through"
          ? fmt::format("{:.2f} ns to its inputs + {:.2f} ns through the multiplier + {:.2f} ns from its outputs",
                        w->to_inputs_ns, w->inside_ns, w->from_outputs_ns)
      : w->kind == "into"
          ? fmt::format("{:.2f} ns to its inputs + {:.2f} ns setup through the multiplier", w->to_inputs_ns,
                        w->inside_ns)
          : fmt::format("{:.2f} ns clock-to-out + {:.2f} ns from its outputs", w->inside_ns, w->from_outputs_ns);
  throw ToolError(fmt::format(
      "timing not met through an SB_MAC16: {}'s path {} → {} → {} takes {:.2f} ns ({}), longer than the {:.2f} ns "
      "period of the {} MHz clock, so {} reaches {:.2f} MHz, not the {:.2f} MHz nextpnr-ice40 reports (it times DSP "
      "pins as registered); no bitstream is written. Try {}.",
      top, w->from, w->dsp, w->to, w->total_ns, parts, period, clock_mhz, top, 1000.0 / w->total_ns,
      nextpnr_fmax_mhz, what_to_try));
}

}  // namespace nf::boards
