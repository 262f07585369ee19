// The ELiSe training schedule and replay: which cycles are free runs, the
// learning curve's bookkeeping, checkpoints, exact continuation (in memory and
// through the training record), plasticity in free runs and replays, the clamp
// and the recovery measure. Then a short non-Markovian pattern learned to a
// high summed correlation with the spec's parameters (seconds).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "neurofab/common/error.hpp"
#include "neurofab/models/elise/schedule.hpp"

using namespace nf::models;
using Catch::Matchers::Contains;

namespace {

EliseConfig tiny_config(int n_visible = 3, int n_latent = 4) {
  EliseConfig c;
  c.n_visible = n_visible;
  c.n_latent = n_latent;
  return c;
}

// 3 neurons, 3 slots of 2 ms: 60 steps per cycle.
ElisePattern tiny_pattern() {
  Eigen::MatrixXi notes = Eigen::MatrixXi::Identity(3, 3);
  ElisePatternOptions o;
  o.bin_ms = 2.0;
  o.levels = default_pattern_levels(EliseParameters{});
  return pattern_from_notes("tiny", notes, o);
}

}  // namespace

TEST_CASE("Every K-th cycle is a free run", "[elise][schedule]") {
  EliseTrainingSchedule s;
  s.free_run_every = 5;
  std::vector<int> free;
  for (int c = 1; c <= 12; ++c)
    if (is_free_run(c, s)) free.push_back(c);
  CHECK(free == std::vector<int>{5, 10});
  s.free_run_every = 0;
  for (int c = 1; c <= 12; ++c) CHECK_FALSE(is_free_run(c, s));
  s.cycles = -1;
  CHECK_THROWS_WITH(s.validate(), Contains("--cycles"));
}

TEST_CASE("Training: learning curve at the free runs, hooks, checkpoints", "[elise][schedule]") {
  const ElisePattern p = tiny_pattern();
  EliseNetwork network(tiny_config(), 3);
  EliseTrainingSchedule s;
  s.cycles = 7;
  s.free_run_every = 3;
  EliseTrainingProgress progress;
  std::vector<int> cycles_seen, checkpoints;
  EliseTrainingHooks hooks;
  hooks.on_cycle = [&](const EliseTrainingProgress& q) { cycles_seen.push_back(q.cycles_done); };
  hooks.checkpoint_every = 2;
  std::vector<double> checkpoint_seconds;
  hooks.on_checkpoint = [&](const EliseTrainingProgress& q) {
    checkpoints.push_back(q.cycles_done);
    checkpoint_seconds.push_back(q.wall_seconds);
  };
  // wall_seconds adds up every start: from a given total it grows by this
  // start's time, which lies within what the clock shows around the call.
  constexpr double kEarlierStarts = 100.0;
  progress.wall_seconds = kEarlierStarts;
  const auto before = std::chrono::steady_clock::now();
  train_elise(network, p.rates, s, progress, hooks);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - before).count();
  CHECK(progress.cycles_done == 7);
  CHECK(cycles_seen == std::vector<int>{1, 2, 3, 4, 5, 6, 7});
  CHECK(checkpoints == std::vector<int>{2, 4, 6, 7});
  REQUIRE(progress.curve.size() == 2);
  CHECK(progress.curve[0].cycle == 3);
  CHECK(progress.curve[1].cycle == 6);
  CHECK(progress.curve[0].metrics.corr_max == 3.0);
  INFO("wall_seconds " << progress.wall_seconds << ", elapsed around the call " << elapsed);
  CHECK(progress.wall_seconds > kEarlierStarts);  // 7 cycles of 60 steps take time
  CHECK(progress.wall_seconds <= kEarlierStarts + elapsed);
  // Each checkpoint carries the time up to it: increasing, the last at most the final total.
  REQUIRE(checkpoint_seconds.size() == 4);
  CHECK(checkpoint_seconds.front() > kEarlierStarts);
  for (std::size_t k = 1; k < checkpoint_seconds.size(); ++k) CHECK(checkpoint_seconds[k] > checkpoint_seconds[k - 1]);
  CHECK(checkpoint_seconds.back() <= progress.wall_seconds);
  CHECK(network.state().step == 7 * p.steps());
}

TEST_CASE("A free run is a teacher-off cycle, plastic unless switched off", "[elise][schedule]") {
  const ElisePattern p = tiny_pattern();
  const EliseNetwork fresh(tiny_config(), 5);
  EliseTrainingSchedule s;
  s.cycles = 1;
  s.free_run_every = 1;

  EliseNetwork trained = fresh;
  EliseTrainingProgress progress;
  train_elise(trained, p.rates, s, progress);
  EliseNetwork by_hand = fresh;
  EliseCycleOptions free_run;
  free_run.teacher = false;
  const Eigen::MatrixXd rates = by_hand.run_cycle(p.rates, free_run);
  CHECK(trained.weights() == by_hand.weights());
  CHECK(trained.weights() != fresh.weights());
  const EliseCycleMetrics expected = cycle_metrics(rates, p.rates, max_shift_steps(s.max_shift_ms, 0.1));
  CHECK(progress.curve.at(0).metrics.corr_sum == expected.corr_sum);
  CHECK(progress.curve.at(0).metrics.mse == expected.mse);

  s.plasticity_in_free_runs = false;
  EliseNetwork frozen = fresh;
  EliseTrainingProgress progress2;
  train_elise(frozen, p.rates, s, progress2);
  CHECK(frozen.weights() == fresh.weights());
}

