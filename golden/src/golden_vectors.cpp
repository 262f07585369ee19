#include "neurofab/golden/golden_vectors.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/quantize/trial_run.hpp"

namespace nf::golden {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Raw little-endian two's complement, [trial][step][unit], whatever the host's byte order.
template <typename T>
void write_values(const fs::path& path, const std::vector<T>& values) {
  std::string bytes;
  bytes.reserve(values.size() * sizeof(T));
  for (const T v : values) {
    auto u = static_cast<std::make_unsigned_t<T>>(v);
    for (std::size_t b = 0; b < sizeof(T); ++b, u = static_cast<decltype(u)>(u >> 8)) {
      bytes.push_back(static_cast<char>(u & 0xffu));
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IoError(fmt::format("{}: cannot create", path.string()));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw IoError(fmt::format("{}: write failed", path.string()));
}

}  // namespace

GoldenVectorsSummary save_golden_vectors(const GoldenTrace& trace, const fs::path& out_dir,
                                         const std::string& quantized_dir) {
  if (!trace.complete()) {
    throw InputError(fmt::format("{}: the golden trace has values missing (a recording cut short)", out_dir.string()));
  }
  StagingDir staging(out_dir);
  GoldenVectorsSummary summary;
  summary.trials = trace.trials();
  summary.steps = trace.steps();
  json signals = json::array();
  for (const Signal& s : trace.signals()) {
    const fs::path path = staging.path() / s.file;
    if (s.is_int64()) {
      write_values(path, trace.values<std::int64_t>(s.name));
    } else {
      write_values(path, trace.values<std::int32_t>(s.name));
    }
    summary.bytes += fs::file_size(path);
    summary.signals.push_back(s.name);
    signals.push_back({{"name", s.name},
                       {"dtype", s.dtype},
                       {"width", s.width},
                       {"file", s.file},
                       {"description", s.description},
                       {"format", s.format}});
  }
  for (const std::int64_t n : trace.values<std::int64_t>("overflow_events")) summary.overflow_events += n;

  json root = trace.header();
  root["format"] = kFormat;
  root["format_version"] = kFormatVersion;
  root["generator"] = kGoldenVectorsGenerator;
  root["quantized_artifact"] = quantized_dir;
  root["layout"] =
      "<name>.bin: trials x steps x width values, raw little-endian two's complement, no header, "
      "[trial][step][unit] order: value (k, t, i) at index (k * steps + t) * width + i";
  root["signals"] = signals;
  write_file_atomically(staging.path() / "vectors.json", root.dump(2) + "\n");
  staging.commit();
  return summary;
}

GoldenVectorsSummary write_golden_vectors(const quantize::QuantizedArtifact& q, int trials, std::uint64_t seed,
                                          const fs::path& out_dir, const std::string& quantized_dir) {
  return save_golden_vectors(quantize::run_trials(q, trials, seed), out_dir, quantized_dir);
}

}  // namespace nf::golden
