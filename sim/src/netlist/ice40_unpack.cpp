#include "ice40_unpack.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "neurofab/common/error.hpp"

namespace nf::sim::detail {
using nlohmann::json;

namespace {

// A Yosys JSON parameter: a binary string, most significant bit first.
std::string bits_of(const json& cell, const std::string& name) {
  const json& p = cell.at("parameters");
  return p.contains(name) ? p.at(name).get<std::string>() : std::string("0");
}

// Bit `k` (0 = least significant) of a binary parameter string.
bool bit(const std::string& binary, std::size_t k) {
  return k < binary.size() && binary[binary.size() - 1 - k] == '1';
}

bool flag(const json& cell, const std::string& name) { return bit(bits_of(cell, name), 0); }

// One packed cell being rewritten: its connections and the new cells it becomes.
class Rewriter {
 public:
  explicit Rewriter(json& out_cells, long long& next_net) : cells_(out_cells), next_net_(next_net) {}

  // The net on single-bit port `port` of `cell`, or an empty json when unconnected.
  static json pin(const json& cell, const std::string& port) {
    const json& c = cell.at("connections");
    if (!c.contains(port) || c.at(port).empty()) return {};
    const json& b = c.at(port)[0];
    if (b.is_string() && (b == "x" || b == "z")) return {};
    return b;
  }
  // The level an unconnected input reads on silicon: 0 (pull-down) unless `pull_up`.
  static json input(const json& cell, const std::string& port, bool pull_up = false) {
    const json b = pin(cell, port);
    return b.is_null() ? json(pull_up ? "1" : "0") : b;
  }
  static bool is_const(const json& b, const char* level) { return b.is_string() && b == level; }

  json fresh() { return json(next_net_++); }

  void add(const std::string& name, const std::string& type, json parameters, json connections, json directions) {
    cells_[name] = {{"hide_name", 0}, {"type", type}, {"parameters", std::move(parameters)},
                    {"attributes", json::object()}, {"port_directions", std::move(directions)},
                    {"connections", std::move(connections)}};
  }
  // A connection between two nets (a pin and the logic behind it): an SB_LUT4
  // that passes I0 through (LUT_INIT 0xAAAA), so the netlist stays in cells_sim.v's cells.
  void wire(const std::string& name, const json& from, const json& to) {
    add(name, "SB_LUT4", {{"LUT_INIT", "1010101010101010"}},
        {{"I0", {from}}, {"I1", {"0"}}, {"I2", {"0"}}, {"I3", {"0"}}, {"O", {to}}},
        {{"I0", "input"}, {"I1", "input"}, {"I2", "input"}, {"I3", "input"}, {"O", "output"}});
  }

