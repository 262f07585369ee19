#pragma once
// The golden trace: every recorded signal of K trials of the integer golden
// model, in memory (golden/ layer; docs/architecture.md). quantize::run_trials
// fills one; evaluation, golden vectors, degradation, cycle statistics, the
// HLS test data, HIL, the lock-step harnesses and compare all read one.
//
// Its file form is the golden-vector folder (`neurofab vectors`; the header
// comment of golden_vectors.hpp and docs/fixed-point.md, "Golden vectors",
// define the format): GoldenTrace::load reads one, golden::save_golden_vectors
// writes one. This header depends only on the C++17 standard library and
// nlohmann/json, never on Eigen or a neurofab library, so every testbench (the
// C++ tests, the HLS C-simulation, the Verilator and SystemC harnesses) can
// include it with nothing else on its path.
//
//   const nf::golden::GoldenTrace v = nf::golden::GoldenTrace::load("out/vectors");
//   for (int trial = 0; trial < v.trials(); ++trial)
//     for (int step = 0; step < v.steps(); ++step) {
//       const std::int32_t* x = v.step_values<std::int32_t>("input", trial, step);  // width values
//       ... run the design on x ...
//       for (int i = 0; i < v.signal("membrane").width; ++i)
//         if (dut_membrane[i] != v.value<std::int32_t>("membrane", trial, step, i)) { /* report */ }
//     }
//
// load() reads every signal file into memory and checks it against
// vectors.json: a missing, truncated or oversized file, or an inconsistent
// vectors.json, throws std::runtime_error naming the file and what is wrong
// (e.g. its size against trials x steps x width x bytes). Asking for a signal
// that is not there, a wrong integer type or an index out of range throws
// std::out_of_range / std::invalid_argument naming the signal.
//
// Recording (quantize::run_trials): GoldenTrace(header, trials, steps), then
// add_signal() for each signal, then append() each signal's values step by
// step in [trial][step] order; complete() says when every value is in.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace nf::golden {

inline constexpr const char* kFormat = "neurofab-golden-vectors";
inline constexpr int kFormatVersion = 1;  // the version this reader understands

// One recorded signal: `width` values per trial and step.
struct Signal {
  std::string name;
  std::string dtype;        // "int32" or "int64"
  int width = 0;            // values per step
  std::string file;         // "<name>.bin", inside the folder
  std::string description;
  nlohmann::json format;    // {"total_bits", "frac_bits", "q"} of the codes, or null (counts, 0/1 events)

  bool is_int64() const { return dtype == "int64"; }
  std::size_t bytes_per_value() const { return is_int64() ? 8 : 4; }
};

class GoldenTrace {
 public:
  GoldenTrace() = default;
  // An empty trace of `trials` x `steps` for recording; `header` holds the
  // case's fields of vectors.json (model, task, fixed_point, ...).
  GoldenTrace(nlohmann::json header, int trials, int steps)
      : header_(std::move(header)), trials_(trials), steps_(steps) {
    if (trials < 1 || steps < 1) {
      throw std::invalid_argument("golden trace: " + std::to_string(trials) + " trials x " + std::to_string(steps) +
                                  " steps (both must be >= 1)");
    }
    header_["trials"] = trials;
    header_["steps"] = steps;
  }

  // Declares a signal (recorded in the order added); its values follow by append().
  void add_signal(Signal s) {
    if (s.name.empty() || index_.count(s.name) != 0) {
      throw std::invalid_argument("golden trace: signal name '" + s.name + "' is empty or taken");
    }
    if (s.dtype != "int32" && s.dtype != "int64") throw std::invalid_argument("golden trace: dtype " + s.dtype);
    if (s.width < 1) throw std::invalid_argument("golden trace: signal '" + s.name + "' has width < 1");
    if (s.file.empty()) s.file = s.name + ".bin";
    const std::size_t count = static_cast<std::size_t>(trials_) * static_cast<std::size_t>(steps_) *
                              static_cast<std::size_t>(s.width);
    data32_.emplace_back();
    data64_.emplace_back();
    if (s.is_int64()) {
      data64_.back().reserve(count);
    } else {
      data32_.back().reserve(count);
    }
    index_[s.name] = signals_.size();
    signals_.push_back(std::move(s));
  }

