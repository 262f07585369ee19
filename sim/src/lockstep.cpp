#include "neurofab/sim/lockstep.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

#include "neurofab/common/error.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/common/process.hpp"
#include "neurofab/common/resources.hpp"
#include "neurofab/common/temp_folder.hpp"
#include "neurofab/golden/golden_vectors.hpp"
#include "neurofab/rtl/rtl_generator.hpp"
#include "verilator_build.hpp"

namespace nf::sim {
namespace fs = std::filesystem;

namespace {

fs::path sim_dir() { return resource_path("sim"); }
// The golden/ headers the harnesses include (the nf_golden_trace target's, among the resources).
fs::path golden_headers() { return resource_path("sim/include/neurofab/golden"); }

fs::path harness_main(Harness harness) {
  return harness == Harness::kSystemC ? sim_dir() / "systemc" / "nf_core_sc_tb.cpp"
                                      : sim_dir() / "verilator" / "nf_core_tb.cpp";
}

// The executable, named after its harness's source.
std::string testbench_name(Harness harness) { return harness == Harness::kSystemC ? "nf_core_sc_tb" : "nf_core_tb"; }

// Every file the harness binary is built from, besides the RTL and the package.
std::vector<fs::path> harness_sources(Harness harness) {
  return {harness_main(harness),
          sim_dir() / "harness" / "golden_steps.hpp",
          sim_dir() / "harness" / "harness_cli.hpp",
          sim_dir() / "harness" / "core_activity.hpp",
          golden_headers() / "cycle_model.hpp",
          golden_headers() / "golden_trace.hpp",
          golden_headers() / "port_bits.hpp",
          golden_headers() / "step_operations.hpp"};
}

// The core's sources, from rtl/sv or from the replacement folder of the spec.
std::vector<fs::path> rtl_sources(const TestbenchSpec& spec) {
  std::vector<fs::path> files = rtl::core_sources(spec.family);
  if (!spec.rtl_sources.empty()) {
    for (auto& f : files) f = spec.rtl_sources / f.filename();
  }
  return files;
}

// The harness's top: NF_TOP_RATE or NF_TOP_LIF.
std::string top_define(models::Family family) {
  return family == models::Family::kLif ? "-DNF_TOP_LIF" : "-DNF_TOP_RATE";
}

// `pkg-config <query> systemc`, trimmed; empty when pkg-config or SystemC's .pc
// file is missing (a SystemC in the default paths needs no flags).
std::string systemc_pkg_config(const std::string& query) {
  const TempFolder temp("neurofab-pkg-config");
  const fs::path log = temp.path() / "pkg-config.log";
  try {
    if (!run_process({"pkg-config", query, "systemc"}, log).ok()) return {};
  } catch (const IoError&) {
    return {};  // no pkg-config
  }
  std::string text = read_text_file(log);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) text.pop_back();
  return text;
}

// Verilator arguments for a harness Verilated with --sc (its makefile links
// -lsystemc itself). Debian's SystemC is built as C++17 and a unit that
// includes systemc.h as another standard fails to link
// (sc_api_version_..._cxx<standard>): every unit says C++17 explicitly. The
// library folder is put in the run path, so the cached executable runs
// without LD_LIBRARY_PATH wherever SystemC is installed.
std::vector<std::string> systemc_verilator_args() {
  std::string cflags = "-DSC_CPLUSPLUS=201703L";
  if (const std::string c = systemc_pkg_config("--cflags"); !c.empty()) cflags += " " + c;
  std::string ldflags = systemc_pkg_config("--libs");
  if (const std::string libdir = systemc_pkg_config("--variable=libdir"); !libdir.empty()) {
    ldflags += " -Wl,-rpath," + libdir;
  }
  std::vector<std::string> args = {"-CFLAGS", cflags};
  if (!ldflags.empty()) args.insert(args.end(), {"-LDFLAGS", ldflags});
  return args;
}

}  // namespace

fs::path default_cache_dir() {
  if (const char* env = std::getenv("NEUROFAB_CACHE"); env != nullptr && *env != '\0') return env;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return fs::path(home) / ".cache" / "neurofab";
  return fs::temp_directory_path() / "neurofab-cache";
}

std::string to_string(Harness harness) { return harness == Harness::kSystemC ? "systemc" : "verilator"; }

