#include "neurofab/boards/build_flow.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "neurofab/boards/constraints.hpp"
#include "neurofab/boards/performance.hpp"
#include "neurofab/boards/utilisation.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/common/process.hpp"
#include "neurofab/common/temp_folder.hpp"
#include "neurofab/rtl/rtl_generator.hpp"

namespace nf::boards {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kGenerator = "neurofab 0.1.0";  // mirrors project(neurofab VERSION ...)
constexpr int kReportFormatVersion = 1;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A program on PATH, or empty.
fs::path find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) return candidate;
  }
  return {};
}

void require_program(const std::string& name, const std::string& package) {
  if (find_program(name).empty()) {
    throw ToolError(fmt::format("{} is not installed (Debian package {}; scripts/setup.sh installs it)", name, package));
  }
}

// One shell word (build.sh): quoted unless it is plainly safe.
std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=+:,")
                           == std::string::npos) {
    return word;
  }
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// argv as one shell command line.
std::string shell_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) {
    if (!line.empty()) line += ' ';
    line += shell_word(a);
  }
  return line;
}

// The first line a tool prints for its version (`yosys -V`, `nextpnr-ice40 --version`).
std::string tool_version(const std::vector<std::string>& argv) {
  try {
    const TempFolder temp("neurofab-version");
    const fs::path log = temp.path() / "version.log";
    const ProcessResult r = run_process(argv, log);
    std::istringstream in(read_text_file(log));
    std::string line;
    while (std::getline(in, line)) {
      if (line.find_first_not_of(" \t\r") != std::string::npos) break;
    }
    if (r.ok() && !line.empty()) return line;
  } catch (const std::exception&) {
  }
  return "unknown";
}

// localparams of the generated nf_config_pkg.sv: the numbers the hardware is built with.
std::map<std::string, std::int64_t> package_parameters(const std::string& package) {
  static const std::regex kLine(R"(localparam\s+int(?:\s+unsigned)?\s+(\w+)\s*=\s*(-?\d+)\s*;)");
  std::map<std::string, std::int64_t> values;
  for (auto it = std::sregex_iterator(package.begin(), package.end(), kLine); it != std::sregex_iterator(); ++it) {
    values[(*it)[1]] = std::stoll((*it)[2]);
  }
  return values;
}

// synth_ice40 -device: the speed class of an iCE40 device for ABC9's delay model.
std::string ice40_timing_class(const std::string& device) {
  if (device.rfind("hx", 0) == 0) return "hx";
  if (device.rfind("lp", 0) == 0) return "lp";
  return "u";  // up3k, up5k, u1k, u2k, u4k
}

std::string family_title(const std::string& model_type) {
  return model_type == "lif_rnn" ? "LIF RNN" : "rate RNN";
}

std::string format_count(double value) {
  return value == std::floor(value) ? fmt::format("{}", static_cast<std::int64_t>(value)) : fmt::format("{:.1f}", value);
}

struct CommandRecord {
  std::string step;
  std::string cwd;  // relative to the output folder
  std::vector<std::string> argv;
  std::string log;  // relative to the output folder
  double seconds = 0;
};

// One build in its staging folder.
class Flow {
 public:
  Flow(const quantize::QuantizedArtifact& q, std::string qdir, const Board& board, const BuildOptions& options,
       fs::path root)
      : q_(q), qdir_(std::move(qdir)), board_(board), o_(options), root_(std::move(root)) {
    model_type_ = std::holds_alternative<quantize::IntegerRateRnn>(q.network) ? "rate_rnn" : "lif_rnn";
    top_ = rtl::system_top_module(model_type_);
    uart_ = uart_timing(board, o_.baud > 0 ? o_.baud : board.uart.baud);
  }

  BuildResult run() {
    const auto start = std::chrono::steady_clock::now();
    require_program("yosys", "yosys");
    if (board_.family == Family::kIce40) {
      require_program("nextpnr-ice40", "nextpnr-ice40");
      require_program("icepack", "fpga-icestorm");
    }
    fs::create_directories(root_ / "logs");
    prepare_rtl();
    cycles_ = cycle_stats(q_, o_.lanes, o_.trials, o_.trial_seed);
    json report = board_.family == Family::kIce40 ? run_ice40() : run_xc7();
    seconds_["total"] = seconds_since(start);
    report["seconds"] = seconds_;
    BuildResult result;
    result.summary = report_summary(report);
    write_file_atomically(root_ / "report.json", report.dump(2) + "\n");
    write_file_atomically(root_ / "report.md", report_markdown(report));
    if (report["bitstream"].is_object()) result.bitstream = report["bitstream"]["file"].get<std::string>();
    result.report = std::move(report);
    return result;
  }

 private:
  const quantize::QuantizedArtifact& q_;
  std::string qdir_;
  const Board& board_;
  BuildOptions o_;
  fs::path root_;
  std::string model_type_, top_;
  UartTiming uart_;
  std::vector<std::string> sources_;  // file names inside rtl/, compile order, package first
  std::vector<std::string> images_;   // .mem files inside rtl/
  std::map<std::string, std::int64_t> package_;
  std::string config_id_;
  CycleStats cycles_;
  std::vector<CommandRecord> commands_;
  json seconds_ = json::object();

