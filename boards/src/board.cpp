#include "neurofab/boards/board.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "neurofab/common/error.hpp"
#include "neurofab/common/json_fields.hpp"
#include "neurofab/common/resources.hpp"

namespace nf::boards {
namespace fs = std::filesystem;

namespace {

// nextpnr-ice40's device flags, and which of those devices have SB_MAC16
// (iCE40 UltraPlus and iCE40 Ultra) and SB_SPRAM256KA (UltraPlus only).
const std::vector<std::string> kIce40Devices = {"lp384", "lp1k", "lp4k", "lp8k", "hx1k", "hx4k",
                                                "hx8k",  "up3k", "up5k", "u1k",  "u2k",  "u4k"};
bool ice40_has_dsp(const std::string& device) {
  return device == "up3k" || device == "up5k" || device == "u1k" || device == "u2k" || device == "u4k";
}
bool ice40_has_spram(const std::string& device) { return device == "up3k" || device == "up5k"; }

void reject_unknown_fields(const nlohmann::json& object, const JsonFields& fields,
                           const std::set<std::string>& allowed) {
  for (const auto& [key, value] : object.items()) {
    if (allowed.count(key) == 0) {
      std::string names;
      for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
      fields.fail(key, fmt::format("unknown field (expected: {})", names));
    }
  }
}

std::string nonempty_string(const JsonFields& f, const std::string& key) {
  std::string value = f.string(key);
  if (value.empty()) f.fail(key, "must not be empty");
  return value;
}

// A pin name as the constraint files take it: no spaces, braces or quotes.
std::string pin_name(const JsonFields& f, const std::string& key) {
  std::string value = nonempty_string(f, key);
  if (value.find_first_of(" \t\n{}[]\"';#") != std::string::npos) {
    f.fail(key, fmt::format("'{}' is not a pin name (letters and digits, e.g. \"35\" or \"E3\")", value));
  }
  return value;
}

std::string optional_string(const JsonFields& f, const std::string& key) {
  if (!f.has(key)) return {};
  std::string value = f.string(key);
  if (value.empty()) f.fail(key, "must not be empty (leave the field out instead)");
  if (value.find_first_of(" \t\n{}[]\"';#") != std::string::npos) f.fail(key, fmt::format("'{}' is not an I/O standard", value));
  return value;
}

std::int64_t count(const JsonFields& f, const std::string& key, std::int64_t min) {
  const std::int64_t value = f.integer(key);
  if (value < min) f.fail(key, fmt::format("must be at least {} (got {})", min, value));
  return value;
}

}  // namespace

std::string family_name(Family family) { return family == Family::kIce40 ? "ice40" : "xc7"; }

fs::path board_data_dir() { return resource_path("boards"); }

Board load_board(const fs::path& file) {
  const nlohmann::json doc = JsonFields::parse_file(file);
  const JsonFields f(doc, file.string());
  reject_unknown_fields(doc, f,
                        {"format", "format_version", "name", "title", "vendor", "family", "device", "package", "clock",
                         "uart", "resources", "notes", "sources"});
  if (f.string("format") != kBoardFormat) f.fail("format", fmt::format("expected \"{}\"", kBoardFormat));
  if (f.integer("format_version") != kBoardFormatVersion) {
    f.fail("format_version", fmt::format("unsupported version {} (this build reads version {})",
                                         f.integer("format_version"), kBoardFormatVersion));
  }
  Board b;
  b.file = file;
  b.name = nonempty_string(f, "name");
  if (b.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") != std::string::npos) {
    f.fail("name", fmt::format("'{}': use lower-case letters, digits, '-', '_' and '.'", b.name));
  }
  b.title = nonempty_string(f, "title");

  const std::string family = f.string("family");
  if (family == "ice40") {
    b.family = Family::kIce40;
  } else if (family == "xc7") {
    b.family = Family::kXc7;
  } else {
    f.fail("family", fmt::format("unknown family '{}' (known: ice40 (nextpnr-ice40 flow), xc7 (Vivado project))", family));
  }
  b.vendor = f.string("vendor");
  const std::string expected_vendor = b.family == Family::kIce40 ? "lattice" : "xilinx";
  if (b.vendor != "lattice" && b.vendor != "xilinx") {
    f.fail("vendor", fmt::format("unknown vendor '{}' (known: lattice, xilinx)", b.vendor));
  }
  if (b.vendor != expected_vendor) {
    f.fail("vendor", fmt::format("'{}' does not make family '{}' (expected '{}')", b.vendor, family, expected_vendor));
  }

  b.device = nonempty_string(f, "device");
  b.package = nonempty_string(f, "package");
  if (b.package.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos) {
    f.fail("package", fmt::format("'{}': expected a lower-case package code such as sg48 or csg324", b.package));
  }
  if (b.family == Family::kIce40) {
    if (std::find(kIce40Devices.begin(), kIce40Devices.end(), b.device) == kIce40Devices.end()) {
      f.fail("device", fmt::format("unknown iCE40 device '{}' (nextpnr-ice40 takes: {})", b.device,
                                   fmt::join(kIce40Devices, ", ")));
    }
  } else {
    // A full part: family prefix, device, package, speed grade (xc7a35ticsg324-1L).
    if (b.device.rfind("xc7", 0) != 0 || b.device.find('-') == std::string::npos) {
      f.fail("device", fmt::format("'{}' is not a full 7-series part (e.g. xc7a35ticsg324-1L)", b.device));
    }
    if (b.device.find(b.package) == std::string::npos) {
      f.fail("package", fmt::format("'{}' is not the package of part '{}'", b.package, b.device));
    }
  }

  const JsonFields clock = f.object("clock");
  reject_unknown_fields(f.raw("clock"), clock, {"pin", "frequency_hz", "iostandard"});
  b.clock.pin = pin_name(clock, "pin");
  b.clock.frequency_hz = count(clock, "frequency_hz", 1000);
  if (b.clock.frequency_hz > 1'000'000'000) clock.fail("frequency_hz", "above 1 GHz: is it given in Hz?");
  b.clock.iostandard = optional_string(clock, "iostandard");

  const JsonFields uart = f.object("uart");
  reject_unknown_fields(f.raw("uart"), uart, {"rx_pin", "tx_pin", "baud", "iostandard", "bridge"});
  b.uart.rx_pin = pin_name(uart, "rx_pin");
  b.uart.tx_pin = pin_name(uart, "tx_pin");
  b.uart.baud = count(uart, "baud", 1);
  b.uart.iostandard = optional_string(uart, "iostandard");
  b.uart.bridge = nonempty_string(uart, "bridge");
  if (b.uart.rx_pin == b.uart.tx_pin) uart.fail("tx_pin", fmt::format("pin {} is also uart.rx_pin", b.uart.tx_pin));
  if (b.uart.rx_pin == b.clock.pin) uart.fail("rx_pin", fmt::format("pin {} is also clock.pin", b.uart.rx_pin));
  if (b.uart.tx_pin == b.clock.pin) uart.fail("tx_pin", fmt::format("pin {} is also clock.pin", b.uart.tx_pin));
  if (b.family == Family::kXc7) {
    // Vivado refuses to write a bitstream with I/O of no explicit standard (DRC NSTD-1).
    if (b.clock.iostandard.empty()) clock.fail("iostandard", "missing (Xilinx boards need the I/O standard, e.g. LVCMOS33)");
    if (b.uart.iostandard.empty()) uart.fail("iostandard", "missing (Xilinx boards need the I/O standard, e.g. LVCMOS33)");
  }

  const JsonFields res = f.object("resources");
  if (b.family == Family::kIce40) {
    reject_unknown_fields(f.raw("resources"), res, {"logic_cells", "bram_4k", "spram_256k", "dsp"});
    b.ice40.logic_cells = count(res, "logic_cells", 1);
    b.ice40.bram_4k = count(res, "bram_4k", 0);
    b.ice40.spram_256k = count(res, "spram_256k", 0);
    b.ice40.dsp = count(res, "dsp", 0);
    if (b.ice40.dsp > 0 && !ice40_has_dsp(b.device)) {
      res.fail("dsp", fmt::format("{}: the iCE40 {} has no SB_MAC16 blocks", b.ice40.dsp, b.device));
    }
    if (b.ice40.spram_256k > 0 && !ice40_has_spram(b.device)) {
      res.fail("spram_256k", fmt::format("{}: the iCE40 {} has no SPRAM", b.ice40.spram_256k, b.device));
    }
  } else {
    reject_unknown_fields(f.raw("resources"), res, {"luts", "flip_flops", "bram_36k", "dsp"});
    b.xc7.luts = count(res, "luts", 1);
    b.xc7.flip_flops = count(res, "flip_flops", 1);
    b.xc7.bram_36k = count(res, "bram_36k", 0);
    b.xc7.dsp = count(res, "dsp", 0);
  }

  b.notes = f.string("notes");
  const nlohmann::json& sources = f.array("sources");
  if (sources.empty()) f.fail("sources", "must name at least one source of the pins and numbers");
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (!sources[i].is_string() || sources[i].get<std::string>().empty()) {
      f.fail(fmt::format("sources[{}]", i), "expected a non-empty string");
    }
    b.sources.push_back(sources[i].get<std::string>());
  }
  return b;
}

namespace {

Board load_listed_board(const fs::path& file) {
  Board b = load_board(file);
  if (b.name != file.stem().string()) {
    throw InputError(fmt::format("{}: field 'name': '{}' differs from the file name (expected '{}')", file.string(),
                                 b.name, file.stem().string()));
  }
  return b;
}

std::vector<fs::path> board_files() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(board_data_dir(), ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Board find_board(const std::string& name_or_path) {
  if (name_or_path.empty()) throw InputError("--board: empty board name");
  const bool is_path = name_or_path.find('/') != std::string::npos ||
                       (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".json");
  if (is_path) {
    if (!fs::is_regular_file(name_or_path)) throw InputError(fmt::format("--board {}: no such board file", name_or_path));
    return load_board(name_or_path);
  }
  const fs::path file = board_data_dir() / (name_or_path + ".json");
  if (!fs::is_regular_file(file)) {
    std::vector<std::string> names;
    for (const auto& f : board_files()) names.push_back(f.stem().string());
    throw InputError(fmt::format("--board {}: unknown board (known: {}; or give the path of a board .json file)",
                                 name_or_path, names.empty() ? "none in " + board_data_dir().string() : fmt::format("{}", fmt::join(names, ", "))));
  }
  return load_listed_board(file);
}

std::vector<Board> list_boards() {
  std::vector<Board> boards;
  for (const auto& file : board_files()) boards.push_back(load_listed_board(file));
  return boards;
}

UartTiming uart_timing(const Board& board, std::int64_t baud) {
  if (baud < 1) throw InputError(fmt::format("--baud {}: must be positive", baud));
  UartTiming t;
  t.baud = baud;
  const double ratio = static_cast<double>(board.clock.frequency_hz) / static_cast<double>(baud);
  t.clocks_per_bit = static_cast<std::int64_t>(std::llround(ratio));
  if (t.clocks_per_bit < kMinClocksPerBit) {
    throw InputError(fmt::format("--baud {}: the {} MHz clock of {} gives {:.2f} clocks per bit; the UART needs at "
                                 "least {} (at most {} baud)",
                                 baud, board.clock_mhz(), board.name, ratio, kMinClocksPerBit,
                                 board.clock.frequency_hz / kMinClocksPerBit));
  }
  t.actual_baud = static_cast<double>(board.clock.frequency_hz) / static_cast<double>(t.clocks_per_bit);
  t.error = (t.actual_baud - static_cast<double>(baud)) / static_cast<double>(baud);
  if (std::abs(t.error) > kMaxBaudError) {
    throw InputError(fmt::format("--baud {}: {} MHz / {} clocks per bit is {:.0f} baud, {:+.2f} % off (at most ±{:.0f} %); "
                                 "pick a baud rate closer to {} MHz / n",
                                 baud, board.clock_mhz(), t.clocks_per_bit, t.actual_baud, 100 * t.error,
                                 100 * kMaxBaudError, board.clock_mhz()));
  }
  t.quiet_cycles = 200 * t.clocks_per_bit;
  return t;
}

}  // namespace nf::boards
