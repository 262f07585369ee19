#include "neurofab/analysis/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "neurofab/boards/board.hpp"
#include "neurofab/boards/build_flow.hpp"
#include "neurofab/boards/performance.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/golden/golden_trace.hpp"
#include "neurofab/golden/golden_vectors.hpp"
#include "neurofab/golden/step_operations.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantizer.hpp"
#include "neurofab/quantize/trial_run.hpp"
#include "neurofab/sim/lockstep.hpp"

namespace nf::analysis {

namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The CPU latency of a step as a closed loop sees it: one trial evaluated at a
// time (no batch to amortise over), the median of a few repeats, per step.
constexpr int kLatencyRepeats = 7;
template <typename EvaluateOneTrial>
double single_trial_us_per_step(const EvaluateOneTrial& evaluate_one, int steps_per_trial) {
  std::vector<double> seconds;
  for (int k = 0; k < kLatencyRepeats; ++k) {
    const auto start = std::chrono::steady_clock::now();
    evaluate_one();
    seconds.push_back(seconds_since(start));
  }
  std::nth_element(seconds.begin(), seconds.begin() + kLatencyRepeats / 2, seconds.end());
  return 1e6 * seconds[kLatencyRepeats / 2] / steps_per_trial;
}

// A folder name for a run's work files: its position and last path component.
std::string run_label(std::size_t index, const fs::path& run) {
  const fs::path folder = run.filename().empty() ? run.parent_path() : run;
  std::string name = folder.filename().string();
  // A sweep's run (<sweep>/runs/<id>) is named by both.
  if (folder.parent_path().filename() == "runs") name = folder.parent_path().parent_path().filename().string() + "-" + name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return fmt::format("{:02d}-{}", index, name);
}

// The network's description, shared by its rows.
template <typename Network>
CompareRow describe(const fs::path& run, const models::TrainedArtifact<Network>& a, const models::Task& task) {
  CompareRow r;
  r.run = run.string();
  r.family = models::family_of(models::Artifact(a));
  r.task = a.task_name;
  r.n_rec = a.network.config().n_rec;
  if constexpr (std::is_same_v<Network, models::LifRnn<float>>) {
    r.encoding = models::to_string(a.network.config().encoding);
    r.spike_penalty = a.training.regularization.l1_rates;
  }
  r.steps_per_trial = task.n_steps();
  r.detail = nlohmann::json::object();
  return r;
}

// Sums the golden model's operations over every (trial, step) of a golden
// trace, as means per step.
struct GoldenTotals {
  golden::StepOperations total;
  StepCounts per_step;
  std::int64_t steps = 0;  // trials · T
  nlohmann::json header;
};

// The means per step of summed operations over `steps` steps.
StepCounts per_step(const golden::StepOperations& total, std::int64_t steps) {
  StepCounts c;
  for (const auto& op : total.operations) {
    c.operations[op.name] = {double(op.count) / double(steps), op.operand_bits, op.second_operand_bits,
                             op.accumulator_bits};
  }
  for (const auto& m : total.memories) {
    c.memories[m.memory] = {m.width_bits, double(m.reads) / double(steps), double(m.writes) / double(steps)};
  }
  return c;
}

GoldenTotals golden_totals(const golden::GoldenTrace& v, int lanes) {
  GoldenTotals g;
  g.header = v.header();
  g.total = golden::total_operations(v, lanes);
  g.steps = std::int64_t(v.trials()) * v.steps();
  g.per_step = per_step(g.total, g.steps);
  return g;
}

// The same counts with fp32 operands and the float level's memory elements.
StepCounts as_float32(StepCounts counts, const std::vector<MemoryShape>& shapes) {
  for (auto& [name, op] : counts.operations) {
    op.operand_bits = op.operand_bits > 0 ? 32 : 0;
    op.second_operand_bits = op.second_operand_bits > 0 ? 32 : 0;
    op.accumulator_bits = op.accumulator_bits > 0 ? 32 : 0;
  }
  for (auto& [name, traffic] : counts.memories) {
    for (const auto& shape : shapes) {
      if (shape.name == name) traffic.width_bits = shape.width_bits;
    }
  }
  return counts;
}

// The RTL's activity counters over the lock-step run, as the testbench reports them.
golden::StepOperations rtl_activity_totals(const sim::VerifyResult& v) {
  golden::StepOperations ops;
  const nlohmann::json& totals = v.activity;
  for (const auto& o : totals.at("operations")) {
    ops.operations.push_back({o.at("name").get<std::string>(), o.at("count").get<std::int64_t>(),
                              o.value("operand_bits", 0), o.value("second_operand_bits", 0),
                              o.value("accumulator_bits", 0)});
  }
  for (const auto& m : totals.at("memories")) {
    ops.memories.push_back({m.at("memory").get<std::string>(), m.at("width_bits").get<int>(),
                            m.at("reads").get<std::int64_t>(), m.at("writes").get<std::int64_t>()});
  }
  return ops;
}

// Every count equal (names, order, values); widths come from the golden side.
bool same_counts(const golden::StepOperations& a, const golden::StepOperations& b) {
  if (a.operations.size() != b.operations.size() || a.memories.size() != b.memories.size()) return false;
  for (std::size_t k = 0; k < a.operations.size(); ++k) {
    if (a.operations[k].name != b.operations[k].name || a.operations[k].count != b.operations[k].count) return false;
  }
  for (std::size_t k = 0; k < a.memories.size(); ++k) {
    const auto &x = a.memories[k], &y = b.memories[k];
    if (x.memory != y.memory || x.reads != y.reads || x.writes != y.writes) return false;
  }
  return true;
}

void set_energy(CompareRow& r, const EnergyEstimate& e, double pj_per_step, const std::string& basis) {
  r.energy = e;
  r.energy_pj_per_step = pj_per_step;
  r.energy_nj_per_trial = pj_per_step * r.steps_per_trial / 1000.0;
  r.energy_basis = basis;
}

// Runs one level; a failure becomes the row's error instead of stopping the comparison.
// The optional step callback of run_compare: one step per row (network x level).
struct Steps {
  const ProgressCallback& callback;
  int done = 0;
  int total = 0;
  void start(const std::string& stage) { report_progress(callback, done++, total, stage); }
};

std::string level_text(const CompareRow& row) {
  return fmt::format("{}: {}{}", row.run, row.level,
                     row.weight_bits > 0 ? fmt::format(" ({}-bit weights)", row.weight_bits) : "");
}

void run_level(CompareRow& row, const CompareProgress& progress, Steps& steps,
               const std::function<void(CompareRow&)>& body) {
  const std::string text = level_text(row);
  steps.start(text);
  if (progress) progress(text);
  try {
    body(row);
    row.ok = true;
  } catch (const std::exception& e) {
    row.ok = false;
    row.error = e.what();
    if (progress) progress(fmt::format("  error: {}", row.error));
  }
}

template <typename Network>
void compare_network(std::size_t index, const fs::path& run, const models::TrainedArtifact<Network>& artifact,
                     const CompareOptions& o, const EnergyTable& table, const fs::path& work_dir,
                     const std::vector<boards::Board>& boards, const CompareProgress& progress, Steps& steps,
                     std::vector<CompareRow>& rows) {
  const auto task = models::make_task(artifact.task_name, artifact.task_params);
  const CompareRow base = describe(run, artifact, *task);
  const std::string label = run_label(index, run);
  const std::uint64_t seed = artifact.seed;
  std::optional<std::size_t> float_row;

  if (o.float_level) {
    CompareRow r = base;
    r.level = "float-cpu";
    run_level(r, progress, steps, [&](CompareRow& row) {
      const auto start = std::chrono::steady_clock::now();
      const models::Evaluation e = models::evaluate(artifact.network, *task, o.trials, seed);
      const double seconds = seconds_since(start);
      row.success_rate = e.success_rate;
      row.mse = e.mse;
      row.cpu_batched_us_per_step = 1e6 * seconds / (double(o.trials) * row.steps_per_trial);
      row.cpu_us_per_step = single_trial_us_per_step(
          [&] { models::evaluate(artifact.network, *task, 1, seed); }, row.steps_per_trial);
      row.steps_per_second = 1e6 / *row.cpu_us_per_step;
      if (e.activity) row.detail["float_spikes_per_step"] = e.activity->spikes_per_step;
    });
    rows.push_back(r);
    float_row = rows.size() - 1;
  }

  for (const int bits : o.weight_bits) {
    quantize::QuantizeOptions qo;
    qo.weight_bits = bits;
    qo.calibration_seed = seed;
    std::optional<quantize::QuantizedArtifact> q;
    std::optional<GoldenTotals> golden;
    std::optional<golden::GoldenTrace> trace;
    const fs::path vectors_dir = work_dir / "vectors" / fmt::format("{}-w{}", label, bits);
    CompareRow integer = base;
    integer.level = "integer-cpu";
    integer.weight_bits = bits;
    run_level(integer, progress, steps, [&](CompareRow& row) {
      q = quantize::quantize_artifact(models::Artifact(artifact), run.string(), qo);
      const auto start = std::chrono::steady_clock::now();
      const quantize::IntegerEvaluation e =
          std::visit([&](const auto& net) { return quantize::evaluate_integer(net, *task, o.trials, seed); }, q->network);
      const double seconds = seconds_since(start);
      row.success_rate = e.success_rate;
      row.mse = e.mse;
      row.cpu_batched_us_per_step = 1e6 * seconds / (double(o.trials) * row.steps_per_trial);
      row.cpu_us_per_step = single_trial_us_per_step(
          [&] { std::visit([&](const auto& net) { quantize::evaluate_integer(net, *task, 1, seed); }, q->network); },
          row.steps_per_trial);
      row.steps_per_second = 1e6 / *row.cpu_us_per_step;
      row.detail["overflow_events"] = e.overflow_events;
      trace = quantize::run_trials(*q, o.vector_trials, seed);
      golden::save_golden_vectors(*trace, vectors_dir, run.string());  // the work files a user can inspect
      golden = golden_totals(*trace, 1);
      row.counts = golden->per_step;
      const EnergyEstimate energy = estimate_energy(table, memory_shapes(golden->header, false), row.counts);
      set_energy(row, energy, energy.total_pj,
                 "modelled: golden-model operation counts (measured over the golden trials) x the energy table");
    });
    rows.push_back(integer);

    // The float level prices the same dataflow in fp32 (its own spikes are reported beside it).
    if (float_row && bits == o.weight_bits.front() && golden) {
      CompareRow& f = rows[*float_row];
      const std::vector<MemoryShape> shapes = memory_shapes(golden->header, true);
      f.counts = as_float32(golden->per_step, shapes);
      const EnergyEstimate energy = estimate_energy(table, shapes, f.counts, true);
      set_energy(f, energy, energy.total_pj,
                 fmt::format("modelled: the integer dataflow's operation counts ({}-bit run) in fp32 arithmetic "
                             "with 32-bit memories x the energy table; not the CPU's energy",
                             bits));
    }
    if (!q || !golden) {  // the integer level failed: the levels built on it are reported, not run
      std::vector<std::string> skipped;
      if (o.rtl_level) skipped.push_back("rtl-verilator");
      for (const auto& board : boards) skipped.push_back("board:" + board.name);
      for (const auto& level : skipped) {
        CompareRow r = base;
        r.level = level;
        r.weight_bits = bits;
        r.error = "not run: the integer level failed";
        steps.start(level_text(r) + " (not run)");
        rows.push_back(r);
      }
      continue;
    }

    if (o.rtl_level) {
      CompareRow r = base;
      r.level = "rtl-verilator";
      r.weight_bits = bits;
      run_level(r, progress, steps, [&](CompareRow& row) {
        sim::VerifyOptions vo;
        vo.lanes = o.lanes;
        vo.trials = o.vector_trials;
        vo.cache_dir = o.cache_dir;
        vo.keep_dir = work_dir / "rtl" / fmt::format("{}-w{}", label, bits);
        fs::remove_all(vo.keep_dir);
        const sim::VerifyResult v = sim::verify(*q, vo);
        if (!v.passed) throw VerificationError("lock-step verification failed (log in " + vo.keep_dir.string() + ")");
        row.success_rate = integer.success_rate;  // bit-exact with the golden model, checked every step
        row.mse = integer.mse;
        // The cycle model over the same trials, which the lock-step run checked cycle for cycle.
        row.cycles_per_step = boards::cycle_stats(*q, o.lanes, o.vector_trials, seed).mean;
        // The RTL's counters against the golden model's counts for the same lanes, same trials.
        const GoldenTotals expected = golden_totals(*trace, o.lanes);  // the trials verify ran (artifact seed)
        const golden::StepOperations measured = rtl_activity_totals(v);
        row.counts_match = same_counts(measured, expected.total);
        if (!*row.counts_match) throw VerificationError("the RTL's activity counters differ from the golden model's counts");
        row.counts = per_step(measured, expected.steps);
        // Widths are the golden model's (the counters count events, not bits).
        for (auto& [name, op] : row.counts.operations) {
          const auto& g = expected.per_step.operations.at(name);
          op.operand_bits = g.operand_bits;
          op.second_operand_bits = g.second_operand_bits;
          op.accumulator_bits = g.accumulator_bits;
        }
        const EnergyEstimate energy = estimate_energy(table, memory_shapes(golden->header, false), row.counts);
        set_energy(row, energy, energy.total_pj,
                   "modelled: RTL-measured activity counts (== golden) x the energy table, ASIC process of the table");
        row.detail["lanes"] = o.lanes;
      });
      rows.push_back(r);
    }

    for (const auto& board : boards) {
      CompareRow r = base;
      r.level = "board:" + board.name;
      r.weight_bits = bits;
      run_level(r, progress, steps, [&](CompareRow& row) {
        boards::BuildOptions bo;
        bo.lanes = o.lanes;
        bo.trials = o.vector_trials;
        bo.trial_seed = seed;
        bo.force = true;
        const fs::path dir = work_dir / "builds" / fmt::format("{}-{}-w{}", label, board.name, bits);
        const boards::BuildResult b = boards::build(*q, run.string(), board, bo, dir);
        const nlohmann::json& rep = b.report;
        row.success_rate = integer.success_rate;  // the same integer arithmetic
        row.mse = integer.mse;
        row.counts = golden_totals(*trace, o.lanes).per_step;  // the core's P lanes share state reads
        row.cycles_per_step = rep.at("performance").at("cycles_per_step").at("mean").get<double>();
        row.clock_mhz = board.clock_mhz();
        row.detail["build"] = dir.string();
        row.detail["utilisation"] = rep.at("utilisation");
        if (rep.contains("timing") && rep["timing"].contains("fmax_mhz")) {
          row.fmax_mhz = rep["timing"]["fmax_mhz"].get<double>();
          row.latency_us_per_step = *row.cycles_per_step / *row.fmax_mhz;
          row.steps_per_second = 1e6 / *row.latency_us_per_step;
        } else {
          row.detail["note"] = "no Fmax: place and route is not run for this family (Yosys estimate only)";
        }
        const double latency_at_clock_us = *row.cycles_per_step / *row.clock_mhz;
        row.detail["latency_us_per_step_at_board_clock"] = latency_at_clock_us;
        const EnergyEstimate asic = estimate_energy(table, memory_shapes(golden->header, false), row.counts);
        const auto fpga = table.fpga.find(boards::family_name(board.family));
        if (fpga == table.fpga.end()) {
          row.energy = asic;
          row.energy_basis = fmt::format("no FPGA coefficients for family '{}' in the energy table",
                                         boards::family_name(board.family));
          return;
        }
        // Static power over the step's time at the board's clock (what the build runs at).
        const double static_pj = fpga->second.static_power_mw * 1e-3 * latency_at_clock_us * 1e-6 * 1e12;
        const double dynamic_pj = fpga->second.dynamic_gap * asic.total_pj;
        row.detail["fpga_dynamic_pj_per_step"] = dynamic_pj;
        row.detail["fpga_static_pj_per_step"] = static_pj;
        set_energy(row, asic, dynamic_pj + static_pj,
                   fmt::format("modelled: {:.1f} x the table's energy of the counted operations (FPGA/ASIC dynamic gap) "
                               "+ {:.3f} mW static x time per step at the {:.0f} MHz board clock; not measured on a board",
                               fpga->second.dynamic_gap, fpga->second.static_power_mw, *row.clock_mhz));
      });
      rows.push_back(r);
    }
  }
}

}  // namespace