  // --- RTL: configuration, the system top's sources, file list ------------
  void prepare_rtl() {
    const fs::path rtl_dir = root_ / "rtl";
    rtl::generate_rtl(q_, {o_.lanes}, rtl_dir);
    sources_ = {"nf_config_pkg.sv"};
    for (const fs::path& source : rtl::system_sources(model_type_)) {
      const fs::path from = o_.rtl_dir.empty() ? source : o_.rtl_dir / source.filename();
      if (!fs::is_regular_file(from)) {
        throw IoError(fmt::format("{}: missing: a source of the system top {}", from.string(), top_));
      }
      fs::copy_file(from, rtl_dir / source.filename(), fs::copy_options::overwrite_existing);
      sources_.push_back(source.filename().string());
    }
    // files.f of `neurofab rtl` lists the bare core; here: the system top, as copied.
    std::string files;
    for (const auto& s : sources_) files += s + "\n";
    write_file_atomically(rtl_dir / "files.f", files);
    for (const auto& entry : fs::directory_iterator(rtl_dir)) {
      if (entry.path().extension() == ".mem") images_.push_back(entry.path().filename().string());
    }
    std::sort(images_.begin(), images_.end());
    package_ = package_parameters(read_text_file(rtl_dir / "nf_config_pkg.sv"));
    for (const char* name : {"NumUnits", "NumInputs", "NumOutputs", "Lanes", "InputWidth", "OutputWidth"}) {
      if (package_.count(name) == 0) throw IoError(fmt::format("{}: no {} in the generated package", rtl_dir.string(), name));
    }
    config_id_ = json::parse(read_text_file(rtl_dir / "rtl.json")).at("config_id").get<std::string>();
  }

  std::int64_t param(const std::string& name) const {
    const auto it = package_.find(name);
    return it == package_.end() ? 0 : it->second;
  }

  // Runs one tool, logging into logs/, and records the exact command.
  ProcessResult run_tool(const std::string& step, const std::vector<std::string>& argv, const std::string& cwd,
                         const std::string& log) {
    const auto start = std::chrono::steady_clock::now();
    const ProcessResult r = run_process(argv, root_ / log, cwd.empty() ? root_ : root_ / cwd);
    commands_.push_back({step, cwd, argv, log, seconds_since(start)});
    seconds_[step] = commands_.back().seconds;
    return r;
  }

  std::string read_verilog_line() const {
    std::string line = "read_verilog -sv";
    for (const auto& s : sources_) line += " " + s;
    return line + "\n";
  }

  std::string chparam_line() const {
    return fmt::format("chparam -set ClocksPerBit {} -set QuietCycles {} {}\n", uart_.clocks_per_bit,
                       uart_.quiet_cycles, top_);
  }

  std::map<std::string, std::int64_t> synthesise(const std::string& script_name, const std::string& synth_command) {
    const std::string script = fmt::format(
        "# Generated by `neurofab build`: {} of {} for {} ({}).\n"
        "# Run in rtl/ ($readmemh opens the images there): cd rtl && yosys -s ../{}\n",
        board_.family == Family::kIce40 ? "synthesis" : "utilisation estimate", top_, board_.title, board_.device,
        script_name);
    write_file_atomically(root_ / script_name, script + read_verilog_line() + chparam_line() + synth_command + "\n" +
                                                   "tee -q -o ../synth_stat.json stat -json\n");
    const ProcessResult r = run_tool("synthesis", {"yosys", "-s", "../" + script_name}, "rtl", "logs/yosys.log");
    if (!r.ok()) {
      throw ToolError(fmt::format("Yosys failed on {} ({}); last lines of its log:{}", top_, r.describe(),
                                  last_lines(root_ / "logs/yosys.log", 15)));
    }
    return yosys_cell_counts(json::parse(read_text_file(root_ / "synth_stat.json")), "synth_stat.json");
  }

  // --- fit ------------------------------------------------------------------
  std::string model_phrase() const {
    return fmt::format("the {} of {} (N = {}, n_in {}, n_out {}, {} lane{})", family_title(model_type_), qdir_,
                       param("NumUnits"), param("NumInputs"), param("NumOutputs"), o_.lanes, o_.lanes == 1 ? "" : "s");
  }

  std::string weight_phrase() const {
    const std::int64_t state = model_type_ == "lif_rnn" ? param("MembraneWidth") : param("StateWidth");
    return fmt::format("now {}-bit weights, {}-bit {}", param("WRecWidth"), state,
                       model_type_ == "lif_rnn" ? "membrane" : "state");
  }

  std::vector<std::string> advice(const std::string& resource) const {
    std::vector<std::string> a;
    const bool no_dsp = board_.family == Family::kIce40 ? board_.ice40.dsp == 0 : board_.xc7.dsp == 0;
    const bool logic = resource.find("logic") != std::string::npos || resource.find("LUT") != std::string::npos ||
                       resource.find("flip-flop") != std::string::npos;
    const std::string smaller_lanes =
        o_.lanes > 1 ? fmt::format("fewer MAC lanes (--lanes {}; now {})", o_.lanes / 2, o_.lanes) : "";
    if (logic) {
      if (!smaller_lanes.empty()) {
        a.push_back(smaller_lanes + (no_dsp ? ": this device has no DSP blocks, so every lane's multiplier is built "
                                              "from logic"
                                            : ""));
      }
      a.push_back(fmt::format("fewer bits at `neurofab quantize` (--bits; {})", weight_phrase()));
      a.push_back(fmt::format("a smaller network (now N = {})", param("NumUnits")));
    } else if (resource.find("BRAM") != std::string::npos || resource.find("SPRAM") != std::string::npos) {
      a.push_back(fmt::format("fewer bits at `neurofab quantize` (--bits; {}: W_rec alone is N² = {} weights)",
                              weight_phrase(), param("NumUnits") * param("NumUnits")));
      a.push_back(fmt::format("a smaller network (now N = {})", param("NumUnits")));
    } else if (resource.find("DSP") != std::string::npos) {
      if (!smaller_lanes.empty()) a.push_back(smaller_lanes + ": one multiplier per lane, plus the readout's");
      a.push_back(fmt::format("fewer bits at `neurofab quantize` (--bits; {})", weight_phrase()));
    }
    a.push_back("a board with a larger FPGA");
    return a;
  }

