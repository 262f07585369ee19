// neurofab rtl: the memory images hold exactly the quantized codes in the
// documented lane layout, the package holds the network's numbers, the
// generated configurations pass `verilator --lint-only -Wall` and Yosys
// (read_verilog -sv, synth_ice40), and networks the cores cannot run are
// refused with a clear error.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neurofab/common/error.hpp"
#include "neurofab/common/process.hpp"
#include "neurofab/common/text_file.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/golden/cycle_model.hpp"
#include "neurofab/rtl/rtl_generator.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"

using namespace nf;
namespace fs = std::filesystem;

namespace {

quantize::QuantizedArtifact small_network(int n, models::Activation activation = models::Activation::kTanh,
                                          bool piecewise = false) {
  const auto task = models::make_task("nbit_flipflop");
  models::RateRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = n;
  c.n_out = task->n_out();
  c.activation = activation;
  c.tau_ms = 3;
  models::RateRnnArtifact a{models::make_rate_rnn(c, {}, 3), {}, task->name(), task->param_values(), 3, {}, {}};
  a.network.weights().b_rec.setConstant(0.25f);
  quantize::QuantizeOptions q;
  q.weight_bits = 6;
  q.piecewise_linear = piecewise;
  return quantize::quantize_artifact(a, "generator-test", q);
}

quantize::QuantizedArtifact small_lif_network(int n, quantize::DecayForm decay, models::InputEncoding encoding) {
  const auto task = models::make_task("xor");
  models::LifRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = n;
  c.n_out = task->n_out();
  c.encoding = encoding;
  c.reset = models::ResetMode::kZero;
  c.refractory_steps = 2;
  const models::LifRnnArtifact a{models::make_lif_rnn(c, {}, 1), {}, task->name(), task->param_values(), 1, {}, {}};
  quantize::QuantizeOptions q;
  q.decay.form = decay;
  return quantize::quantize_artifact(a, "generator-test", q);
}

std::vector<std::string> lines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Lane l of a hex word whose lanes are `width` bits, sign-extended.
std::int64_t lane_value(const std::string& hex, int lane, int width) {
  const auto digits = static_cast<int>(hex.size());
  std::int64_t value = 0;
  for (int b = width - 1; b >= 0; --b) {
    const int bit = lane * width + b;
    const int digit = std::stoi(std::string(1, hex[static_cast<std::size_t>(digits - 1 - bit / 4)]), nullptr, 16);
    value = value * 2 + ((digit >> (bit % 4)) & 1);
  }
  if (value >> (width - 1)) value -= std::int64_t{1} << width;
  return value;
}

}  // namespace

