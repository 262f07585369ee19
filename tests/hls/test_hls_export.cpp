// `neurofab hls`: the generated configuration and weights, the exact literals,
// the project's files, bad input, and a quick C-simulation of an exported
// project with the stand-in types — including that its testbench fails, naming
// trial, step and unit, when one golden value is changed.

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <fstream>
#include <sstream>
#include <tuple>
#include <vector>

#include "csim_project.hpp"
#include "neurofab/hls/hls_export.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "run_command.hpp"
#include "stress_networks.hpp"
#include "temp_dir.hpp"

using namespace nf;
namespace fs = std::filesystem;

namespace {

quantize::QuantizedArtifact small_rate(quantize::QuantizeOptions q = {}) {
  return quantize::quantize_artifact(test::random_rate_network("xor", 6, {}, 1.2, 3), "small", q);
}

quantize::QuantizedArtifact small_lif(quantize::QuantizeOptions q = {}) {
  return quantize::quantize_artifact(test::random_lif_network("xor", 6, {}, 1.5, 0.5, 3), "small", q);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("exact_decimal: the literal is the code times 2^-F, exactly", "[hls]") {
  CHECK(hls::exact_decimal(0, 8) == "0.0");
  CHECK(hls::exact_decimal(3, 1) == "1.5");
  CHECK(hls::exact_decimal(-3, 3) == "-0.375");
  CHECK(hls::exact_decimal(-128, 8) == "-0.5");
  CHECK(hls::exact_decimal(1, 10) == "0.0009765625");
  CHECK(hls::exact_decimal(24, -2) == "96.0");
  CHECK(hls::exact_decimal(-(std::int64_t{1} << 31), -32) == "-9223372036854775808.0");
  CHECK(hls::exact_decimal(1, 32) == "0.00000000023283064365386962890625");
  // Every literal parses back to the double that is the value (the compiler's
  // reading of it), over random codes and fractions.
  const std::uint64_t seed = 20261125;
  INFO("seed " << seed);
  Rng rng(seed);
  for (int n = 0; n < 20000; ++n) {
    const int bits = 2 + static_cast<int>(rng.uniform() * 31);
    const int frac = -32 + static_cast<int>(rng.uniform() * 65);
    const auto code = static_cast<std::int64_t>(std::floor((rng.uniform() - 0.5) * std::ldexp(1.0, bits)));
    const std::string literal = hls::exact_decimal(code, frac);
    INFO(code << " · 2^-" << frac << " → " << literal);
    REQUIRE(std::strtod(literal.c_str(), nullptr) == std::ldexp(static_cast<double>(code), -frac));
  }
}

TEST_CASE("the rate configuration names every format as an ap_fixed with the spec's modes", "[hls]") {
  quantize::QuantizeOptions q;
  q.rounding = quantize::Rounding::kConvergent;
  q.overflow = quantize::Overflow::kWrap;
  q.overrides = {{"state", {12, 9}}, {"W_rec", {8, 8}}, {"b_out", {6, -2}}};
  const auto artifact = small_rate(q);
  const auto& net = std::get<quantize::IntegerRateRnn>(artifact.network);
  hls::HlsOptions options;
  options.lanes = 4;
  const std::string config = hls::config_header(net, options, "q-dir");
  CHECK_THAT(config, Catch::Contains("typedef ap_fixed<12, 3, AP_RND_CONV, AP_WRAP> state_t;"));
  CHECK_THAT(config, Catch::Contains("typedef ap_fixed<8, 0, AP_RND_CONV, AP_WRAP> w_rec_t;"));
  CHECK_THAT(config, Catch::Contains("typedef ap_fixed<6, 8, AP_RND_CONV, AP_WRAP> b_out_t;"));
  CHECK_THAT(config, Catch::Contains("static const unsigned n_rec = 6;"));
  CHECK_THAT(config, Catch::Contains("static const unsigned lanes = 4;"));
  CHECK_THAT(config, Catch::Contains("static const unsigned reuse_factor = 2;"));
  CHECK_THAT(config, Catch::Contains("static const ap_q_mode rounding = AP_RND_CONV;"));
  CHECK_THAT(config, Catch::Contains(fmt::format("typedef ap_fixed<{}, {}, AP_TRN, AP_WRAP> accum_t;",
                                                 net.spec().accumulator_bits,
                                                 net.spec().accumulator_bits - net.spec().accumulator_frac())));
  CHECK_THAT(config, Catch::Contains("typedef nf_hls::tanh_table activation;"));
  CHECK_THAT(config, Catch::Contains("'q-dir'"));
  CHECK_THAT(config, Catch::Contains("static const unsigned groups = 2;"));
  const std::string weights = hls::weights_header(net, 4);
  // Bank-major for 4 lanes: [lane][group][column]; rows 6 and 7 of the second group are padding.
  CHECK_THAT(weights, Catch::Contains("static const nf_config::w_rec_t nf_w_rec[4][2][6] = {"));
  CHECK_THAT(weights, Catch::Contains("static const nf_config::b_rec_t nf_b_rec[4][2] = {"));
  CHECK_THAT(weights, Catch::Contains("static const nf_config::w_out_t nf_w_out[1][6] = {"));
  CHECK_THAT(weights, Catch::Contains("static const nf_config::state_t nf_activation_table[1024] = {"));
  // Lane 1's memory: rows 1 and 5 of W_rec, in that order; lane 2's second group is zero.
  const auto& w = net.tensors().w_rec;
  std::string lane1 = "  {\n    {";
  for (int k = 0; k < 6; ++k) lane1 += hls::exact_decimal(w(1, k), 8) + (k < 5 ? ", " : "},\n    {");
  for (int k = 0; k < 6; ++k) lane1 += hls::exact_decimal(w(5, k), 8) + (k < 5 ? ", " : "}\n  },\n");
  CHECK_THAT(weights, Catch::Contains(lane1));
  CHECK_THAT(weights, Catch::Contains("    {0.0, 0.0, 0.0, 0.0, 0.0, 0.0}\n  },\n"));
}

TEST_CASE("the LIF configuration: decay form, threshold, reset, refractory, spike input", "[hls]") {
  quantize::QuantizeOptions q;
  q.decay.form = quantize::DecayForm::kShift;
  models::LifRnnConfig c;
  c.encoding = models::InputEncoding::kPoisson;
  c.reset = models::ResetMode::kZero;
  c.refractory_steps = 3;
  const auto artifact =
      quantize::quantize_artifact(test::random_lif_network("xor", 6, c, 1.5, 0.5, 3), "small", q);
  const auto& net = std::get<quantize::IntegerLifRnn>(artifact.network);
  const std::string config = hls::config_header(net, {}, "q");
  CHECK_THAT(config, Catch::Contains("typedef nf_hls::shift_decay decay_form;"));
  CHECK_THAT(config, Catch::Contains("static const bool spike_input = true;"));
  CHECK_THAT(config, Catch::Contains("typedef ap_fixed<2, 2, AP_RND, AP_SAT> input_t;"));
  CHECK_THAT(config, Catch::Contains("static const bool reset_to_zero = true;"));
  CHECK_THAT(config, Catch::Contains("static const unsigned refractory_steps = 3;"));
  CHECK_THAT(config, Catch::Contains("typedef ap_uint<2> refractory_t;"));
  CHECK_THAT(config, Catch::Contains(fmt::format("membrane_t({})", hls::exact_decimal(net.spec().threshold,
                                                                                      net.spec().membrane.frac_bits))));
  const std::string weights = hls::weights_header(net, 1);
  CHECK_THAT(weights, Catch::Contains(fmt::format("nf_beta[6] = {{\n    {}, ", net.tensors().beta(0))));
  CHECK_THAT(weights, Catch::Contains("nf_w_out[1][1][6] = {"));
  CHECK_THAT(weights, Catch::Contains("nf_w_rec[1][6][6] = {"));
}

TEST_CASE("bad options and bad input: one clear error, nothing written", "[hls]") {
  test::TempDir dir;
  hls::HlsOptions options;
  options.lanes = 7;  // more than the 6 units
  CHECK_THROWS_WITH(hls::export_project(small_rate(), options, dir / "p", "q"), Catch::Contains("--lanes 7"));
  options.lanes = 1;
  options.trials = 0;
  CHECK_THROWS_WITH(hls::export_project(small_rate(), options, dir / "p", "q"), Catch::Contains("--trials 0"));
  CHECK_FALSE(fs::exists(dir / "p"));

  // The CLI: a float artifact or a missing folder is refused with the folder named.
  const auto missing = test::run_command(fmt::format("{} hls '{}' -o '{}' 2>&1", NF_CLI_PATH,
                                                     (dir / "nothing").string(), (dir / "p").string()));
  CHECK(missing.exit_code != 0);
  CHECK_THAT(missing.output, Catch::Contains("nothing"));
  CHECK_FALSE(fs::exists(dir / "p"));
}

TEST_CASE("an exported project: its files, and its C-simulation passes and can fail", "[hls][csim]") {
  test::TempDir dir;
  quantize::save_quantized(dir / "q", small_lif());
  const auto first = test::run_command(fmt::format("{} hls '{}' -o '{}' --lanes 4 --trials 2 2>&1", NF_CLI_PATH,
                                                   (dir / "q").string(), (dir / "p").string()));
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  for (const char* file : {"firmware/nf_config.h", "firmware/nf_weights.h", "firmware/nf_lif_rnn.h",
                           "firmware/nf_lif_top.cpp", "firmware/nf_hls_types.h", "firmware/nf_hls_fixed.h",
                           "tb/nf_lif_tb.cpp", "tb/nf_tb_data.h", "tb_data/meta.txt", "tb_data/membrane.dat",
                           "run_hls.tcl", "README.md", "hls.json"}) {
    INFO(file);
    CHECK(fs::exists(dir / "p" / file));
  }
  CHECK_FALSE(fs::exists(dir / "p" / "firmware" / "nf_rate_rnn.h"));
  const std::string tcl = read_text(dir / "p" / "run_hls.tcl");
  for (const char* command : {"set top nf_lif_top", "set_top $top", "csim_design", "csynth_design", "cosim_design",
                              "export_design -format ip_catalog", "set_part {xc7z020clg400-1}"}) {
    CHECK_THAT(tcl, Catch::Contains(command));
  }
  // An existing folder is kept unless --force.
  const auto again = test::run_command(fmt::format("{} hls '{}' -o '{}' 2>&1", NF_CLI_PATH, (dir / "q").string(),
                                                   (dir / "p").string()));
  CHECK(again.exit_code != 0);
  CHECK_THAT(again.output, Catch::Contains("--force"));

  const long long steps = 2LL * models::make_task("xor")->n_steps();
  test::check_csim_pass(test::build_and_run_csim(dir / "p", "lif", test::HlsTypes::kStandins),
                        test::HlsTypes::kStandins, steps);

  // One membrane value of trial 1, step 7, unit 2 off by one: the testbench must say where.
  const fs::path membrane = dir / "p" / "tb_data" / "membrane.dat";
  std::string text = read_text(membrane);
  std::size_t line_start = 0;
  const int steps_per_trial = models::make_task("xor")->n_steps();
  for (int line = 0; line < steps_per_trial + 7; ++line) line_start = text.find('\n', line_start) + 1;
  std::istringstream row(text.substr(line_start, text.find('\n', line_start) - line_start));
  std::vector<long long> values;
  for (long long v; row >> v;) values.push_back(v);
  REQUIRE(values.size() == 6);
  values[2] += 1;
  std::string changed;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) changed += ' ';
    changed += std::to_string(values[i]);
  }
  text.replace(line_start, text.find('\n', line_start) - line_start, changed);
  std::ofstream(membrane) << text;
  const auto run = test::run_command(fmt::format("cd '{}' && ./csim-standins 2>&1", (dir / "p").string()));
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Catch::Contains(fmt::format("MISMATCH trial 1 step 7 v[2]: expected {}, actual {}",
                                                     values[2], values[2] - 1)));
  CHECK_THAT(run.output, Catch::Contains("FAIL: 1 of"));

  // A truncated golden file is named, with its line count.
  std::ofstream(dir / "p" / "tb_data" / "current.dat") << "0 0 0 0 0 0\n";
  const auto truncated = test::run_command(fmt::format("cd '{}' && ./csim-standins 2>&1", (dir / "p").string()));
  CHECK(truncated.exit_code == 2);
  CHECK_THAT(truncated.output, Catch::Contains("current.dat: 1 lines, expected"));
}

