// step_operations (golden/step_operations.hpp): the operations and memory
// traffic of a golden-vector step, against numbers worked out by hand for tiny
// hand-written vector folders (rate: N 3, n_in 2, n_out 1; LIF: N 3, two
// Poisson inputs = 4 channels, n_out 2, R 1), its drift guard against the
// recorded counts, its errors, and agreement with the real golden model's
// recorded counts on every step of written vectors.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neurofab/golden/golden_vectors.hpp"
#include "neurofab/golden/step_operations.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "temp_dir.hpp"

using namespace nf;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// One signal of a hand-written folder: trials x steps x width values.
struct FakeSignal {
  std::string name;
  bool int64 = false;
  int width = 1;
  std::vector<std::int64_t> values;
};

json format(int total_bits) { return {{"total_bits", total_bits}, {"frac_bits", 0}, {"q", "Q"}}; }

// Writes vectors.json (only the fields step_operations and the reader need) and the .bin files.
void write_folder(const fs::path& dir, const json& header, const std::vector<FakeSignal>& signals) {
  json h = header;
  h["format"] = golden::kFormat;
  h["format_version"] = golden::kFormatVersion;
  h["signals"] = json::array();
  for (const FakeSignal& s : signals) {
    h["signals"].push_back({{"name", s.name}, {"dtype", s.int64 ? "int64" : "int32"}, {"width", s.width},
                            {"file", s.name + ".bin"}, {"format", nullptr}});
    std::ofstream out(dir / (s.name + ".bin"), std::ios::binary);
    for (const std::int64_t v : s.values) {
      auto u = static_cast<std::uint64_t>(v);
      for (int b = 0; b < (s.int64 ? 8 : 4); ++b, u >>= 8) out.put(static_cast<char>(u & 0xffU));
    }
  }
  std::ofstream(dir / "vectors.json") << h.dump(2);
}

// Rate: 1 trial x 2 steps. Per step N·n_in = 6 + N·N = 9 + n_out·N = 3 = 18 MACs, 3 table reads.
json rate_header(const std::string& activation) {
  return {{"model_type", "rate_rnn"},
          {"trials", 1},
          {"steps", 2},
          {"model", {{"n_in", 2}, {"n_rec", 3}, {"n_out", 1}, {"activation", activation}}},
          {"fixed_point",
           {{"formats",
             {{"input", format(16)}, {"W_in", format(8)}, {"W_rec", format(6)}, {"b_rec", format(10)},
              {"state", format(12)}, {"W_out", format(7)}, {"b_out", format(9)}, {"output", format(14)}}},
            {"accumulator_bits", 30},
            {"output_accumulator_bits", 24},
            {"activation", {{"function", activation}, {"piecewise_linear", false}, {"index_bits", 10}}},
            {"leak", {{"bits", 16}}}}}};
}

std::vector<FakeSignal> rate_signals(std::int64_t macs, std::int64_t table_lookups) {
  return {{"input", false, 2, {1, 2, 3, 4}},
          {"state", false, 3, {0, 0, 0, 0, 0, 0}},
          {"output", false, 1, {0, 0}},
          {"macs", true, 1, {macs, macs}},
          {"table_lookups", true, 1, {table_lookups, table_lookups}}};
}

// LIF, 1 trial x 3 steps, Poisson input (4 channels), R = 1:
//   step 0: X = 1 0 1 1 (E 3), spikes 1 0 1 (S 2), refractory after 1 0 1
//   step 1: X = 0 0 0 0 (E 0), units 0 and 2 refractory (R_prev 2), spikes 0 1 0 (S 1), refractory 0 1 0
//   step 2: X = 0 1 0 0 (E 1), unit 1 refractory (R_prev 1), no spikes
// Synaptic events N·E + N·S_prev + n_out·S: 9 + 0 + 4 = 13, 0 + 6 + 2 = 8, 3 + 3 + 0 = 6.
json lif_header(const std::string& encoding) {
  return {{"model_type", "lif_rnn"},
          {"trials", 1},
          {"steps", 3},
          {"model", {{"n_in", 2}, {"n_rec", 3}, {"n_out", 2}, {"input_encoding", encoding}, {"refractory_steps", 1}}},
          {"fixed_point",
           {{"formats",
             {{"input", format(2)}, {"W_in", format(8)}, {"W_rec", format(6)}, {"b_rec", format(10)},
              {"current", format(12)}, {"membrane", format(14)}, {"W_out", format(7)}, {"b_out", format(9)},
              {"output", format(16)}}},
            {"accumulator_bits", 28},
            {"decay", {{"form", "multiplier"}, {"multiplier_bits", 12}}}}}};
}