TEST_CASE("memory images hold the codes in the lane layout", "[rtl][generator]") {
  nf::test::TempDir tmp;
  const auto q = small_network(7);
  rtl::generate_rtl(q, {3}, tmp / "rtl");
  const auto& net = std::get<quantize::IntegerRateRnn>(q.network);
  const auto& t = net.tensors();
  const int width = net.spec().w_rec.total_bits;
  const auto w_rec = lines(tmp / "rtl" / "w_rec.mem");
  REQUIRE(w_rec.size() == 3 * 7);  // ⌈7/3⌉ groups x N columns
  for (int g = 0; g < 3; ++g) {
    for (int j = 0; j < 7; ++j) {
      const std::string& word = w_rec[static_cast<std::size_t>(g * 7 + j)];
      CHECK(word.size() == static_cast<std::size_t>((3 * width + 3) / 4));
      for (int l = 0; l < 3; ++l) {
        const int unit = g * 3 + l;
        INFO("group " << g << " column " << j << " lane " << l);
        CHECK(lane_value(word, l, width) == (unit < 7 ? t.w_rec(unit, j) : 0));
      }
    }
  }
  const auto bias = lines(tmp / "rtl" / "b_rec.mem");
  REQUIRE(bias.size() == 3);
  CHECK(lane_value(bias[2], 0, net.spec().b_rec.total_bits) == t.b_rec(6));
  CHECK(lane_value(bias[2], 1, net.spec().b_rec.total_bits) == 0);
  const auto table = lines(tmp / "rtl" / "act_table.mem");
  REQUIRE(table.size() == net.spec().activation.entries.size());
  CHECK(lane_value(table[0], 0, net.spec().state.total_bits) == net.spec().activation.entries[0]);

  std::ifstream package(tmp / "rtl" / "nf_config_pkg.sv");
  const std::string text((std::istreambuf_iterator<char>(package)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::Contains("localparam int unsigned NumUnits = 7;") &&
                       Catch::Contains("localparam int unsigned Lanes = 3;") &&
                       Catch::Contains(fmt::format("localparam int unsigned LeakMultiplier = {};",
                                                   net.spec().leak_multiplier)));
  CHECK_THAT(text, Catch::Contains(fmt::format("cycles per timestep (quantize/cycle_model.hpp): {}",
                                               golden::rate_step_cycles({7, 3, 3, 3}))));
  CHECK_THAT(text, !Catch::Contains("always") && !Catch::Contains("module"));  // numbers only, no logic
}

TEST_CASE("LIF images hold the per-unit decays and the package the neuron's constants", "[rtl][generator]") {
  nf::test::TempDir tmp;
  const auto q = small_lif_network(5, quantize::DecayForm::kMultiplier, models::InputEncoding::kPoisson);
  rtl::generate_rtl(q, {2}, tmp / "rtl");
  const auto& net = std::get<quantize::IntegerLifRnn>(q.network);
  const auto& t = net.tensors();
  const int param_bits = net.spec().decay.multiplier_bits + 1;
  const auto beta = lines(tmp / "rtl" / "beta.mem");
  const auto alpha = lines(tmp / "rtl" / "alpha_syn.mem");
  REQUIRE(beta.size() == 5);
  REQUIRE(alpha.size() == 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(std::stoll(beta[static_cast<std::size_t>(i)], nullptr, 16) == t.beta(i));
    CHECK(std::stoll(alpha[static_cast<std::size_t>(i)], nullptr, 16) == t.alpha_syn(i));
    CHECK(beta[static_cast<std::size_t>(i)].size() == static_cast<std::size_t>((param_bits + 3) / 4));
  }
  const auto w_in = lines(tmp / "rtl" / "w_in.mem");
  REQUIRE(w_in.size() == 3 * 4);  // ⌈5/2⌉ groups x 4 encoded inputs (ON and OFF of 2)
  CHECK(lane_value(w_in[4 * 2 + 3], 0, net.spec().w_in.total_bits) == t.w_in(4, 3));
  CHECK(lane_value(w_in[4 * 2 + 3], 1, net.spec().w_in.total_bits) == 0);

  std::ifstream package(tmp / "rtl" / "nf_config_pkg.sv");
  const std::string text((std::istreambuf_iterator<char>(package)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::Contains("localparam int unsigned NumInputs = 4;") &&
                       Catch::Contains(fmt::format("localparam int Threshold = {};", net.spec().threshold)) &&
                       Catch::Contains(fmt::format("localparam int unsigned Kappa = {};", t.kappa)) &&
                       Catch::Contains("localparam int unsigned ResetSubtract = 0;") &&
                       Catch::Contains("localparam int unsigned RefractorySteps = 2;") &&
                       Catch::Contains("localparam int unsigned DecayForm = 1;"));
  CHECK_THAT(text, !Catch::Contains("always") && !Catch::Contains("module"));
  std::ifstream summary(tmp / "rtl" / "rtl.json");
  const std::string json((std::istreambuf_iterator<char>(summary)), std::istreambuf_iterator<char>());
  CHECK_THAT(json, Catch::Contains(fmt::format("\"all_spiking\": {}", golden::lif_step_cycles({5, 4, 1, 2}, 5, 5))));
}

namespace {

// `verilator --lint-only -Wall` prints nothing and Yosys synthesises for the iCE40.
void check_lint_and_synthesis(const fs::path& dir, const std::string& top, const fs::path& logs) {
  std::vector<std::string> files;
  for (const auto& line : lines(dir / "files.f")) files.push_back(line);

  std::vector<std::string> lint = {"verilator", "--lint-only", "-Wall", "--top-module", top};
  lint.insert(lint.end(), files.begin(), files.end());
  const ProcessResult linted = run_process(lint, logs / "lint.log", dir);
  INFO(last_lines(logs / "lint.log", 20));
  CHECK(linted.ok());
  CHECK(fs::file_size(logs / "lint.log") == 0);  // -Wall clean: not a single warning

  std::string script = "read_verilog -sv";
  for (const auto& f : files) script += " " + f;
  script += "; synth_ice40 -dsp -top " + top + "; stat";
  const ProcessResult synthesized = run_process({"yosys", "-q", "-p", script}, logs / "yosys.log", dir);
  INFO(last_lines(logs / "yosys.log", 20));
  CHECK(synthesized.ok());
}

}  // namespace

TEST_CASE("generated LIF configurations pass Verilator lint and Yosys synthesis", "[rtl][generator][lint]") {
  const bool shift = GENERATE(false, true);
  const int lanes = GENERATE(1, 4);
  INFO((shift ? "shift" : "multiplier") << " decay, " << lanes << " lanes");
  nf::test::TempDir tmp;
  rtl::generate_rtl(small_lif_network(12, shift ? quantize::DecayForm::kShift : quantize::DecayForm::kMultiplier,
                                      shift ? models::InputEncoding::kDelta : models::InputEncoding::kCurrent),
                    {lanes}, tmp / "rtl");
  check_lint_and_synthesis(tmp / "rtl", "nf_lif_top", tmp.path());
}

TEST_CASE("generated configurations pass Verilator lint and Yosys synthesis", "[rtl][generator][lint]") {
  const bool relu = GENERATE(false, true);
  const int lanes = GENERATE(1, 4);
  INFO((relu ? "relu" : "tanh") << ", " << lanes << " lanes");
  nf::test::TempDir tmp;
  const fs::path dir = tmp / "rtl";
  rtl::generate_rtl(small_network(16, relu ? models::Activation::kRelu : models::Activation::kTanh), {lanes}, dir);
  check_lint_and_synthesis(dir, "nf_rate_top", tmp.path());
}

TEST_CASE("networks and options the cores cannot run are refused clearly", "[rtl][generator]") {
  nf::test::TempDir tmp;
  const auto q = small_network(8);
  CHECK_THROWS_WITH(rtl::generate_rtl(q, {0}, tmp / "a"), Catch::Contains("--lanes: 0 is outside"));
  CHECK_THROWS_WITH(rtl::generate_rtl(q, {9}, tmp / "a"), Catch::Contains("9 lanes for 8 units"));
  CHECK_THROWS_WITH(rtl::generate_rtl(small_network(8, models::Activation::kTanh, true), {1}, tmp / "a"),
                    Catch::Contains("piecewise-linear"));
  CHECK(!fs::exists(tmp / "a"));  // nothing half-written
  const auto lif = small_lif_network(8, quantize::DecayForm::kShift, models::InputEncoding::kCurrent);
  CHECK_THROWS_WITH(rtl::generate_rtl(lif, {12}, tmp / "b"), Catch::Contains("12 lanes for 8 units"));
  CHECK(!fs::exists(tmp / "b"));
}

TEST_CASE("the configuration generate_rtl returns is what its files hold", "[rtl][generator]") {
  const nf::test::TempDir tmp;
  for (const bool lif : {false, true}) {
    INFO((lif ? "LIF" : "rate"));
    const quantize::QuantizedArtifact q =
        lif ? small_lif_network(10, quantize::DecayForm::kMultiplier, models::InputEncoding::kDelta)
            : small_network(10);
    const fs::path dir = tmp / (lif ? "lif" : "rate");
    const rtl::RtlConfiguration c = rtl::generate_rtl(q, {3}, dir);
    const rtl::RtlConfiguration computed = rtl::rtl_configuration(q, {3});  // writes nothing
    CHECK(computed.config_id == c.config_id);
    CHECK(computed.parameters.size() == c.parameters.size());
    CHECK(c.family == q.family());

    const auto summary = nlohmann::json::parse(read_text_file(dir / "rtl.json"));
    CHECK(summary.at("config_id").get<std::string>() == c.config_id_text());
    CHECK(summary.at("model_type").get<std::string>() == models::model_type_name(c.family));
    CHECK(summary.at("top").get<std::string>() == c.top);
    CHECK(summary.at("lanes").get<int>() == c.lanes);
    CHECK(summary.at("units").get<int>() == c.units);
    CHECK(summary.at("inputs").get<int>() == c.inputs);
    CHECK(summary.at("outputs").get<int>() == c.outputs);
    CHECK(summary.at("clear_cycles").get<int>() == c.clear_cycles);
    if (lif) {
      CHECK(summary.at("cycles_per_step").at("silent").get<std::int64_t>() == c.cycles_silent);
      CHECK(summary.at("cycles_per_step").at("all_spiking").get<std::int64_t>() == c.cycles_all_spiking);
    } else {
      CHECK(summary.at("cycles_per_step").get<std::int64_t>() == c.cycles_silent);
      CHECK(c.cycles_all_spiking == c.cycles_silent);
    }

    // Every localparam of the package, in order, then ConfigId.
    std::vector<std::string> expected;
    for (const auto& p : c.parameters) {
      expected.push_back(fmt::format("  localparam {} {} = {};", p.is_signed ? "int" : "int unsigned", p.name, p.value));
    }
    expected.push_back(fmt::format("  localparam int unsigned ConfigId = 32'h{};", c.config_id_text()));
    std::vector<std::string> written;
    for (const auto& line : lines(dir / "nf_config_pkg.sv")) {
      if (line.find("localparam") != std::string::npos) written.push_back(line);
    }
    CHECK(written == expected);
    CHECK(c.parameter("NumUnits") == 10);
    CHECK(c.parameter("Lanes") == 3);
    CHECK(c.input_width == c.parameter("InputWidth"));
    CHECK(c.output_width == c.parameter("OutputWidth"));
    CHECK(c.weight_width == c.parameter("WRecWidth"));
    CHECK(c.state_width == c.parameter(lif ? "MembraneWidth" : "StateWidth"));
    CHECK_THROWS_AS(c.parameter("NoSuchParameter"), std::out_of_range);
    const auto widths = c.widths();
    CHECK(widths.count("WRecWidth") == 1);
    CHECK(widths.count("DebugAddrWidth") == 0);
    CHECK(widths.count("Lanes") == 0);

    // The images: the files of the folder, each as deep as the configuration says.
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".mem") files.push_back(entry.path().filename().string());
    }
    std::sort(files.begin(), files.end());
    std::vector<std::string> images;
    for (const auto& image : c.images) {
      images.push_back(image.file);
      CHECK(static_cast<int>(lines(dir / image.file).size()) == image.words);
      CHECK(lines(dir / image.file).front().size() == static_cast<std::size_t>((image.word_bits + 3) / 4));
    }
    CHECK(images == files);
  }
}

// ConfigId hashes the package text and the images, and a board reports it:
// HIL refuses a board whose id is not the artifact's. A change of the
// generated text (a comment included) gives every network a new id and makes
// every flashed board fail its check, so the id of a checked-in network is
// pinned here (tests/data/rate-xor-n32, 8-bit weights, 4 lanes).
TEST_CASE("the config id of a checked-in network does not drift", "[rtl]") {
  quantize::QuantizeOptions options;
  options.weight_bits = 8;
  const quantize::QuantizedArtifact q = quantize::quantize_artifact(
      models::Artifact(test::trained_rate_network("rate-xor-n32")), "rate-xor-n32", options);
  CHECK(rtl::rtl_configuration(q, {4}).config_id_text() == "0cefd451");
}