  [[noreturn]] void refuse(const std::vector<ResourceUse>& over, const std::string& when) const {
    std::string text = fmt::format("{} does not fit {} ({} {}), {}:", model_phrase(), board_.title,
                                   family_name(board_.family), board_.device, when);
    for (const auto& r : over) {
      text += fmt::format("\n  {}: {} needed, {} available ({})", r.resource, format_count(r.used), r.available, r.detail);
    }
    std::vector<std::string> changes;
    for (const auto& r : over) {
      for (auto& a : advice(r.resource)) {
        if (std::find(changes.begin(), changes.end(), a) == changes.end()) changes.push_back(a);
      }
    }
    text += fmt::format("\nTo fit, use {}.", fmt::join(changes, ", or "));
    throw FitError(text);
  }

  void check_fit(const std::vector<ResourceUse>& rows, const std::string& when) const {
    std::vector<ResourceUse> over;
    for (const auto& r : rows) {
      if (!r.fits()) over.push_back(r);
    }
    if (!over.empty()) refuse(over, when);
  }

  // --- iCE40 -----------------------------------------------------------------
  json run_ice40() {
    const std::string pcf = board_.name + ".pcf";
    write_file_atomically(root_ / pcf, pcf_text(board_));
    std::string synth = "synth_ice40";
    if (board_.ice40.dsp > 0) synth += " -dsp";
    if (board_.ice40.spram_256k > 0) synth += " -spram";
    // ABC9 maps with the device's timing (-device: hx, lp, or u for UltraPlus/Ultra).
    if (o_.abc9) synth += " -abc9 -device " + ice40_timing_class(board_.device);
    synth += fmt::format(" -top {} -json ../{}.json", top_, top_);
    const auto counts = synthesise("synth.ys", synth);
    const Ice40Cells cells = ice40_cells(counts);
    const std::vector<ResourceUse> estimate = ice40_fit(cells, board_);
    check_fit(estimate, "by Yosys's cell counts before place and route");

    const std::string freq = fmt::format("{}", board_.clock_mhz());
    const ProcessResult pnr = run_tool(
        "place_and_route",
        {"nextpnr-ice40", "--" + board_.device, "--package", board_.package, "--json", top_ + ".json", "--pcf", pcf,
         "--asc", top_ + ".asc", "--freq", freq, "--seed", std::to_string(o_.seed), "--report", "nextpnr_report.json"},
        "", "logs/nextpnr.log");
    if (!pnr.ok()) nextpnr_failed(pnr);
    const ProcessResult pack = run_tool("pack", {"icepack", top_ + ".asc", top_ + ".bin"}, "", "logs/icepack.log");
    if (!pack.ok()) {
      throw ToolError(fmt::format("icepack failed ({}):{}", pack.describe(), last_lines(root_ / "logs/icepack.log", 10)));
    }
    const std::uintmax_t bytes = fs::file_size(root_ / (top_ + ".bin"));
    if (bytes == 0) throw ToolError("icepack wrote an empty bitstream");
    write_build_script();

    const PnrReport placed = read_pnr_report(json::parse(read_text_file(root_ / "nextpnr_report.json")), "nextpnr_report.json");
    json report = common_report(counts, estimate);
    json utilisation = json::array();
    for (const char* bel : {"ICESTORM_LC", "ICESTORM_RAM", "ICESTORM_DSP", "ICESTORM_SPRAM", "SB_IO", "SB_GB"}) {
      const auto it = placed.utilisation.find(bel);
      if (it == placed.utilisation.end()) continue;
      utilisation.push_back(use_json(ice40_bel_name(bel), static_cast<double>(it->second.first), it->second.second,
                                     std::string("nextpnr ") + bel));
    }
    report["utilisation"] = utilisation;
    report["utilisation_source"] = "nextpnr-ice40 after place and route (nextpnr_report.json)";
    // The system top has one clock; take clk_i's entry (the only one).
    json timing = {{"target_mhz", board_.clock_mhz()}, {"fmax_mhz", nullptr}, {"met", nullptr}, {"clock", nullptr}};
    for (const auto& [clock, f] : placed.fmax) {
      if (timing["clock"].is_null() || clock.find("clk_i") != std::string::npos) {
        timing["clock"] = clock;
        timing["fmax_mhz"] = f.first;
        timing["met"] = f.first >= board_.clock_mhz();
      }
    }
    timing["source"] = "nextpnr-ice40 timing analysis after routing (timing-driven at the board clock)";
    report["timing"] = timing;
    report["bitstream"] = {{"file", top_ + ".bin"}, {"bytes", bytes}, {"program", fmt::format("iceprog {}.bin", top_)}};
    report["tools"] = {{"yosys", tool_version({"yosys", "-V"})},
                       {"nextpnr-ice40", tool_version({"nextpnr-ice40", "--version"})},
                       {"icepack", icestorm_version()}};
    report["seed"] = o_.seed;
    report["commands"] = commands_json();
    return report;
  }

