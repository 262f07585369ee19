#include "report_json.hpp"

#include <fmt/format.h>

#include "neurofab/boards/dsp_timing.hpp"
#include "neurofab/boards/performance.hpp"
#include "neurofab/common/version.hpp"
#include "neurofab/models/family.hpp"
#include "pack.hpp"
#include "place_and_route.hpp"
#include "synthesis.hpp"

namespace nf::boards {
using nlohmann::json;

namespace {

constexpr const char* kGenerator = kVersionString;  // from project(neurofab VERSION ...)
constexpr int kReportFormatVersion = 1;

json use_json(const std::string& resource, double used, std::int64_t available, const std::string& detail) {
  return {{"resource", resource},
          {"used", used},
          {"available", available},
          {"percent", available > 0 ? 100.0 * used / static_cast<double>(available) : 0.0},
          {"detail", detail}};
}

// What both flows report: board, model, UART, synthesis and fit check, performance.
json common_report(const BuildContext& c, const std::map<std::string, std::int64_t>& counts,
                   const std::vector<ResourceUse>& estimate) {
  const Board& board = c.board;
  const CycleStats& cycles_stats = c.cycles;
  json widths = json::object();
  for (const auto& [name, value] : c.rtl.widths()) widths[name] = value;
  json fit = json::array();
  for (const auto& r : estimate) fit.push_back(use_json(r.resource, r.used, r.available, r.detail));
  const double f = static_cast<double>(board.clock.frequency_hz);
  const StepExchange link = step_exchange(c.rtl.inputs, c.rtl.input_width, c.rtl.outputs, c.rtl.output_width,
                                          static_cast<double>(c.uart.baud));
  json cycles = {{"mean", cycles_stats.mean},
                 {"max", cycles_stats.max},
                 {"min", cycles_stats.min},
                 {"silent", cycles_stats.silent},
                 {"all_spiking", cycles_stats.all_spiking},
                 {"event_driven", cycles_stats.event_driven},
                 {"source", cycles_stats.event_driven
                                ? "golden/cycle_model.hpp over the spike counts of the integer golden model's "
                                  "evaluation trials"
                                : "golden/cycle_model.hpp (exact; the same every step)"}};
  if (cycles_stats.event_driven) {
    cycles["trials"] = cycles_stats.trials;
    cycles["steps_per_trial"] = cycles_stats.steps;
    cycles["trial_seed"] = cycles_stats.seed;
    cycles["spikes_per_step"] = cycles_stats.spikes_per_step;
  }
  const double exchange = link.uart_seconds + cycles_stats.mean / f;
  json performance = {
      {"clock_mhz", board.clock_mhz()},
      {"cycles_per_step", cycles},
      {"latency_us",
       {{"mean", 1e6 * cycles_stats.mean / f}, {"max", 1e6 * static_cast<double>(cycles_stats.max) / f}}},
      {"steps_per_second",
       {{"mean", f / cycles_stats.mean},
        {"worst", f / static_cast<double>(cycles_stats.max)},
        {"bound", "compute (core alone)"}}},
      {"clear_cycles", c.rtl.clear_cycles},
      {"host_link",
       {{"baud", c.uart.baud},
        {"request_bytes", link.request_bytes},
        {"response_bytes", link.response_bytes},
        {"bits_per_byte", 10},
        {"uart_steps_per_second", link.uart_steps_per_second},
        {"step_exchange_steps_per_second", 1.0 / exchange},
        {"note", "one STEP request and its step report per timestep (docs/host-link.md); the second figure adds "
                 "the mean compute time, not the host's own latency"}}}};
  if (board.family == Family::kXc7) {
    performance["assumes"] = "timing met at the board clock (not checked: Vivado not run)";
  }
  return {
      {"format", "neurofab-build-report"},
      {"format_version", kReportFormatVersion},
      {"generator", kGenerator},
      {"board",
       {{"name", board.name},
        {"title", board.title},
        {"file", board.file.string()},
        {"vendor", board.vendor},
        {"family", family_name(board.family)},
        {"device", board.device},
        {"package", board.package},
        {"clock_hz", board.clock.frequency_hz},
        {"uart_bridge", board.uart.bridge}}},
      {"model",
       {{"quantized_artifact", c.qdir},
        {"model_type", std::string(models::model_type_name(c.rtl.family))},
        {"task", c.q.task_name},
        {"units", c.rtl.units},
        {"inputs", c.rtl.inputs},
        {"outputs", c.rtl.outputs},
        {"lanes", c.rtl.lanes},
        {"widths", widths},
        {"top", c.top},
        {"config_id", c.rtl.config_id_text()}}},
      {"uart",
       {{"baud", c.uart.baud},
        {"clocks_per_bit", c.uart.clocks_per_bit},
        {"actual_baud", c.uart.actual_baud},
        {"error_percent", 100 * c.uart.error},
        {"quiet_cycles", c.uart.quiet_cycles}}},
      {"synthesis", {{"cells", counts}, {"fit_check", fit}, {"fits", true}}},
      {"performance", performance},
  };
}

// report.json timing.dsp: the paths through the SB_MAC16 blocks (dsp_timing.hpp).
json dsp_timing_json(const DspTiming& t, double clock_mhz, const std::string& sdf) {
  const DspPath* w = t.worst();
  if (w == nullptr) return nullptr;
  const auto path_json = [](const DspPath& p) {
    return json{{"dsp", p.dsp},
                {"mode", dsp_mode_name(p.mode)},
                {"path", p.kind},
                {"from", p.from},
                {"to", p.to},
                {"to_inputs_ns", p.to_inputs_ns},
                {"inside_ns", p.inside_ns},
                {"from_outputs_ns", p.from_outputs_ns},
                {"total_ns", p.total_ns}};
  };
  json cells = json::array();
  for (const auto& p : t.dsps) cells.push_back(path_json(p));
  const double period = 1000.0 / clock_mhz;
  return {{"worst_ns", w->total_ns},
          {"fmax_mhz", w->total_ns > 0 ? json(1000.0 / w->total_ns) : json(nullptr)},
          {"period_ns", period},
          {"met", w->total_ns <= period},
          {"worst", path_json(*w)},
          {"cells", cells},
          {"design_worst_ns", t.design_worst_ns},
          {"delays_ns",
           {{"multiply", t.delays.multiply_ns},
            {"multiply_add", t.delays.multiply_add_ns},
            {"setup_through_multiplier", t.delays.setup_ns},
            {"clock_to_out", t.delays.clock_to_out_ns}}},
          {"method", "the longest register-to-register path through, into or out of each DSP, per pin, over "
                     "nextpnr's routed cell and net delays (" + sdf + ", written with --sdf): combinational DSPs are "
                     "timed through with the worst multiply delay, DSPs with the accumulator register with its setup "
                     "through the multiplier and its clock-to-out; not a global bound"},
          {"delays_source", "the iCE40 UP5K's worst case (slow corner, worst pin pair) in Project IceStorm's "
                            "icefuzz/timings_up5k.txt (iCEcube2's timing data), cells SB_MAC16_MUL_S_16X16_BYPASS and "
                            "SB_MAC16_MAC_U_16X16_BYPASS"}};
}

}  // namespace

json ice40_report(const BuildContext& c, const std::map<std::string, std::int64_t>& counts,
                  const std::vector<ResourceUse>& estimate, const PlacedDesign& placed, std::uintmax_t bitstream_bytes,
                  const ToolRunner& tools) {
  json report = common_report(c, counts, estimate);
  json utilisation = json::array();
  for (const char* bel : {"ICESTORM_LC", "ICESTORM_RAM", "ICESTORM_DSP", "ICESTORM_SPRAM", "SB_IO", "SB_GB"}) {
    const auto it = placed.report.utilisation.find(bel);
    if (it == placed.report.utilisation.end()) continue;
    utilisation.push_back(use_json(ice40_bel_name(bel), static_cast<double>(it->second.first), it->second.second,
                                   std::string("nextpnr ") + bel));
  }
  report["utilisation"] = utilisation;
  report["utilisation_source"] = "nextpnr-ice40 after place and route (nextpnr_report.json)";
  report["timing"] = {
      {"target_mhz", c.board.clock_mhz()},
      {"clock", placed.clock},
      {"fmax_mhz", placed.fmax_mhz},
      {"met", placed.fmax_mhz >= c.board.clock_mhz()},
      {"nextpnr_fmax_mhz", placed.nextpnr_fmax_mhz},
      {"dsp", dsp_timing_json(placed.dsp, c.board.clock_mhz(), c.top + ".sdf")},
      {"source", "the lower of nextpnr-ice40's Fmax after routing (timing-driven at the board clock; it takes every "
                 "SB_MAC16 pin as registered) and 1000 / the longest path through an SB_MAC16 (\"dsp\")"}};
  report["bitstream"] = {
      {"file", c.top + ".bin"}, {"bytes", bitstream_bytes}, {"program", fmt::format("iceprog {}.bin", c.top)}};
  report["tools"] = {{"yosys", yosys_version()}, {"nextpnr-ice40", nextpnr_version()}, {"icepack", icestorm_version()}};
  report["seed"] = c.options.seed;
  report["commands"] = tools.commands_json();
  return report;
}

json xc7_report(const BuildContext& c, const std::map<std::string, std::int64_t>& counts,
                const std::vector<ResourceUse>& estimate, bool vivado, const ToolRunner& tools) {
  json report = common_report(c, counts, estimate);
  json utilisation = json::array();
  for (const auto& r : estimate) utilisation.push_back(use_json(r.resource, r.used, r.available, r.detail));
  report["utilisation"] = utilisation;
  report["utilisation_source"] =
      "Yosys synth_xilinx estimate (Vivado maps and packs differently; its report_utilization is the real number)";
  report["timing"] = {{"target_mhz", c.board.clock_mhz()},
                      {"fmax_mhz", nullptr},
                      {"met", nullptr},
                      {"source", "not analysed: timing needs Vivado (build.tcl writes reports/timing_summary.rpt)"}};
  report["bitstream"] = nullptr;
  report["vivado"] = {{"project_script", "build.tcl"},
                      {"run", "vivado -mode batch -source build.tcl"},
                      {"installed", vivado},
                      {"status", vivado ? "project written; Vivado is on PATH but neurofab does not run it"
                                        : "project written; Vivado is not installed here, so no bitstream was made"}};
  report["tools"] = {{"yosys", yosys_version()}};
  report["seed"] = nullptr;
  report["commands"] = tools.commands_json();
  return report;
}

}  // namespace nf::boards
