// The host side of the UART host link without a board (docs/host-link.md):
// CRC-8, frame encoding, the incremental parser, the driver's requests
// against a scripted byte port, and the first contact (HostLink::connect:
// stray bytes drained, INFO retried, a clear error for a port that answers
// garbage or nothing) against scripted ports and, through `neurofab hil`, a
// pseudo-terminal that sends only garbage. The board side is tested through
// the virtual board in test_virtual_board.cpp.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <random>
#include <string>
#include <thread>

#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/sim/host_link.hpp"
#include "run_command.hpp"
#include "stress_networks.hpp"
#include "temp_dir.hpp"
#include "test_seed.hpp"

using namespace nf::sim;

namespace {

// Answers each written frame with the next scripted response (in pieces, like a UART).
class ScriptedPort : public BytePort {
 public:
  std::vector<Bytes> written;
  std::deque<Bytes> responses;

  // Bytes on the line before any request (a board that just configured, a run cut short).
  void arrive(const Bytes& bytes) { pending_.insert(pending_.end(), bytes.begin(), bytes.end()); }
  std::string name() const override { return "/dev/ttyTEST"; }

  void write(const Bytes& bytes) override {
    written.push_back(bytes);
    if (!responses.empty()) {
      pending_.insert(pending_.end(), responses.front().begin(), responses.front().end());
      responses.pop_front();
    }
  }
  std::size_t read_some(Bytes& into, std::chrono::milliseconds) override {
    const std::size_t n = std::min<std::size_t>(3, pending_.size());
    into.insert(into.end(), pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
    return n;
  }

 private:
  Bytes pending_;
};

// A port whose line never goes quiet: every read returns random bytes (a wrong
// baud rate on a busy line, another device).
class BabblingPort : public BytePort {
 public:
  explicit BabblingPort(std::uint64_t seed) : rng_(seed) {}
  int requests = 0;
  void write(const Bytes&) override { ++requests; }
  std::size_t read_some(Bytes& into, std::chrono::milliseconds) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (int k = 0; k < 16; ++k) into.push_back(static_cast<std::uint8_t>(rng_()));
    return 16;
  }
  std::string name() const override { return "/dev/ttyBABBLE"; }

 private:
  std::mt19937_64 rng_;
};

Bytes info_payload(std::uint8_t version = 1) {
  Bytes p = {version, 0};  // version, rate
  append_le(p, 50, 2);
  append_le(p, 2, 2);
  append_le(p, 1, 2);
  append_le(p, 4, 2);
  p.push_back(12);  // input bits: 2 bytes each
  p.push_back(9);   // output bits: 2 bytes each
  append_le(p, 0x43d5fc4aU, 4);
  return p;
}

}  // namespace

TEST_CASE("host link: CRC-8/SMBUS check value and frame layout", "[sim][host_link]") {
  const std::string check = "123456789";
  CHECK(crc8(reinterpret_cast<const std::uint8_t*>(check.data()), check.size()) == 0xF4);
  const Bytes frame = encode_frame(0x06, {0x34, 0x12, 0xFF});
  REQUIRE(frame.size() == 8);
  CHECK(frame[0] == 0xA5);
  CHECK(frame[1] == 0x06);
  CHECK(frame[2] == 3);
  CHECK(frame[3] == 0);
  CHECK(frame[4] == 0x34);
  CHECK(frame[7] == crc8(frame.data() + 1, 6));
  // The CRC of a frame including its CRC byte is 0 (no final XOR): a receiver can check either way.
  CHECK(crc8(frame.data() + 1, 7) == 0);
}

