#include "neurofab/sim/host_link.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace nf::sim {
namespace {

constexpr std::size_t kHeaderBytes = 4;  // sync, code, length
constexpr std::size_t kStepTrailerBytes = 8;  // step cycles u32, overflow events u32

std::string command_name(std::uint8_t command) {
  switch (command) {
    case 0x01: return "INFO";
    case 0x02: return "CLEAR";
    case 0x03: return "RESET";
    case 0x04: return "LOAD";
    case 0x05: return "RUN";
    case 0x06: return "STEP";
    case 0x07: return "READ_STATE";
    case 0x08: return "READ_COUNTERS";
    default: return fmt::format("0x{:02x}", command);
  }
}

}  // namespace

std::string to_string(LinkErrorCode code) {
  switch (code) {
    case LinkErrorCode::kBadChecksum: return "BAD_CHECKSUM";
    case LinkErrorCode::kTruncated: return "TRUNCATED";
    case LinkErrorCode::kOversized: return "OVERSIZED";
    case LinkErrorCode::kGarbage: return "GARBAGE";
    case LinkErrorCode::kUnknownCommand: return "UNKNOWN_COMMAND";
    case LinkErrorCode::kBadLength: return "BAD_LENGTH";
    case LinkErrorCode::kBadArgument: return "BAD_ARGUMENT";
  }
  return fmt::format("error {}", static_cast<int>(code));
}

std::uint8_t crc8(const std::uint8_t* data, std::size_t size, std::uint8_t crc) {
  for (std::size_t k = 0; k < size; ++k) {
    crc = static_cast<std::uint8_t>(crc ^ data[k]);
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<std::uint8_t>((crc & 0x80U) != 0 ? (crc << 1) ^ 0x07U : crc << 1);
    }
  }
  return crc;
}

void append_le(Bytes& bytes, std::uint64_t value, int width_bytes) {
  for (int k = 0; k < width_bytes; ++k) bytes.push_back(static_cast<std::uint8_t>(value >> (8 * k)));
}

std::uint64_t read_unsigned(const Bytes& bytes, std::size_t offset, int width_bytes) {
  std::uint64_t value = 0;
  for (int k = 0; k < width_bytes; ++k) value |= static_cast<std::uint64_t>(bytes.at(offset + k)) << (8 * k);
  return value;
}

std::int64_t read_signed(const Bytes& bytes, std::size_t offset, int width_bytes) {
  std::uint64_t value = read_unsigned(bytes, offset, width_bytes);
  const int bits = 8 * width_bytes;
  if (bits < 64 && ((value >> (bits - 1)) & 1U) != 0) value |= ~std::uint64_t{0} << bits;
  return static_cast<std::int64_t>(value);
}

Bytes encode_frame(std::uint8_t code, const Bytes& payload) {
  if (payload.size() > 0xFFFF) throw std::invalid_argument("frame payload longer than 65535 bytes");
  Bytes frame(kHeaderBytes + payload.size() + 1);
  frame[0] = kFrameSync;
  frame[1] = code;
  frame[2] = static_cast<std::uint8_t>(payload.size());
  frame[3] = static_cast<std::uint8_t>(payload.size() >> 8);
  std::copy(payload.begin(), payload.end(), frame.begin() + static_cast<std::ptrdiff_t>(kHeaderBytes));
  frame.back() = crc8(frame.data() + 1, frame.size() - 2);
  return frame;
}

// --- FrameParser -------------------------------------------------------------

void FrameParser::push(std::uint8_t byte) {
  pending_.push_back(byte);
  reparse_from(0);
}

// Takes every complete frame off the front of pending_; a bad one costs its sync byte only.
void FrameParser::reparse_from(std::size_t start) {
  std::size_t at = start;
  for (;;) {
    while (at < pending_.size() && pending_[at] != kFrameSync) {
      ++at;
      ++skipped_;
    }
    if (pending_.size() - at < kHeaderBytes) break;
    const std::uint8_t code = pending_[at + 1];
    const bool known_code = code == kErrorResponse || (code > kResponseBit && code <= (kResponseBit | 0x08));
    const std::size_t length = pending_[at + 2] | (static_cast<std::size_t>(pending_[at + 3]) << 8);
    if (!known_code || length > max_payload_) {  // not a frame a board sends: skip its sync byte
      ++at;
      ++bad_frames_;
      continue;
    }
    const std::size_t total = kHeaderBytes + length + 1;
    if (pending_.size() - at < total) break;
    const std::uint8_t crc = crc8(pending_.data() + at + 1, total - 2);
    if (crc != pending_[at + total - 1]) {
      ++at;
      ++bad_frames_;
      continue;
    }
    Frame frame;
    frame.code = pending_[at + 1];
    frame.payload.assign(pending_.begin() + static_cast<std::ptrdiff_t>(at + kHeaderBytes),
                         pending_.begin() + static_cast<std::ptrdiff_t>(at + kHeaderBytes + length));
    frames_.push_back(std::move(frame));
    at += total;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(at));
}