void CompareOptions::set_levels(const std::vector<std::string>& levels) {
  float_level = integer_level = rtl_level = false;
  for (const auto& level : levels) {
    if (level == "float") float_level = true;
    else if (level == "integer") integer_level = true;
    else if (level == "rtl") rtl_level = true;
    else throw InputError(fmt::format("--levels: unknown level '{}' (float, integer, rtl; boards with --boards)", level));
  }
  // The RTL and board levels build on the integer level's quantization and counts.
  if ((rtl_level || !boards.empty()) && !integer_level) {
    throw InputError("--levels: the rtl level and --boards need the integer level too (add 'integer')");
  }
}

void CompareOptions::validate() const {
  if (!float_level && !integer_level && !rtl_level && boards.empty()) throw InputError("--levels: no level chosen");
  if (weight_bits.empty()) throw InputError("--weight-bits: at least one width");
  for (const int b : weight_bits) {
    if (b < 2 || b > 16) throw InputError(fmt::format("--weight-bits: {} is outside 2..16", b));
  }
  if (trials < 1) throw InputError("--trials must be at least 1");
  if (vector_trials < 1) throw InputError("--vector-trials must be at least 1");
  if (lanes < 1) throw InputError("--lanes must be at least 1");
}

int compare_steps(std::size_t runs, const CompareOptions& o) {
  // compare_network's rows: float, then per width integer (always), rtl, boards.
  const std::size_t per_width = 1 + (o.rtl_level ? 1 : 0) + o.boards.size();
  return static_cast<int>(runs * ((o.float_level ? 1 : 0) + o.weight_bits.size() * per_width));
}

std::vector<CompareRow> run_compare(const std::vector<fs::path>& runs, const CompareOptions& options,
                                    const EnergyTable& table, const fs::path& work_dir,
                                    const CompareProgress& progress, const ProgressCallback& step_callback) {
  options.validate();
  std::vector<boards::Board> boards;
  for (const auto& name : options.boards) boards.push_back(boards::find_board(name));
  // Every artifact is read before anything runs, so a bad folder stops the comparison at once.
  std::vector<models::Artifact> artifacts;
  for (const auto& run : runs) artifacts.push_back(models::load_artifact(run));
  std::vector<CompareRow> rows;
  Steps steps{step_callback, 0, compare_steps(runs.size(), options)};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::visit(
        [&](const auto& a) { compare_network(i, runs[i], a, options, table, work_dir, boards, progress, steps, rows); },
        artifacts[i]);
  }
  report_progress(step_callback, steps.total, steps.total, "done");
  return rows;
}

}  // namespace nf::analysis