  static std::string icestorm_version() {
    // icepack has no version option; Debian's package version says which icestorm it is.
    const std::string v = tool_version({"dpkg-query", "-W", "-f=${Version}\n", "fpga-icestorm"});
    return v == "unknown" ? "icestorm (version unknown)" : "fpga-icestorm " + v;
  }

  [[noreturn]] void nextpnr_failed(const ProcessResult& r) {
    const fs::path log = root_ / "logs/nextpnr.log";
    const PnrLog failed = read_pnr_log(read_text_file(log));
    if (!failed.exhausted_bel.empty()) {
      std::vector<ResourceUse> over;
      for (const auto& [bel, use] : failed.utilisation) {
        if (use.first > use.second || bel == failed.exhausted_bel) {
          over.push_back({ice40_bel_name(bel), static_cast<double>(use.first), use.second,
                          "nextpnr-ice40 " + bel + " after packing"});
        }
      }
      if (over.empty()) over.push_back({ice40_bel_name(failed.exhausted_bel), 0, 0, "nextpnr-ice40 ran out of them"});
      refuse(over, "found by nextpnr-ice40's placer (the pre-check from Yosys's counts is a lower bound)");
    }
    if (failed.failed_fmax_mhz) {
      const std::string path =
          failed.critical_to.empty()
              ? ""
              : fmt::format(" Critical path ({:.1f} ns): {} → {}.", failed.critical_ns, failed.critical_from,
                            failed.critical_to);
      throw ToolError(fmt::format(
          "timing not met: {} reaches {:.2f} MHz after place and route, the {} clock is {} MHz, so no bitstream is "
          "written.{} Try another placer --seed (now {}), narrower numbers (`neurofab quantize --bits`), or fewer "
          "MAC lanes (--lanes, now {}).",
          top_, *failed.failed_fmax_mhz, board_.title, board_.clock_mhz(), path, o_.seed, o_.lanes));
    }
    throw ToolError(fmt::format("nextpnr-ice40 failed ({}); last lines of its log:{}", r.describe(), last_lines(log, 15)));
  }

  // --- Xilinx 7-series ---------------------------------------------------------
  json run_xc7() {
    const std::string xdc = board_.name + ".xdc";
    write_file_atomically(root_ / xdc, xdc_text(board_));
    const auto counts = synthesise("estimate.ys", fmt::format("synth_xilinx -family xc7 -flatten -top {}", top_));
    const Xc7Cells cells = xc7_cells(counts);
    const std::vector<ResourceUse> estimate = xc7_fit(cells, board_);
    check_fit(estimate, "by Yosys's synth_xilinx estimate");

    write_file_atomically(root_ / "build.tcl", vivado_build_tcl(board_, top_, sources_, images_, xdc,
                                                                uart_.clocks_per_bit, uart_.quiet_cycles));
    const bool vivado = !find_program("vivado").empty();
    write_file_atomically(root_ / "README.md", vivado_readme(estimate, vivado));
    write_build_script();

    json report = common_report(counts, estimate);
    json utilisation = json::array();
    for (const auto& r : estimate) utilisation.push_back(use_json(r.resource, r.used, r.available, r.detail));
    report["utilisation"] = utilisation;
    report["utilisation_source"] =
        "Yosys synth_xilinx estimate (Vivado maps and packs differently; its report_utilization is the real number)";
    report["timing"] = {{"target_mhz", board_.clock_mhz()},
                        {"fmax_mhz", nullptr},
                        {"met", nullptr},
                        {"source", "not analysed: timing needs Vivado (build.tcl writes reports/timing_summary.rpt)"}};
    report["bitstream"] = nullptr;
    report["vivado"] = {{"project_script", "build.tcl"},
                        {"run", "vivado -mode batch -source build.tcl"},
                        {"installed", vivado},
                        {"status", vivado ? "project written; Vivado is on PATH but neurofab does not run it"
                                          : "project written; Vivado is not installed here, so no bitstream was made"}};
    report["tools"] = {{"yosys", tool_version({"yosys", "-V"})}};
    report["seed"] = nullptr;
    report["commands"] = commands_json();
    return report;
  }

  std::string vivado_readme(const std::vector<ResourceUse>& estimate, bool vivado) const {
    std::string text = fmt::format(
        "# {} on {} — Vivado project\n\n"
        "Generated by `neurofab build --board {}` from `{}` ({}). Self-contained: the SystemVerilog sources, the\n"
        "generated parameter package and memory images are in `rtl/`, the pins in `{}.xdc`.\n\n"
        "**Build the bitstream** (from any folder; the script was written for Vivado's project mode and has not been\n"
        "run here):\n\n"
        "    vivado -mode batch -source build.tcl\n\n"
        "It creates the project in `vivado/`, runs synthesis and implementation for `{}` at {} MHz, copies\n"
        "`{}.bit` here and writes `reports/utilization.rpt` and `reports/timing_summary.rpt`; it stops with an\n"
        "error if timing is not met. {}\n\n"
        "Timing: the cores' longest paths are long combinational chains (a full-width add and compare per cycle);\n"
        "an iCE40 build times the same RTL with nextpnr, but whether it closes at this board's clock is for Vivado\n"
        "to say.\n\n"
        "Generics: ClocksPerBit = {} ({} MHz / {} baud, {:+.3f} %), QuietCycles = {} (20 byte times).\n\n"
        "Utilisation estimated by Yosys (`synth_xilinx -family xc7`), before Vivado:\n\n"
        "| resource | estimate | available |\n|---|---|---|\n",
        top_, board_.title, board_.name, qdir_, family_title(model_type_), board_.name, board_.device,
        board_.clock_mhz(), top_,
        vivado ? "" : "Vivado is not installed on the machine that generated this project, so it has not been run.",
        uart_.clocks_per_bit, board_.clock_mhz(), uart_.baud, 100 * uart_.error, uart_.quiet_cycles);
    for (const auto& r : estimate) text += fmt::format("| {} | {} | {} |\n", r.resource, format_count(r.used), r.available);
    text += fmt::format("\nProgram the board: Vivado's hardware manager, or `openFPGALoader {}.bit`.\n", top_);
    return text;
  }

