#pragma once
// The host side of the UART host link (docs/host-link.md, the normative
// protocol; rtl/sv/nf_host_link.sv is the board side): frames, CRC-8, and a
// driver that sends one request and waits for its response over any byte
// port — a board's USB-UART or the pseudo-terminal of the Verilated system
// top, through the same code.
//
//   frame: 0xA5 | code | L (u16 LE) | payload[L] | CRC-8/SMBUS(code, L, payload)

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "neurofab/models/family.hpp"

namespace nf::sim {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint8_t kFrameSync = 0xA5;
inline constexpr std::uint8_t kResponseBit = 0x80;
inline constexpr std::uint8_t kErrorResponse = 0xFF;
inline constexpr std::uint8_t kProtocolVersion = 1;

enum class Command : std::uint8_t {
  kInfo = 0x01,
  kClear = 0x02,
  kReset = 0x03,
  kLoad = 0x04,
  kRun = 0x05,
  kStep = 0x06,
  kReadState = 0x07,
  kReadCounters = 0x08,
};

enum class LinkErrorCode : std::uint8_t {
  kBadChecksum = 1,
  kTruncated = 2,
  kOversized = 3,
  kGarbage = 4,
  kUnknownCommand = 5,
  kBadLength = 6,
  kBadArgument = 7,
};
std::string to_string(LinkErrorCode code);

// CRC-8, polynomial 0x07, initial value 0, no reflection, no final XOR.
std::uint8_t crc8(const std::uint8_t* data, std::size_t size, std::uint8_t crc = 0);

// The bytes of one frame.
Bytes encode_frame(std::uint8_t code, const Bytes& payload);

struct Frame {
  std::uint8_t code = 0;
  Bytes payload;
};

// Incremental parser of the frames a board sends: bytes in, whole frames
// out. Bytes before a sync byte are skipped (counted); a header with a code a
// board never sends (not 0x81..0x88 or 0xFF) or a length above `max_payload`,
// or a frame whose CRC does not match, is dropped (counted) and parsing
// resumes after its sync byte.
class FrameParser {
 public:
  // The largest response: READ_STATE of 16383 values.
  static constexpr std::size_t kMaxResponsePayload = 4 * 16383;
  explicit FrameParser(std::size_t max_payload = kMaxResponsePayload) : max_payload_(max_payload) {}
  void push(std::uint8_t byte);
  std::optional<Frame> pop();  // the oldest complete frame
  std::size_t skipped_bytes() const { return skipped_; }
  std::size_t bad_frames() const { return bad_frames_; }

 private:
  void reparse_from(std::size_t start);
  std::size_t max_payload_;
  Bytes pending_;
  std::vector<Frame> frames_;
  std::size_t skipped_ = 0, bad_frames_ = 0;
};

// A byte stream to a board (serial_port.hpp's SerialPort is the real one).
class BytePort {
 public:
  virtual ~BytePort() = default;
  virtual void write(const Bytes& bytes) = 0;
  // Appends what arrives before `timeout`; returns the number of bytes read (0: timed out).
  virtual std::size_t read_some(Bytes& into, std::chrono::milliseconds timeout) = 0;
  // For messages: the device path of a serial port.
  virtual std::string name() const { return "the port"; }
};

// The board answered with an error frame.
class LinkError : public std::runtime_error {
 public:
  LinkError(LinkErrorCode code, std::uint8_t command);
  LinkErrorCode code() const { return code_; }
  std::uint8_t command() const { return command_; }

