#include "neurofab/analysis/degradation.hpp"
#include "neurofab/analysis/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <type_traits>
#include <variant>

#include "neurofab/common/error.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/spike_encoding.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/models/output_scores.hpp"
#include "neurofab/quantize/bit_width_sweep.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantizer.hpp"

namespace nf::analysis {

namespace fs = std::filesystem;

// ===========================================================================
// Scores (models/output_scores.hpp; the integer model's from quantize::integer_outputs)
// ===========================================================================

namespace {

Scores with_overflow(const models::OutputScores& scores, std::int64_t overflow_events = 0) {
  Scores s;
  s.success_rate = scores.success_rate;
  s.distance = scores.distance;
  s.mse = scores.mse;
  s.trials = scores.trials;
  s.overflow_events = overflow_events;
  return s;
}

template <typename Network>
Scores float_scores(const Network& network, const models::Task& task, int trials, std::uint64_t seed) {
  const auto recorded = models::record_trials(network, task, trials, seed);
  return with_overflow(
      models::score_outputs(task, recorded.batch, recorded.trajectory.outputs.template cast<double>()));
}

template <typename IntegerNetwork>
Scores integer_scores(const IntegerNetwork& network, const models::Task& task, int trials, std::uint64_t seed) {
  const quantize::IntegerOutputs run = quantize::integer_outputs(network, task, trials, seed);
  return with_overflow(models::score_outputs(task, run.batch, run.outputs), run.overflow_events);
}

}  // namespace

Scores evaluate_float(const models::RateRnn<float>& network, const models::Task& task, int trials,
                      std::uint64_t seed) {
  return float_scores(network, task, trials, seed);
}
Scores evaluate_float(const models::LifRnn<float>& network, const models::Task& task, int trials,
                      std::uint64_t seed) {
  return float_scores(network, task, trials, seed);
}

Scores evaluate_integer_model(const quantize::IntegerRateRnn& network, const models::Task& task, int trials,
                              std::uint64_t seed) {
  return integer_scores(network, task, trials, seed);
}
Scores evaluate_integer_model(const quantize::IntegerLifRnn& network, const models::Task& task, int trials,
                              std::uint64_t seed) {
  return integer_scores(network, task, trials, seed);
}

// ===========================================================================
// Options
// ===========================================================================

std::string to_string(Axis axis) {
  switch (axis) {
    case Axis::kPruning: return "pruning";
    case Axis::kSize: return "size";
    case Axis::kMemGap: return "mem-gap";
    case Axis::kBits: return "bits";
    case Axis::kBitFlips: return "bit-flips";
  }
  return "?";
}

std::string axis_names() { return "pruning, size, mem-gap, bits, bit-flips"; }

Axis axis_from_string(const std::string& name) {
  for (const Axis a : {Axis::kPruning, Axis::kSize, Axis::kMemGap, Axis::kBits, Axis::kBitFlips})
    if (to_string(a) == name) return a;
  throw InputError(fmt::format("--axis: unknown axis '{}' (axes: {})", name, axis_names()));
}

void DegradationOptions::validate() const {
  if (trials < 1) throw InputError(fmt::format("--trials must be 1 or more (got {})", trials));
  if (draw_seeds.empty()) throw InputError("--draw-seeds: give at least one seed");
  if (axis == Axis::kPruning) {
    if (fractions.empty()) throw InputError("--fractions: give at least one fraction");
    for (const double f : fractions)
      if (!(f >= 0.0 && f <= 1.0)) throw InputError(fmt::format("--fractions: {} is outside [0, 1]", f));
    if (modes.empty()) throw InputError(fmt::format("--modes: give at least one of {}", prune_mode_names()));
  }
  if (axis == Axis::kMemGap) {
    for (const int g : mem_gaps)
      if (g < 0) throw InputError(fmt::format("--mem-gaps: {} is negative", g));
  }
  if (axis == Axis::kBits) {
    if (bits.empty()) throw InputError("--bits: give at least one bit width");
    for (const int b : bits)
      if (b < 2 || b > 32) throw InputError(fmt::format("--bits: {} is outside [2, 32]", b));
  }
  if (axis == Axis::kBitFlips && (fault_bits < 2 || fault_bits > 32))
    throw InputError(fmt::format("--bits: {} is outside [2, 32]", fault_bits));
  if (axis == Axis::kBits || axis == Axis::kBitFlips) {
    if (state_bits < 2 || state_bits > 32)
      throw InputError(fmt::format("--state-bits: {} is outside [2, 32]", state_bits));
  }
  if (axis == Axis::kBitFlips) {
    if (!flips.empty() && !bit_error_rates.empty())
      throw InputError("--flips and --bit-error-rates exclude each other: give one of the two");
    if (flips.empty() && bit_error_rates.empty()) throw InputError("--flips: give at least one count");
    for (const auto k : flips)
      if (k < 0) throw InputError(fmt::format("--flips: {} is negative", k));
    for (const double p : bit_error_rates)
      if (!(p >= 0.0 && p <= 1.0)) throw InputError(fmt::format("--bit-error-rates: {} is outside [0, 1]", p));
    if (memories.empty()) throw InputError("--memories: give at least one of W_in, W_rec, W_out");
    std::set<WeightMemory> seen;
    for (const auto m : memories)
      if (!seen.insert(m).second) throw InputError(fmt::format("--memories: {} named twice", to_string(m)));
  }
}

// ===========================================================================
// The axes
// ===========================================================================

namespace {

struct Network {
  fs::path dir;
  models::Artifact artifact;
};

bool has_param(const models::Task& task, const std::string& name) {
  const auto& params = task.params();
  return std::any_of(params.begin(), params.end(), [&](const models::TaskParam& p) { return p.name == name; });
}

std::string tasks_with_mem_gap() {
  std::vector<std::string> names;
  for (const auto& name : models::task_names())
    if (has_param(*models::make_task(name), "mem_gap")) names.push_back(name);
  return fmt::format("{}", fmt::join(names, ", "));
}

template <typename A>
std::unique_ptr<models::Task> task_of(const A& a, const std::map<std::string, double>& overrides = {}) {
  std::map<std::string, double> params = a.task_params;
  for (const auto& [name, value] : overrides) params[name] = value;
  return models::make_task(a.task_name, params);
}

class Runner {
 public:
  Runner(const DegradationOptions& o, const std::function<void(const DegradationRow&)>& on_row)
      : o_(o), on_row_(on_row) {}