std::optional<Frame> FrameParser::pop() {
  if (frames_.empty()) return std::nullopt;
  Frame frame = std::move(frames_.front());
  frames_.erase(frames_.begin());
  return frame;
}

// --- HostLink ----------------------------------------------------------------

LinkError::LinkError(LinkErrorCode code, std::uint8_t command)
    : std::runtime_error(fmt::format("the board answered {} with error {}", command_name(command), to_string(code))),
      code_(code),
      command_(command) {}

Frame HostLink::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Bytes chunk;
  for (;;) {
    if (auto frame = parser_.pop()) return *frame;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      // Bytes that were no frame point to a wrong baud rate or a port that is not the board's.
      const std::size_t junk = parser_.skipped_bytes() + parser_.bad_frames();
      throw LinkTimeout(fmt::format("no response from the board within {} ms{}", timeout.count(),
                                    junk == 0 ? "" : fmt::format(" ({} bytes arrived that were no frame)", junk)));
    }
    chunk.clear();
    port_.read_some(chunk, left);
    bytes_received_ += chunk.size();
    for (const std::uint8_t b : chunk) parser_.push(b);
  }
}

std::size_t HostLink::drain(std::chrono::milliseconds quiet, std::chrono::milliseconds limit) {
  bool went_quiet = false;
  return drain_until_quiet(quiet, limit, went_quiet);
}

std::size_t HostLink::drain_until_quiet(std::chrono::milliseconds quiet, std::chrono::milliseconds limit,
                                        bool& went_quiet) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::size_t dropped = 0;
  Bytes chunk;
  went_quiet = false;
  for (;;) {
    chunk.clear();
    const std::size_t n = port_.read_some(chunk, quiet);
    if (n == 0) {
      went_quiet = true;
      break;
    }
    dropped += n;
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
  bytes_received_ += dropped;
  parser_ = FrameParser();  // frames and partial frames received so far are dropped with the bytes
  return dropped;
}

Frame HostLink::exchange(std::uint8_t command, const Bytes& payload) {
  const Bytes frame = encode_frame(command, payload);
  port_.write(frame);
  bytes_sent_ += frame.size();
  return receive(timeout_);
}

// A request whose response must be `command | 0x80` with `response_length` bytes.
Frame HostLink::request(Command command, const Bytes& payload, std::size_t response_length) {
  const auto code = static_cast<std::uint8_t>(command);
  Frame response = exchange(code, payload);
  if (response.code == kErrorResponse) {
    if (response.payload.size() != 2) throw LinkTimeout("malformed error frame from the board");
    throw LinkError(static_cast<LinkErrorCode>(response.payload[0]), response.payload[1]);
  }
  if (response.code != (code | kResponseBit) || response.payload.size() != response_length) {
    throw LinkTimeout(fmt::format("unexpected response to {}: code 0x{:02x}, {} bytes (expected 0x{:02x}, {} bytes)",
                                  command_name(code), response.code, response.payload.size(), code | kResponseBit,
                                  response_length));
  }
  return response;
}

FirstContact HostLink::connect(int attempts, std::chrono::milliseconds quiet) {
  if (attempts < 1) throw std::invalid_argument("HostLink::connect: attempts must be >= 1");
  constexpr std::size_t kInfoFrameBytes = kHeaderBytes + 16 + 1;
  const std::uint64_t received0 = bytes_received_;
  FirstContact contact;
  std::string failure;
  for (contact.attempts = 1; contact.attempts <= attempts; ++contact.attempts) {
    bool went_quiet = false;
    const std::size_t dropped = drain_until_quiet(quiet, timeout_, went_quiet);
    std::optional<Frame> answer;
    if (!went_quiet) {
      failure = fmt::format("the line never went quiet ({} bytes in {} ms)", dropped, timeout_.count());
    } else {
      try {
        answer = request(Command::kInfo, {}, 16);
      } catch (const LinkError& e) {  // e.g. GARBAGE for a stray byte the board received before INFO
        failure = e.what();
      } catch (const LinkTimeout& e) {  // silence, garbage, or another request's late response
        failure = e.what();
      }
    }
    if (answer) {
      contact.info = decode_info(*answer);  // another protocol version is not retried
      contact.stray_bytes = bytes_received_ - received0 - kInfoFrameBytes;
      return contact;
    }
  }
  throw LinkTimeout(fmt::format(
      "{}: no valid answer to INFO in {} attempts (last: {}); check that the board is configured with a bitstream "
      "of neurofab build, that --baud is that bitstream's, and that {} is the board's UART (the iCEBreaker's is "
      "FTDI channel B: /dev/ttyUSB1 when it is the only FTDI device)",
      port_.name(), attempts, failure, port_.name()));
}