std::vector<FakeSignal> lif_signals(std::vector<std::int64_t> events, std::vector<std::int64_t> input_macs) {
  return {{"input", false, 4, {1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0}},
          {"spikes", false, 3, {1, 0, 1, 0, 1, 0, 0, 0, 0}},
          {"refractory", false, 3, {1, 0, 1, 0, 1, 0, 0, 0, 0}},
          {"output", false, 2, {0, 0, 0, 0, 0, 0}},
          {"input_macs", true, 1, std::move(input_macs)},
          {"synaptic_events", true, 1, std::move(events)},
          {"decays", true, 1, {8, 8, 8}},  // 2N + n_out, refractory units included
          {"spike_count", true, 1, {2, 1, 0}}};
}

std::vector<std::string> operation_names(const golden::StepOperations& ops) {
  std::vector<std::string> names;
  for (const auto& o : ops.operations) names.push_back(o.name);
  return names;
}

std::vector<std::string> memory_names(const golden::StepOperations& ops) {
  std::vector<std::string> names;
  for (const auto& m : ops.memories) names.push_back(m.memory);
  return names;
}

}  // namespace

TEST_CASE("step operations: a tiny rate network, by hand", "[golden][step_operations]") {
  test::TempDir tmp;
  write_folder(tmp.path(), rate_header("tanh"), rate_signals(18, 3));
  const auto v = golden::GoldenTrace::load(tmp.path().string());

  const golden::StepOperations ops = golden::step_operations(v, 0, 1, 2);
  CHECK(operation_names(ops) ==
        std::vector<std::string>{"mac_input", "mac_recurrent", "mac_readout", "leak", "table_lookup", "activation"});
  CHECK(memory_names(ops) ==
        std::vector<std::string>{"w_in", "w_rec", "b_rec", "w_out", "b_out", "act_table", "state"});
  CHECK(ops.count("mac_input") == 6);
  CHECK(ops.count("mac_recurrent") == 9);
  CHECK(ops.count("mac_readout") == 3);
  CHECK(ops.count("leak") == 3);
  CHECK(ops.count("table_lookup") == 3);
  CHECK(ops.count("activation") == 3);
  CHECK(ops.operation("mac_input").operand_bits == 8);
  CHECK(ops.operation("mac_input").second_operand_bits == 16);
  CHECK(ops.operation("mac_recurrent").operand_bits == 6);
  CHECK(ops.operation("mac_recurrent").second_operand_bits == 12);
  CHECK(ops.operation("mac_recurrent").accumulator_bits == 30);
  CHECK(ops.operation("mac_readout").accumulator_bits == 24);
  CHECK(ops.operation("leak").second_operand_bits == 17);

  const auto memory = [&](const char* name, int width, std::int64_t reads, std::int64_t writes) {
    INFO(name);
    CHECK(ops.memory(name).width_bits == width);
    CHECK(ops.memory(name).reads == reads);
    CHECK(ops.memory(name).writes == writes);
  };
  memory("w_in", 8, 6, 0);
  memory("w_rec", 6, 9, 0);
  memory("b_rec", 10, 3, 0);
  memory("w_out", 7, 3, 0);
  memory("b_out", 9, 1, 0);
  memory("act_table", 12, 3, 0);
  memory("state", 12, 6, 3);  // two unit groups each read every old h_j

  // Only the state reads depend on the lanes: one group of 3 lanes, or 3 groups of 1.
  CHECK(golden::step_operations(v, 0, 0, 3).memory("state").reads == 3);
  CHECK(golden::step_operations(v, 0, 0).memory("state").reads == 9);
  CHECK(golden::step_operations(v, 0, 0, 3).count("mac_recurrent") == 9);

  const golden::StepOperations total = golden::total_operations(v, 2);
  CHECK(total.count("mac_input") == 12);
  CHECK(total.memory("state").reads == 12);
  CHECK(total.memory("state").writes == 6);
  const json j = golden::to_json(total);
  CHECK(j.at("operations").at(1).at("name") == "mac_recurrent");
  CHECK(j.at("operations").at(1).at("count") == 18);
  CHECK(j.at("memories").at(6).at("reads") == 12);
}

TEST_CASE("step operations: relu has no table reads", "[golden][step_operations]") {
  test::TempDir tmp;
  write_folder(tmp.path(), rate_header("relu"), rate_signals(18, 0));
  const auto v = golden::GoldenTrace::load(tmp.path().string());
  const golden::StepOperations ops = golden::step_operations(v, 0, 0);
  CHECK(ops.count("table_lookup") == 0);
  CHECK(ops.memory("act_table").reads == 0);
  CHECK(ops.count("activation") == 3);
}

