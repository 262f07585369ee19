// The system top (core + UART host link) on the virtual board: the Verilated
// nf_{rate,lif}_system behind a pseudo-terminal, driven by the same host
// driver and serial-port code a real board gets (docs/host-link.md).
//
//   - hardware in the loop over whole task trials: every output, step cycle
//     count, overflow count and state value equal to the golden model;
//   - the protocol: every command, and every kind of malformed input gets
//     exactly one error frame and the link recovers;
//   - stray bytes on the line before the first request (a board that just
//     configured, a run cut short) are drained, INFO is asked again, and the
//     run has 0 mismatches;
//   - a board that carries another network is refused.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "neurofab/common/error.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/sim/hil.hpp"
#include "neurofab/sim/serial_port.hpp"
#include "neurofab/sim/virtual_board.hpp"
#include "run_command.hpp"
#include "stress_networks.hpp"
#include "temp_dir.hpp"
#include "test_data.hpp"
#include "test_seed.hpp"

using namespace nf;
using namespace std::chrono_literals;

namespace {

// tests/data: trained as briefly_trained_network(task, units, default config, 30 (rate) or 20 (LIF) epochs).
quantize::QuantizedArtifact trained_rate(const std::string& task, int units) {
  return quantize::quantize_artifact(test::trained_rate_network(fmt::format("rate-{}-n{}", task, units)),
                                     "virtual-board-test", {});
}

quantize::QuantizedArtifact trained_lif(const std::string& task, int units) {
  return quantize::quantize_artifact(test::trained_lif_network(fmt::format("lif-{}-n{}", task, units)),
                                     "virtual-board-test", {});
}

quantize::QuantizedArtifact random_rate(int units, std::uint64_t bias_seed) {
  return quantize::quantize_artifact(test::random_rate_network("xor", units, {}, 1.2, bias_seed),
                                     "virtual-board-test", {});
}

sim::VirtualBoardOptions board_options(int lanes, int clocks_per_bit) {
  sim::VirtualBoardOptions o;
  o.lanes = lanes;
  o.clocks_per_bit = clocks_per_bit;
  o.cache_dir = NF_TEST_CACHE_DIR;
  return o;
}

void check_hil(const quantize::QuantizedArtifact& q, const sim::VirtualBoardOptions& board_opts, int trials,
               sim::StateCheck state) {
  const sim::VirtualBoard board(q, board_opts);
  sim::SerialPort port(board.port(), 115200);
  sim::HostLink link(port, 5000ms);
  sim::HilOptions o;
  o.trials = trials;
  o.state = state;
  const sim::HilResult r = sim::run_hil(q, link, o);
  INFO(board.log());
  for (const auto& m : r.first_mismatches) {
    UNSCOPED_INFO(fmt::format("trial {} step {}: {} [{}] expected {} actual {}", m.trial, m.step, m.what, m.index,
                              m.expected, m.actual));
  }
  CHECK(r.mismatches == 0);
  CHECK(r.trials == trials);
  CHECK(r.timesteps == static_cast<std::int64_t>(trials) * r.steps_per_trial);
  CHECK(r.steps_per_trial > 0);
  // Outputs, cycles and overflow per step, plus the state reads.
  CHECK(r.values_compared >= r.timesteps * (r.board.outputs + 2));
  CHECK(r.board_success_rate == r.golden_success_rate);
  CHECK(r.timesteps_per_second > 0);
}

// The next frame must be exactly this error, and nothing may follow it.
void expect_error(sim::HostLink& link, sim::LinkErrorCode code, int command) {
  const sim::Frame f = link.receive(5000ms);
  INFO(fmt::format("response code 0x{:02x}, {} payload bytes", f.code, f.payload.size()));
  REQUIRE(f.code == sim::kErrorResponse);
  REQUIRE(f.payload.size() == 2);
  CHECK(f.payload[0] == static_cast<std::uint8_t>(code));
  if (command >= 0) CHECK(f.payload[1] == command);
  CHECK(link.drain(50ms) == 0);  // one error frame, not a stream of them
}

}  // namespace

TEST_CASE("virtual board HIL: trained rate flip-flop, whole trials, every state value", "[sim][rtl][board]") {
  check_hil(trained_rate("flipflop", 24), board_options(2, 16), 2, sim::StateCheck::kEvery);
}