BoardInfo HostLink::info() { return decode_info(request(Command::kInfo, {}, 16)); }

BoardInfo HostLink::decode_info(const Frame& f) {
  const Bytes& p = f.payload;
  BoardInfo i;
  i.version = p[0];
  i.family = p[1];
  i.units = static_cast<int>(read_unsigned(p, 2, 2));
  i.inputs = static_cast<int>(read_unsigned(p, 4, 2));
  i.outputs = static_cast<int>(read_unsigned(p, 6, 2));
  i.lanes = static_cast<int>(read_unsigned(p, 8, 2));
  i.input_bits = p[10];
  i.output_bits = p[11];
  i.config_id = static_cast<std::uint32_t>(read_unsigned(p, 12, 4));
  if (i.version != kProtocolVersion) {
    throw LinkTimeout(fmt::format("the board speaks host-link protocol version {}, this host version {}", i.version,
                                  kProtocolVersion));
  }
  info_ = i;
  return i;
}

const BoardInfo& HostLink::known_info() {
  if (!info_) info();
  return *info_;
}

void HostLink::clear() { request(Command::kClear, {}, 0); }
void HostLink::reset() { request(Command::kReset, {}, 0); }

Bytes HostLink::encode_inputs(const std::vector<std::int64_t>& inputs) const {
  if (static_cast<int>(inputs.size()) != info_->inputs) {
    throw std::invalid_argument(fmt::format("{} inputs given, the board has {}", inputs.size(), info_->inputs));
  }
  Bytes payload;
  for (const std::int64_t x : inputs) append_le(payload, static_cast<std::uint64_t>(x), bytes_for_bits(info_->input_bits));
  return payload;
}

StepReport HostLink::decode_step_report(const Frame& frame) const {
  const int width = bytes_for_bits(info_->output_bits);
  StepReport r;
  std::size_t at = 0;
  for (int m = 0; m < info_->outputs; ++m, at += static_cast<std::size_t>(width)) {
    r.outputs.push_back(read_signed(frame.payload, at, width));
  }
  r.step_cycles = static_cast<std::uint32_t>(read_unsigned(frame.payload, at, 4));
  r.overflow_events = static_cast<std::uint32_t>(read_unsigned(frame.payload, at + 4, 4));
  return r;
}

void HostLink::load(const std::vector<std::int64_t>& inputs) {
  known_info();
  request(Command::kLoad, encode_inputs(inputs), 0);
}

StepReport HostLink::run(int steps) {
  const BoardInfo& i = known_info();
  Bytes payload;
  append_le(payload, static_cast<std::uint64_t>(steps), 2);
  const std::size_t length = static_cast<std::size_t>(i.outputs * bytes_for_bits(i.output_bits)) + kStepTrailerBytes;
  return decode_step_report(request(Command::kRun, payload, length));
}

StepReport HostLink::step(const std::vector<std::int64_t>& inputs) {
  const BoardInfo& i = known_info();
  const std::size_t length = static_cast<std::size_t>(i.outputs * bytes_for_bits(i.output_bits)) + kStepTrailerBytes;
  return decode_step_report(request(Command::kStep, encode_inputs(inputs), length));
}

std::vector<std::int32_t> HostLink::read_state(int select, int first, int count) {
  Bytes payload = {static_cast<std::uint8_t>(select)};
  append_le(payload, static_cast<std::uint64_t>(first), 2);
  append_le(payload, static_cast<std::uint64_t>(count), 2);
  const Frame f = request(Command::kReadState, payload, static_cast<std::size_t>(count) * 4);
  std::vector<std::int32_t> values;
  for (int k = 0; k < count; ++k) values.push_back(static_cast<std::int32_t>(read_signed(f.payload, 4 * k, 4)));
  return values;
}

Counters HostLink::read_counters() {
  const Frame f = request(Command::kReadCounters, {}, 20);
  Counters c;
  c.cycles = read_unsigned(f.payload, 0, 8);
  c.steps = static_cast<std::uint32_t>(read_unsigned(f.payload, 8, 4));
  c.last_step_cycles = static_cast<std::uint32_t>(read_unsigned(f.payload, 12, 4));
  c.overflow_events = static_cast<std::uint32_t>(read_unsigned(f.payload, 16, 4));
  return c;
}

}  // namespace nf::sim