TEST_CASE("the C-simulation catches a kernel configured with the wrong rounding mode", "[hls][csim]") {
  // A rate network with convergent rounding and the leak α = 1/4, whose
  // rounding sees exact ties; its configuration is then edited to round half
  // up (AP_RND) everywhere: the ties now round the other way.
  quantize::QuantizeOptions q;
  q.rounding = quantize::Rounding::kConvergent;
  models::RateRnnConfig c;
  c.tau_ms = 4;
  const auto artifact = quantize::quantize_artifact(test::random_rate_network("xor", 12, c, 1.5, 3), "small", q);
  test::TempDir dir;
  hls::HlsOptions options;
  options.lanes = 3;
  options.trials = 2;
  hls::export_project(artifact, options, dir / "p", "small");
  const long long steps = 2LL * models::make_task("xor")->n_steps();
  test::check_csim_pass(test::build_and_run_csim(dir / "p", "rate", test::HlsTypes::kStandins),
                        test::HlsTypes::kStandins, steps);

  const fs::path config = dir / "p" / "firmware" / "nf_config.h";
  std::string text = read_text(config);
  std::size_t replaced = 0;
  for (std::size_t at = text.find("AP_RND_CONV"); at != std::string::npos; at = text.find("AP_RND_CONV", at)) {
    text.replace(at, 11, "AP_RND");
    ++replaced;
  }
  REQUIRE(replaced > 5);
  std::ofstream(config) << text;
  const auto mutant = test::build_and_run_csim(dir / "p", "rate", test::HlsTypes::kStandins);
  INFO(mutant.build_log << mutant.output);
  REQUIRE(mutant.build_exit == 0);
  CHECK(mutant.exit_code == 1);
  CHECK_THAT(mutant.output, Catch::Contains("MISMATCH trial 0 step"));
}