TEST_CASE("host link: little-endian fields and sign extension", "[sim][host_link]") {
  Bytes b;
  append_le(b, static_cast<std::uint64_t>(-3), 2);
  append_le(b, 0x01020304U, 4);
  CHECK(b == Bytes{0xFD, 0xFF, 0x04, 0x03, 0x02, 0x01});
  CHECK(read_signed(b, 0, 2) == -3);
  CHECK(read_unsigned(b, 0, 2) == 0xFFFD);
  CHECK(read_signed(b, 2, 4) == 0x01020304);
  CHECK(bytes_for_bits(9) == 2);
  CHECK(bytes_for_bits(8) == 1);
  CHECK(bytes_for_bits(1) == 1);
}

TEST_CASE("host link: the parser finds frames among garbage and drops corrupted ones", "[sim][host_link]") {
  const std::uint64_t seed = nf::test::test_seed(20261230);  // printed; NEUROFAB_TEST_SEED replays another
  INFO("seed " << seed << " (NEUROFAB_TEST_SEED=" << seed << " replays this run)");
  std::mt19937_64 rng(seed);
  FrameParser parser(64);
  std::vector<Bytes> sent;
  Bytes stream;
  int corrupted = 0;
  for (int k = 0; k < 200; ++k) {
    // Garbage without a sync byte, then a frame, sometimes with one byte flipped.
    for (int g = static_cast<int>(rng() % 4); g > 0; --g) stream.push_back(static_cast<std::uint8_t>(rng() % 0xA5));
    Bytes payload(rng() % 12);
    for (auto& byte : payload) byte = static_cast<std::uint8_t>(rng());
    Bytes frame = encode_frame(static_cast<std::uint8_t>(0x81 + rng() % 8), payload);
    if (rng() % 5 == 0 && frame.size() > 5) {
      frame[4 + rng() % (frame.size() - 5)] ^= 0x10;  // a payload byte: the CRC catches every 1-bit error
      ++corrupted;
    } else {
      sent.push_back(payload);
    }
    stream.insert(stream.end(), frame.begin(), frame.end());
  }
  // The line goes on idling: a false header inside a corrupted frame is settled by then.
  stream.insert(stream.end(), 80, 0x00);
  std::vector<Bytes> got;
  for (const std::uint8_t byte : stream) {
    parser.push(byte);
    while (auto f = parser.pop()) got.push_back(f->payload);
  }
  // After a dropped frame the parser rescans from the byte after its sync, so every good frame
  // arrives, in order. (A false header inside a corrupted frame would have to carry a response
  // code, a length <= 64 and a matching CRC to add a frame: about 1e-4 per run.)
  REQUIRE(got.size() == sent.size());
  CHECK(got == sent);
  CHECK(parser.bad_frames() >= static_cast<std::size_t>(corrupted));
}

TEST_CASE("host link: requests and their responses through a scripted port", "[sim][host_link]") {
  ScriptedPort port;
  HostLink link(port, std::chrono::milliseconds(100));
  port.responses.push_back(encode_frame(0x81, info_payload()));
  const BoardInfo info = link.info();
  CHECK(info.units == 50);
  CHECK(info.lanes == 4);
  CHECK(info.input_bits == 12);
  CHECK(info.config_id == 0x43d5fc4aU);
  CHECK(port.written.back() == encode_frame(0x01, {}));

  Bytes report;
  append_le(report, static_cast<std::uint64_t>(-200), 2);  // y
  append_le(report, 684, 4);
  append_le(report, 1, 4);
  port.responses.push_back(encode_frame(0x86, report));
  const StepReport r = link.step({-5, 300});
  CHECK(port.written.back() == encode_frame(0x06, {0xFB, 0xFF, 0x2C, 0x01}));
  REQUIRE(r.outputs.size() == 1);
  CHECK(r.outputs[0] == -200);
  CHECK(r.step_cycles == 684);
  CHECK(r.overflow_events == 1);

  port.responses.push_back(encode_frame(0xFF, {7, 0x05}));
  try {
    link.run(0);
    FAIL("an error frame must throw");
  } catch (const LinkError& e) {
    CHECK(e.code() == LinkErrorCode::kBadArgument);
    CHECK(e.command() == 0x05);
    CHECK_THAT(e.what(), Catch::Contains("RUN") && Catch::Contains("BAD_ARGUMENT"));
  }
  // Silence: a timeout, not a hang.
  CHECK_THROWS_AS(link.clear(), LinkTimeout);
  // A response of the wrong length is refused.
  port.responses.push_back(encode_frame(0x88, Bytes(19)));
  CHECK_THROWS_AS(link.read_counters(), LinkTimeout);
}