  // The next step's `width` values of signal number `signal` (the order of add_signal).
  template <typename T>
  void append(std::size_t signal, const T* values) {
    static_assert(std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>,
                  "golden vectors hold int32 or int64");
    const Signal& s = signals_.at(signal);
    if (s.is_int64() != std::is_same_v<T, std::int64_t>) {
      throw std::invalid_argument("golden trace: signal '" + s.name + "' is " + s.dtype);
    }
    auto& data = [&]() -> std::vector<T>& {
      if constexpr (std::is_same_v<T, std::int64_t>) {
        return data64_[signal];
      } else {
        return data32_[signal];
      }
    }();
    data.insert(data.end(), values, values + s.width);
  }
  void append_one(std::size_t signal, std::int64_t value) { append(signal, &value); }

  // Every signal holds trials x steps x width values.
  bool complete() const {
    for (std::size_t k = 0; k < signals_.size(); ++k) {
      const std::size_t n = signals_[k].is_int64() ? data64_[k].size() : data32_[k].size();
      if (n != static_cast<std::size_t>(trials_) * static_cast<std::size_t>(steps_) *
                   static_cast<std::size_t>(signals_[k].width))
        return false;
    }
    return true;
  }

  // Every value of one signal, [trial][step][unit]; T must be its dtype.
  template <typename T>
  const std::vector<T>& values(const std::string& name) const {
    const std::size_t k = position(name);
    if (signals_[k].is_int64() != std::is_same_v<T, std::int64_t>) {
      throw std::invalid_argument("golden vectors: signal '" + name + "' is " + signals_[k].dtype);
    }
    if constexpr (std::is_same_v<T, std::int64_t>) {
      return data64_[k];
    } else {
      return data32_[k];
    }
  }

  nlohmann::json& header() { return header_; }

  // Reads <dir>/vectors.json and every signal file it lists.
  static GoldenTrace load(const std::string& dir) {
    GoldenTrace v;
    v.dir_ = dir;
    const std::string json_path = join(dir, "vectors.json");
    {
      std::ifstream in(json_path, std::ios::binary);
      if (!in) fail(json_path, "missing or unreadable (not a golden-vector folder?)");
      try {
        v.header_ = nlohmann::json::parse(in);
      } catch (const nlohmann::json::exception& e) {
        fail(json_path, std::string("not valid JSON: ") + e.what());
      }
    }
    const nlohmann::json& h = v.header_;
    if (!h.is_object()) fail(json_path, "expected a JSON object");
    if (!h.contains("format") || h["format"] != kFormat) {
      fail(json_path, std::string("field 'format': expected \"") + kFormat + "\"");
    }
    const std::int64_t version = integer_field(h, "format_version", json_path);
    if (version != kFormatVersion) {
      fail(json_path, "field 'format_version': unsupported version " + std::to_string(version) +
                          " (this reader reads version " + std::to_string(kFormatVersion) + ")");
    }
    v.trials_ = count_field(h, "trials", json_path);
    v.steps_ = count_field(h, "steps", json_path);
    if (!h.contains("signals") || !h["signals"].is_array()) fail(json_path, "field 'signals': expected an array");
    for (std::size_t k = 0; k < h["signals"].size(); ++k) {
      const nlohmann::json& entry = h["signals"][k];
      const std::string where = json_path + ": signals[" + std::to_string(k) + "]";
      if (!entry.is_object()) fail(where, "expected an object");
      Signal s;
      s.name = string_field(entry, "name", where);
      if (s.name.empty()) fail(where, "field 'name' is empty");
      if (v.index_.count(s.name) != 0) fail(where, "signal '" + s.name + "' is listed twice");
      s.dtype = string_field(entry, "dtype", where);
      if (s.dtype != "int32" && s.dtype != "int64") {
        fail(where, "field 'dtype': '" + s.dtype + "' (expected int32 or int64)");
      }
      s.width = count_field(entry, "width", where);
      s.file = string_field(entry, "file", where);
      if (s.file.empty() || s.file.find('/') != std::string::npos || s.file.find('\\') != std::string::npos ||
          s.file == "." || s.file == "..") {
        fail(where, "field 'file': '" + s.file + "' is not a file name inside the folder");
      }
      if (entry.contains("description") && entry["description"].is_string()) {
        s.description = entry["description"].get<std::string>();
      }
      if (entry.contains("format")) s.format = entry["format"];
      v.read_signal_file(s, json_path);
      v.index_[s.name] = v.signals_.size();
      v.signals_.push_back(std::move(s));
    }
    return v;
  }

