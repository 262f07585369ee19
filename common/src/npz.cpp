#include "neurofab/common/npz.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <type_traits>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "npy_format.hpp"

static_assert(std::endian::native == std::endian::little,
              ".npz members are written little-endian; a big-endian host needs byte swapping");

namespace nf {
namespace fs = std::filesystem;
namespace {

// Zip record signatures and sizes (APPNOTE 6.3, sections 4.3.7-4.3.16).
constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr std::uint32_t kZip64EndOfCentralDirectory = 0x06064b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kZip64EndSize = 56;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::uint32_t kMax32 = 0xffffffff;
constexpr std::uint16_t kMax16 = 0xffff;
constexpr std::uint16_t kMethodStored = 0;
constexpr std::uint16_t kMethodDeflate = 8;
// 1980-01-01 00:00, the zip epoch: a fixed time keeps the archive's bytes a
// function of its arrays alone.
constexpr std::uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;
constexpr std::uint16_t kDosTime = 0;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw InputError(fmt::format("{}: {}", where, what));
}

std::string member_where(const fs::path& path, const std::string& name) {
  return fmt::format("{}: array '{}'", path.string(), name);
}

std::uint32_t crc_of(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large members in pieces.
  while (!bytes.empty()) {
    const std::size_t n = std::min<std::size_t>(bytes.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n));
    bytes.remove_prefix(n);
  }
  return static_cast<std::uint32_t>(crc);
}

// ---------------------------------------------------------------------------
// Writing

