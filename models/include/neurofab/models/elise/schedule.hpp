#pragma once
// How an ELiSe network is trained and evaluated: training cycles with the
// teacher on and periodic free runs, the learning curve, the final replay and
// the clamp (disruption) experiments.
//
// Training (train_elise): cycles 1..cycles, each one pass over the pattern.
// Cycle c is a free run (teacher off) when free_run_every > 0 and c is a
// multiple of free_run_every; every other cycle runs with the teacher on.
// Plasticity is on in every training cycle, free runs included, as in the
// original, where it is never switched off: with the teacher off the visible
// neurons' error phi(u) - phi(v*) is ~0 (their somata follow their dendrites),
// while the latent neurons keep their scaffold nudging and go on learning.
// (plasticity_in_free_runs = false switches it off there, for comparison.)
// The metrics of each free-run cycle (metrics.hpp) are the learning curve.
//
// Replay (replay_elise): `cycles` cycles with the teacher off, continuing from
// the network's state (for a trained artifact: right after its last training
// cycle), plasticity off by default so that evaluating never changes the
// network. Metrics per replay cycle, with the phase tracked: a free-running
// network's period is not exactly the pattern's (a trained melody network
// drifted by ~1 ms per 250 ms cycle), so after some dozens of cycles a replay
// that is still perfect would fall out of any fixed +-25 ms window. The
// search window of replay cycle k is therefore +-max_shift around the best
// shift of cycle k-1 (cycle 1: around 0, where training left the phase), and
// when cycle k-1 was lost (corr_sum below kLostFraction of corr_max, e.g. a
// clamped cycle) every circular shift is searched to find the replay again.
// best_shift_steps is then the accumulated (unwrapped) shift. track_phase =
// false searches +-max_shift around 0 in every cycle.
//
// Clamp: in replay cycle `clamp.cycle` (1-based) the visible somata are held
// at clamp.mv (e.g. E_l, or E_l + 15 mV) from step begin to step end (a whole
// cycle or a part of one). Recovery (recovery_after_clamp): the baseline is the
// mean corr_sum of the replay cycles before the clamp; the network has
// recovered in the first later cycle whose corr_sum is at least
// kRecoveredFraction of the baseline.
//
// Target levels of the shipped patterns (default_pattern_levels): an active
// note's target rate is phi(E_l + 20 mV) (0.917 with the spec's phi), silence
// phi(E_l) (0.027): the teacher then drives an active visible soma toward
// E_l + 20 mV and a silent one toward rest.

#include <Eigen/Core>
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "neurofab/common/json_fields.hpp"
#include "neurofab/models/elise/metrics.hpp"
#include "neurofab/models/elise/network.hpp"
#include "neurofab/models/elise/pattern.hpp"

namespace nf::models {

inline constexpr double kNoteOnAboveRestMv = 20.0;
inline constexpr double kRecoveredFraction = 0.9;
inline constexpr double kLostFraction = 0.5;

ElisePatternLevels default_pattern_levels(const EliseParameters& params);

struct EliseTrainingSchedule {
  int cycles = 10000;                  // all training cycles, free runs included
  int free_run_every = 20;             // 0 = no free runs (no learning curve)
  bool plasticity_in_free_runs = true;
  double max_shift_ms = kDefaultMaxShiftMs;
  void validate() const;               // InputError naming the option
};

bool is_free_run(int cycle, const EliseTrainingSchedule& schedule);  // cycle counted from 1

struct EliseCurvePoint {
  int cycle = 0;  // the free-run cycle, counted from 1
  EliseCycleMetrics metrics;
};

// Where a training stands: saved in the artifact's training record so that a
// run can be resumed.
struct EliseTrainingProgress {
  int cycles_done = 0;
  std::vector<EliseCurvePoint> curve;
  double wall_seconds = 0;  // summed over every start
};

struct EliseTrainingHooks {
  std::function<void(const EliseTrainingProgress&)> on_cycle;       // after every cycle
  std::function<void(const EliseTrainingProgress&)> on_checkpoint;  // every checkpoint_every cycles and at the end
  int checkpoint_every = 0;                                         // 0: at the end only
};

// Runs cycles progress.cycles_done + 1 .. schedule.cycles on the network.
void train_elise(EliseNetwork& network, const Eigen::MatrixXd& target, const EliseTrainingSchedule& schedule,
                 EliseTrainingProgress& progress, const EliseTrainingHooks& hooks = {});

// The training record of model.json: the schedule, the progress and the learning curve.
nlohmann::json training_record_json(const EliseTrainingSchedule& schedule, const EliseTrainingProgress& progress);
EliseTrainingSchedule schedule_from_json(const JsonFields& training);
EliseTrainingProgress progress_from_json(const JsonFields& training);

struct EliseClamp {
  double mv = -70.0;
  int cycle = 1;   // replay cycle, from 1
  int begin = 0;   // first clamped step of that cycle
  int end = 0;     // one past the last
};

struct EliseReplayOptions {
  int cycles = 100;
  bool plasticity = false;
  std::optional<EliseClamp> clamp;
  double max_shift_ms = kDefaultMaxShiftMs;
  bool track_phase = true;
  std::set<int> record_cycles;  // replay cycles (from 1) whose visible rates are kept
};

struct EliseReplay {
  std::vector<EliseCycleMetrics> cycles;        // one per replay cycle
  std::vector<std::pair<int, Eigen::MatrixXd>> recorded;  // (cycle, n_visible x steps), in cycle order
  EliseCycleMetrics mean() const { return mean_metrics(cycles); }
};

// Runs the replay on `network` (its state moves on; weights too if plasticity).
EliseReplay replay_elise(EliseNetwork& network, const Eigen::MatrixXd& target, const EliseReplayOptions& options);

struct EliseRecovery {
  double baseline = 0;                // mean corr_sum of the cycles before the clamp
  double during = 0;                  // corr_sum of the clamped cycle
  std::optional<int> recovered_cycle; // first later cycle >= kRecoveredFraction * baseline
  bool stays_recovered = false;       // and every cycle after it too
};

// Needs clamp_cycle >= 2 (a baseline) and a replay that goes past it.
EliseRecovery recovery_after_clamp(const EliseReplay& replay, int clamp_cycle);

}  // namespace nf::models