  const nlohmann::json& header() const { return header_; }  // vectors.json as read
  const std::string& dir() const { return dir_; }  // the folder it was loaded from; "" for a recorded trace
  int trials() const { return trials_; }  // K
  int steps() const { return steps_; }    // T
  std::string model_type() const { return header_.value("model_type", ""); }
  std::uint64_t seed() const { return header_.value("seed", std::uint64_t{0}); }

  const std::vector<Signal>& signals() const { return signals_; }
  bool has_signal(const std::string& name) const { return index_.count(name) != 0; }
  const Signal& signal(const std::string& name) const { return signals_[position(name)]; }

  // The `width` values of one trial and step; T must be the signal's dtype.
  template <typename T>
  const T* step_values(const std::string& name, int trial, int step) const {
    static_assert(std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>,
                  "golden vectors hold int32 or int64");
    const std::size_t k = position(name);
    const Signal& s = signals_[k];
    if (s.is_int64() != std::is_same_v<T, std::int64_t>) {
      throw std::invalid_argument("golden vectors: signal '" + name + "' is " + s.dtype + ", read as " +
                                  (std::is_same_v<T, std::int64_t> ? "int64" : "int32"));
    }
    const std::size_t offset = row(s, trial, step, 0);
    if constexpr (std::is_same_v<T, std::int64_t>) {
      return data64_[k].data() + offset;
    } else {
      return data32_[k].data() + offset;
    }
  }

  // One value; an int32 signal may be read as int64 (exact), not the reverse.
  template <typename T>
  T value(const std::string& name, int trial, int step, int unit) const {
    static_assert(std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>,
                  "golden vectors hold int32 or int64");
    const std::size_t k = position(name);
    const Signal& s = signals_[k];
    const std::size_t offset = row(s, trial, step, unit);
    if (s.is_int64()) {
      if (!std::is_same_v<T, std::int64_t>) {
        throw std::invalid_argument("golden vectors: signal '" + name + "' is int64, read as int32");
      }
      return static_cast<T>(data64_[k][offset]);
    }
    return static_cast<T>(data32_[k][offset]);
  }

 private:
  std::string dir_;
  nlohmann::json header_;
  int trials_ = 0, steps_ = 0;
  std::vector<Signal> signals_;
  std::map<std::string, std::size_t> index_;
  std::vector<std::vector<std::int32_t>> data32_;  // per signal (empty for int64 signals)
  std::vector<std::vector<std::int64_t>> data64_;  // per signal (empty for int32 signals)