TEST_CASE("host link: the first contact drains stray bytes and retries INFO", "[sim][host_link]") {
  const Bytes info = encode_frame(0x81, info_payload());
  const Bytes info_request = encode_frame(0x01, {});
  ScriptedPort port;
  HostLink link(port, std::chrono::milliseconds(50));

  SECTION("a stray byte on the line") {
    port.arrive({0x00});
    port.responses.push_back(info);
    const FirstContact c = link.connect();
    CHECK(c.info.config_id == 0x43d5fc4aU);
    CHECK(c.attempts == 1);
    CHECK(c.stray_bytes == 1);
    CHECK(port.written == std::vector<Bytes>{info_request});
  }
  SECTION("the tail of a run cut short: a partial step report and a whole one") {
    Bytes report;
    append_le(report, 7, 2);
    append_le(report, 684, 4);
    append_le(report, 0, 4);
    const Bytes frame = encode_frame(0x86, report);
    port.arrive(Bytes(frame.begin() + 3, frame.end()));  // its header is lost
    port.arrive(frame);
    port.responses.push_back(info);
    const FirstContact c = link.connect();
    CHECK(c.attempts == 1);
    CHECK(c.stray_bytes == 2 * frame.size() - 3);
    port.responses.push_back(info);
    CHECK(link.info().units == 50);  // nothing of the old run is left to take for an answer
  }
  SECTION("an error frame answers the first INFO (the board had a stray byte before it)") {
    port.responses.push_back(encode_frame(0xFF, {4, 0}));  // GARBAGE
    port.responses.push_back(info);
    const FirstContact c = link.connect();
    CHECK(c.info.units == 50);
    CHECK(c.attempts == 2);
    CHECK(c.stray_bytes == 7);
    CHECK(port.written == std::vector<Bytes>{info_request, info_request});
  }
  SECTION("garbage and then silence answer the first INFO") {
    port.responses.push_back({0x13, 0x37, 0xA5, 0x00});
    port.responses.push_back(info);
    const FirstContact c = link.connect();
    CHECK(c.attempts == 2);
    CHECK(c.stray_bytes == 4);
  }
  SECTION("another request's response answers the first INFO") {
    port.responses.push_back(encode_frame(0x88, Bytes(20)));  // READ_COUNTERS'
    port.responses.push_back(info);
    CHECK(link.connect().attempts == 2);
  }
  SECTION("a port that only answers garbage: a clear error after 3 attempts") {
    for (int k = 0; k < 3; ++k) port.responses.push_back({0x00, 0x10, 0xFE, 0x55, 0x80});
    port.responses.push_back(info);  // never asked for
    try {
      link.connect();
      FAIL("garbage is no answer");
    } catch (const LinkTimeout& e) {
      const std::string what = e.what();
      INFO(what);
      CHECK_THAT(what, Catch::StartsWith("/dev/ttyTEST: no valid answer to INFO in 3 attempts"));
      CHECK_THAT(what, Catch::Contains("5 bytes arrived that were no frame"));
      CHECK_THAT(what, Catch::Contains("--baud") && Catch::Contains("configured"));
      CHECK(what.find('\n') == std::string::npos);  // one line
    }
    CHECK(port.written.size() == 3);
  }
  SECTION("a silent port: the same error, naming the timeout") {
    CHECK_THROWS_WITH(link.connect(), Catch::Contains("/dev/ttyTEST: no valid answer to INFO in 3 attempts") &&
                                          Catch::Contains("no response from the board within 50 ms"));
    CHECK(port.written.size() == 3);
  }
  SECTION("another protocol version is refused at once, not retried") {
    port.responses.push_back(encode_frame(0x81, info_payload(2)));
    CHECK_THROWS_WITH(link.connect(), Catch::Contains("protocol version 2"));
    CHECK(port.written.size() == 1);
  }
}