TEST_CASE("step operations: a tiny LIF network with spike input, by hand", "[golden][step_operations]") {
  test::TempDir tmp;
  write_folder(tmp.path(), lif_header("poisson"), lif_signals({13, 8, 6}, {0, 0, 0}));
  const auto v = golden::GoldenTrace::load(tmp.path().string());

  const std::vector<golden::StepOperations> steps = {golden::step_operations(v, 0, 0, 2),
                                                     golden::step_operations(v, 0, 1, 2),
                                                     golden::step_operations(v, 0, 2, 2)};
  CHECK(operation_names(steps[0]) == std::vector<std::string>{"mac_input", "synop_input", "synop_recurrent",
                                                              "synop_readout", "decay", "threshold", "spike"});
  CHECK(memory_names(steps[0]) == std::vector<std::string>{"w_in", "w_rec", "b_rec", "w_out", "b_out", "beta",
                                                           "alpha_syn", "state", "spike_list"});
  struct Expected {
    std::int64_t synop_input, synop_recurrent, synop_readout, decay, threshold, spike, beta, list_reads, list_writes;
  };
  // decay = N + (N − R_prev) + n_out; list reads = G·S_prev + G_o·S with G = 2, G_o = 1.
  const Expected expected[] = {{9, 0, 4, 8, 3, 2, 3, 2, 2}, {0, 6, 2, 6, 1, 1, 1, 5, 1}, {3, 3, 0, 7, 2, 0, 2, 2, 0}};
  for (int t = 0; t < 3; ++t) {
    INFO("step " << t);
    const golden::StepOperations& ops = steps[static_cast<std::size_t>(t)];
    const Expected& e = expected[t];
    CHECK(ops.count("mac_input") == 0);
    CHECK(ops.count("synop_input") == e.synop_input);
    CHECK(ops.count("synop_recurrent") == e.synop_recurrent);
    CHECK(ops.count("synop_readout") == e.synop_readout);
    CHECK(ops.count("decay") == e.decay);
    CHECK(ops.count("threshold") == e.threshold);
    CHECK(ops.count("spike") == e.spike);
    CHECK(ops.memory("w_in").reads == e.synop_input);
    CHECK(ops.memory("w_rec").reads == e.synop_recurrent);
    CHECK(ops.memory("w_out").reads == e.synop_readout);
    CHECK(ops.memory("b_rec").reads == 3);
    CHECK(ops.memory("b_out").reads == 2);
    CHECK(ops.memory("beta").reads == e.beta);
    CHECK(ops.memory("alpha_syn").reads == 3);
    CHECK(ops.memory("state").reads == 3);
    CHECK(ops.memory("state").writes == 3);
    CHECK(ops.memory("spike_list").reads == e.list_reads);
    CHECK(ops.memory("spike_list").writes == e.list_writes);
  }
  // Widths: one state word {s, c, v, I} = 1 + 1 + 14 + 12; a unit index of N = 3 is 2 bits; d_q ≤ 2^12 is 13 bits.
  CHECK(steps[0].memory("state").width_bits == 28);
  CHECK(steps[0].memory("spike_list").width_bits == 2);
  CHECK(steps[0].memory("beta").width_bits == 13);
  CHECK(steps[0].operation("decay").operand_bits == 16);
  CHECK(steps[0].operation("decay").second_operand_bits == 13);
  CHECK(steps[0].operation("synop_recurrent").accumulator_bits == 28);
  // One lane: every unit walks the list (3·2 + 2·1 = 8 reads in step 1).
  CHECK(golden::step_operations(v, 0, 1).memory("spike_list").reads == 8);
}

TEST_CASE("step operations: a LIF network with current input", "[golden][step_operations]") {
  test::TempDir tmp;
  // Current input: N·n_x = 12 MACs per step whatever the codes; synaptic events only from spikes.
  write_folder(tmp.path(), lif_header("current"), lif_signals({4, 8, 3}, {12, 12, 12}));
  const auto v = golden::GoldenTrace::load(tmp.path().string());
  const golden::StepOperations ops = golden::step_operations(v, 0, 2, 2);
  CHECK(ops.count("mac_input") == 12);
  CHECK(ops.count("synop_input") == 0);
  CHECK(ops.memory("w_in").reads == 12);
  CHECK(ops.count("synop_recurrent") == 3);
}