TEST_CASE("virtual board HIL: trained LIF XOR, whole trials, every state value", "[sim][rtl][board]") {
  check_hil(trained_lif("xor", 24), board_options(4, 16), 3, sim::StateCheck::kEvery);
}

TEST_CASE("virtual board HIL: the iCEBreaker's UART timing (104 clocks per bit)", "[sim][rtl][board]") {
  check_hil(random_rate(16, 5), board_options(4, 104), 2, sim::StateCheck::kLast);
}

TEST_CASE("virtual board: every command of the host link", "[sim][rtl][board]") {
  const auto q = random_rate(8, 3);
  const auto& net = std::get<quantize::IntegerRateRnn>(q.network);
  const sim::VirtualBoard board(q, board_options(2, 8));
  sim::SerialPort port(board.port(), 115200);
  sim::HostLink link(port, 5000ms);
  INFO(board.log());

  const sim::BoardInfo info = link.info();
  CHECK(info.version == 1);
  CHECK(info.family == 0);
  CHECK(info.units == 8);
  CHECK(info.inputs == net.config().n_in);
  CHECK(info.outputs == net.config().n_out);
  CHECK(info.lanes == 2);
  CHECK(info.input_bits == net.spec().input.total_bits);
  CHECK(info.output_bits == net.spec().output.total_bits);
  CHECK(info.config_id == sim::expected_config_id(q, 2));

  // The golden model on a constant input for 5 steps.
  const std::vector<std::int32_t> x = {static_cast<std::int32_t>(net.spec().input.max_code() / 2),
                                       static_cast<std::int32_t>(net.spec().input.min_code() / 3)};
  auto state = net.initial_state();
  std::vector<std::int32_t> y(static_cast<std::size_t>(net.config().n_out));
  for (int t = 0; t < 5; ++t) net.step(x.data(), state, y.data());
  const std::vector<std::int64_t> inputs(x.begin(), x.end());

  // LOAD + RUN 5 and 5 STEPs after a CLEAR give the golden model's y, h and counters.
  link.clear();
  link.load(inputs);
  const sim::StepReport run = link.run(5);
  CHECK(std::vector<std::int64_t>(y.begin(), y.end()) == run.outputs);
  CHECK(run.overflow_events == static_cast<std::uint32_t>(state.overflow.events));
  const auto h = link.read_state(sim::kSelectState, 0, 8);
  for (int i = 0; i < 8; ++i) CHECK(h[static_cast<std::size_t>(i)] == state.h(i));
  CHECK(link.read_state(sim::kSelectOutput, 0, 1)[0] == y[0]);
  sim::Counters c = link.read_counters();
  CHECK(c.steps == 5);
  CHECK(c.last_step_cycles == run.step_cycles);
  CHECK(c.overflow_events == static_cast<std::uint32_t>(state.overflow.events));
  link.clear();
  sim::StepReport step;
  for (int t = 0; t < 5; ++t) step = link.step(inputs);
  CHECK(step.outputs == run.outputs);
  CHECK(link.read_counters().steps == 5);
  CHECK(link.read_state(sim::kSelectState, 3, 2) == std::vector<std::int32_t>{state.h(3), state.h(4)});

  // The cycle counter runs from reset: RESET restarts it, CLEAR does not.
  const std::uint64_t before = link.read_counters().cycles;
  link.clear();
  CHECK(link.read_counters().cycles > before);
  link.reset();
  c = link.read_counters();
  CHECK(c.cycles < before);
  CHECK(c.steps == 0);
  link.clear();
  CHECK(link.step(inputs).outputs.size() == 1);
}