void put(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

// The ZIP64 extra field with the given 64-bit values (those whose 32-bit fields are 0xffffffff).
std::string zip64_extra(const std::vector<std::uint64_t>& values) {
  if (values.empty()) return {};
  std::string extra;
  put(extra, kZip64ExtraId, 2);
  put(extra, values.size() * 8, 2);
  for (const std::uint64_t v : values) put(extra, v, 8);
  return extra;
}

// ---------------------------------------------------------------------------
// Reading

// A bounds-checked little-endian reader over the archive's bytes; every
// overrun is the archive being truncated.
class ByteReader {
 public:
  ByteReader(std::string_view bytes, const fs::path& path) : bytes_(bytes), path_(path) {}

  std::uint64_t get(std::size_t offset, int count) const {
    require(offset, static_cast<std::size_t>(count), "a record");
    std::uint64_t v = 0;
    for (int i = count - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes_[offset + i]);
    return v;
  }
  std::uint16_t u16(std::size_t offset) const { return static_cast<std::uint16_t>(get(offset, 2)); }
  std::uint32_t u32(std::size_t offset) const { return static_cast<std::uint32_t>(get(offset, 4)); }
  std::uint64_t u64(std::size_t offset) const { return get(offset, 8); }
  std::string_view view(std::uint64_t offset, std::uint64_t count, const std::string& what) const {
    require(offset, count, what);
    return bytes_.substr(offset, count);
  }
  void require(std::uint64_t offset, std::uint64_t count, const std::string& what) const {
    if (offset > bytes_.size() || count > bytes_.size() - offset) {
      fail(path_.string(), fmt::format("truncated zip archive ({} at byte {} runs past the end, {} bytes)", what,
                                       offset, bytes_.size()));
    }
  }
  std::size_t size() const { return bytes_.size(); }

 private:
  std::string_view bytes_;
  const fs::path& path_;
};

std::string inflate_member(std::string_view compressed, std::uint64_t size, const std::string& where) {
  std::string out(size, '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) fail(where, "zlib cannot start inflating");  // raw deflate
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  std::size_t in_left = compressed.size(), out_left = out.size();
  int status = Z_OK;
  while (status == Z_OK) {
    // zlib counts in uInt: hand it at most 1 GiB at a time.
    const auto in_chunk = static_cast<uInt>(std::min<std::size_t>(in_left, 1u << 30));
    const auto out_chunk = static_cast<uInt>(std::min<std::size_t>(out_left, 1u << 30));
    stream.avail_in = in_chunk;
    stream.avail_out = out_chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    in_left -= in_chunk - stream.avail_in;
    out_left -= out_chunk - stream.avail_out;
    if (status == Z_BUF_ERROR && (in_left == 0 || out_left == 0)) break;
  }
  const std::string message = stream.msg != nullptr ? stream.msg : "";
  inflateEnd(&stream);
  if (status != Z_STREAM_END) {
    if (status == Z_BUF_ERROR && out_left == 0) fail(where, fmt::format("inflates to more than the {} bytes its header gives", size));
    if (status == Z_BUF_ERROR) fail(where, "compressed data ends early (truncated)");
    fail(where, fmt::format("corrupt deflate data{}", message.empty() ? "" : " (" + message + ")"));
  }
  if (out_left != 0) fail(where, fmt::format("inflates to {} bytes, its header gives {}", size - out_left, size));
  return out;
}

// The 64-bit values of a central header's ZIP64 extra field, for those of its
// 32-bit fields that hold 0xffffffff, in the order APPNOTE 4.5.3 gives.
struct EntrySizes {
  std::uint64_t uncompressed, compressed, offset;
};
void apply_zip64_extra(std::string_view extra, EntrySizes& sizes, const std::string& where) {
  const bool need[3] = {sizes.uncompressed == kMax32, sizes.compressed == kMax32, sizes.offset == kMax32};
  if (!need[0] && !need[1] && !need[2]) return;
  std::size_t pos = 0;
  while (pos + 4 <= extra.size()) {
    const auto get = [&](std::size_t at, int count) {
      std::uint64_t v = 0;
      for (int i = count - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(extra[at + i]);
      return v;
    };
    const auto id = get(pos, 2);
    const auto length = static_cast<std::size_t>(get(pos + 2, 2));
    if (pos + 4 + length > extra.size()) break;
    if (id == kZip64ExtraId) {
      std::size_t at = pos + 4;
      std::uint64_t* fields[3] = {&sizes.uncompressed, &sizes.compressed, &sizes.offset};
      for (int i = 0; i < 3; ++i) {
        if (!need[i]) continue;
        if (at + 8 > pos + 4 + length) fail(where, "ZIP64 extra field too short");
        *fields[i] = get(at, 8);
        at += 8;
      }
      return;
    }
    pos += 4 + length;
  }
  fail(where, "sizes of 0xffffffff without a ZIP64 extra field");
}

// The element types a member may hold, from its descr: byte order, kind, size.
enum class Kind { kFloat, kSigned, kUnsigned, kBool };
struct Dtype {
  Kind kind;
  int size;
  bool big_endian;
};
bool parse_dtype(const std::string& descr, Dtype& dtype) {
  if (descr.size() < 3) return false;
  const char order = descr[0];
  if (order != '<' && order != '>' && order != '|' && order != '=') return false;
  const std::string size_text = descr.substr(2);
  if (size_text.size() != 1) return false;
  dtype.size = size_text[0] - '0';
  dtype.big_endian = order == '>';
  switch (descr[1]) {
    case 'f': dtype.kind = Kind::kFloat; return dtype.size == 2 || dtype.size == 4 || dtype.size == 8;
    case 'i': dtype.kind = Kind::kSigned; return dtype.size == 1 || dtype.size == 2 || dtype.size == 4 || dtype.size == 8;
    case 'u': dtype.kind = Kind::kUnsigned; return dtype.size == 1 || dtype.size == 2 || dtype.size == 4 || dtype.size == 8;
    case 'b': dtype.kind = Kind::kBool; return dtype.size == 1;
    default: return false;
  }
}

double half_to_double(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  const double sign = (h & 0x8000) != 0 ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa == 0 ? sign * std::numeric_limits<double>::infinity() : std::nan("");
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

// One element as the widest type of its kind.
struct Value {
  Kind kind;
  double f = 0;
  std::int64_t i = 0;
  std::uint64_t u = 0;
};
Value element(const unsigned char* p, const Dtype& dtype) {
  std::uint64_t bits = 0;
  for (int b = 0; b < dtype.size; ++b) {
    const int shift = 8 * (dtype.big_endian ? dtype.size - 1 - b : b);
    bits |= std::uint64_t{p[b]} << shift;
  }
  Value v{dtype.kind};
  switch (dtype.kind) {
    case Kind::kFloat:
      if (dtype.size == 2) v.f = half_to_double(static_cast<std::uint16_t>(bits));
      if (dtype.size == 4) v.f = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
      if (dtype.size == 8) v.f = std::bit_cast<double>(bits);
      break;
    case Kind::kSigned: {
      const int unused = 64 - 8 * dtype.size;  // sign-extend
      v.i = static_cast<std::int64_t>(bits << unused) >> unused;
      break;
    }
    case Kind::kUnsigned: v.u = bits; break;
    case Kind::kBool: v.u = bits != 0 ? 1 : 0; v.kind = Kind::kUnsigned; break;
  }
  return v;
}

// `v` as T, or false when T is an integer type that cannot hold it exactly.
template <typename T>
bool convert(const Value& v, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    out = v.kind == Kind::kFloat ? static_cast<T>(v.f)
        : v.kind == Kind::kSigned ? static_cast<T>(v.i) : static_cast<T>(v.u);
    return true;
  } else {
    using L = std::numeric_limits<T>;
    if (v.kind == Kind::kSigned) {
      if (v.i < 0 && !L::is_signed) return false;
      if (v.i < 0) {
        if (v.i < static_cast<std::int64_t>(L::min())) return false;
      } else if (static_cast<std::uint64_t>(v.i) > static_cast<std::uint64_t>(L::max())) {
        return false;
      }
      out = static_cast<T>(v.i);
      return true;
    }
    if (v.kind == Kind::kUnsigned) {
      if (v.u > static_cast<std::uint64_t>(L::max())) return false;
      out = static_cast<T>(v.u);
      return true;
    }
    // A float: whole, finite, and inside T's range (2^63 and 2^64 are exact doubles).
    if (!std::isfinite(v.f) || v.f != std::floor(v.f)) return false;
    const double upper = std::ldexp(1.0, L::digits);  // 2^(bits without sign): just past max
    const double lower = L::is_signed ? -upper : 0.0;
    if (v.f < lower || v.f >= upper) return false;
    out = static_cast<T>(v.f);
    return true;
  }
}

}  // namespace

// ===========================================================================
// NpzWriter

NpzWriter::NpzWriter(fs::path path) : NpzWriter(std::move(path), kMax32) {}

NpzWriter::NpzWriter(fs::path path, std::uint64_t zip64_threshold)
    : path_(std::move(path)), zip64_threshold_(std::min<std::uint64_t>(zip64_threshold, kMax32)) {}

template <typename T>
void NpzWriter::add(const std::string& name, const std::vector<std::int64_t>& shape, const T* data) {
  if (name.empty()) fail(path_.string(), "an array needs a name");
  if (name.size() + 4 > kMax16) fail(path_.string(), "array name too long for a zip archive");
  for (const Member& m : members_) {
    if (m.name == name) fail(member_where(path_, name), "added twice");
  }
  const std::string where = member_where(path_, name);
  Member member;
  member.name = name;
  member.bytes = npy_format::format_header(npy_descr<T>(), shape, where);
  const std::size_t data_bytes = static_cast<std::size_t>(npy_format::element_count(shape, where)) * sizeof(T);
  member.bytes.append(reinterpret_cast<const char*>(data), data_bytes);
  member.crc = crc_of(member.bytes);
  members_.push_back(std::move(member));
}

void NpzWriter::commit() {
  if (committed_) throw std::logic_error("NpzWriter::commit called twice");
  // Each member: local header (with a ZIP64 extra for sizes at the threshold),
  // the .npy bytes; then the central directory and its end record(s).
  std::vector<std::string> local_headers;
  std::string central;
  std::uint64_t offset = 0;
  bool any_zip64 = false;
  for (const Member& m : members_) {
    const std::string file_name = m.name + ".npy";
    const std::uint64_t size = m.bytes.size();
    const bool big = size >= zip64_threshold_;
    const bool far = offset >= zip64_threshold_;
    any_zip64 = any_zip64 || big || far;
    const std::uint16_t version = (big || far) ? 45 : 20;  // 4.5: ZIP64

    std::string local;
    put(local, kLocalHeader, 4);
    put(local, version, 2);
    put(local, 0, 2);  // flags
    put(local, kMethodStored, 2);
    put(local, kDosTime, 2);
    put(local, kDosDate, 2);
    put(local, m.crc, 4);
    put(local, big ? kMax32 : size, 4);  // compressed
    put(local, big ? kMax32 : size, 4);  // uncompressed
    const std::string local_extra = big ? zip64_extra({size, size}) : std::string();
    put(local, file_name.size(), 2);
    put(local, local_extra.size(), 2);
    local += file_name;
    local += local_extra;

    std::vector<std::uint64_t> central_values;
    if (big) central_values = {size, size};
    if (far) central_values.push_back(offset);
    const std::string central_extra = zip64_extra(central_values);
    put(central, kCentralHeader, 4);
    put(central, version, 2);  // made by: MS-DOS attributes, this version
    put(central, version, 2);  // needed
    put(central, 0, 2);
    put(central, kMethodStored, 2);
    put(central, kDosTime, 2);
    put(central, kDosDate, 2);
    put(central, m.crc, 4);
    put(central, big ? kMax32 : size, 4);
    put(central, big ? kMax32 : size, 4);
    put(central, file_name.size(), 2);
    put(central, central_extra.size(), 2);
    put(central, 0, 2);  // comment
    put(central, 0, 2);  // disk
    put(central, 0, 2);  // internal attributes
    put(central, 0, 4);  // external attributes
    put(central, far ? kMax32 : offset, 4);
    central += file_name;
    central += central_extra;

    offset += local.size() + size;
    local_headers.push_back(std::move(local));
  }

  const std::uint64_t central_offset = offset;
  const std::uint64_t count = members_.size();
  const bool zip64_end = any_zip64 || central_offset >= zip64_threshold_ ||
                         central.size() >= zip64_threshold_ || count >= kMax16;
  std::string end;
  if (zip64_end) {
    const std::uint64_t record_offset = central_offset + central.size();
    put(end, kZip64EndOfCentralDirectory, 4);
    put(end, kZip64EndSize - 12, 8);  // the record's size after this field
    put(end, 45, 2);
    put(end, 45, 2);
    put(end, 0, 4);
    put(end, 0, 4);
    put(end, count, 8);
    put(end, count, 8);
    put(end, central.size(), 8);
    put(end, central_offset, 8);
    put(end, kZip64Locator, 4);
    put(end, 0, 4);
    put(end, record_offset, 8);
    put(end, 1, 4);
  }
  put(end, kEndOfCentralDirectory, 4);
  put(end, 0, 2);
  put(end, 0, 2);
  put(end, zip64_end ? kMax16 : count, 2);
  put(end, zip64_end ? kMax16 : count, 2);
  put(end, zip64_end ? kMax32 : central.size(), 4);
  put(end, zip64_end ? kMax32 : central_offset, 4);
  put(end, 0, 2);  // comment

  std::vector<std::string_view> parts;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    parts.push_back(local_headers[i]);
    parts.push_back(members_[i].bytes);
  }
  parts.push_back(central);
  parts.push_back(end);
  write_file_atomically(path_, parts);
  committed_ = true;
}

// ===========================================================================
// NpzArchive

NpzArchive NpzArchive::read(const fs::path& path) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(file, "cannot open file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const ByteReader r(bytes, path);

  const bool zip_magic = bytes.size() >= 4 && r.u32(0) == kLocalHeader;
  const bool empty_zip = bytes.size() >= 4 && r.u32(0) == kEndOfCentralDirectory;
  if (!zip_magic && !empty_zip) fail(file, "not a .npz file (not a zip archive)");

  // The end record: the last 22 bytes unless the archive has a comment (up to 64 KiB).
  std::size_t end_pos = std::string::npos;
  if (bytes.size() >= kEndSize) {
    const std::size_t lowest = bytes.size() >= kEndSize + kMax16 ? bytes.size() - kEndSize - kMax16 : 0;
    for (std::size_t pos = bytes.size() - kEndSize + 1; pos-- > lowest;) {
      if (r.u32(pos) == kEndOfCentralDirectory) {
        end_pos = pos;
        break;
      }
    }
  }
  if (end_pos == std::string::npos) fail(file, "truncated zip archive (no end of central directory record)");
  if (r.u16(end_pos + 4) != 0 || r.u16(end_pos + 6) != 0) fail(file, "split zip archives are not supported");
  std::uint64_t count = r.u16(end_pos + 10);
  std::uint64_t central_size = r.u32(end_pos + 12);
  std::uint64_t central_offset = r.u32(end_pos + 16);
  std::uint64_t central_end = end_pos;
  if (count == kMax16 || central_size == kMax32 || central_offset == kMax32) {
    if (end_pos < kZip64LocatorSize || r.u32(end_pos - kZip64LocatorSize) != kZip64Locator) {
      fail(file, "ZIP64 end of central directory locator missing");
    }
    const std::uint64_t record = r.u64(end_pos - kZip64LocatorSize + 8);
    if (record > bytes.size() || r.u32(record) != kZip64EndOfCentralDirectory) {
      fail(file, "ZIP64 end of central directory record missing");
    }
    count = r.u64(record + 32);
    central_size = r.u64(record + 40);
    central_offset = r.u64(record + 48);
    central_end = record;
  }
  if (central_offset > central_end || central_size > central_end - central_offset) {
    fail(file, "truncated zip archive (the central directory lies outside the file)");
  }

  NpzArchive archive;
  archive.path_ = path;
  std::uint64_t pos = central_offset;
  for (std::uint64_t e = 0; e < count; ++e) {
    if (pos + kCentralHeaderSize > central_offset + central_size || r.u32(pos) != kCentralHeader) {
      fail(file, fmt::format("corrupt zip central directory (entry {} of {})", e + 1, count));
    }
    const std::uint16_t flags = r.u16(pos + 8);
    const std::uint16_t method = r.u16(pos + 10);
    const std::uint32_t crc = r.u32(pos + 16);
    EntrySizes sizes{r.u32(pos + 24), r.u32(pos + 20), r.u32(pos + 42)};
    const std::size_t name_length = r.u16(pos + 28);
    const std::size_t extra_length = r.u16(pos + 30);
    const std::size_t comment_length = r.u16(pos + 32);
    const std::string file_name(r.view(pos + kCentralHeaderSize, name_length, "a member name"));
    const std::string_view extra = r.view(pos + kCentralHeaderSize + name_length, extra_length, "an extra field");
    pos += kCentralHeaderSize + name_length + extra_length + comment_length;

    if (!file_name.empty() && file_name.back() == '/') continue;  // a folder entry
    const std::string name =
        file_name.size() > 4 && file_name.ends_with(".npy") ? file_name.substr(0, file_name.size() - 4) : file_name;
    const std::string where = member_where(path, name);
    if (archive.has(name)) fail(where, "appears twice in the archive");
    apply_zip64_extra(extra, sizes, where);
    if ((flags & 1) != 0) fail(where, "is encrypted (not supported)");
    if (method != kMethodStored && method != kMethodDeflate) {
      fail(where, fmt::format("unsupported compression method {} (only stored and deflate)", method));
    }

    // The local header: its own name and extra lengths place the data.
    if (r.u32(sizes.offset) != kLocalHeader) fail(where, "corrupt zip archive (no local header at its offset)");
    const std::uint64_t data_start =
        sizes.offset + kLocalHeaderSize + r.u16(sizes.offset + 26) + r.u16(sizes.offset + 28);
    const std::string_view stored = r.view(data_start, sizes.compressed, fmt::format("array '{}'", name));

    Member member;
    member.name = name;
    if (method == kMethodStored) {
      if (sizes.compressed != sizes.uncompressed) fail(where, "stored member whose sizes differ");
      member.bytes.assign(stored);
    } else {
      member.bytes = inflate_member(stored, sizes.uncompressed, where);
    }
    if (crc_of(member.bytes) != crc) fail(where, "CRC mismatch (the archive is corrupt)");

    const npy_format::Header header = npy_format::parse_header(member.bytes, where);
    member.descr = header.descr;
    member.fortran_order = header.fortran_order;
    member.shape = header.shape;
    member.data_offset = header.data_offset;
    Dtype dtype{};
    if (parse_dtype(member.descr, dtype)) {  // other dtypes are refused by get()
      const auto count_elements = static_cast<std::uint64_t>(npy_format::element_count(member.shape, where));
      const std::uint64_t actual = member.bytes.size() - member.data_offset;
      if (count_elements > std::numeric_limits<std::uint64_t>::max() / 8 ||
          actual != count_elements * static_cast<std::uint64_t>(dtype.size)) {
        const std::uint64_t expected = count_elements * static_cast<std::uint64_t>(dtype.size);
        fail(where, fmt::format("data section has {} bytes, shape ({}) needs {}{}", actual,
                                fmt::join(member.shape, ", "), expected, actual < expected ? " (truncated)" : ""));
      }
    }
    archive.members_.push_back(std::move(member));
  }
  return archive;
}

const NpzArchive::Member& NpzArchive::member(const std::string& name) const {
  for (const Member& m : members_) {
    if (m.name == name) return m;
  }
  throw InputError(fmt::format("{} is missing (the file has: {})", member_where(path_, name),
                               members_.empty() ? "no arrays" : fmt::format("{}", fmt::join(names(), ", "))));
}

std::vector<std::string> NpzArchive::names() const {
  std::vector<std::string> out;
  for (const Member& m : members_) out.push_back(m.name);
  return out;
}

bool NpzArchive::has(const std::string& name) const {
  return std::any_of(members_.begin(), members_.end(), [&](const Member& m) { return m.name == name; });
}

std::string NpzArchive::dtype(const std::string& name) const { return member(name).descr; }

std::vector<std::int64_t> NpzArchive::shape(const std::string& name) const { return member(name).shape; }

template <typename T>
NpyArray<T> NpzArchive::get(const std::string& name) const {
  const Member& m = member(name);
  const std::string where = member_where(path_, name);
  Dtype dtype{};
  if (!parse_dtype(m.descr, dtype)) {
    fail(where, fmt::format("dtype '{}' is not numeric (expected an integer, float or bool array)", m.descr));
  }
  NpyArray<T> array;
  array.shape = m.shape;
  const auto count = static_cast<std::size_t>(npy_format::element_count(m.shape, where));
  array.data.resize(count);
  const auto* p = reinterpret_cast<const unsigned char*>(m.bytes.data() + m.data_offset);
  for (std::size_t i = 0; i < count; ++i) {
    const Value v = element(p + i * static_cast<std::size_t>(dtype.size), dtype);
    if (!convert(v, array.data[i])) {
      const std::string shown = v.kind == Kind::kFloat ? fmt::format("{}", v.f)
                              : v.kind == Kind::kSigned ? fmt::format("{}", v.i) : fmt::format("{}", v.u);
      fail(where, fmt::format("value {} (element {}) does not fit '{}' exactly", shown, i, npy_descr<T>()));
    }
  }
  if (m.fortran_order && array.shape.size() > 1) array.data = npy_format::to_c_order(array.data, array.shape);
  return array;
}

#define NF_INSTANTIATE_NPZ(T)                                                                        \
  template void NpzWriter::add<T>(const std::string&, const std::vector<std::int64_t>&, const T*); \
  template NpyArray<T> NpzArchive::get<T>(const std::string&) const;
NF_INSTANTIATE_NPZ(float)
NF_INSTANTIATE_NPZ(double)
NF_INSTANTIATE_NPZ(std::int8_t)
NF_INSTANTIATE_NPZ(std::int16_t)
NF_INSTANTIATE_NPZ(std::int32_t)
NF_INSTANTIATE_NPZ(std::int64_t)
NF_INSTANTIATE_NPZ(std::uint8_t)
NF_INSTANTIATE_NPZ(std::uint16_t)
NF_INSTANTIATE_NPZ(std::uint32_t)
NF_INSTANTIATE_NPZ(std::uint64_t)
#undef NF_INSTANTIATE_NPZ

}  // namespace nf