  std::vector<DegradationRow> rows;
  nlohmann::json network_notes = nlohmann::json::array();

  template <typename A>
  void run(const fs::path& dir, const A& a) {
    DegradationRow base;
    base.network = dir.string();
    base.model = models::model_type_name(std::is_same_v<A, models::RateRnnArtifact> ? models::Family::kRate
                                                                                   : models::Family::kLif);
    base.task = a.task_name;
    base.n_rec = a.network.config().n_rec;
    nlohmann::json note = {{"network", base.network}, {"model", base.model}, {"task", base.task},
                           {"n_rec", base.n_rec}, {"task_params", a.task_params}};
    switch (o_.axis) {
      case Axis::kPruning: pruning(base, a); break;
      case Axis::kSize: size(base, a); break;
      case Axis::kMemGap: mem_gap(base, a, note); break;
      case Axis::kBits: bits(base, a); break;
      case Axis::kBitFlips: bit_flips(base, a, note); break;
    }
    network_notes.push_back(note);
  }

 private:
  const DegradationOptions& o_;
  const std::function<void(const DegradationRow&)>& on_row_;

  void add(DegradationRow row) {
    if (on_row_) on_row_(row);
    rows.push_back(std::move(row));
  }
  static DegradationRow at(const DegradationRow& base, std::string mode, std::optional<double> point) {
    DegradationRow row = base;
    row.mode = std::move(mode);
    row.point = point;
    return row;
  }

