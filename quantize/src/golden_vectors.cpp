#include "neurofab/quantize/golden_vectors.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/spike_encoding.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"

namespace nf::quantize {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Column-major codes: the inputs of step t, trial b are contiguous (column batch.column(t, b)).
using StimulusCodes = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic>;

// A width the FixedFormat type would refuse (accumulators reach 62 bits) is still a Q(W, F).
json accumulator_format_json(int total_bits, int frac_bits) {
  return {{"total_bits", total_bits}, {"frac_bits", frac_bits}, {"q", fmt::format("Q{}.{}", total_bits, frac_bits)}};
}

// The .bin files of one case, written as the trials run: raw little-endian
// two's complement, [trial][step][unit], whatever the host's byte order.
class SignalFiles {
 public:
  explicit SignalFiles(fs::path dir) : dir_(std::move(dir)) {}

  int add(const std::string& name, bool int64, Eigen::Index width, const std::string& description, json format) {
    const std::string file = name + ".bin";
    Entry e{name, int64, static_cast<int>(width), description, std::move(format), dir_ / file, {}};
    e.out.open(e.path, std::ios::binary | std::ios::trunc);
    if (!e.out) throw IoError(fmt::format("{}: cannot create", e.path.string()));
    entries_.push_back(std::move(e));
    return static_cast<int>(entries_.size()) - 1;
  }

  template <typename T>
  void put(int signal, const T* values) {
    static_assert(std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>);
    Entry& e = entries_[static_cast<std::size_t>(signal)];
    if (e.int64 != std::is_same_v<T, std::int64_t>) throw std::logic_error("golden vectors: signal type mismatch");
    buffer_.clear();
    for (int i = 0; i < e.width; ++i) {
      auto u = static_cast<std::make_unsigned_t<T>>(values[i]);
      for (std::size_t b = 0; b < sizeof(T); ++b, u = static_cast<decltype(u)>(u >> 8)) {
        buffer_.push_back(static_cast<char>(u & 0xffu));
      }
    }
    e.out.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  }
  void put_one(int signal, std::int64_t value) { put(signal, &value); }

  // Closes every file; the index of vectors.json.
  json close(std::uintmax_t& bytes) {
    json signals = json::array();
    for (Entry& e : entries_) {
      e.out.close();
      if (!e.out) throw IoError(fmt::format("{}: write failed", e.path.string()));
      bytes += fs::file_size(e.path);
      signals.push_back({{"name", e.name},
                         {"dtype", e.int64 ? "int64" : "int32"},
                         {"width", e.width},
                         {"file", e.path.filename().string()},
                         {"description", e.description},
                         {"format", e.format}});
    }
    return signals;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (const Entry& e : entries_) n.push_back(e.name);
    return n;
  }

