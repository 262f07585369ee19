// The host side of the UART host link without a board (docs/host-link.md):
// CRC-8, frame encoding, the incremental parser, and the driver's requests
// against a scripted byte port. The board side is tested through the virtual
// board in test_virtual_board.cpp.
#include <catch2/catch.hpp>

#include <deque>
#include <random>
#include <string>

#include "neurofab/sim/host_link.hpp"
#include "test_seed.hpp"

using namespace nf::sim;

namespace {

// Answers each written frame with the next scripted response (in pieces, like a UART).
class ScriptedPort : public BytePort {
 public:
  std::vector<Bytes> written;
  std::deque<Bytes> responses;

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

Bytes info_payload() {
  Bytes p = {1, 0};  // version 1, rate
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