TEST_CASE("Training continues exactly, also through the training record", "[elise][schedule]") {
  const ElisePattern p = tiny_pattern();
  EliseTrainingSchedule s;
  s.cycles = 9;
  s.free_run_every = 2;
  EliseNetwork straight(tiny_config(), 11);
  EliseTrainingProgress straight_progress;
  train_elise(straight, p.rates, s, straight_progress);

  EliseNetwork interrupted(tiny_config(), 11);
  EliseTrainingSchedule first_part = s;
  first_part.cycles = 4;
  EliseTrainingProgress progress;
  train_elise(interrupted, p.rates, first_part, progress);
  const nlohmann::json record = training_record_json(first_part, progress);
  const nf::JsonFields fields(record, "model.json", "training");
  EliseTrainingProgress reloaded = progress_from_json(fields);
  CHECK(schedule_from_json(fields).cycles == 4);
  CHECK(schedule_from_json(fields).free_run_every == 2);
  REQUIRE(reloaded.curve.size() == progress.curve.size());
  CHECK(reloaded.curve.back().metrics.corr_sum == progress.curve.back().metrics.corr_sum);
  train_elise(interrupted, p.rates, s, reloaded);

  CHECK(interrupted.weights() == straight.weights());
  CHECK(interrupted.state().u == straight.state().u);
  REQUIRE(reloaded.curve.size() == straight_progress.curve.size());
  for (std::size_t k = 0; k < reloaded.curve.size(); ++k) {
    CHECK(reloaded.curve[k].cycle == straight_progress.curve[k].cycle);
    CHECK(reloaded.curve[k].metrics.corr_sum == straight_progress.curve[k].metrics.corr_sum);
  }

  nlohmann::json broken = record;
  broken["cycles_done"] = "four";
  CHECK_THROWS_WITH(progress_from_json(nf::JsonFields(broken, "model.json", "training")),
                    Contains("training.cycles_done"));
}

TEST_CASE("Replay: teacher off, plasticity off by default, recorded cycles", "[elise][schedule]") {
  const ElisePattern p = tiny_pattern();
  EliseNetwork network(tiny_config(), 2);
  const Eigen::MatrixXd before = network.weights();
  EliseReplayOptions o;
  o.cycles = 5;
  o.record_cycles = {2, 5, 9};
  const EliseReplay replay = replay_elise(network, p.rates, o);
  CHECK(replay.cycles.size() == 5);
  CHECK(network.weights() == before);
  REQUIRE(replay.recorded.size() == 2);
  CHECK(replay.recorded[0].first == 2);
  CHECK(replay.recorded[1].first == 5);
  CHECK(replay.recorded[1].second.rows() == 3);
  CHECK(replay.recorded[1].second.cols() == p.steps());

  o.plasticity = true;
  replay_elise(network, p.rates, o);
  CHECK(network.weights() != before);
}

TEST_CASE("Clamp: the visible somata held for part of one replay cycle", "[elise][schedule]") {
  const ElisePattern p = tiny_pattern();
  EliseNetwork network(tiny_config(), 4);
  const double clamp_mv = -55.0;  // E_l + 15 mV
  EliseReplayOptions o;
  o.cycles = 3;
  o.clamp = EliseClamp{clamp_mv, 2, 10, 30};
  o.record_cycles = {2};
  const EliseReplay replay = replay_elise(network, p.rates, o);
  const Eigen::MatrixXd& rates = replay.recorded.at(0).second;
  const double clamped_rate = network.params().phi(clamp_mv);
  for (int t = 10; t < 30; ++t)
    for (int i = 0; i < 3; ++i) CHECK(rates(i, t) == clamped_rate);
  CHECK(rates(0, 9) != clamped_rate);
  CHECK(rates(0, 30) != clamped_rate);

  o.clamp = EliseClamp{clamp_mv, 4, 0, 60};
  CHECK_THROWS_WITH(replay_elise(network, p.rates, o), Contains("--clamp-cycle 4 is outside the replay (cycles 1..3)"));
  o.clamp = EliseClamp{clamp_mv, 2, 50, 61};
  CHECK_THROWS_WITH(replay_elise(network, p.rates, o), Contains("must lie within the cycle's 60 steps"));
  o.clamp = EliseClamp{clamp_mv, 2, 20, 20};
  CHECK_THROWS_AS(replay_elise(network, p.rates, o), nf::InputError);
}

TEST_CASE("Recovery after a clamp: baseline, first cycle back above 90 %", "[elise][schedule]") {
  EliseReplay replay;
  for (const double corr : {10.0, 10.0, 10.0, 2.0, 5.0, 9.5, 8.0, 10.0}) {
    EliseCycleMetrics m;
    m.corr_sum = corr;
    replay.cycles.push_back(m);
  }
  EliseRecovery r = recovery_after_clamp(replay, 4);
  CHECK(r.baseline == 10.0);
  CHECK(r.during == 2.0);
  REQUIRE(r.recovered_cycle);
  CHECK(*r.recovered_cycle == 6);
  CHECK_FALSE(r.stays_recovered);  // cycle 7 drops to 8 < 9
  replay.cycles[6].corr_sum = 9.0;
  CHECK(recovery_after_clamp(replay, 4).stays_recovered);
  replay.cycles[5].corr_sum = replay.cycles[6].corr_sum = replay.cycles[7].corr_sum = 1.0;
  CHECK_FALSE(recovery_after_clamp(replay, 4).recovered_cycle);
  CHECK_THROWS_WITH(recovery_after_clamp(replay, 1), Contains("use 2 or more"));
}

// The learning thresholds (a short pattern learned in 5000 cycles) are in
// test_elise_learning.cpp, label long: they train, over several seeds.