// run_hls.tcl, run by tclsh with Vitis HLS's commands stubbed to print their
// calls: each step runs on its own, from -tclargs or NF_HLS_STEPS, in flow
// order; only csynth resets the solution; cosim and export without a
// synthesized solution, and unknown steps, stop with a message.
TEST_CASE("export_project reports its steps through the optional progress callback", "[hls]") {
  const test::TempDir dir;
  hls::HlsOptions options;
  options.trials = 1;
  std::vector<std::tuple<int, int, std::string>> calls;
  options.progress = [&](int done, int total, const std::string& stage) { calls.emplace_back(done, total, stage); };
  hls::export_project(small_rate(), options, dir / "p", "small");
  REQUIRE(calls.size() == hls::kHlsExportSteps + 1);
  for (std::size_t k = 0; k < calls.size(); ++k) {
    CHECK(std::get<0>(calls[k]) == static_cast<int>(k));
    CHECK(std::get<1>(calls[k]) == hls::kHlsExportSteps);
    CHECK_FALSE(std::get<2>(calls[k]).empty());
  }
  CHECK_THAT(std::get<2>(calls[2]), Catch::Contains("testbench vectors"));
  CHECK(std::get<2>(calls.back()) == "done");
  // Without a callback nothing changes: the same files.
  hls::HlsOptions quiet;
  quiet.trials = 1;
  hls::export_project(small_rate(), quiet, dir / "q", "small");
  CHECK(read_text(dir / "p" / "hls.json") == read_text(dir / "q" / "hls.json"));
}