  // --- report ---------------------------------------------------------------------
  static json use_json(const std::string& resource, double used, std::int64_t available, const std::string& detail) {
    return {{"resource", resource},
            {"used", used},
            {"available", available},
            {"percent", available > 0 ? 100.0 * used / static_cast<double>(available) : 0.0},
            {"detail", detail}};
  }

  json commands_json() const {
    json list = json::array();
    for (const auto& c : commands_) {
      list.push_back({{"step", c.step}, {"cwd", c.cwd.empty() ? "." : c.cwd}, {"argv", c.argv}, {"log", c.log},
                      {"seconds", c.seconds}});
    }
    return list;
  }

  void write_build_script() const {
    std::string text =
        "#!/bin/sh\n"
        "# The commands `neurofab build` ran (report.json \"commands\"), from this folder.\n"
        "# With the same tool versions and seed they make the same files again.\n"
        "set -e\n"
        "cd \"$(dirname \"$0\")\"\n"
        "mkdir -p logs\n";
    for (const auto& c : commands_) {
      std::string line = shell_line(c.argv);
      if (!c.cwd.empty()) line = fmt::format("(cd {} && {})", c.cwd, line);
      text += fmt::format("{} > {} 2>&1\n", line, c.log);
    }
    if (board_.family == Family::kXc7) text += "echo 'estimate done; the bitstream: vivado -mode batch -source build.tcl'\n";
    write_file_atomically(root_ / "build.sh", text);
    fs::permissions(root_ / "build.sh", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
  }

  json common_report(const std::map<std::string, std::int64_t>& counts, const std::vector<ResourceUse>& estimate) const {
    json widths = json::object();
    for (const auto& [name, value] : package_) {
      if (name.size() > 5 && name.substr(name.size() - 5) == "Width" && name != "DebugAddrWidth") widths[name] = value;
    }
    json fit = json::array();
    for (const auto& r : estimate) fit.push_back(use_json(r.resource, r.used, r.available, r.detail));
    const double f = static_cast<double>(board_.clock.frequency_hz);
    const StepExchange link = step_exchange(static_cast<int>(param("NumInputs")), static_cast<int>(param("InputWidth")),
                                            static_cast<int>(param("NumOutputs")),
                                            static_cast<int>(param("OutputWidth")), static_cast<double>(uart_.baud));
    json cycles = {{"mean", cycles_.mean},
                   {"max", cycles_.max},
                   {"min", cycles_.min},
                   {"silent", cycles_.silent},
                   {"all_spiking", cycles_.all_spiking},
                   {"event_driven", cycles_.event_driven},
                   {"source", cycles_.event_driven
                                  ? "quantize/cycle_model.hpp over the spike counts of the integer golden model's "
                                    "evaluation trials"
                                  : "quantize/cycle_model.hpp (exact; the same every step)"}};
    if (cycles_.event_driven) {
      cycles["trials"] = cycles_.trials;
      cycles["steps_per_trial"] = cycles_.steps;
      cycles["trial_seed"] = cycles_.seed;
      cycles["spikes_per_step"] = cycles_.spikes_per_step;
    }
    const double exchange = link.uart_seconds + cycles_.mean / f;
    json performance = {
        {"clock_mhz", board_.clock_mhz()},
        {"cycles_per_step", cycles},
        {"latency_us", {{"mean", 1e6 * cycles_.mean / f}, {"max", 1e6 * static_cast<double>(cycles_.max) / f}}},
        {"steps_per_second",
         {{"mean", f / cycles_.mean}, {"worst", f / static_cast<double>(cycles_.max)}, {"bound", "compute (core alone)"}}},
        {"clear_cycles", param("NumUnits")},
        {"host_link",
         {{"baud", uart_.baud},
          {"request_bytes", link.request_bytes},
          {"response_bytes", link.response_bytes},
          {"bits_per_byte", 10},
          {"uart_steps_per_second", link.uart_steps_per_second},
          {"step_exchange_steps_per_second", 1.0 / exchange},
          {"note", "one STEP request and its step report per timestep (docs/host-link.md); the second figure adds "
                   "the mean compute time, not the host's own latency"}}}};
    if (board_.family == Family::kXc7) {
      performance["assumes"] = "timing met at the board clock (not checked: Vivado not run)";
    }
    return {
        {"format", "neurofab-build-report"},
        {"format_version", kReportFormatVersion},
        {"generator", kGenerator},
        {"board",
         {{"name", board_.name},
          {"title", board_.title},
          {"file", board_.file.string()},
          {"vendor", board_.vendor},
          {"family", family_name(board_.family)},
          {"device", board_.device},
          {"package", board_.package},
          {"clock_hz", board_.clock.frequency_hz},
          {"uart_bridge", board_.uart.bridge}}},
        {"model",
         {{"quantized_artifact", qdir_},
          {"model_type", model_type_},
          {"task", q_.task_name},
          {"units", param("NumUnits")},
          {"inputs", param("NumInputs")},
          {"outputs", param("NumOutputs")},
          {"lanes", param("Lanes")},
          {"widths", widths},
          {"top", top_},
          {"config_id", config_id_}}},
        {"uart",
         {{"baud", uart_.baud},
          {"clocks_per_bit", uart_.clocks_per_bit},
          {"actual_baud", uart_.actual_baud},
          {"error_percent", 100 * uart_.error},
          {"quiet_cycles", uart_.quiet_cycles}}},
        {"synthesis", {{"cells", counts}, {"fit_check", fit}, {"fits", true}}},
        {"performance", performance},
    };
  }
};

std::string fixed(double value, int digits) { return fmt::format("{:.{}f}", value, digits); }

std::string thousands(double value) {
  const auto n = static_cast<std::int64_t>(std::llround(value));
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string cycles_text(const json& c) {
  if (!c["event_driven"].get<bool>()) return fmt::format("{} cycles per timestep", c["max"].get<std::int64_t>());
  return fmt::format("{} cycles per timestep on average, {} at worst over {} trials × {} steps ({:.2f} spikes/step; "
                     "bounds: {} silent, {} all spiking)",
                     fixed(c["mean"].get<double>(), 1), c["max"].get<std::int64_t>(), c["trials"].get<int>(),
                     c["steps_per_trial"].get<int>(), c["spikes_per_step"].get<double>(), c["silent"].get<std::int64_t>(),
                     c["all_spiking"].get<std::int64_t>());
}

}  // namespace

std::string report_summary(const json& r) {
  const json& b = r["board"];
  const json& m = r["model"];
  const json& p = r["performance"];
  std::string text = fmt::format("{} '{}' (N {}, n_in {}, n_out {}, {} lane{}) on {} ({} {} {}, {} MHz)\n",
                                 family_title(m["model_type"].get<std::string>()), m["task"].get<std::string>(),
                                 m["units"].get<std::int64_t>(), m["inputs"].get<std::int64_t>(),
                                 m["outputs"].get<std::int64_t>(), m["lanes"].get<std::int64_t>(),
                                 m["lanes"].get<std::int64_t>() == 1 ? "" : "s", b["title"].get<std::string>(),
                                 b["family"].get<std::string>(), b["device"].get<std::string>(),
                                 b["package"].get<std::string>(), p["clock_mhz"].get<double>());
  std::vector<std::string> uses;
  for (const auto& u : r["utilisation"]) {
    const std::string name = u["resource"].get<std::string>();
    if (name == "global buffers") continue;
    uses.push_back(fmt::format("{} {}/{} ({:.0f} %)", name, format_count(u["used"].get<double>()),
                               u["available"].get<std::int64_t>(), u["percent"].get<double>()));
  }
  const bool estimated = r["bitstream"].is_null();
  text += fmt::format("  {}{}\n", estimated ? "estimate (Yosys): " : "", fmt::join(uses, ", "));
  const json& t = r["timing"];
  if (t["fmax_mhz"].is_null()) {
    text += fmt::format("  timing: not analysed (needs Vivado); target {} MHz\n", t["target_mhz"].get<double>());
  } else {
    text += fmt::format("  Fmax {:.2f} MHz against the {} MHz clock: {}\n", t["fmax_mhz"].get<double>(),
                        t["target_mhz"].get<double>(), t["met"].get<bool>() ? "met" : "NOT met");
  }
  const json& c = p["cycles_per_step"];
  text += fmt::format("  {}: {} µs per timestep, {} timesteps/s{}\n", cycles_text(c),
                      fixed(p["latency_us"]["mean"].get<double>(), 2),
                      thousands(p["steps_per_second"]["mean"].get<double>()),
                      p.contains("assumes") ? " (if timing closes at the board clock)" : "");
  const json& h = p["host_link"];
  text += fmt::format("  host link at {} baud: STEP {} + {} bytes → {} timesteps/s on the UART ({} with the compute)\n",
                      h["baud"].get<std::int64_t>(), h["request_bytes"].get<std::int64_t>(),
                      h["response_bytes"].get<std::int64_t>(), thousands(h["uart_steps_per_second"].get<double>()),
                      thousands(h["step_exchange_steps_per_second"].get<double>()));
  if (estimated) {
    text += fmt::format("  config {}; no bitstream: {}; `{}` in the output folder makes it\n",
                        m["config_id"].get<std::string>(),
                        r["vivado"]["installed"].get<bool>() ? "Vivado is not run by neurofab" : "Vivado is not installed here",
                        r["vivado"]["run"].get<std::string>());
  } else {
    text += fmt::format("  config {}; bitstream {} ({} bytes)\n", m["config_id"].get<std::string>(),
                        r["bitstream"]["file"].get<std::string>(), r["bitstream"]["bytes"].get<std::int64_t>());
  }
  return text;
}

std::string report_markdown(const json& r) {
  const json& b = r["board"];
  const json& m = r["model"];
  const json& p = r["performance"];
  const json& u = r["uart"];
  std::string text = fmt::format("# Build report: {} on {}\n\n```\n{}```\n\n", m["top"].get<std::string>(),
                                 b["title"].get<std::string>(), report_summary(r));
  text += "## Board\n\n";
  text += fmt::format("{} — {} {}, package {}, {} MHz clock; UART {} (board file `{}`).\n\n", b["title"].get<std::string>(),
                      b["family"].get<std::string>(), b["device"].get<std::string>(), b["package"].get<std::string>(),
                      p["clock_mhz"].get<double>(), b["uart_bridge"].get<std::string>(), b["file"].get<std::string>());
  text += "## Model\n\n";
  text += fmt::format("{} of `{}` (task {}): N = {}, n_in = {}, n_out = {}, {} MAC lane(s); config id `{}`.\n\n",
                      family_title(m["model_type"].get<std::string>()), m["quantized_artifact"].get<std::string>(),
                      m["task"].get<std::string>(), m["units"].get<std::int64_t>(), m["inputs"].get<std::int64_t>(),
                      m["outputs"].get<std::int64_t>(), m["lanes"].get<std::int64_t>(),
                      m["config_id"].get<std::string>());
  std::vector<std::string> widths;
  for (const auto& [name, bits] : m["widths"].items()) widths.push_back(fmt::format("{} {}", name, bits.get<std::int64_t>()));
  text += fmt::format("Bit widths: {}.\n\n", fmt::join(widths, ", "));
  text += fmt::format("UART: {} baud → ClocksPerBit {} ({:.0f} baud, {:+.3f} %), QuietCycles {}.\n\n",
                      u["baud"].get<std::int64_t>(), u["clocks_per_bit"].get<std::int64_t>(),
                      u["actual_baud"].get<double>(), u["error_percent"].get<double>(), u["quiet_cycles"].get<std::int64_t>());
  text += "## Utilisation\n\n";
  text += fmt::format("{}.\n\n| resource | used | available | % |\n|---|---|---|---|\n",
                      r["utilisation_source"].get<std::string>());
  for (const auto& row : r["utilisation"]) {
    text += fmt::format("| {} | {} | {} | {:.1f} |\n", row["resource"].get<std::string>(),
                        format_count(row["used"].get<double>()), row["available"].get<std::int64_t>(),
                        row["percent"].get<double>());
  }
  text += "\nFit check before place and route (Yosys's cells against the board file):\n\n"
          "| resource | needed | available | counted as |\n|---|---|---|---|\n";
  for (const auto& row : r["synthesis"]["fit_check"]) {
    text += fmt::format("| {} | {} | {} | {} |\n", row["resource"].get<std::string>(),
                        format_count(row["used"].get<double>()), row["available"].get<std::int64_t>(),
                        row["detail"].get<std::string>());
  }
  text += "\n## Timing\n\n";
  const json& t = r["timing"];
  if (t["fmax_mhz"].is_null()) {
    text += fmt::format("Target {} MHz; {}.\n\n", t["target_mhz"].get<double>(), t["source"].get<std::string>());
  } else {
    text += fmt::format("Fmax {:.2f} MHz on `{}` against the {} MHz board clock: {} ({}).\n\n",
                        t["fmax_mhz"].get<double>(), t["clock"].get<std::string>(), t["target_mhz"].get<double>(),
                        t["met"].get<bool>() ? "met" : "not met", t["source"].get<std::string>());
  }
  text += "## Performance\n\n";
  const json& c = p["cycles_per_step"];
  text += fmt::format("- {} ({}).\n", cycles_text(c), c["source"].get<std::string>());
  text += fmt::format("- Latency per timestep at {} MHz: {} µs mean, {} µs worst; {} timesteps/s (compute bound), "
                      "{} at worst. Clearing the state takes {} cycles.\n",
                      p["clock_mhz"].get<double>(), fixed(p["latency_us"]["mean"].get<double>(), 2),
                      fixed(p["latency_us"]["max"].get<double>(), 2), thousands(p["steps_per_second"]["mean"].get<double>()),
                      thousands(p["steps_per_second"]["worst"].get<double>()), p["clear_cycles"].get<std::int64_t>());
  const json& h = p["host_link"];
  text += fmt::format("- Host in the loop at {} baud: a STEP request is {} bytes, its step report {} bytes (8N1, 10 bits "
                      "a byte): {} timesteps/s on the UART, {} with the compute in between (the host's own latency "
                      "comes on top).\n",
                      h["baud"].get<std::int64_t>(), h["request_bytes"].get<std::int64_t>(),
                      h["response_bytes"].get<std::int64_t>(), thousands(h["uart_steps_per_second"].get<double>()),
                      thousands(h["step_exchange_steps_per_second"].get<double>()));
  if (p.contains("assumes")) text += fmt::format("- Assumes {}.\n", p["assumes"].get<std::string>());
  text += "\n## Output\n\n";
  if (r["bitstream"].is_null()) {
    text += fmt::format("No bitstream: {}. Build it with `{}` in this folder.\n\n", r["vivado"]["status"].get<std::string>(),
                        r["vivado"]["run"].get<std::string>());
  } else {
    text += fmt::format("Bitstream `{}` ({} bytes). Program the board with `{}`.\n\n", r["bitstream"]["file"].get<std::string>(),
                        r["bitstream"]["bytes"].get<std::int64_t>(), r["bitstream"]["program"].get<std::string>());
  }
  text += "## Tools and commands\n\n";
  for (const auto& [tool, version] : r["tools"].items()) text += fmt::format("- {}: {}\n", tool, version.get<std::string>());
  if (!r["seed"].is_null()) text += fmt::format("- placer seed: {}\n", r["seed"].get<std::uint64_t>());
  text += "\nRun from this folder (`build.sh` repeats them):\n\n```sh\n";
  for (const auto& c2 : r["commands"]) {
    const std::string line = shell_line(c2["argv"].get<std::vector<std::string>>());
    const std::string cwd = c2["cwd"].get<std::string>();
    text += fmt::format("{}{}   # {:.1f} s, log {}\n", cwd == "." ? "" : "cd " + cwd + " && ", line,
                        c2["seconds"].get<double>(), c2["log"].get<std::string>());
  }
  text += "```\n";
  if (r.contains("seconds")) {
    std::vector<std::string> times;
    for (const char* step : {"synthesis", "place_and_route", "pack", "total"}) {
      if (r["seconds"].contains(step)) times.push_back(fmt::format("{} {:.1f} s", step, r["seconds"][step].get<double>()));
    }
    text += fmt::format("\nTimes: {}.\n", fmt::join(times, ", "));
  }
  return text;
}

std::string vivado_build_tcl(const Board& board, const std::string& top, const std::vector<std::string>& sources,
                             const std::vector<std::string>& memory_images, const std::string& xdc,
                             std::int64_t clocks_per_bit, std::int64_t quiet_cycles) {
  std::string text = fmt::format(
      "# Generated by `neurofab build` for {} ({}): the system top {}.\n"
      "# Run: vivado -mode batch -source build.tcl   (from any folder)\n"
      "# Creates the project in vivado/ beside this script, runs synthesis and\n"
      "# implementation, writes {}.bit and reports/ here; stops with an error if\n"
      "# a run fails or timing is not met at the board clock.\n"
      "set here [file dirname [file normalize [info script]]]\n"
      "create_project -force nf_build [file join $here vivado] -part {}\n\n"
      "# SystemVerilog sources in compile order (the generated package first).\n"
      "set sources [list",
      board.title, board.device, top, top, board.device);
  for (const auto& s : sources) text += " \\\n  " + s;
  text +=
      "]\n"
      "foreach f $sources { add_files -norecurse [file join $here rtl $f] }\n"
      "set_property file_type SystemVerilog [get_files -of_objects [get_filesets sources_1] *.sv]\n\n"
      "# $readmemh images: the cores open them by file name; Vivado finds memory\n"
      "# files that belong to the project.\n"
      "set images [list";
  for (const auto& m : memory_images) text += " \\\n  " + m;
  text += fmt::format(
      "]\n"
      "foreach f $images {{ add_files -norecurse [file join $here rtl $f] }}\n\n"
      "add_files -fileset constrs_1 -norecurse [file join $here {}]\n"
      "set_property top {} [current_fileset]\n"
      "# UART bit period and idle timeout at the board clock (docs/host-link.md).\n"
      "set_property generic {{ClocksPerBit={} QuietCycles={}}} [current_fileset]\n"
      "update_compile_order -fileset sources_1\n\n"
      "launch_runs synth_1 -jobs 2\n"
      "wait_on_run synth_1\n"
      "if {{[get_property PROGRESS [get_runs synth_1]] ne \"100%\"}} {{\n"
      "  error \"synthesis failed: see [get_property DIRECTORY [get_runs synth_1]]/runme.log\"\n"
      "}}\n"
      "launch_runs impl_1 -to_step write_bitstream -jobs 2\n"
      "wait_on_run impl_1\n"
      "if {{[get_property PROGRESS [get_runs impl_1]] ne \"100%\"}} {{\n"
      "  error \"implementation failed: see [get_property DIRECTORY [get_runs impl_1]]/runme.log\"\n"
      "}}\n\n"
      "open_run impl_1\n"
      "file mkdir [file join $here reports]\n"
      "report_utilization -file [file join $here reports utilization.rpt]\n"
      "report_timing_summary -file [file join $here reports timing_summary.rpt]\n"
      "# A bitstream that misses timing at the board clock is not copied out.\n"
      "set wns [get_property SLACK [get_timing_paths -delay_type max -max_paths 1]]\n"
      "if {{$wns ne \"\" && $wns < 0}} {{\n"
      "  error \"timing not met at {} ns (worst setup slack $wns ns): see reports/timing_summary.rpt\"\n"
      "}}\n"
      "file copy -force [file join [get_property DIRECTORY [get_runs impl_1]] {}.bit] [file join $here {}.bit]\n"
      "puts \"{}.bit written (worst setup slack $wns ns)\"\n",
      xdc, top, clocks_per_bit, quiet_cycles, clock_period_ns(board), top, top, top);
  return text;
}

BuildResult build(const quantize::QuantizedArtifact& q, const std::string& qdir, const Board& board,
                  const BuildOptions& options, const fs::path& out_dir) {
  // Everything that can be refused without work is refused first.
  const int units = std::visit([](const auto& net) { return net.config().n_rec; }, q.network);
  rtl::RtlOptions{options.lanes}.validate(units);
  uart_timing(board, options.baud > 0 ? options.baud : board.uart.baud);
  if (options.trials < 1) throw InputError(fmt::format("--trials {}: at least 1", options.trials));
  if (fs::exists(out_dir) && !options.force) {
    throw InputError(fmt::format("{}: already exists (use --force to replace it)", out_dir.string()));
  }
  std::error_code ec;
  if (fs::exists(out_dir) && fs::equivalent(out_dir, qdir, ec)) {
    throw InputError(fmt::format("{}: is the quantized artifact itself; build into another folder", out_dir.string()));
  }
  StagingDir staging(out_dir);
  Flow flow(q, qdir, board, options, staging.path());
  BuildResult result = flow.run();
  staging.commit();
  if (!result.bitstream.empty()) result.bitstream = out_dir / result.bitstream;
  return result;
}

}  // namespace nf::boards