TEST_CASE("virtual board: malformed input gets one error frame and the link recovers", "[sim][rtl][board]") {
  const std::uint64_t seed = nf::test::test_seed(20261230);  // printed; NEUROFAB_TEST_SEED replays another
  INFO("seed " << seed << " (NEUROFAB_TEST_SEED=" << seed << " replays this run)");
  std::mt19937_64 rng(seed);
  const auto q = random_rate(8, 3);
  const sim::VirtualBoard board(q, board_options(2, 8));
  sim::SerialPort port(board.port(), 115200);
  sim::HostLink link(port, 5000ms);
  INFO(board.log());
  const sim::BoardInfo info = link.info();
  const auto recovered = [&] { CHECK(link.info().config_id == info.config_id); };

  SECTION("a bad checksum") {
    sim::Bytes frame = sim::encode_frame(0x01, {});
    frame.back() ^= static_cast<std::uint8_t>(1 + rng() % 255);
    link.send_raw(frame);
    expect_error(link, sim::LinkErrorCode::kBadChecksum, 0x01);
    recovered();
  }
  SECTION("a corrupted payload byte of a STEP") {
    sim::Bytes frame = sim::encode_frame(0x06, {1, 0, 2, 0});
    frame[4 + rng() % 4] ^= static_cast<std::uint8_t>(1U << (rng() % 8));
    link.send_raw(frame);
    expect_error(link, sim::LinkErrorCode::kBadChecksum, 0x06);
    CHECK(link.read_counters().steps == 0);  // it never ran
    recovered();
  }
  SECTION("a truncated frame") {
    const sim::Bytes frame = sim::encode_frame(0x06, {1, 0, 2, 0});
    link.send_raw(sim::Bytes(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(1 + rng() % 7)));
    expect_error(link, sim::LinkErrorCode::kTruncated, -1);
    recovered();
  }
  SECTION("an oversized frame") {
    sim::Bytes frame = {sim::kFrameSync, 0x04};
    sim::append_le(frame, 1000, 2);
    for (int k = 0; k < 1000; ++k) frame.push_back(static_cast<std::uint8_t>(rng()));
    link.send_raw(frame);
    expect_error(link, sim::LinkErrorCode::kOversized, -1);
    recovered();
  }
  SECTION("garbage") {
    sim::Bytes garbage(1 + rng() % 64);
    for (auto& b : garbage) b = static_cast<std::uint8_t>(rng() % sim::kFrameSync);  // no sync byte
    link.send_raw(garbage);
    expect_error(link, sim::LinkErrorCode::kGarbage, -1);
    recovered();
  }
  SECTION("an unknown command") {
    link.send_raw(sim::encode_frame(0x42, {}));
    expect_error(link, sim::LinkErrorCode::kUnknownCommand, 0x42);
    recovered();
  }
  SECTION("a payload of the wrong length") {
    link.send_raw(sim::encode_frame(0x01, {0}));
    expect_error(link, sim::LinkErrorCode::kBadLength, 0x01);
    link.send_raw(sim::encode_frame(0x06, {1, 0}));
    expect_error(link, sim::LinkErrorCode::kBadLength, 0x06);
    recovered();
  }
  SECTION("bad arguments") {
    link.send_raw(sim::encode_frame(0x05, {0, 0}));  // RUN 0 steps
    expect_error(link, sim::LinkErrorCode::kBadArgument, 0x05);
    link.send_raw(sim::encode_frame(0x07, {6, 0, 0, 1, 0}));  // READ_STATE of an unknown select
    expect_error(link, sim::LinkErrorCode::kBadArgument, 0x07);
    link.send_raw(sim::encode_frame(0x07, {0, 0, 0, 0, 0}));  // READ_STATE of 0 values
    expect_error(link, sim::LinkErrorCode::kBadArgument, 0x07);
    recovered();
  }
  SECTION("bytes sent while a command runs") {
    sim::Bytes run = {0x00, 0x10};  // RUN 4096 steps
    link.send_raw(sim::encode_frame(0x05, run));
    link.send_raw(sim::encode_frame(0x01, {}));  // does not wait for the response
    const sim::Frame report = link.receive(20000ms);
    CHECK(report.code == 0x85);
    expect_error(link, sim::LinkErrorCode::kGarbage, -1);
    CHECK(link.read_counters().steps == 4096);
    recovered();
  }
}