TEST_CASE("host link: a line that never goes quiet ends the first contact with a clear error", "[sim][host_link]") {
  const std::uint64_t seed = nf::test::test_seed(20261231);  // printed; NEUROFAB_TEST_SEED replays another
  INFO("seed " << seed << " (NEUROFAB_TEST_SEED=" << seed << " replays this run)");
  BabblingPort port(seed);
  HostLink link(port, std::chrono::milliseconds(100));
  CHECK_THROWS_WITH(link.connect(), Catch::StartsWith("/dev/ttyBABBLE: no valid answer to INFO in 3 attempts") &&
                                        Catch::Contains("the line never went quiet"));
  CHECK(port.requests == 0);  // nothing sent into a line that is busy
}

namespace {

// The master side of a pseudo-terminal whose slave a program opens as its
// serial port; the slave is held open here in raw mode (as the virtual board
// does), so no line discipline touches the bytes.
class GarbagePty {
 public:
  GarbagePty() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master_ >= 0);
    REQUIRE((::grantpt(master_) == 0 && ::unlockpt(master_) == 0));
    path_ = ::ptsname(master_);
    slave_ = ::open(path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(slave_ >= 0);
    termios tty{};
    REQUIRE(::tcgetattr(slave_, &tty) == 0);
    ::cfmakeraw(&tty);
    REQUIRE(::tcsetattr(slave_, TCSANOW, &tty) == 0);
    REQUIRE(::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK) == 0);
  }
  ~GarbagePty() {
    stop();
    ::close(slave_);
    ::close(master_);
  }
  GarbagePty(const GarbagePty&) = delete;
  GarbagePty& operator=(const GarbagePty&) = delete;

  const std::string& path() const { return path_; }

  // Until stop(): random bytes without a sync byte, 64 a millisecond (≈ 5 Mbaud, a line that never rests),
  // and whatever the program writes is read and dropped.
  void babble(std::uint64_t seed) {
    thread_ = std::thread([this, seed] {
      std::mt19937_64 rng(seed);
      std::uint8_t buffer[256];
      while (!stop_) {
        for (int k = 0; k < 64; ++k) buffer[k] = static_cast<std::uint8_t>(rng() % kFrameSync);
        (void)!::write(master_, buffer, 64);  // EAGAIN while the buffer is full: the line stays busy
        while (::read(master_, buffer, sizeof buffer) > 0) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  int master_ = -1, slave_ = -1;
  std::string path_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace

TEST_CASE("neurofab hil: a port that only sends garbage ends in one clear line, exit 1", "[sim][host_link][cli]") {
  const std::uint64_t seed = nf::test::test_seed(20261231);
  INFO("seed " << seed << " (NEUROFAB_TEST_SEED=" << seed << " replays this run)");
  const nf::test::TempDir dir;
  nf::quantize::save_quantized(
      dir / "q", nf::quantize::quantize_artifact(nf::test::random_rate_network("xor", 8, {}, 1.2, 3), "garbage-test", {}));
  GarbagePty pty;
  pty.babble(seed);
  const auto run = nf::test::run_command(
      fmt::format("{} hil {} --port {} --timeout-ms 200 2>&1", NF_CLI_PATH, (dir / "q").string(), pty.path()));
  pty.stop();
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Catch::StartsWith(fmt::format("neurofab: error: {}: no valid answer to INFO in 3 attempts",
                                                       pty.path())));
  CHECK_THAT(run.output, Catch::Contains("the line never went quiet") && Catch::Contains("--baud"));
  CHECK(std::count(run.output.begin(), run.output.end(), '\n') == 1);  // one line
}