Harness harness_from_string(const std::string& name) {
  if (name == "verilator") return Harness::kVerilator;
  if (name == "systemc") return Harness::kSystemC;
  throw InputError(fmt::format("--harness: unknown harness '{}' (expected verilator or systemc)", name));
}

fs::path build_testbench(const fs::path& rtl_dir, const TestbenchSpec& spec, const fs::path& cache_dir, bool* built) {
  detail::VerilatorBuild b;
  b.name = std::string(models::model_type_name(spec.family)) + "-" + to_string(spec.harness);
  b.executable = testbench_name(spec.harness);
  b.top_module = rtl::top_module(spec.family);
  b.package = rtl_dir / "nf_config_pkg.sv";
  b.rtl_sources = rtl_sources(spec);
  b.cpp_sources = {harness_main(spec.harness)};
  const std::vector<fs::path> all = harness_sources(spec.harness);
  b.key_only_sources.assign(all.begin() + 1, all.end());
  b.arguments = {spec.harness == Harness::kSystemC ? "--sc" : "--cc", "--trace-fst", "-CFLAGS",
                 "-std=c++17 -O1 " + top_define(spec.family) + " " + detail::harness_include_flags()};
  if (spec.harness == Harness::kSystemC) {
    const std::vector<std::string> systemc = systemc_verilator_args();
    b.arguments.insert(b.arguments.end(), systemc.begin(), systemc.end());
  }
  return detail::build_cached(b, cache_dir, built);
}

VerifyResult verify(const quantize::QuantizedArtifact& artifact, const VerifyOptions& o) {
  if (o.trials < 1) throw InputError(fmt::format("--trials: must be >= 1 (got {})", o.trials));
  if (o.max_stall < 0) throw InputError(fmt::format("--max-stall: must be >= 0 (got {})", o.max_stall));
  TempFolder temp("neurofab-verify");
  // Absolute: the testbench runs in the RTL folder, and the build in its own.
  const fs::path work = fs::absolute(o.keep_dir.empty() ? temp.path() : o.keep_dir);
  fs::create_directories(work);
  const fs::path rtl_dir = work / "rtl";
  report_progress(o.progress, 0, kVerifySteps, "RTL");
  rtl::generate_rtl(artifact, {o.lanes}, rtl_dir);
  // The harness is a program of its own: it reads the trace from its file form.
  report_progress(o.progress, 1, kVerifySteps, "golden vectors");
  golden::write_golden_vectors(artifact, o.trials, artifact.seed, work / "vectors", artifact.source);
  report_progress(o.progress, 2, kVerifySteps, "testbench build (or cache)");

  VerifyResult result;
  result.testbench = build_testbench(rtl_dir, {artifact.family(), o.harness, o.rtl_sources},
                                     fs::absolute(o.cache_dir.empty() ? default_cache_dir() : o.cache_dir),
                                     &result.built);
  report_progress(o.progress, 3, kVerifySteps,
                  fmt::format("lock-step run ({} trial{})", o.trials, o.trials == 1 ? "" : "s"));
  const fs::path log = work / "testbench.log";
  const fs::path activity = work / "activity.json";
  std::error_code ignored;
  fs::remove(activity, ignored);  // a kept folder may hold an earlier run's
  const ProcessResult r = run_process({result.testbench.string(), "--vectors", (work / "vectors").string(), "--seed",
                                       std::to_string(o.seed), "--max-stall", std::to_string(o.max_stall), "--fst",
                                       (work / "mismatch.fst").string(), "--activity", activity.string()},
                                      log, rtl_dir);
  result.log = read_text_file(log);
  result.passed = r.ok();
  if (result.passed) {
    try {
      result.activity = nlohmann::json::parse(read_text_file(activity));
    } catch (const nlohmann::json::exception& e) {
      throw IoError(fmt::format("{}: not the activity totals the testbench writes: {}", activity.string(), e.what()));
    }
  }
  if (!r.ok() && !(r.exited && r.exit_code == 1)) {
    throw IoError(fmt::format("the testbench failed ({}):{}", r.describe(), last_lines(log, 8)));
  }
  report_progress(o.progress, kVerifySteps, kVerifySteps, result.passed ? "passed" : "FAILED");
  return result;
}

}  // namespace nf::sim
