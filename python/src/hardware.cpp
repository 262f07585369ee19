// The hardware stages in Python: `neurofab verify` (the RTL core in lock step
// with the integer golden model), `neurofab hls` (a Vitis HLS project),
// `neurofab build` (a bitstream or a Vivado project, with its report) and
// `neurofab compare` (every level side by side). Each returns the figures the
// CLI prints; the external tools (verilator, yosys, nextpnr, icepack) come
// from PATH and the RTL, board files and harness from the package's resources.

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <fmt/format.h>

#include "bindings.hpp"
#include "neurofab/analysis/compare.hpp"
#include "neurofab/analysis/run_set.hpp"
#include "neurofab/boards/board.hpp"
#include "neurofab/boards/build_flow.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/progress.hpp"
#include "neurofab/hls/hls_export.hpp"
#include "neurofab/sim/lockstep.hpp"

namespace nf::python {

namespace {

namespace fs = std::filesystem;

std::string name_of(const QuantizedNetwork& q) { return q.folder.empty() ? std::string("<in memory>") : q.folder; }

// The libraries' step callback for a Python progress callable: `progress`
// takes the GIL only for the call (info = {"stage", "message"}, both the
// step's name). Empty when there is no callable. `progress` must outlive it.
ProgressCallback step_callback(const Progress& progress) {
  if (!progress.active()) return {};
  return [&progress](int done, int total, const std::string& stage) {
    progress(done, total, {{"stage", stage}, {"message", stage}});
  };
}

// `neurofab verify`: passed or not, the testbench's log and the RTL's activity.
nb::dict verify(const QuantizedNetwork& q, int lanes, int trials, std::uint64_t seed, int max_stall,
                const std::string& cache, const std::string& harness, const std::string& keep,
                nb::object progress_callback) {
  const Progress progress(std::move(progress_callback));
  sim::VerifyOptions options;
  options.progress = step_callback(progress);
  options.lanes = lanes;
  options.trials = trials;
  options.seed = seed;
  options.max_stall = max_stall;
  options.cache_dir = cache;
  options.keep_dir = keep;
  options.harness = sim::harness_from_string(harness);
  if (lanes < 1) throw InputError(fmt::format("--lanes {}: at least 1 lane", lanes));
  if (trials < 1) throw InputError(fmt::format("--trials {}: at least 1 trial", trials));
  std::optional<sim::VerifyResult> r;
  {
    nb::gil_scoped_release release;
    r = sim::verify(q.artifact, options);
  }
  const nlohmann::json j = {{"passed", r->passed},
                            {"log", r->log},
                            {"testbench", r->testbench.string()},
                            {"built", r->built},
                            {"activity", r->activity},
                            {"harness", sim::to_string(options.harness)},
                            {"lanes", lanes},
                            {"trials", trials},
                            {"seed", seed},
                            {"network", name_of(q)},
                            {"keep", keep}};
  return nb::cast<nb::dict>(to_python(j));
}

// `neurofab hls`: writes the project folder.
nb::dict hls(const QuantizedNetwork& q, const std::string& out, int lanes, int trials, std::uint64_t seed,
             const std::string& part, double clock_ns, bool force, nb::object progress_callback) {
  check_out_folder(out, force);
  const Progress progress(std::move(progress_callback));
  hls::HlsOptions options;
  options.progress = step_callback(progress);
  options.lanes = lanes;
  options.trials = trials;
  options.seed = seed;
  options.part = part;
  options.clock_period_ns = clock_ns;
  {
    nb::gil_scoped_release release;
    hls::export_project(q.artifact, options, out, name_of(q));
  }
  const nlohmann::json j = {{"project", out},          {"top", hls::top_function(q.artifact)},
                            {"lanes", lanes},          {"trials", trials},
                            {"seed", seed},            {"part", part},
                            {"clock_ns", clock_ns},    {"network", name_of(q)}};
  return nb::cast<nb::dict>(to_python(j));
}

// `neurofab build --board`: the report (report.json as a dict), its summary and the bitstream.
nb::dict build(const QuantizedNetwork& q, const std::string& board_name, const std::string& out, int lanes,
               std::int64_t baud, std::uint64_t seed, int trials, const std::string& rtl_dir, bool force, bool abc9,
               std::optional<std::uint64_t> trial_seed, nb::object progress_callback) {
  if (out.empty()) throw InputError("out: give a folder to write");
  const boards::Board board = boards::find_board(board_name);
  const Progress progress(std::move(progress_callback));
  boards::BuildOptions options;
  options.progress = step_callback(progress);
  options.lanes = lanes;
  options.baud = baud;
  options.seed = seed;
  options.trials = trials;
  options.rtl_dir = rtl_dir;
  options.force = force;
  options.abc9 = abc9;
  options.trial_seed = trial_seed.value_or(q.artifact.seed);  // the trials of `neurofab eval`, as the CLI
  std::optional<boards::BuildResult> r;
  {
    nb::gil_scoped_release release;
    r = boards::build(q.artifact, name_of(q), board, options, out);
  }
  const nlohmann::json j = {{"report", r->report},
                            {"summary", r->summary},
                            {"bitstream", r->bitstream.empty() ? nlohmann::json(nullptr) : nlohmann::json(r->bitstream.string())},
                            {"folder", out}};
  return nb::cast<nb::dict>(to_python(j));
}

nb::list list_boards() {
  nb::list list;
  for (const boards::Board& b : boards::list_boards()) {
    nlohmann::json j = {{"name", b.name},         {"title", b.title},     {"vendor", b.vendor},
                        {"family", boards::family_name(b.family)},       {"device", b.device},
                        {"package", b.package},   {"clock_mhz", b.clock_mhz()}, {"file", b.file.string()}};
    if (b.family == boards::Family::kIce40) {
      j["resources"] = {{"logic_cells", b.ice40.logic_cells}, {"bram_4k", b.ice40.bram_4k},
                        {"spram_256k", b.ice40.spram_256k},   {"dsp", b.ice40.dsp}};
    } else {
      j["resources"] = {{"luts", b.xc7.luts}, {"flip_flops", b.xc7.flip_flops}, {"bram_36k", b.xc7.bram_36k},
                        {"dsp", b.xc7.dsp}};
    }
    list.append(to_python(j));
  }
  return list;
}

// `neurofab compare`: every level of every run; writes compare.json,
// compare.csv, summary.md and work/ into `out` (atomically), and returns the
// JSON document (rows as dicts) and the summary.
nb::dict compare(const std::vector<std::string>& runs, const std::string& out, const std::vector<std::string>& levels,
                 const std::vector<std::string>& board_names, const std::vector<int>& weight_bits, int trials,
                 int vector_trials, int lanes, const std::string& energy_table, const std::string& cache, bool force,
                 nb::object progress_callback) {
  analysis::CompareOptions c;
  c.boards = board_names;
  c.set_levels(levels);  // the CLI's rules and messages
  c.weight_bits = weight_bits;
  c.trials = trials;
  c.vector_trials = vector_trials;
  c.lanes = lanes;
  c.energy_table = energy_table.empty() ? analysis::shipped_energy_table() : fs::path(energy_table);
  c.cache_dir = cache;
  c.validate();
  const analysis::EnergyTable table = analysis::load_energy_table(c.energy_table);
  check_out_folder(out, force);
  const auto expanded = analysis::expand_runs({runs.begin(), runs.end()});
  const Progress progress(std::move(progress_callback));
  nlohmann::json json;
  std::string summary;
  {
    nb::gil_scoped_release release;
    StagingDir staging(out);
    // One step per network x level (the CLI's lines are not passed: errors are in the rows).
    const auto rows = analysis::run_compare(expanded, c, table, staging.path() / "work", {}, step_callback(progress));
    json = analysis::compare_to_json(rows, c, table);
    write_file_atomically(staging.path() / "compare.json", json.dump(2));
    write_file_atomically(staging.path() / "compare.csv", analysis::compare_csv(rows));
    summary = analysis::compare_markdown(rows, table);
    write_file_atomically(staging.path() / "summary.md", summary);
    staging.commit();
  }
  nb::dict d;
  d["json"] = to_python(json);
  d["summary"] = summary;
  d["folder"] = out;
  return d;
}

}  // namespace

void bind_hardware(nb::module_& m) {
  m.def("verify", &verify, nb::arg("network"), nb::arg("lanes"), nb::arg("trials"), nb::arg("seed"),
        nb::arg("max_stall"), nb::arg("cache"), nb::arg("harness"), nb::arg("keep"), nb::arg("progress") = nb::none());
  m.def("hls", &hls, nb::arg("network"), nb::arg("out"), nb::arg("lanes"), nb::arg("trials"), nb::arg("seed"),
        nb::arg("part"), nb::arg("clock_ns"), nb::arg("force"), nb::arg("progress") = nb::none());
  m.def("build", &build, nb::arg("network"), nb::arg("board"), nb::arg("out"), nb::arg("lanes"), nb::arg("baud"),
        nb::arg("seed"), nb::arg("trials"), nb::arg("rtl_dir"), nb::arg("force"), nb::arg("abc9"),
        nb::arg("trial_seed") = nb::none(), nb::arg("progress") = nb::none());
  m.def("boards", &list_boards);
  m.def("compare", &compare, nb::arg("runs"), nb::arg("out"), nb::arg("levels"), nb::arg("boards"),
        nb::arg("weight_bits"), nb::arg("trials"), nb::arg("vector_trials"), nb::arg("lanes"),
        nb::arg("energy_table"), nb::arg("cache"), nb::arg("force"), nb::arg("progress") = nb::none());
}

}  // namespace nf::python
