#include "netlist_faults.hpp"

#include <fmt/format.h>

#include <map>
#include <string>

#include "neurofab/common/error.hpp"

namespace nf::sim::detail {
using nlohmann::json;

namespace {

// A block RAM initialised from the wrong image: its first two rows swapped.
void swap_memory_rows(json& cells) {
  for (auto& [name, cell] : cells.items()) {
    if (cell.at("type").get<std::string>().rfind("SB_RAM40_4K", 0) != 0) continue;
    json& p = cell.at("parameters");
    if (!p.contains("INIT_0") || !p.contains("INIT_1") || p.at("INIT_0") == p.at("INIT_1")) continue;
    std::swap(p.at("INIT_0"), p.at("INIT_1"));
    return;
  }
  throw InputError("netlist fault: no block RAM whose first two rows differ");
}

// SB_DFF[N][E]R / SB_DFF[N][E]S: the asynchronous reset (set) flip-flops.
bool asynchronous_reset(const std::string& type) {
  if (type.rfind("SB_DFF", 0) != 0 || type.size() < 7) return false;
  const char last = type.back();
  const bool synchronous = type.size() >= 8 && (type.compare(type.size() - 2, 2, "SR") == 0 ||
                                                type.compare(type.size() - 2, 2, "SS") == 0);
  return (last == 'R' || last == 'S') && !synchronous;
}

// The flip-flops of the largest asynchronous reset net (the core's: it has
// more flip-flops than the host link) lose their reset pin.
void drop_core_reset(json& cells) {
  std::map<std::string, int> users;
  auto reset_net = [](const json& cell) {
    const json& c = cell.at("connections");
    return (c.contains("R") ? c.at("R") : c.at("S")).dump();
  };
  for (const auto& [_, cell] : cells.items()) {
    if (asynchronous_reset(cell.at("type").get<std::string>())) ++users[reset_net(cell)];
  }
  if (users.empty()) throw InputError("netlist fault: no flip-flop with an asynchronous reset");
  std::string net;
  int most = 0;
  for (const auto& [n, count] : users) {
    if (count > most) net = n, most = count;
  }
  for (auto& [_, cell] : cells.items()) {
    const std::string type = cell.at("type").get<std::string>();
    if (!asynchronous_reset(type) || reset_net(cell) != net) continue;
    const std::string port(1, type.back());
    cell["type"] = type.substr(0, type.size() - 1);
    cell.at("connections").erase(port);
    cell.at("port_directions").erase(port);
  }
}

}  // namespace

void apply_netlist_fault(json& design, NetlistFault fault) {
  if (fault == NetlistFault::kNone) return;
  json& cells = design.at("modules").begin().value().at("cells");
  if (fault == NetlistFault::kWrongMemoryImage) swap_memory_rows(cells);
  if (fault == NetlistFault::kNoCoreReset) drop_core_reset(cells);
}

}  // namespace nf::sim::detail