TEST_CASE("step operations: a count that disagrees with the recorded one is refused", "[golden][step_operations]") {
  test::TempDir tmp;
  SECTION("rate MACs") {
    write_folder(tmp.path(), rate_header("tanh"), rate_signals(17, 3));
    const auto v = golden::GoldenTrace::load(tmp.path().string());
    CHECK_THROWS_WITH(golden::step_operations(v, 0, 0),
                      Catch::Contains("mac_input + mac_recurrent + mac_readout counted 18, the vectors record 17"));
  }
  SECTION("rate table") {
    write_folder(tmp.path(), rate_header("relu"), rate_signals(18, 3));
    const auto v = golden::GoldenTrace::load(tmp.path().string());
    CHECK_THROWS_WITH(golden::step_operations(v, 0, 1), Catch::Contains("table_lookup counted 0"));
  }
  SECTION("LIF synaptic events") {
    write_folder(tmp.path(), lif_header("poisson"), lif_signals({13, 9, 6}, {0, 0, 0}));
    const auto v = golden::GoldenTrace::load(tmp.path().string());
    CHECK_NOTHROW(golden::step_operations(v, 0, 0));
    CHECK_THROWS_WITH(golden::step_operations(v, 0, 1), Catch::Contains("trial 0 step 1: synop_input"));
  }
}

TEST_CASE("step operations: missing fields and bad arguments are named", "[golden][step_operations]") {
  test::TempDir tmp;
  json header = rate_header("tanh");
  header["fixed_point"]["formats"].erase("W_rec");
  write_folder(tmp.path(), header, rate_signals(18, 3));
  const auto v = golden::GoldenTrace::load(tmp.path().string());
  CHECK_THROWS_AS(golden::step_operations(v, 0, 0), std::runtime_error);
  CHECK_THROWS_WITH(golden::step_operations(v, 0, 0), Catch::Contains("fixed_point.formats.W_rec"));
  CHECK_THROWS_AS(golden::step_operations(v, 0, 2), std::out_of_range);
  CHECK_THROWS_AS(golden::step_operations(v, 0, 0, 0), std::invalid_argument);

  test::TempDir tmp2;
  write_folder(tmp2.path(), rate_header("tanh"), {{"input", false, 2, {1, 2, 3, 4}}, {"state", false, 3, {0, 0, 0, 0, 0, 0}},
                                                  {"output", false, 1, {0, 0}}});
  const auto no_counts = golden::GoldenTrace::load(tmp2.path().string());
  CHECK_THROWS_WITH(golden::step_operations(no_counts, 0, 0), Catch::Contains("no signal 'macs'"));

  test::TempDir tmp3;
  write_folder(tmp3.path(), rate_header("tanh"), rate_signals(18, 3));
  const auto ok = golden::step_operations(golden::GoldenTrace::load(tmp3.path().string()), 0, 0);
  CHECK_THROWS_AS(ok.count("synop_input"), std::out_of_range);
  CHECK_THROWS_WITH(ok.memory("spike_list"), Catch::Contains("known: w_in, w_rec"));
}

TEST_CASE("step operations: every step of real golden vectors agrees with the recorded counts",
          "[golden][step_operations]") {
  const auto task = models::make_task("xor");
  test::TempDir tmp;
  SECTION("rate") {
    models::RateRnnConfig c;
    c.n_in = task->n_in();
    c.n_rec = 7;
    c.n_out = task->n_out();
    const models::RateRnnArtifact a{models::make_rate_rnn(c, {}, 5), {}, task->name(), task->param_values(), 5, {}, {}};
    golden::write_golden_vectors(quantize::quantize_artifact(a, "test", {}), 2, 5, tmp / "v");
  }
  SECTION("LIF, Poisson input, refractory") {
    models::LifRnnConfig c;
    c.n_in = task->n_in();
    c.n_rec = 9;
    c.n_out = task->n_out();
    c.encoding = models::InputEncoding::kPoisson;
    c.refractory_steps = 2;
    auto network = models::make_lif_rnn(c, {}, 5);
    network.weights().b_rec.setConstant(0.2f);  // spiking, so refractory units occur
    const models::LifRnnArtifact a{std::move(network), {}, task->name(), task->param_values(), 5, {}, {}};
    golden::write_golden_vectors(quantize::quantize_artifact(a, "test", {}), 2, 5, tmp / "v");
  }
  const auto v = golden::GoldenTrace::load((tmp / "v").string());
  std::int64_t checked = 0;
  for (int trial = 0; trial < v.trials(); ++trial)
    for (int step = 0; step < v.steps(); ++step) {
      REQUIRE_NOTHROW(golden::step_operations(v, trial, step, 3));  // throws on any disagreement
      ++checked;
    }
  CHECK(checked == static_cast<std::int64_t>(v.trials()) * v.steps());
  if (v.model_type() == "lif_rnn") {
    const golden::StepOperations total = golden::total_operations(v, 3);
    CHECK(total.count("spike") > 0);
    CHECK(total.count("threshold") < 9LL * v.trials() * v.steps());  // refractory units skip the compare
  }
}