TEST_CASE("virtual board HIL: stray bytes before the first request are drained and INFO asked again",
          "[sim][rtl][board]") {
  const auto q = random_rate(8, 3);
  const sim::VirtualBoard board(q, board_options(2, 8));
  sim::SerialPort port(board.port(), 115200);
  sim::HostLink link(port, 5000ms);
  INFO(board.log());
  const sim::Bytes step = sim::encode_frame(0x06, {1, 0, 2, 0});
  std::uint64_t at_least = 0;  // stray bytes the host must have seen and dropped
  int min_attempts = 1;

  SECTION("a stray byte (a board that just configured)") {
    // What the first contact is for: INFO right after a stray byte gets the board's GARBAGE error frame.
    link.send_raw({0x00});
    CHECK_THROWS_AS(link.info(), sim::LinkError);
    link.send_raw({0x00});
    at_least = 7;  // the error frame of the second stray byte
  }
  SECTION("a partial request (a host cut short inside a frame)") {
    link.send_raw(sim::Bytes(step.begin(), step.begin() + 3));
    at_least = 7;  // TRUNCATED
  }
  SECTION("a command still running whose response nobody reads (a run cut short)") {
    link.send_raw(sim::encode_frame(0x05, {0x00, 0x04}));  // RUN 1024 steps
    at_least = 15;  // the step report
  }
  SECTION("a longer command still running: the first INFO goes into it, and is asked again") {
    // RUN 32768 steps, ~2·10^6 cycles: silent for longer than the drain's quiet time (100 ms), and
    // (the simulation runs a few 10^6 cycles/s) usually shorter than the timeout; a third attempt covers a slow run.
    link.send_raw(sim::encode_frame(0x05, {0x00, 0x80}));
    at_least = 15 + 7;  // the step report (taken for INFO's answer), GARBAGE for the INFO sent meanwhile
    min_attempts = 2;
  }
  sim::HilOptions o;
  o.trials = 1;
  const sim::HilResult r = sim::run_hil(q, link, o);
  INFO(fmt::format("first contact: {} attempts, {} stray bytes", r.connect_attempts, r.stray_bytes));
  CHECK(r.mismatches == 0);
  CHECK(r.timesteps == r.steps_per_trial);
  CHECK(r.board_success_rate == r.golden_success_rate);
  CHECK(r.connect_attempts >= min_attempts);
  CHECK(r.connect_attempts <= sim::HostLink::kConnectAttempts);
  CHECK(r.stray_bytes >= at_least);
}

TEST_CASE("virtual board: HIL refuses a board that carries another network", "[sim][rtl][board]") {
  const auto on_board = random_rate(8, 3);
  const auto other = random_rate(8, 4);  // same shape, other biases
  const sim::VirtualBoard board(on_board, board_options(2, 8));
  sim::SerialPort port(board.port(), 115200);
  sim::HostLink link(port, 5000ms);
  sim::HilOptions o;
  o.trials = 1;
  try {
    sim::run_hil(other, link, o);
    FAIL("another network's board must be refused");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("config id") && Catch::Contains("rebuild"));
  }
  CHECK(sim::expected_config_id(on_board, 2) != sim::expected_config_id(other, 2));
  CHECK(sim::expected_config_id(on_board, 2) != sim::expected_config_id(on_board, 1));
}

TEST_CASE("neurofab hil: a run on the virtual board, and bad ports named", "[sim][rtl][board][cli]") {
  const test::TempDir dir;
  quantize::save_quantized(dir / "q", random_rate(8, 3));
  const std::string cli = NF_CLI_PATH;
  const std::string q = (dir / "q").string();

  const auto run = test::run_command(fmt::format("{} hil {} --virtual --lanes 2 --clocks-per-bit 8 --trials 1 "
                                                 "--state every --cache {} --json",
                                                 cli, q, NF_TEST_CACHE_DIR));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.output);
  CHECK(j.at("mismatches") == 0);
  CHECK(j.at("timesteps").get<int>() == j.at("steps_per_trial").get<int>());
  CHECK(j.at("board").at("config_id") == fmt::format("{:08x}", sim::expected_config_id(random_rate(8, 3), 2)));

  const auto no_port = test::run_command(fmt::format("{} hil {} 2>&1", cli, q));
  CHECK(no_port.exit_code == 1);
  CHECK_THAT(no_port.output, Catch::Contains("--port") && Catch::Contains("--virtual"));
  const auto missing = test::run_command(fmt::format("{} hil {} --port /dev/nonexistent-tty 2>&1", cli, q));
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output, Catch::Contains("/dev/nonexistent-tty") && Catch::Contains("cannot open"));
  const auto baud = test::run_command(fmt::format("{} hil {} --port /dev/null --baud 12345 2>&1", cli, q));
  CHECK(baud.exit_code == 1);
  CHECK_THAT(baud.output, Catch::Contains("--baud"));
  const auto not_tty = test::run_command(fmt::format("{} hil {} --port /dev/null 2>&1", cli, q));
  CHECK(not_tty.exit_code == 1);
  CHECK_THAT(not_tty.output, Catch::Contains("not a terminal"));
}
