// `neurofab build`: the flow, step after step, in a staging folder. Each step
// lives in a file of its own (boards/src/):
//   tool_runner      PATH lookup, shell quoting, running a tool into its log
//   synthesis        Yosys (synth_ice40, or synth_xilinx for an estimate)
//   fit_advice       the fit check and what to change when it fails
//   place_and_route  nextpnr-ice40 (and reading a failed run's log), then the
//                    paths through the DSPs (dsp_timing)
//   pack             icepack
//   vivado_project   the Xilinx 7-series project script and README
//   report_json      report.json; report_markdown: report.md and the summary
#include "neurofab/boards/build_flow.hpp"

#include <fmt/format.h>

#include <chrono>

#include "build_context.hpp"
#include "fit_advice.hpp"
#include "neurofab/boards/constraints.hpp"
#include "neurofab/boards/utilisation.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "pack.hpp"
#include "place_and_route.hpp"
#include "report_json.hpp"
#include "synthesis.hpp"
#include "tool_runner.hpp"
#include "vivado_project.hpp"

namespace nf::boards {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One build in its staging folder.
class Flow {
 public:
  Flow(const quantize::QuantizedArtifact& q, std::string qdir, const Board& board, const BuildOptions& options,
       fs::path root)
      : c_{q, std::move(qdir), board, options, root, rtl::system_top_module(q.family()),
           uart_timing(board, options.baud > 0 ? options.baud : board.uart.baud), {}, {}, {}, {}},
        tools_(c_.root) {}

  BuildResult run() {
    const auto start = std::chrono::steady_clock::now();
    require_program("yosys", "yosys");
    if (c_.board.family == Family::kIce40) {
      require_program("nextpnr-ice40", "nextpnr-ice40");
      require_program("icepack", "fpga-icestorm");
    }
    fs::create_directories(c_.root / "logs");
    total_ = c_.board.family == Family::kIce40 ? 6 : 5;
    step("RTL");
    prepare_rtl();
    step(fmt::format("cycle statistics ({} trials)", c_.options.trials));
    c_.cycles = cycle_stats(c_.q, c_.options.lanes, c_.options.trials, c_.options.trial_seed);
    json report = c_.board.family == Family::kIce40 ? run_ice40() : run_xc7();
    if (c_.options.verify) {  // iCE40: synth or routed; Xilinx: synth (the CLI refuses routed)
      // report.json first: the check reads the build folder as `neurofab verify` would.
      write_file_atomically(c_.root / "report.json", report.dump(2) + "\n");
      report["netlist_check"] = c_.options.verify(c_.root);
    }
    tools_.record_seconds("total", seconds_since(start));
    report["seconds"] = tools_.seconds();
    BuildResult result;
    result.summary = report_summary(report);
    write_file_atomically(c_.root / "report.json", report.dump(2) + "\n");
    write_file_atomically(c_.root / "report.md", report_markdown(report));
    if (report["bitstream"].is_object()) result.bitstream = report["bitstream"]["file"].get<std::string>();
    result.report = std::move(report);
    step("done");
    return result;
  }

 private:
  BuildContext c_;
  ToolRunner tools_;
  int done_ = 0;
  int total_ = 0;

  // Progress: the step that starts now (the previous one finished).
  void step(const std::string& stage) { report_progress(c_.options.progress, done_++, total_, stage); }

  // --- RTL: configuration, the system top's sources, file list ------------
  void prepare_rtl() {
    const fs::path rtl_dir = c_.root / "rtl";
    c_.rtl = rtl::generate_rtl(c_.q, {c_.options.lanes}, rtl_dir);
    c_.sources = {"nf_config_pkg.sv"};
    for (const fs::path& source : rtl::system_sources(c_.rtl.family)) {
      const fs::path from = c_.options.rtl_dir.empty() ? source : c_.options.rtl_dir / source.filename();
      if (!fs::is_regular_file(from)) {
        throw IoError(fmt::format("{}: missing: a source of the system top {}", from.string(), c_.top));
      }
      fs::copy_file(from, rtl_dir / source.filename(), fs::copy_options::overwrite_existing);
      c_.sources.push_back(source.filename().string());
    }
    // files.f of `neurofab rtl` lists the bare core; here: the system top, as copied.
    std::string files;
    for (const auto& s : c_.sources) files += s + "\n";
    write_file_atomically(rtl_dir / "files.f", files);
    for (const auto& image : c_.rtl.images) c_.images.push_back(image.file);  // sorted by name
  }

  // --- iCE40: Yosys, fit check, nextpnr-ice40, icepack ----------------------
  json run_ice40() {
    const std::string pcf = c_.board.name + ".pcf";
    write_file_atomically(c_.root / pcf, pcf_text(c_.board));
    step("synthesis (yosys)");
    const auto counts = synthesise_ice40(c_, tools_);
    const std::vector<ResourceUse> estimate = ice40_fit(ice40_cells(counts), c_.board);
    check_fit(c_, estimate, "by Yosys's cell counts before place and route");
    step("place and route (nextpnr-ice40)");
    const PlacedDesign placed = place_and_route(c_, tools_, pcf);
    step("pack (icepack)");
    const std::uintmax_t bytes = pack_bitstream(c_, tools_);
    tools_.write_build_script("");
    step("report");
    return ice40_report(c_, counts, estimate, placed, bytes, tools_);
  }

  // --- Xilinx 7-series: Yosys estimate, fit check, Vivado project -----------
  json run_xc7() {
    const std::string xdc = c_.board.name + ".xdc";
    write_file_atomically(c_.root / xdc, xdc_text(c_.board));
    step("synthesis estimate (yosys)");
    const auto counts = estimate_xc7(c_, tools_);
    const std::vector<ResourceUse> estimate = xc7_fit(xc7_cells(counts), c_.board);
    check_fit(c_, estimate, "by Yosys's synth_xilinx estimate");
    step("Vivado project");
    const bool vivado = write_vivado_project(c_, estimate, xdc);
    tools_.write_build_script("echo 'estimate done; the bitstream: vivado -mode batch -source build.tcl'\n");
    step("report");
    return xc7_report(c_, counts, estimate, vivado, tools_);
  }
};

}  // namespace

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