  [[noreturn]] static void fail(const std::string& where, const std::string& what) {
    throw std::runtime_error("golden vectors: " + where + ": " + what);
  }
  static std::string join(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    return dir.back() == '/' ? dir + name : dir + "/" + name;
  }
  static std::int64_t integer_field(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.contains(key) || !j[key].is_number_integer()) fail(where, std::string("field '") + key + "': expected an integer");
    return j[key].get<std::int64_t>();
  }
  static int count_field(const nlohmann::json& j, const char* key, const std::string& where) {
    const std::int64_t n = integer_field(j, key, where);
    if (n < 1 || n > std::numeric_limits<int>::max()) {
      fail(where, std::string("field '") + key + "': " + std::to_string(n) + " is not a positive count");
    }
    return static_cast<int>(n);
  }
  static std::string string_field(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.contains(key) || !j[key].is_string()) fail(where, std::string("field '") + key + "': expected a string");
    return j[key].get<std::string>();
  }

  std::size_t position(const std::string& name) const {
    const auto it = index_.find(name);
    if (it == index_.end()) {
      std::string known;
      for (const Signal& s : signals_) known += (known.empty() ? "" : ", ") + s.name;
      throw std::out_of_range("golden vectors " + dir_ + ": no signal '" + name + "' (it has: " + known + ")");
    }
    return it->second;
  }
  std::size_t row(const Signal& s, int trial, int step, int unit) const {
    if (trial < 0 || trial >= trials_ || step < 0 || step >= steps_ || unit < 0 || unit >= s.width) {
      throw std::out_of_range("golden vectors: signal '" + s.name + "': index [trial " + std::to_string(trial) +
                              ", step " + std::to_string(step) + ", unit " + std::to_string(unit) +
                              "] outside [" + std::to_string(trials_) + ", " + std::to_string(steps_) + ", " +
                              std::to_string(s.width) + "]");
    }
    return (static_cast<std::size_t>(trial) * static_cast<std::size_t>(steps_) + static_cast<std::size_t>(step)) *
               static_cast<std::size_t>(s.width) +
           static_cast<std::size_t>(unit);
  }

  // Reads s.file, checks its size is trials x steps x width values, decodes
  // little-endian two's complement (whatever this machine's byte order).
  void read_signal_file(const Signal& s, const std::string& json_path) {
    const std::string path = join(dir_, s.file);
    const std::uint64_t values = static_cast<std::uint64_t>(trials_) * static_cast<std::uint64_t>(steps_);
    if (values > std::numeric_limits<std::uint64_t>::max() / static_cast<std::uint64_t>(s.width) / 8) {
      fail(json_path, "signal '" + s.name + "': trials x steps x width is too large");
    }
    const std::uint64_t count = values * static_cast<std::uint64_t>(s.width);
    const std::uint64_t expected = count * s.bytes_per_value();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail(path, "missing (signal '" + s.name + "' of " + json_path + ")");
    if (!std::filesystem::is_regular_file(path, ec)) fail(path, "not a regular file (signal '" + s.name + "')");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "unreadable (signal '" + s.name + "' of " + json_path + ")");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) fail(path, "cannot tell its size (signal '" + s.name + "')");
    const auto actual = static_cast<std::uint64_t>(size);
    if (actual != expected) {
      fail(path, std::to_string(actual) + " bytes, expected " + std::to_string(expected) + " = " +
                     std::to_string(trials_) + " trials x " + std::to_string(steps_) + " steps x width " +
                     std::to_string(s.width) + " x " + std::to_string(s.bytes_per_value()) + " bytes (" + s.dtype +
                     ") as " + json_path + " says for signal '" + s.name + "'" +
                     (actual < expected ? ": truncated?" : ""));
    }
    std::vector<unsigned char> bytes(static_cast<std::size_t>(expected));
    in.seekg(0, std::ios::beg);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) fail(path, "read error (signal '" + s.name + "')");
    std::vector<std::int32_t> d32;
    std::vector<std::int64_t> d64;
    if (s.is_int64()) {
      d64.resize(static_cast<std::size_t>(count));
      for (std::size_t i = 0; i < d64.size(); ++i) {
        std::uint64_t u = 0;
        for (int b = 7; b >= 0; --b) u = (u << 8) | bytes[8 * i + static_cast<std::size_t>(b)];
        d64[i] = static_cast<std::int64_t>(u);  // two's complement (guaranteed from C++20, universal before)
      }
    } else {
      d32.resize(static_cast<std::size_t>(count));
      for (std::size_t i = 0; i < d32.size(); ++i) {
        std::uint32_t u = 0;
        for (int b = 3; b >= 0; --b) u = (u << 8) | bytes[4 * i + static_cast<std::size_t>(b)];
        d32[i] = static_cast<std::int32_t>(u);
      }
    }
    data32_.push_back(std::move(d32));
    data64_.push_back(std::move(d64));
  }
};

}  // namespace nf::golden