 private:
  struct Entry {
    std::string name;
    bool int64;
    int width;
    std::string description;
    json format;
    fs::path path;
    std::ofstream out;
  };
  fs::path dir_;
  std::vector<Entry> entries_;
  std::string buffer_;
};

struct CaseRecord {
  json fixed_point;
  std::vector<std::int64_t> overflow_per_trial;
  int steps = 0;
};

// ---------------------------------------------------------------- rate RNN

CaseRecord record(const IntegerRateRnn& network, const models::Task& task, int trials, std::uint64_t seed,
                  SignalFiles& files) {
  const auto& c = network.config();
  const auto& s = network.spec();
  const models::EvaluationTrials data = models::evaluation_trials(task, c, trials, seed);
  const models::Batch& batch = data.batch;
  const StimulusCodes x = quantize_stimulus(batch.inputs, s.input, s.rounding);  // as evaluate_integer

  const int f_input = files.add("input", false, c.n_in, "input codes x consumed by the step", format_to_json(s.input));
  const int f_acc = files.add("accumulator", true, c.n_rec,
                              "pre-activation accumulators a of the step (int64, exact)",
                              accumulator_format_json(s.accumulator_bits, s.accumulator_frac()));
  const int f_state = files.add("state", false, c.n_rec, "state h after the step", format_to_json(s.state));
  const int f_output = files.add("output", false, c.n_out, "output y of the step", format_to_json(s.output));
  const int f_macs = files.add("macs", true, 1, "multiply-accumulates of the step (input, recurrent, readout)", nullptr);
  const int f_table = files.add("table_lookups", true, 1, "activation table reads of the step", nullptr);
  const int f_overflow =
      files.add("overflow_events", true, 1, "values saturated or wrapped during the step", nullptr);

  CaseRecord r;
  r.steps = batch.n_steps;
  r.fixed_point = fixed_point_to_json(network);
  const RateStepCounts counts = network.counts_per_step();
  std::vector<std::int32_t> y(static_cast<std::size_t>(c.n_out));
  std::vector<std::int64_t> a(static_cast<std::size_t>(c.n_rec));
  for (int b = 0; b < batch.batch_size; ++b) {
    auto state = network.initial_state();
    for (int t = 0; t < batch.n_steps; ++t) {
      const std::int32_t* xt = x.col(batch.column(t, b)).data();
      const std::int64_t overflow_before = state.overflow.events;
      network.step(xt, state, y.data(), a.data());
      files.put(f_input, xt);
      files.put(f_acc, a.data());
      files.put(f_state, state.h.data());
      files.put(f_output, y.data());
      files.put_one(f_macs, counts.macs);
      files.put_one(f_table, counts.table_lookups);
      files.put_one(f_overflow, state.overflow.events - overflow_before);
    }
    r.overflow_per_trial.push_back(state.overflow.events);
  }
  return r;
}

// ---------------------------------------------------------------- LIF RNN

CaseRecord record(const IntegerLifRnn& network, const models::Task& task, int trials, std::uint64_t seed,
                  SignalFiles& files) {
  const auto& c = network.config();
  const auto& s = network.spec();
  const models::EvaluationTrials data = models::evaluation_trials(task, c, trials, seed);
  const models::Batch& batch = data.batch;
  StimulusCodes x;  // as evaluate_integer
  if (c.encoding == models::InputEncoding::kCurrent) {
    x = quantize_stimulus(batch.inputs, s.input, s.rounding);
  } else {
    Eigen::MatrixXd encoded;
    const Eigen::MatrixXd uniforms = data.noise.cast<double>();
    models::encode_inputs<double>(c, batch.inputs, batch.batch_size, uniforms.size() ? &uniforms : nullptr, encoded);
    x = encoded.cast<std::int32_t>();
  }
  const bool spike_input = c.encoding != models::InputEncoding::kCurrent;

  const int f_input = files.add(
      "input", false, c.n_in_encoded(),
      spike_input ? fmt::format("encoded input X consumed by the step: {} events 0/1, channel 2k ON and 2k+1 OFF of input k",
                                models::to_string(c.encoding))
                  : std::string("encoded input X consumed by the step: current codes"),
      format_to_json(s.input));
  const int f_current = files.add("current", false, c.n_rec, "synaptic current I after the step", format_to_json(s.current));
  const int f_membrane =
      files.add("membrane", false, c.n_rec, "membrane v after the step (after reset)", format_to_json(s.membrane));
  const int f_spikes = files.add("spikes", false, c.n_rec, "spikes s of the step (0/1)", nullptr);
  const int f_refractory =
      files.add("refractory", false, c.n_rec, "refractory counters c after the step (steps left)", nullptr);
  const int f_output = files.add("output", false, c.n_out, "output y after the step", format_to_json(s.output));
  const int f_macs = files.add("input_macs", true, 1, "input multiply-accumulates of the step (current input)", nullptr);
  const int f_events = files.add("synaptic_events", true, 1,
                                 "weight reads caused by spikes in the step (input events, recurrent, readout)", nullptr);
  const int f_decays = files.add("decays", true, 1, "decay operations of the step (I, v, y)", nullptr);
  const int f_count = files.add("spike_count", true, 1, "spikes of the step (the sum of `spikes`)", nullptr);
  const int f_overflow =
      files.add("overflow_events", true, 1, "values saturated or wrapped during the step", nullptr);

  CaseRecord r;
  r.steps = batch.n_steps;
  r.fixed_point = fixed_point_to_json(network);
  for (int b = 0; b < batch.batch_size; ++b) {
    auto state = network.initial_state();
    for (int t = 0; t < batch.n_steps; ++t) {
      const std::int32_t* xt = x.col(batch.column(t, b)).data();
      const std::int64_t overflow_before = state.overflow.events;
      LifStepCounts counts;  // step() adds to it: fresh per step
      network.step(xt, state, &counts);
      files.put(f_input, xt);
      files.put(f_current, state.current.data());
      files.put(f_membrane, state.membrane.data());
      files.put(f_spikes, state.spikes.data());
      files.put(f_refractory, state.refractory.data());
      files.put(f_output, state.output.data());
      files.put_one(f_macs, counts.input_macs);
      files.put_one(f_events, counts.synaptic_events);
      files.put_one(f_decays, counts.decays);
      files.put_one(f_count, counts.spikes);
      files.put_one(f_overflow, state.overflow.events - overflow_before);
    }
    r.overflow_per_trial.push_back(state.overflow.events);
  }
  return r;
}

}  // namespace

GoldenVectorsSummary write_golden_vectors(const QuantizedArtifact& q, int trials, std::uint64_t seed,
                                          const fs::path& out_dir, const std::string& quantized_dir) {
  if (trials < 1) throw InputError(fmt::format("golden vectors need at least 1 trial (got {})", trials));
  const auto task = models::make_task(q.task_name, q.task_params);
  StagingDir staging(out_dir);
  SignalFiles files(staging.path());
  json root = {{"format", kGoldenVectorsFormat},
               {"format_version", kGoldenVectorsFormatVersion},
               {"generator", kGoldenVectorsGenerator}};
  const CaseRecord r = std::visit(
      [&](const auto& net) {
        using Net = std::decay_t<decltype(net)>;
        root["model_type"] = std::is_same_v<Net, IntegerRateRnn> ? "rate_rnn" : "lif_rnn";
        root["model"] = models::model_to_json(net.config());
        return record(net, *task, trials, seed, files);
      },
      q.network);

  GoldenVectorsSummary summary;
  summary.trials = trials;
  summary.steps = r.steps;
  summary.signals = files.names();
  for (const std::int64_t n : r.overflow_per_trial) summary.overflow_events += n;
  const json signals = files.close(summary.bytes);

  json params = json::object();
  for (const auto& [name, value] : q.task_params) params[name] = value;
  root["quantized_artifact"] = quantized_dir;
  root["source_artifact"] = q.source;
  root["task"] = {{"name", q.task_name}, {"params", params}};
  root["seed"] = seed;
  root["trials"] = trials;
  root["steps"] = r.steps;
  root["layout"] =
      "<name>.bin: trials x steps x width values, raw little-endian two's complement, no header, "
      "[trial][step][unit] order: value (k, t, i) at index (k * steps + t) * width + i";
  root["fixed_point"] = r.fixed_point;
  root["overflow_events_per_trial"] = r.overflow_per_trial;
  root["signals"] = signals;
  write_file_atomically(staging.path() / "vectors.json", root.dump(2) + "\n");
  staging.commit();
  return summary;
}

}  // namespace nf::quantize