 private:
  json& cells_;
  long long& next_net_;
};

json bus(const json& cell, const std::string& base, int width, bool pull_up = false) {
  json b = json::array();
  for (int k = 0; k < width; ++k) b.push_back(Rewriter::input(cell, fmt::format("{}_{}", base, k), pull_up));
  return b;
}

// The output bus of `base`: connected bits as they are, unconnected ones on fresh nets.
json output_bus(Rewriter& r, const json& cell, const std::string& base, int width) {
  json b = json::array();
  for (int k = 0; k < width; ++k) {
    const json p = Rewriter::pin(cell, fmt::format("{}_{}", base, k));
    b.push_back(p.is_null() ? r.fresh() : p);
  }
  return b;
}

void unpack_logic_cell(Rewriter& r, const std::string& name, const json& cell) {
  const bool dff = flag(cell, "DFF_ENABLE");
  const json o = Rewriter::pin(cell, "O"), lo = Rewriter::pin(cell, "LO"), cout = Rewriter::pin(cell, "COUT");
  // The LUT's output net: LO's, or O's when no flip-flop follows, or a new one.
  json lut_out = !lo.is_null() ? lo : (!dff && !o.is_null()) ? o : r.fresh();
  const bool lut_needed = !lo.is_null() || !o.is_null();
  if (lut_needed) {
    r.add(name + "$lut", "SB_LUT4", {{"LUT_INIT", bits_of(cell, "LUT_INIT")}},
          {{"I0", {Rewriter::input(cell, "I0")}}, {"I1", {Rewriter::input(cell, "I1")}},
           {"I2", {Rewriter::input(cell, "I2")}}, {"I3", {Rewriter::input(cell, "I3")}}, {"O", {lut_out}}},
          {{"I0", "input"}, {"I1", "input"}, {"I2", "input"}, {"I3", "input"}, {"O", "output"}});
  }
  if (!dff && !o.is_null() && o != lut_out) r.wire(name + "$o", lut_out, o);
  if (flag(cell, "CARRY_ENABLE") && !cout.is_null()) {
    const json ci = flag(cell, "CIN_CONST") ? json(flag(cell, "CIN_SET") ? "1" : "0") : Rewriter::input(cell, "CIN");
    r.add(name + "$carry", "SB_CARRY", json::object(),
          {{"I0", {Rewriter::input(cell, "I1")}}, {"I1", {Rewriter::input(cell, "I2")}}, {"CI", {ci}}, {"CO", {cout}}},
          {{"I0", "input"}, {"I1", "input"}, {"CI", "input"}, {"CO", "output"}});
  }
  if (!dff || o.is_null()) return;
  // The flip-flop: clock polarity, enable when CEN is driven, then the kind of set/reset.
  const json cen = Rewriter::input(cell, "CEN", true);
  const json sr = Rewriter::input(cell, "SR");
  const bool enable = !Rewriter::is_const(cen, "1");
  const bool reset = !Rewriter::is_const(sr, "0");
  std::string type = "SB_DFF";
  if (flag(cell, "NEG_CLK")) type += "N";
  if (enable) type += "E";
  json connections = {{"C", {Rewriter::input(cell, "CLK")}}, {"D", {lut_out}}, {"Q", {o}}};
  json directions = {{"C", "input"}, {"D", "input"}, {"Q", "output"}};
  if (enable) {
    connections["E"] = {cen};
    directions["E"] = "input";
  }
  if (reset) {
    const bool set = flag(cell, "SET_NORESET");
    const std::string port = set ? "S" : "R";
    type += flag(cell, "ASYNC_SR") ? port : (set ? "SS" : "SR");
    connections[port] = {sr};
    directions[port] = "input";
  }
  r.add(name + "$ff", type, json::object(), std::move(connections), std::move(directions));
}

void unpack_ram(Rewriter& r, const std::string& name, const json& cell) {
  const bool neg_r = flag(cell, "NEG_CLK_R"), neg_w = flag(cell, "NEG_CLK_W");
  const std::string type = std::string("SB_RAM40_4K") + (neg_r ? "NR" : "") + (neg_w ? "NW" : "");
  json parameters = {{"WRITE_MODE", bits_of(cell, "WRITE_MODE")}, {"READ_MODE", bits_of(cell, "READ_MODE")}};
  for (const char* hex : {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"}) {
    parameters[std::string("INIT_") + hex] = bits_of(cell, std::string("INIT_") + hex);
  }
  const std::string rclk = neg_r ? "RCLKN" : "RCLK", wclk = neg_w ? "WCLKN" : "WCLK";
  json connections = {{"RDATA", output_bus(r, cell, "RDATA", 16)},  {"RADDR", bus(cell, "RADDR", 11)},
                      {"WADDR", bus(cell, "WADDR", 11)},            {"MASK", bus(cell, "MASK", 16)},
                      {"WDATA", bus(cell, "WDATA", 16)},            {rclk, {Rewriter::input(cell, "RCLK")}},
                      {"RCLKE", {Rewriter::input(cell, "RCLKE", true)}}, {"RE", {Rewriter::input(cell, "RE")}},
                      {wclk, {Rewriter::input(cell, "WCLK")}},     {"WCLKE", {Rewriter::input(cell, "WCLKE", true)}},
                      {"WE", {Rewriter::input(cell, "WE")}}};
  json directions = json::object();
  for (const auto& [port, _] : connections.items()) directions[port] = port == "RDATA" ? "output" : "input";
  r.add(name + "$ram", type, std::move(parameters), std::move(connections), std::move(directions));
}

void unpack_dsp(Rewriter& r, const std::string& name, const json& cell) {
  json connections = {{"A", bus(cell, "A", 16)}, {"B", bus(cell, "B", 16)}, {"C", bus(cell, "C", 16)},
                      {"D", bus(cell, "D", 16)}, {"O", output_bus(r, cell, "O", 32)}};
  json directions = {{"A", "input"}, {"B", "input"}, {"C", "input"}, {"D", "input"}, {"O", "output"}};
  // nextpnr leaves a DSP's CE unrouted where the synthesized netlist ties it
  // to 1 (and every pin tied to 0): the tile's CE reads 1 unconnected, as a
  // logic cell's CEN does.
  connections["CE"] = {Rewriter::input(cell, "CE", true)};
  directions["CE"] = "input";
  for (const char* port : {"CLK", "AHOLD", "BHOLD", "CHOLD", "DHOLD", "IRSTTOP", "IRSTBOT", "ORSTTOP", "ORSTBOT",
                           "OLOADTOP", "OLOADBOT", "ADDSUBTOP", "ADDSUBBOT", "OHOLDTOP", "OHOLDBOT", "CI", "ACCUMCI",
                           "SIGNEXTIN"}) {
    connections[port] = {Rewriter::input(cell, port)};
    directions[port] = "input";
  }
  for (const char* port : {"CO", "ACCUMCO", "SIGNEXTOUT"}) {
    const json p = Rewriter::pin(cell, port);
    connections[port] = {p.is_null() ? r.fresh() : p};
    directions[port] = "output";
  }
  r.add(name + "$dsp", "SB_MAC16", cell.at("parameters"), std::move(connections), std::move(directions));
}

// PIN_TYPE 0b0000_01: a plain input (D_IN_0 = pin); 0b0110_xx: a plain output (pin = D_OUT_0),
// its input half 01 (readback) or 00. What else a pin can be is not used by the system tops.
void unpack_io(Rewriter& r, const std::string& name, const json& cell) {
  const std::string type = bits_of(cell, "PIN_TYPE");
  const int pin_type = static_cast<int>(std::stol(type.substr(type.size() > 6 ? type.size() - 6 : 0), nullptr, 2));
  const int output_part = pin_type >> 2, input_part = pin_type & 3;
  const json pad = Rewriter::pin(cell, "PACKAGE_PIN"), d_in = Rewriter::pin(cell, "D_IN_0");
  const bool plain_output = output_part == 0b0110, no_output = output_part == 0;
  if (pad.is_null() || !(plain_output || no_output) || input_part != 1) {
    throw InputError(fmt::format("routed netlist: I/O cell {} has PIN_TYPE 0b{:06b}; the netlist simulation models "
                                 "unregistered input and output pins only",
                                 name, pin_type));
  }
  if (plain_output) r.wire(name + "$out", Rewriter::input(cell, "D_OUT_0"), pad);
  if (!d_in.is_null()) r.wire(name + "$in", pad, d_in);
}

long long largest_net(const json& module) {
  long long largest = 1;
  auto scan = [&](const json& bits) {
    for (const json& b : bits) {
      if (b.is_number_integer()) largest = std::max(largest, b.get<long long>());
    }
  };
  for (const auto& [_, port] : module.at("ports").items()) scan(port.at("bits"));
  for (const auto& [_, cell] : module.at("cells").items()) {
    for (const auto& [__, bits] : cell.at("connections").items()) scan(bits);
  }
  for (const auto& [_, net] : module.at("netnames").items()) scan(net.at("bits"));
  return largest;
}

}  // namespace

json unpack_ice40_routed(const json& nextpnr_json, const std::string& top_name) {
  const json& modules = nextpnr_json.at("modules");
  if (modules.size() != 1) {
    throw InputError(fmt::format("routed netlist: {} modules, expected the one top nextpnr writes", modules.size()));
  }
  const json& top = modules.begin().value();
  long long next_net = largest_net(top) + 1;
  json cells = json::object();
  Rewriter r(cells, next_net);
  for (const auto& [name, cell] : top.at("cells").items()) {
    const std::string type = cell.at("type").get<std::string>();
    if (type == "ICESTORM_LC") {
      unpack_logic_cell(r, name, cell);
    } else if (type == "ICESTORM_RAM") {
      unpack_ram(r, name, cell);
    } else if (type == "ICESTORM_DSP") {
      unpack_dsp(r, name, cell);
    } else if (type == "SB_IO") {
      unpack_io(r, name, cell);
    } else if (type == "SB_GB") {
      cells[name] = cell;
    } else {
      throw InputError(fmt::format("routed netlist: cell {} is a {}, which the netlist simulation does not model yet",
                                   name, type));
    }
  }
  json module = {{"attributes", {{"top", "00000000000000000000000000000001"}}},
                 {"ports", top.at("ports")},
                 {"cells", std::move(cells)},
                 {"netnames", top.at("netnames")}};
  return {{"creator", "neurofab: nextpnr-ice40 --write, unpacked to cells_sim.v primitives"},
          {"modules", {{top_name, std::move(module)}}}};
}

}  // namespace nf::sim::detail
