#include "npy_format.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>
#include <cstring>

#include "neurofab/common/error.hpp"

namespace nf::npy_format {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLength = 6;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw InputError(fmt::format("{}: {}", where, what));
}

// The header dict as NumPy writes it. A strict little parser of exactly the
// literal forms that appear there: quoted strings, True/False, tuples of ints
// (and, for a structured dtype, a list that is kept as text).
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& where) : text_(text), where_(where) {}

  void parse(Header& header) {
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = quoted();
      expect(':');
      if (key == "descr") {
        skip_space();
        header.descr = peek() == '[' ? bracketed() : quoted();
        have_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = boolean();
        have_order = true;
      } else if (key == "shape") {
        header.shape = tuple();
        have_shape = true;
      } else {
        fail(where_, fmt::format("header: unexpected key '{}'", key));
      }
      skip_space();
      if (peek() == ',') ++pos_;
    }
    if (!have_descr) fail(where_, "header: missing field 'descr'");
    if (!have_order) fail(where_, "header: missing field 'fortran_order'");
    if (!have_shape) fail(where_, "header: missing field 'shape'");
  }

 private:
  char peek() {
    if (pos_ >= text_.size()) fail(where_, "header: ends early");
    return text_[pos_];
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(where_, fmt::format("header: expected '{}' at offset {}", c, pos_));
    ++pos_;
  }
  std::string quoted() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail(where_, fmt::format("header: expected a string at offset {}", pos_));
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail(where_, "header: unterminated string");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  std::string bracketed() {  // a structured dtype's list, as text; never interpreted
    const std::size_t start = pos_;
    int depth = 0;
    do {
      const char c = peek();
      if (c == '[' || c == '(') ++depth;
      if (c == ']' || c == ')') --depth;
      ++pos_;
    } while (depth > 0);
    return std::string(text_.substr(start, pos_ - start));
  }
  bool boolean() {
    skip_space();
    if (text_.substr(pos_, 4) == "True") { pos_ += 4; return true; }
    if (text_.substr(pos_, 5) == "False") { pos_ += 5; return false; }
    fail(where_, "header: 'fortran_order' must be True or False");
  }
  std::vector<std::int64_t> tuple() {
    std::vector<std::int64_t> values;
    expect('(');
    while (true) {
      skip_space();
      if (peek() == ')') { ++pos_; break; }
      std::int64_t v = 0;
      bool any = false;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        if (v > (INT64_MAX - 9) / 10) fail(where_, "header: shape entry too large");
        v = v * 10 + (text_[pos_++] - '0');
        any = true;
      }
      if (!any) fail(where_, "header: 'shape' must be a tuple of non-negative integers");
      values.push_back(v);
      skip_space();
      if (peek() == ',') ++pos_;
    }
    return values;
  }

  std::string_view text_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

std::uint64_t read_le(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::string format_header(const std::string& descr, const std::vector<std::int64_t>& shape,
                          const std::string& where) {
  const std::string shape_text =
      fmt::format("({}{})", fmt::join(shape, ", "), shape.size() == 1 ? "," : "");
  // Version 1.0: the header (magic + 4 bytes + dict + '\n') is padded with
  // spaces to a multiple of 64 bytes so the data is aligned.
  std::string dict =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr, shape_text);
  const std::size_t unpadded = kMagicLength + 4 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  if (dict.size() > 65535) fail(where, "header too long for .npy version 1.0");

  std::string out;
  out.reserve(kMagicLength + 4 + dict.size());
  out.append(kMagic, kMagicLength);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  out += dict;
  return out;
}

Header parse_header(std::string_view bytes, const std::string& where) {
  const auto* raw = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < kMagicLength + 4 || std::memcmp(bytes.data(), kMagic, kMagicLength) != 0) {
    fail(where, "not a .npy file (bad magic)");
  }
  const int major = raw[6];
  if (major < 1 || major > 3) fail(where, fmt::format("unsupported .npy version {}.{}", major, int{raw[7]}));
  const int length_bytes = major == 1 ? 2 : 4;
  const std::size_t prefix = kMagicLength + 2 + static_cast<std::size_t>(length_bytes);
  if (bytes.size() < prefix) fail(where, "truncated header");
  const std::size_t header_length = read_le(raw + 8, length_bytes);
  if (bytes.size() < prefix + header_length) fail(where, "truncated header");

  Header header;
  HeaderParser(bytes.substr(prefix, header_length), where).parse(header);
  header.data_offset = prefix + header_length;
  return header;
}

std::int64_t element_count(const std::vector<std::int64_t>& shape, const std::string& where) {
  std::int64_t count = 1;
  for (const std::int64_t n : shape) {
    if (n != 0 && count > INT64_MAX / n) fail(where, fmt::format("shape ({}) is too large", fmt::join(shape, ", ")));
    count *= n;
  }
  return count;
}

}  // namespace nf::npy_format