TEST_CASE("run_hls.tcl runs each step on its own, resetting only for csynth", "[hls][tcl]") {
  const test::TempDir dir;
  hls::HlsOptions options;
  options.trials = 1;
  hls::export_project(small_rate(), options, dir / "p", "small");
  std::ofstream(dir / "p" / "stub.tcl") << R"(
foreach command {open_project set_top add_files open_solution set_part create_clock
                 csim_design csynth_design cosim_design export_design} {
  proc $command {args} "puts \"CALL $command \$args\""
}
if {[info exists ::env(STUB_ARGV)]} { set argv $::env(STUB_ARGV) } else { set argv {} }
source run_hls.tcl
)";
  // The stubbed calls of one run (steps as -tclargs, or through NF_HLS_STEPS), exit code first.
  const auto run = [&](const std::string& argv, const std::string& env_steps) {
    const std::string env = fmt::format("STUB_ARGV='{}'{}", argv,
                                        env_steps.empty() ? "" : fmt::format(" NF_HLS_STEPS='{}'", env_steps));
    return test::run_command(fmt::format("cd '{}' && env -u NF_HLS_STEPS {} tclsh stub.tcl 2>&1",
                                         (dir / "p").string(), env));
  };
  const auto calls_of = [](const std::string& output, const std::string& prefix) {
    std::vector<std::string> calls;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(prefix, 0) == 0) calls.push_back(line);
    }
    return calls;
  };

  const auto all = run("", "");
  INFO(all.output);
  REQUIRE(all.exit_code == 0);
  CHECK(calls_of(all.output, "CALL open_") ==
        std::vector<std::string>{"CALL open_project -reset nf_rate_prj",
                                 "CALL open_solution -reset solution1 -flow_target vivado"});
  CHECK(calls_of(all.output, "CALL c") ==  // csim_design, csynth_design, cosim_design, create_clock
        std::vector<std::string>{"CALL create_clock -period 10 -name default", "CALL csim_design -argv tb_data",
                                 "CALL csynth_design ", "CALL cosim_design -argv tb_data_cosim"});
  CHECK_THAT(all.output, Catch::Contains("CALL export_design -format ip_catalog"));
  CHECK_THAT(all.output, Catch::Contains("CALL add_files -tb ") && Catch::Contains("/tb_data_cosim"));
  CHECK_THAT(all.output, Catch::Contains("CALL set_top nf_rate_top"));

  // Named out of order: run in flow order, and csynth resets.
  const auto two = run("csynth csim", "");
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  CHECK(calls_of(two.output, "CALL cs") ==
        std::vector<std::string>{"CALL csim_design -argv tb_data", "CALL csynth_design "});
  CHECK_THAT(two.output, Catch::Contains("CALL open_project -reset"));
  CHECK_THAT(two.output, !Catch::Contains("cosim_design") && !Catch::Contains("export_design"));

  // cosim without a synthesized solution is refused; after one, it reopens the project as it is.
  const auto early = run("", "cosim");
  CHECK(early.exit_code == 1);
  CHECK_THAT(early.output, Catch::Contains("run csynth first"));
  CHECK_THAT(early.output, !Catch::Contains("CALL"));
  fs::create_directories(dir / "p" / "nf_rate_prj" / "solution1" / "syn");
  const auto later = run("", "export,cosim");
  INFO(later.output);
  REQUIRE(later.exit_code == 0);
  CHECK(calls_of(later.output, "CALL open_") ==
        std::vector<std::string>{"CALL open_project nf_rate_prj", "CALL open_solution solution1 -flow_target vivado"});
  CHECK(calls_of(later.output, "CALL c") == std::vector<std::string>{"CALL create_clock -period 10 -name default",
                                                                      "CALL cosim_design -argv tb_data_cosim"});
  CHECK_THAT(later.output, Catch::Contains("CALL export_design") && !Catch::Contains("csynth_design"));
  // -tclargs win over the environment.
  const auto both = run("csim", "cosim");
  CHECK(both.exit_code == 0);
  CHECK(calls_of(both.output, "CALL cs") == std::vector<std::string>{"CALL csim_design -argv tb_data"});

  const auto unknown = run("synth", "");
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output, Catch::Contains("unknown step 'synth'"));

  // NF_HLS_TOP picks the host-driven step top; a name that is no top of the project is refused.
  const auto step_top = test::run_command(fmt::format(
      "cd '{}' && env -u NF_HLS_STEPS NF_HLS_TOP=nf_rate_step_top STUB_ARGV=csim tclsh stub.tcl 2>&1",
      (dir / "p").string()));
  CHECK(step_top.exit_code == 0);
  CHECK_THAT(step_top.output, Catch::Contains("CALL set_top nf_rate_step_top"));
  const auto other_top = test::run_command(fmt::format(
      "cd '{}' && env -u NF_HLS_STEPS NF_HLS_TOP=nf_lif_top STUB_ARGV=csim tclsh stub.tcl 2>&1", (dir / "p").string()));
  CHECK(other_top.exit_code == 1);
  CHECK_THAT(other_top.output, Catch::Contains("NF_HLS_TOP 'nf_lif_top' is not a top of this project"));

  // The header names the real top, and the v++ flow has its config file.
  const std::string tcl = read_text(dir / "p" / "run_hls.tcl");
  CHECK_THAT(tcl, Catch::Contains("(top nf_rate_top,") && Catch::Contains("NF_HLS_STEPS"));
  const std::string cfg = read_text(dir / "p" / "hls_config.cfg");
  for (const char* line : {"part=xc7z020clg400-1\n", "[hls]\n", "flow_target=vivado\n", "clock=10ns\n",
                           "syn.top=nf_rate_top\n", "syn.file=firmware/nf_rate_top.cpp\n",
                           "tb.file=tb/nf_rate_tb.cpp\n", "tb.file=tb_data\n", "tb.file=tb_data_cosim\n",
                           "csim.argv=tb_data\n", "cosim.argv=tb_data_cosim\n", "package.output.format=ip_catalog\n"}) {
    INFO(line);
    CHECK_THAT(cfg, Catch::Contains(line));
  }
}

