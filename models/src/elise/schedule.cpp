#include "neurofab/models/elise/schedule.hpp"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

#include "neurofab/common/error.hpp"

namespace nf::models {

using nlohmann::json;

ElisePatternLevels default_pattern_levels(const EliseParameters& params) {
  return {params.phi(params.e_l_mv), params.phi(params.e_l_mv + kNoteOnAboveRestMv)};
}

void EliseTrainingSchedule::validate() const {
  if (cycles < 0) throw InputError(fmt::format("--cycles must be 0 or more (got {})", cycles));
  if (free_run_every < 0) throw InputError(fmt::format("--free-run-every must be 0 or more (got {})", free_run_every));
  if (!(max_shift_ms >= 0)) throw InputError(fmt::format("--max-shift-ms must be 0 or more (got {})", max_shift_ms));
}

bool is_free_run(int cycle, const EliseTrainingSchedule& schedule) {
  return schedule.free_run_every > 0 && cycle % schedule.free_run_every == 0;
}

void train_elise(EliseNetwork& network, const Eigen::MatrixXd& target, const EliseTrainingSchedule& schedule,
                 EliseTrainingProgress& progress, const EliseTrainingHooks& hooks) {
  schedule.validate();
  const int max_shift = max_shift_steps(schedule.max_shift_ms, network.params().dt_ms);
  auto start = std::chrono::steady_clock::now();
  auto account_time = [&] {
    const auto now = std::chrono::steady_clock::now();
    progress.wall_seconds += std::chrono::duration<double>(now - start).count();
    start = now;
  };
  while (progress.cycles_done < schedule.cycles) {
    const int cycle = progress.cycles_done + 1;
    EliseCycleOptions options;
    if (is_free_run(cycle, schedule)) {
      options.teacher = false;
      options.plasticity = schedule.plasticity_in_free_runs;
      const Eigen::MatrixXd rates = network.run_cycle(target, options);
      progress.curve.push_back({cycle, cycle_metrics(rates, target, max_shift)});
    } else {
      network.run_cycle(target, options);
    }
    progress.cycles_done = cycle;
    if (hooks.on_cycle) hooks.on_cycle(progress);
    const bool checkpoint = hooks.checkpoint_every > 0 && cycle % hooks.checkpoint_every == 0;
    if (hooks.on_checkpoint && (checkpoint || cycle == schedule.cycles)) {
      account_time();
      hooks.on_checkpoint(progress);
    }
  }
  account_time();
}

namespace {

json metrics_json(const EliseCycleMetrics& m) {
  return json{{"mse", m.mse},
              {"corr_sum", m.corr_sum},
              {"corr_max", m.corr_max},
              {"best_shift_steps", m.best_shift_steps},
              {"mse_at_best_shift", m.mse_at_best_shift}};
}

EliseCycleMetrics metrics_from(const JsonFields& f) {
  EliseCycleMetrics m;
  m.mse = f.number("mse");
  m.corr_sum = f.number("corr_sum");
  m.corr_max = f.number("corr_max");
  m.best_shift_steps = static_cast<int>(f.integer("best_shift_steps"));
  m.mse_at_best_shift = f.number("mse_at_best_shift");
  return m;
}

}  // namespace

json training_record_json(const EliseTrainingSchedule& s, const EliseTrainingProgress& p) {
  json curve = json::array();
  for (const auto& point : p.curve) {
    json entry = metrics_json(point.metrics);
    entry["cycle"] = point.cycle;
    curve.push_back(entry);
  }
  return json{{"cycles", s.cycles},
              {"free_run_every", s.free_run_every},
              {"plasticity_in_free_runs", s.plasticity_in_free_runs},
              {"max_shift_ms", s.max_shift_ms},
              {"cycles_done", p.cycles_done},
              {"wall_seconds", p.wall_seconds},
              {"learning_curve", curve}};
}

EliseTrainingSchedule schedule_from_json(const JsonFields& f) {
  EliseTrainingSchedule s;
  s.cycles = static_cast<int>(f.integer("cycles"));
  s.free_run_every = static_cast<int>(f.integer("free_run_every"));
  s.plasticity_in_free_runs = f.boolean("plasticity_in_free_runs");
  s.max_shift_ms = f.number("max_shift_ms");
  if (s.cycles < 0) f.fail("cycles", "must be 0 or more");
  if (s.free_run_every < 0) f.fail("free_run_every", "must be 0 or more");
  if (s.max_shift_ms < 0) f.fail("max_shift_ms", "must be 0 or more");
  return s;
}

EliseTrainingProgress progress_from_json(const JsonFields& f) {
  EliseTrainingProgress p;
  p.cycles_done = static_cast<int>(f.integer("cycles_done"));
  if (p.cycles_done < 0) f.fail("cycles_done", "must be 0 or more");
  p.wall_seconds = f.number("wall_seconds");
  const std::size_t n = f.array("learning_curve").size();
  for (std::size_t k = 0; k < n; ++k) {
    const JsonFields point = f.element("learning_curve", k);
    p.curve.push_back({static_cast<int>(point.integer("cycle")), metrics_from(point)});
  }
  return p;
}

EliseReplay replay_elise(EliseNetwork& network, const Eigen::MatrixXd& target, const EliseReplayOptions& o) {
  if (o.cycles < 1) throw InputError(fmt::format("--replay-cycles must be 1 or more (got {})", o.cycles));
  const int steps = static_cast<int>(target.cols());
  if (o.clamp) {
    const EliseClamp& c = *o.clamp;
    if (c.cycle < 1 || c.cycle > o.cycles)
      throw InputError(fmt::format("--clamp-cycle {} is outside the replay (cycles 1..{})", c.cycle, o.cycles));
    if (c.begin < 0 || c.end > steps || c.begin >= c.end)
      throw InputError(fmt::format("the clamped steps [{}, {}) must lie within the cycle's {} steps and not be empty",
                                   c.begin, c.end, steps));
  }
  const int max_shift = max_shift_steps(o.max_shift_ms, network.params().dt_ms);
  EliseReplay replay;
  for (int cycle = 1; cycle <= o.cycles; ++cycle) {
    EliseCycleOptions options;
    options.teacher = false;
    options.plasticity = o.plasticity;
    if (o.clamp && o.clamp->cycle == cycle) {
      options.clamp_mv = o.clamp->mv;
      options.clamp_begin = o.clamp->begin;
      options.clamp_end = o.clamp->end;
    }
    const Eigen::MatrixXd rates = network.run_cycle(target, options);
    int window = max_shift;
    int centre = 0;
    if (o.track_phase && !replay.cycles.empty()) {
      const EliseCycleMetrics& previous = replay.cycles.back();
      centre = previous.best_shift_steps;
      if (previous.corr_sum < kLostFraction * previous.corr_max) window = kAnyShift;
    }
    replay.cycles.push_back(cycle_metrics(rates, target, window, centre));
    if (o.record_cycles.count(cycle) > 0) replay.recorded.emplace_back(cycle, rates);
  }
  return replay;
}

EliseRecovery recovery_after_clamp(const EliseReplay& replay, int clamp_cycle) {
  const int n = static_cast<int>(replay.cycles.size());
  if (clamp_cycle < 2 || clamp_cycle > n)
    throw InputError(fmt::format("recovery needs replay cycles before the clamp (clamp cycle {} of {}; use 2 or more)",
                                 clamp_cycle, n));
  EliseRecovery r;
  for (int c = 1; c < clamp_cycle; ++c) r.baseline += replay.cycles[static_cast<std::size_t>(c - 1)].corr_sum;
  r.baseline /= (clamp_cycle - 1);
  r.during = replay.cycles[static_cast<std::size_t>(clamp_cycle - 1)].corr_sum;
  const double threshold = kRecoveredFraction * r.baseline;
  for (int c = clamp_cycle + 1; c <= n; ++c) {
    if (replay.cycles[static_cast<std::size_t>(c - 1)].corr_sum >= threshold) {
      r.recovered_cycle = c;
      break;
    }
  }
  if (r.recovered_cycle) {
    r.stays_recovered = true;
    for (int c = *r.recovered_cycle; c <= n; ++c) {
      if (replay.cycles[static_cast<std::size_t>(c - 1)].corr_sum < threshold) r.stays_recovered = false;
    }
  }
  return r;
}

}  // namespace nf::models
