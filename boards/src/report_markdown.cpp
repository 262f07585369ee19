#include <fmt/format.h>

#include <string>
#include <vector>

#include "neurofab/boards/build_flow.hpp"
#include "neurofab/models/family.hpp"
#include "number_text.hpp"
#include "tool_runner.hpp"

// report.md and the summary `neurofab build` prints, rendered from report.json alone.

namespace nf::boards {
using nlohmann::json;

namespace {

// The family of report.json's model.model_type, for people ("rate RNN", "LIF RNN").
std::string family_title(const json& model) {
  return std::string(models::display_name(
      models::family_from_model_type(model["model_type"].get<std::string>(), "report.json: model.model_type")));
}

std::string cycles_text(const json& c) {
  if (!c["event_driven"].get<bool>()) return fmt::format("{} cycles per timestep", c["max"].get<std::int64_t>());
  return fmt::format("{} cycles per timestep on average, {} at worst over {} trials × {} steps ({:.2f} spikes/step; "
                     "bounds: {} silent, {} all spiking)",
                     fixed(c["mean"].get<double>(), 1), c["max"].get<std::int64_t>(), c["trials"].get<int>(),
                     c["steps_per_trial"].get<int>(), c["spikes_per_step"].get<double>(), c["silent"].get<std::int64_t>(),
                     c["all_spiking"].get<std::int64_t>());
}

// ", through the DSPs 74.1 of 83.3 ns (nextpnr alone: 14.59 MHz)", or "" (no DSP, or an older report).
std::string dsp_summary(const json& t) {
  if (!t.contains("dsp") || !t["dsp"].is_object()) return "";
  const json& d = t["dsp"];
  return fmt::format(" (through the DSPs {:.1f} of {:.1f} ns; nextpnr alone: {:.2f} MHz)", d["worst_ns"].get<double>(),
                     d["period_ns"].get<double>(), t["nextpnr_fmax_mhz"].get<double>());
}

// report.md's paragraphs and table on the paths through the DSPs.
std::string dsp_markdown(const json& t) {
  if (!t.contains("dsp") || !t["dsp"].is_object()) return "";
  const json& d = t["dsp"];
  const json& w = d["worst"];
  const double nextpnr = t["nextpnr_fmax_mhz"].get<double>();
  std::string text = fmt::format(
      "nextpnr-ice40 alone reports {:.2f} MHz. The longest path through an SB_MAC16 is {:.2f} ns against the "
      "{:.2f} ns period ({}; {}), `{}` → `{}` → `{}` ({}), so the Fmax is {}.\n\n",
      nextpnr, d["worst_ns"].get<double>(), d["period_ns"].get<double>(), d["met"].get<bool>() ? "met" : "NOT met",
      d["fmax_mhz"].is_null() ? std::string("-") : fmt::format("{:.2f} MHz", d["fmax_mhz"].get<double>()),
      w["from"].get<std::string>(), w["dsp"].get<std::string>(), w["to"].get<std::string>(),
      w["path"].get<std::string>(),
      t["fmax_mhz"].get<double>() < nextpnr ? "the DSP path's, not nextpnr's" : "nextpnr's");
  text += "Why a second figure: nextpnr-ice40 takes every SB_MAC16 pin as registered, and the cores use their DSPs "
          "without registers (or with the accumulator register only), so nextpnr splits each path through a DSP "
          "in two and checks neither piece against the clock. Here each DSP is timed as Yosys configured it: ";
  text += d["method"].get<std::string>() + ".\n\n";
  text += "| SB_MAC16 | mode | path | to its inputs (ns) | inside (ns) | from its outputs (ns) | total (ns) |\n"
          "|---|---|---|---|---|---|---|\n";
  for (const auto& p : d["cells"]) {
    text += fmt::format("| `{}` | {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n", p["dsp"].get<std::string>(),
                        p["mode"].get<std::string>(), p["path"].get<std::string>(), p["to_inputs_ns"].get<double>(),
                        p["inside_ns"].get<double>(), p["from_outputs_ns"].get<double>(), p["total_ns"].get<double>());
  }
  const json& k = d["delays_ns"];
  text += fmt::format("\nInside a DSP: {:.2f} ns combinational multiply, {:.2f} ns multiply-add, {:.2f} ns setup "
                      "through the multiplier, {:.2f} ns clock-to-out: {}.\n\n",
                      k["multiply"].get<double>(), k["multiply_add"].get<double>(),
                      k["setup_through_multiplier"].get<double>(), k["clock_to_out"].get<double>(),
                      d["delays_source"].get<std::string>());
  return text;
}

}  // namespace

std::string report_summary(const json& r) {
  const json& b = r["board"];
  const json& m = r["model"];
  const json& p = r["performance"];
  std::string text = fmt::format("{} '{}' (N {}, n_in {}, n_out {}, {} lane{}) on {} ({} {} {}, {} MHz)\n",
                                 family_title(m), m["task"].get<std::string>(),
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
    text += fmt::format("  Fmax {:.2f} MHz against the {} MHz clock: {}{}\n", t["fmax_mhz"].get<double>(),
                        t["target_mhz"].get<double>(), t["met"].get<bool>() ? "met" : "NOT met", dsp_summary(t));
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
                      family_title(m), m["quantized_artifact"].get<std::string>(),
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
    const bool dsp = t.contains("dsp") && t["dsp"].is_object();
    text += fmt::format("Fmax {:.2f} MHz on `{}` against the {} MHz board clock: {}{}.\n\n",
                        t["fmax_mhz"].get<double>(), t["clock"].get<std::string>(), t["target_mhz"].get<double>(),
                        t["met"].get<bool>() ? "met" : "not met",
                        dsp ? "" : " (" + t["source"].get<std::string>() + ")");
    text += dsp_markdown(t);
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
  if (r.contains("netlist_check")) {
    const json& n = r["netlist_check"];
    text += "\n## Netlist check\n\n";
    const bool xc7 = r["board"]["family"] == "xc7";
    text += fmt::format("The {} netlist ({}, from power-on) in lock step with the integer golden model over the UART pin "
                        "(`{}`): {} trial(s) × {} timesteps, {} values compared (outputs, step cycles, overflow counts, "
                        "last state), {} mismatches; {:.1f} timesteps/s.{}\n",
                        n["level"].get<std::string>(),
                        xc7 ? "Yosys synth_xilinx's, with Yosys's Xilinx cell models and neurofab's block RAM models"
                            : "Yosys's iCE40 cell models",
                        n["command"].get<std::string>(), n["trials"].get<int>(), n["steps_per_trial"].get<int>(),
                        n["values_compared"].get<std::int64_t>(), n["mismatches"].get<std::int64_t>(),
                        n["timesteps_per_second"].get<double>(),
                        xc7 ? " Vivado synthesises the RTL itself: its netlist, placement, routing and timing are not "
                              "checked here (docs/rtl.md)."
                            : "");
  }
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

}  // namespace nf::boards
