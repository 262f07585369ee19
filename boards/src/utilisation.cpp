#include "neurofab/boards/utilisation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "neurofab/common/error.hpp"

namespace nf::boards {

namespace {

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

std::map<std::string, std::int64_t> yosys_cell_counts(const nlohmann::json& stat, const std::string& file) {
  const nlohmann::json* totals = nullptr;
  if (stat.contains("design") && stat["design"].is_object()) {
    totals = &stat["design"];
  } else if (stat.contains("modules") && stat["modules"].is_object() && stat["modules"].size() == 1) {
    totals = &stat["modules"].begin().value();
  }
  if (totals == nullptr || !totals->contains("num_cells_by_type") || !(*totals)["num_cells_by_type"].is_object()) {
    throw IoError(fmt::format("{}: not a Yosys `stat -json` report of one flattened design", file));
  }
  std::map<std::string, std::int64_t> counts;
  for (const auto& [type, n] : (*totals)["num_cells_by_type"].items()) {
    if (!n.is_number_integer()) throw IoError(fmt::format("{}: cell count of {} is not an integer", file, type));
    counts[type] = n.get<std::int64_t>();
  }
  return counts;
}

std::int64_t Ice40Cells::logic_cells_lower_bound() const { return std::max({lut4, dff, carry}); }

Ice40Cells ice40_cells(const std::map<std::string, std::int64_t>& counts) {
  Ice40Cells c;
  for (const auto& [type, n] : counts) {
    if (type == "SB_LUT4") {
      c.lut4 += n;
    } else if (type == "SB_CARRY") {
      c.carry += n;
    } else if (starts_with(type, "SB_DFF")) {
      c.dff += n;
    } else if (starts_with(type, "SB_RAM40_4K")) {
      c.bram += n;
    } else if (type == "SB_MAC16") {
      c.dsp += n;
    } else if (type == "SB_SPRAM256KA") {
      c.spram += n;
    }
  }
  return c;
}

Xc7Cells xc7_cells(const std::map<std::string, std::int64_t>& counts) {
  // LUTs of a distributed-RAM or shift-register primitive (7-series, UG474).
  static const std::map<std::string, std::int64_t> kLutMemory = {
      {"RAM16X1S", 1}, {"RAM32X1S", 1}, {"RAM64X1S", 1},   {"RAM128X1S", 2}, {"RAM256X1S", 4},
      {"RAM16X1D", 2}, {"RAM32X1D", 2}, {"RAM64X1D", 2},   {"RAM128X1D", 4}, {"RAM32M", 4},
      {"RAM64M", 4},   {"SRL16E", 1},   {"SRLC16E", 1},    {"SRLC32E", 1}};
  Xc7Cells c;
  for (const auto& [type, n] : counts) {
    if (type.size() == 4 && starts_with(type, "LUT") && type[3] >= '1' && type[3] <= '6') {
      c.lut_logic += n;
    } else if (const auto it = kLutMemory.find(type); it != kLutMemory.end()) {
      c.lut_memory += n * it->second;
    } else if (type == "INV") {
      c.inv += n;
    } else if (type == "FDRE" || type == "FDSE" || type == "FDCE" || type == "FDPE" || type == "LDCE" ||
               type == "LDPE") {
      c.flip_flops += n;
    } else if (type == "RAMB18E1") {
      c.ramb18 += n;
    } else if (type == "RAMB36E1") {
      c.ramb36 += n;
    } else if (type == "DSP48E1") {
      c.dsp += n;
    } else if (type == "CARRY4") {
      c.carry4 += n;
    }
  }
  return c;
}

std::vector<ResourceUse> ice40_fit(const Ice40Cells& c, const Board& board) {
  const auto& r = board.ice40;
  return {
      {"logic cells", static_cast<double>(c.logic_cells_lower_bound()), r.logic_cells,
       fmt::format("at least max(LUT4, DFF, carry) = max({}, {}, {})", c.lut4, c.dff, c.carry)},
      {"BRAM (SB_RAM40_4K)", static_cast<double>(c.bram), r.bram_4k, "SB_RAM40_4K"},
      {"DSP (SB_MAC16)", static_cast<double>(c.dsp), r.dsp, "SB_MAC16"},
      {"SPRAM (SB_SPRAM256KA)", static_cast<double>(c.spram), r.spram_256k, "SB_SPRAM256KA"},
  };
}

std::vector<ResourceUse> xc7_fit(const Xc7Cells& c, const Board& board) {
  const auto& r = board.xc7;
  return {
      {"LUTs", static_cast<double>(c.luts()), r.luts,
       fmt::format("LUT1-6 {} + LUT RAM/SRL {} (INV {} not counted)", c.lut_logic, c.lut_memory, c.inv)},
      {"flip-flops", static_cast<double>(c.flip_flops), r.flip_flops, "FDRE/FDSE/FDCE/FDPE"},
      {"BRAM (36 Kb)", c.bram_36k(), r.bram_36k, fmt::format("RAMB36E1 {} + RAMB18E1 {} / 2", c.ramb36, c.ramb18)},
      {"DSP (DSP48E1)", static_cast<double>(c.dsp), r.dsp, "DSP48E1"},
  };
}

PnrReport read_pnr_report(const nlohmann::json& report, const std::string& file) {
  PnrReport r;
  try {
    for (const auto& [bel, use] : report.at("utilization").items()) {
      r.utilisation[bel] = {use.at("used").get<std::int64_t>(), use.at("available").get<std::int64_t>()};
    }
    if (report.contains("fmax")) {
      for (const auto& [clock, f] : report.at("fmax").items()) {
        r.fmax[clock] = {f.at("achieved").get<double>(), f.at("constraint").get<double>()};
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw IoError(fmt::format("{}: not a nextpnr --report file: {}", file, e.what()));
  }
  return r;
}

PnrLog read_pnr_log(const std::string& text) {
  PnrLog log;
  static const std::regex kRow(R"(^Info:\s+([A-Z0-9_]+):\s+(\d+)/\s*(\d+)\s+\d+%)");
  static const std::regex kExhausted(R"(no BELs remaining to implement cell type '([A-Za-z0-9_]+)')");
  static const std::regex kTiming(R"(Max frequency for clock '[^']*': ([0-9.]+) MHz \(FAIL at ([0-9.]+) MHz\))");
  static const std::regex kPathCell(R"(^Info:\s+[0-9.]+\s+([0-9.]+)\s+(Source|Setup) (\S+))");
  std::istringstream in(text);
  bool in_clock_path = false, path_started = false;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line.find("Critical path report for ") != std::string::npos) {
      in_clock_path = line.find("Critical path report for clock '") != std::string::npos;
      path_started = false;
      continue;
    }
    if (in_clock_path && std::regex_search(line, m, kPathCell)) {
      if (m[2] == "Source" && !path_started) {
        log.critical_from = m[3];
        path_started = true;
      } else if (m[2] == "Setup") {
        log.critical_to = m[3];
        log.critical_ns = std::stod(m[1]);
        in_clock_path = false;
      }
      continue;
    }
    if (std::regex_search(line, m, kRow)) {
      log.utilisation[m[1]] = {std::stoll(m[2]), std::stoll(m[3])};
    } else if (std::regex_search(line, m, kExhausted)) {
      log.exhausted_bel = m[1];
    } else if (line.rfind("ERROR:", 0) == 0 && std::regex_search(line, m, kTiming)) {
      // Only the error after routing: the placer's earlier estimate is an Info line.
      log.failed_fmax_mhz = std::stod(m[1]);
      log.failed_target_mhz = std::stod(m[2]);
    }
  }
  return log;
}

std::string ice40_bel_name(const std::string& bel) {
  if (bel == "ICESTORM_LC") return "logic cells";
  if (bel == "ICESTORM_RAM") return "BRAM (SB_RAM40_4K)";
  if (bel == "ICESTORM_DSP") return "DSP (SB_MAC16)";
  if (bel == "ICESTORM_SPRAM") return "SPRAM (SB_SPRAM256KA)";
  if (bel == "SB_IO") return "I/O pins";
  if (bel == "SB_GB") return "global buffers";
  return bel;
}

}  // namespace nf::boards