  template <typename A>
  void pruning(const DegradationRow& base, const A& a) {
    const auto task = task_of(a);
    const Eigen::MatrixXf& w = a.network.weights().w_rec;
    const Eigen::MatrixXf& mask = a.network.connectivity().mask_rec;
    for (const PruneMode mode : o_.modes) {
      const bool random = mode == PruneMode::kRandom;
      const std::vector<std::uint64_t> seeds = random ? o_.draw_seeds : std::vector<std::uint64_t>{0};
      for (const double f : o_.fractions) {
        for (const std::uint64_t seed : seeds) {
          const PruneChoice choice = choose_pruned(w, mask, mode, f, seed);
          auto network = a.network;
          network.weights().w_rec = apply_pruning(w, choice);
          DegradationRow row = at(base, to_string(mode), f);
          if (random) row.draw_seed = seed;
          row.changed = static_cast<std::int64_t>(choice.removed.size());
          row.scores = evaluate_float(network, *task, o_.trials, o_.seed);
          add(std::move(row));
        }
      }
    }
  }

  template <typename A>
  void size(const DegradationRow& base, const A& a) {
    DegradationRow row = at(base, "float", base.n_rec);
    row.scores = evaluate_float(a.network, *task_of(a), o_.trials, o_.seed);
    add(std::move(row));
  }

  template <typename A>
  void mem_gap(const DegradationRow& base, const A& a, nlohmann::json& note) {
    const auto task = task_of(a);
    const int trained = task->int_param("mem_gap");
    note["trained_mem_gap"] = trained;
    DegradationRow own = at(base, "as_trained", trained);
    own.scores = evaluate_float(a.network, *task, o_.trials, o_.seed);
    add(std::move(own));
    for (const int gap : o_.mem_gaps) {
      const auto changed = task_of(a, {{"mem_gap", gap}});
      DegradationRow row = at(base, fmt::format("trained={}", trained), gap);
      row.scores = evaluate_float(a.network, *changed, o_.trials, o_.seed);
      add(std::move(row));
    }
  }

  quantize::QuantizeOptions quantize_options(int weight_bits) const {
    quantize::QuantizeOptions q;
    q.weight_bits = weight_bits;
    q.state_bits = o_.state_bits;
    q.validate();
    return q;
  }

  template <typename A>
  void bits(const DegradationRow& base, const A& a) {
    quantize::QuantizeOptions q;
    q.state_bits = o_.state_bits;
    const quantize::WidthSweep sweep =
        quantize::success_against_width(models::Artifact(a), q, o_.bits, o_.trials, o_.seed);
    DegradationRow reference = at(base, "float", std::nullopt);
    reference.scores = with_overflow(sweep.float_reference);
    add(std::move(reference));
    for (const quantize::WidthPoint& point : sweep.points) {
      DegradationRow weights_only = at(base, "quantized_weights", point.weight_bits);
      weights_only.scores = with_overflow(point.quantized_weights);
      add(std::move(weights_only));
      DegradationRow integer = at(base, "integer", point.weight_bits);
      integer.scores = with_overflow(point.integer, point.overflow_events);
      add(std::move(integer));
    }
  }