// The schedule, measured: the C-simulation built with -DNF_HLS_COUNT_ITERATIONS
// counts the step kernel's pipelined-loop iterations (a cycle each at II = 1);
// their mean and maximum per step must equal what the export writes into
// hls.json and README.md, and for the rate RNN stand exactly 4 below the RTL
// core's cycle model (its pipeline tail), for lane counts that do not divide N.
TEST_CASE("the step kernels' loop iterations per step are the ones the README promises", "[hls][csim]") {
  const auto measured_iterations = [](const fs::path& project, const std::string& family) {
    const auto run = test::run_command(fmt::format(
        "cd '{}' && g++ -std=c++14 -O1 -Wno-unknown-pragmas -DNF_HLS_STANDIN_TYPES -DNF_HLS_COUNT_ITERATIONS "
        "-Ifirmware -Itb tb/nf_{}_tb.cpp firmware/nf_{}_top.cpp -o csim-count 2>&1 && ./csim-count 2>&1",
        project.string(), family, family));
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(run.output, m, std::regex("iterations per step: mean ([0-9.]+) max ([0-9]+)")));
    return std::make_pair(std::stod(m[1].str()), std::stoll(m[2].str()));
  };
  const auto promised = [](const fs::path& project) {
    return nlohmann::json::parse(read_text(project / "hls.json")).at("cycles_per_step");
  };
  const test::TempDir dir;
  hls::HlsOptions options;
  options.trials = 2;
  for (const int lanes : {1, 4, 5}) {
    INFO("lanes " << lanes);
    options.lanes = lanes;
    const fs::path rate = dir / fmt::format("rate-{}", lanes);
    hls::export_project(small_rate(), options, rate, "small");
    const auto [rate_mean, rate_max] = measured_iterations(rate, "rate");
    const auto rate_json = promised(rate);
    CHECK(rate_max == rate_json.at("kernel_iterations_max").get<long long>());
    CHECK(rate_mean == Approx(rate_json.at("kernel_iterations_mean").get<double>()).epsilon(1e-9));
    CHECK(rate_json.at("rtl_core_max").get<long long>() - rate_max == 4);
    CHECK_THAT(read_text(rate / "README.md"), Catch::Contains(fmt::format("**{}** iterations", rate_max)));

    const fs::path lif = dir / fmt::format("lif-{}", lanes);
    hls::export_project(small_lif(), options, lif, "small");
    const auto [lif_mean, lif_max] = measured_iterations(lif, "lif");
    const auto lif_json = promised(lif);
    CHECK(lif_max == lif_json.at("kernel_iterations_max").get<long long>());
    CHECK(lif_mean == Approx(lif_json.at("kernel_iterations_mean").get<double>()).epsilon(1e-9));
    CHECK(lif_max > 0);
  }
}
