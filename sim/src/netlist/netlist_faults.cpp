#include "netlist_faults.hpp"

#include <fmt/format.h>

#include <map>
#include <string>

#include "neurofab/common/error.hpp"

namespace nf::sim::detail {
using nlohmann::json;

namespace {

// The recurrent weight memory initialised from the wrong image: in the first
// of its block RAMs (u_w_rec, by name: SB_RAM40_4K with rows INIT_0…F,
// RAMB18E1 with INIT_00…3F, RAMB36E1 with INIT_00…7F), the first two
// neighbouring 256-bit rows that differ are swapped.
void swap_memory_rows(json& cells) {
  struct BlockRam {
    const char* type;
    int rows;
    int digits;  // hexadecimal digits of a row's number in its parameter name
  };
  static const BlockRam kBlockRams[] = {{"SB_RAM40_4K", 16, 1}, {"RAMB18E1", 64, 2}, {"RAMB36E1", 128, 2}};
  for (auto& [name, cell] : cells.items()) {
    if (name.find("u_w_rec") == std::string::npos) continue;
    const std::string type = cell.at("type").get<std::string>();
    for (const BlockRam& ram : kBlockRams) {
      if (type.rfind(ram.type, 0) != 0) continue;
      json& p = cell.at("parameters");
      for (int k = 1; k < ram.rows; ++k) {
        const std::string a = fmt::format("INIT_{:0{}X}", k - 1, ram.digits);
        const std::string b = fmt::format("INIT_{:0{}X}", k, ram.digits);
        if (p.contains(a) && p.contains(b) && p.at(a) != p.at(b)) {
          std::swap(p.at(a), p.at(b));
          return;
        }
      }
    }
  }
  throw InputError("netlist fault: no block RAM of the recurrent weights (u_w_rec) with two different rows");
}

// The flip-flops of the most widely used clock-enable net lose their enable
// (SB_DFF[N]E… → SB_DFF[N]…): a wrong mapping of a register's load condition.
// (Swapping or dropping the cores' resets is not observable: iCE40
// flip-flops power up at 0, the cores' reset values, the reset is released
// long before the host's first request, and a timestep re-initialises what
// a previous one left; docs/rtl.md.)
void drop_clock_enable(json& cells) {
  std::map<std::string, int> users;
  auto enabled = [](const json& cell) {
    return cell.at("type").get<std::string>().rfind("SB_DFF", 0) == 0 && cell.at("connections").contains("E");
  };
  for (const auto& [_, cell] : cells.items()) {
    if (enabled(cell)) ++users[cell.at("connections").at("E").dump()];
  }
  if (users.empty()) throw InputError("netlist fault: no iCE40 flip-flop with a clock enable (SB_DFF*E*)");
  std::string net;
  int most = 0;
  for (const auto& [n, count] : users) {
    if (count > most) net = n, most = count;
  }
  for (auto& [_, cell] : cells.items()) {
    if (!enabled(cell) || cell.at("connections").at("E").dump() != net) continue;
    std::string type = cell.at("type").get<std::string>();
    type.erase(type.find('E', 6), 1);  // SB_DFF[N]E…: the first E after "SB_DFF"
    cell["type"] = type;
    cell.at("connections").erase("E");
    cell.at("port_directions").erase("E");
  }
}

}  // namespace

void apply_netlist_fault(json& design, const std::string& top, NetlistFault fault) {
  if (fault == NetlistFault::kNone) return;
  json& cells = design.at("modules").at(top).at("cells");
  if (fault == NetlistFault::kWrongMemoryImage) swap_memory_rows(cells);
  if (fault == NetlistFault::kDroppedClockEnable) drop_clock_enable(cells);
}

}  // namespace nf::sim::detail