 private:
  LinkErrorCode code_;
  std::uint8_t command_;
};

// No response (or an unexpected one) within the timeout: the link is broken.
class LinkTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BoardInfo {
  int version = 0;
  int family = 0;  // 0 rate, 1 LIF
  int units = 0, inputs = 0, outputs = 0, lanes = 0;
  int input_bits = 0, output_bits = 0;
  std::uint32_t config_id = 0;
  models::Family model_family() const { return family == 1 ? models::Family::kLif : models::Family::kRate; }
  std::string family_name() const { return std::string(models::model_type_name(model_family())); }
};

// How the first request got its answer (HostLink::connect).
struct FirstContact {
  BoardInfo info;
  int attempts = 0;              // INFO requests sent (1: the first answer was good)
  std::uint64_t stray_bytes = 0;  // bytes received meanwhile that were not the good answer
};

struct StepReport {
  std::vector<std::int64_t> outputs;  // y of the last step, sign-extended codes
  std::uint32_t step_cycles = 0;      // compute cycles of the last step
  std::uint32_t overflow_events = 0;  // summed over the steps of the request
};

struct Counters {
  std::uint64_t cycles = 0;           // since reset
  std::uint32_t steps = 0;            // since the last clear
  std::uint32_t last_step_cycles = 0;
  std::uint32_t overflow_events = 0;  // since the last clear
};

// Debug-port selects (as sim/harness/golden_steps.hpp's DebugSelect).
inline constexpr int kSelectState = 0, kSelectOutput = 1, kSelectMembrane = 2, kSelectSpike = 3,
                     kSelectRefractory = 4;

class HostLink {
 public:
  explicit HostLink(BytePort& port, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000))
      : port_(port), timeout_(timeout) {}

  // The first request to a board that may have left bytes on the line (one
  // that just configured, or a run cut short): drains what is pending (until
  // `quiet` passes without a byte, for at most the request timeout), sends
  // INFO, and on an error frame, an unexpected answer or a timeout drains and
  // asks again, `attempts` times in all. Then throws LinkTimeout in one line
  // naming the port, the last failure and what to check. A well-formed INFO of
  // another protocol version is refused at once (throws as info()).
  static constexpr int kConnectAttempts = 3;
  static constexpr std::chrono::milliseconds kConnectQuiet{100};
  FirstContact connect(int attempts = kConnectAttempts, std::chrono::milliseconds quiet = kConnectQuiet);
  // INFO; also remembers the sizes the other requests need.
  BoardInfo info();
  void clear();
  void reset();
  void load(const std::vector<std::int64_t>& inputs);
  StepReport run(int steps);
  StepReport step(const std::vector<std::int64_t>& inputs);
  std::vector<std::int32_t> read_state(int select, int first, int count);
  Counters read_counters();

  // One request, its response frame (an error frame is returned, not thrown).
  Frame exchange(std::uint8_t command, const Bytes& payload);
  // Raw bytes out, and the next frame in (for malformed-input tests).
  void send_raw(const Bytes& bytes) { port_.write(bytes); }
  Frame receive(std::chrono::milliseconds timeout);
  // Drops what arrives until `quiet` passes with nothing arriving, or `limit`
  // passes in all (a line that never goes quiet); returns the bytes dropped.
  std::size_t drain(std::chrono::milliseconds quiet, std::chrono::milliseconds limit = std::chrono::seconds(10));

  std::uint64_t bytes_sent() const { return bytes_sent_; }
  std::uint64_t bytes_received() const { return bytes_received_; }

 private:
  Frame request(Command command, const Bytes& payload, std::size_t response_length);
  BoardInfo decode_info(const Frame& frame);
  std::size_t drain_until_quiet(std::chrono::milliseconds quiet, std::chrono::milliseconds limit, bool& went_quiet);
  Bytes encode_inputs(const std::vector<std::int64_t>& inputs) const;
  StepReport decode_step_report(const Frame& frame) const;
  const BoardInfo& known_info();

  BytePort& port_;
  std::chrono::milliseconds timeout_;
  FrameParser parser_;
  std::optional<BoardInfo> info_;
  std::uint64_t bytes_sent_ = 0, bytes_received_ = 0;
};

// Little-endian field access and sign extension, for the driver and its tests.
std::int64_t read_signed(const Bytes& bytes, std::size_t offset, int width_bytes);
std::uint64_t read_unsigned(const Bytes& bytes, std::size_t offset, int width_bytes);
void append_le(Bytes& bytes, std::uint64_t value, int width_bytes);
inline int bytes_for_bits(int bits) { return (bits + 7) / 8; }

}  // namespace nf::sim