  template <typename A>
  void bit_flips(const DegradationRow& base, const A& a, nlohmann::json& note) {
    const auto task = task_of(a);
    const auto quantized = quantize::quantize_network(a, quantize_options(o_.fault_bits));
    const MemoryLayout layout = memory_layout(quantized.network, o_.memories);
    note["memory_bits"] = layout.total_bits;
    const bool by_rate = !o_.bit_error_rates.empty();
    std::vector<std::pair<double, std::int64_t>> points;  // (point, k)
    if (by_rate) {
      for (const double p : o_.bit_error_rates) points.emplace_back(p, flips_for_rate(p, layout.total_bits));
    } else {
      for (const auto k : o_.flips) points.emplace_back(static_cast<double>(k), k);
    }
    for (const auto& [point, k] : points) {
      if (k > layout.total_bits)
        throw InputError(fmt::format("--flips: {} bit flips asked for, the weight memories of {} hold {} bits", k,
                                     base.network, layout.total_bits));
    }
    std::optional<Scores> unflipped;  // k = 0 is the same network for every seed: run it once
    for (const auto& [point, k] : points) {
      for (const std::uint64_t seed : o_.draw_seeds) {
        DegradationRow row = at(base, "integer", point);
        row.draw_seed = seed;
        row.changed = k;
        if (k == 0) {
          if (!unflipped) unflipped = evaluate_integer_model(quantized.network, *task, o_.trials, o_.seed);
          row.scores = *unflipped;
        } else {
          const auto flips = choose_bit_flips(layout, k, seed);
          row.scores = evaluate_integer_model(with_bit_flips(quantized.network, flips), *task, o_.trials, o_.seed);
        }
        add(std::move(row));
      }
    }
  }
};

nlohmann::json optional_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

template <typename T>
std::string optional_field(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : std::string();
}

}  // namespace

DegradationResult run_degradation(const std::vector<fs::path>& runs, const DegradationOptions& options,
                                  const std::function<void(const DegradationRow&)>& on_row) {
  options.validate();
  if (runs.empty()) throw InputError("no networks given");
  std::vector<Network> networks;
  for (const fs::path& dir : runs) networks.push_back({dir, models::load_artifact(dir)});
  if (options.axis == Axis::kMemGap) {
    // Refuse before anything runs, naming the first network whose task has no mem_gap.
    for (const Network& n : networks) {
      std::visit(
          [&](const auto& a) {
            if (!has_param(*task_of(a), "mem_gap"))
              throw InputError(fmt::format("{}: task '{}' has no mem_gap parameter, so --axis mem-gap does not "
                                           "apply (tasks with one: {})",
                                           n.dir.string(), a.task_name, tasks_with_mem_gap()));
            for (const int gap : options.mem_gaps) {  // refuse gaps the task refuses, early
              try {
                (void)task_of(a, {{"mem_gap", gap}});
              } catch (const InputError& e) {
                throw InputError(fmt::format("{}: --mem-gaps {}: {}", n.dir.string(), gap, e.what()));
              }
            }
          },
          n.artifact);
    }
  }
  Runner runner(options, on_row);
  for (const Network& n : networks) std::visit([&](const auto& a) { runner.run(n.dir, a); }, n.artifact);

  DegradationResult result;
  result.rows = std::move(runner.rows);
  result.summary = summarize(result.rows);
  nlohmann::json& s = result.settings;
  s["axis"] = to_string(options.axis);
  s["trials"] = options.trials;
  s["seed"] = options.seed;
  s["distance"] = "mean over trials of sqrt(sum over steps and outputs of (y - z)^2), every step (Jarne & Laje)";
  switch (options.axis) {
    case Axis::kPruning: {
      s["fractions"] = options.fractions;
      std::vector<std::string> modes;
      for (const auto m : options.modes) modes.push_back(to_string(m));
      s["modes"] = modes;
      s["draw_seeds"] = options.draw_seeds;
      s["pruned_tensor"] = "W_rec";
      break;
    }
    case Axis::kSize: break;
    case Axis::kMemGap: s["mem_gaps"] = options.mem_gaps; break;
    case Axis::kBits:
      s["bits"] = options.bits;
      s["state_bits"] = options.state_bits;
      break;
    case Axis::kBitFlips: {
      s["bits"] = options.fault_bits;
      s["state_bits"] = options.state_bits;
      if (options.bit_error_rates.empty()) s["flips"] = options.flips;
      else s["bit_error_rates"] = options.bit_error_rates;
      std::vector<std::string> memories;
      for (const auto m : options.memories) memories.push_back(to_string(m));
      s["memories"] = memories;
      s["draw_seeds"] = options.draw_seeds;
      break;
    }
  }
  s["networks"] = runner.network_notes;
  return result;
}

std::vector<SummaryRow> summarize(const std::vector<DegradationRow>& rows) {
  std::vector<SummaryRow> summary;
  std::vector<std::vector<const DegradationRow*>> members;
  for (const DegradationRow& row : rows) {
    std::size_t g = 0;
    while (g < summary.size() && !(summary[g].model == row.model && summary[g].mode == row.mode &&
                                   summary[g].point == row.point))
      ++g;
    if (g == summary.size()) {
      summary.push_back({row.model, row.mode, row.point, 0, 0, 0, 0, 0, std::nullopt, std::nullopt});
      members.emplace_back();
    }
    members[g].push_back(&row);
  }
  for (std::size_t g = 0; g < summary.size(); ++g) {
    SummaryRow& s = summary[g];
    const auto& group = members[g];
    s.n = static_cast<int>(group.size());
    std::set<std::string> networks;
    for (const auto* r : group) networks.insert(r->network);
    s.networks = static_cast<int>(networks.size());
    const auto mean = [&](auto field) {
      double sum = 0;
      for (const auto* r : group) sum += field(*r);
      return sum / s.n;
    };
    const auto sd = [&](auto field, double m) -> std::optional<double> {
      if (s.n < 2) return std::nullopt;
      double sum = 0;
      for (const auto* r : group) sum += (field(*r) - m) * (field(*r) - m);
      return std::sqrt(sum / (s.n - 1));
    };
    const auto success = [](const DegradationRow& r) { return r.scores.success_rate; };
    const auto distance = [](const DegradationRow& r) { return r.scores.distance; };
    s.success_mean = mean(success);
    s.distance_mean = mean(distance);
    s.mse_mean = mean([](const DegradationRow& r) { return r.scores.mse; });
    s.success_sd = sd(success, s.success_mean);
    s.distance_sd = sd(distance, s.distance_mean);
  }
  return summary;
}

std::string rows_csv(const std::vector<DegradationRow>& rows) {
  std::string text =
      "network,model,task,n_rec,mode,point,draw_seed,changed,trials,success_rate,distance,mse,overflow_events\n";
  for (const auto& r : rows) {
    text += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(r.network), r.model, r.task, r.n_rec,
                        csv_field(r.mode), optional_field(r.point), optional_field(r.draw_seed), r.changed,
                        r.scores.trials, r.scores.success_rate, r.scores.distance, r.scores.mse,
                        r.scores.overflow_events);
  }
  return text;
}

std::string summary_csv(const std::vector<SummaryRow>& summary) {
  std::string text = "model,mode,point,n,networks,success_mean,success_sd,distance_mean,distance_sd,mse_mean\n";
  for (const auto& s : summary) {
    text += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", s.model, csv_field(s.mode), optional_field(s.point), s.n, s.networks,
                        s.success_mean, optional_field(s.success_sd), s.distance_mean, optional_field(s.distance_sd),
                        s.mse_mean);
  }
  return text;
}

nlohmann::json result_json(const DegradationResult& result) {
  nlohmann::json summary = nlohmann::json::array();
  for (const auto& s : result.summary) {
    summary.push_back({{"model", s.model},
                       {"mode", s.mode},
                       {"point", optional_json(s.point)},
                       {"n", s.n},
                       {"networks", s.networks},
                       {"success_mean", s.success_mean},
                       {"success_sd", optional_json(s.success_sd)},
                       {"distance_mean", s.distance_mean},
                       {"distance_sd", optional_json(s.distance_sd)},
                       {"mse_mean", s.mse_mean}});
  }
  return {{"settings", result.settings}, {"summary", summary}};
}

}  // namespace nf::analysis
