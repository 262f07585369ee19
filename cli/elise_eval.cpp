// `neurofab eval <dir>` of an ELiSe artifact: the final replay (teacher off,
// by default plasticity off so evaluating never changes the network) from the
// state the training left, metrics per replay cycle, an optional clamp of the
// visible somata and the recovery after it, and with --plot two figures drawn
// by cli/plots/elise_replay.py and elise_learning_curve.py:
//
//   replay.png          target vs replay heat maps of a few replay cycles
//                       (around the clamp if there is one), and corr_sum per
//                       replay cycle
//   learning_curve.png  corr_sum and MSE of the training's free-run cycles
//
// Data goes to the scripts through a private temporary folder:
//   target.npy          (n_visible, T_bins)      float64  target, 1 ms bins
//   replay.npy          (n_visible, k * T_bins)  float64  k recorded replay cycles, 1 ms bins
//   replay_cycles.npy   (k,)                     int64    which cycles (from 1)
//   replay_metrics.npy  (N, 4)                   float64  cycle, corr_sum, mse, best shift (ms)
//   curve.npy           (M, 4)                   float64  cycle, corr_sum, mse, best shift (ms) of the free runs
//   meta.json                                    labels, corr_max, clamp, titles
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "elise_commands.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/npy.hpp"
#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/elise/schedule.hpp"
#include "plot_runner.hpp"

namespace nf::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kPlotBinMs = 1.0;

std::optional<models::EliseClamp> clamp_of(const EliseEvalOptions& o, const CLI::App& cmd, int steps, double dt_ms) {
  const bool any = cmd.count("--clamp-mv") + cmd.count("--clamp-cycle") + cmd.count("--clamp-from-ms") +
                       cmd.count("--clamp-to-ms") > 0;
  if (!any) return std::nullopt;
  if (cmd.count("--clamp-mv") == 0) throw InputError("--clamp-cycle/--clamp-from-ms/--clamp-to-ms need --clamp-mv");
  const double cycle_ms = steps * dt_ms;
  const double to_ms = o.clamp_to_ms < 0 ? cycle_ms : o.clamp_to_ms;
  if (o.clamp_from_ms < 0 || to_ms > cycle_ms + 1e-9 || o.clamp_from_ms >= to_ms)
    throw InputError(fmt::format("the clamp window [{}, {}) ms must lie within the {} ms cycle and not be empty",
                                 o.clamp_from_ms, to_ms, cycle_ms));
  if (o.clamp_cycle < 2)
    throw InputError(fmt::format("--clamp-cycle must be 2 or more (the cycles before it are the baseline; got {})",
                                 o.clamp_cycle));
  models::EliseClamp c;
  c.mv = o.clamp_mv;
  c.cycle = o.clamp_cycle;
  c.begin = static_cast<int>(std::lround(o.clamp_from_ms / dt_ms));
  c.end = static_cast<int>(std::lround(to_ms / dt_ms));
  return c;
}

// Cycles to draw: around the clamp, else the first two and the last two.
std::set<int> cycles_to_draw(int n, const std::optional<models::EliseClamp>& clamp) {
  std::set<int> cycles;
  const std::vector<int> wanted = clamp ? std::vector<int>{clamp->cycle - 1, clamp->cycle, clamp->cycle + 1, clamp->cycle + 2}
                                        : std::vector<int>{1, 2, n - 1, n};
  for (const int c : wanted) {
    if (c >= 1 && c <= n) cycles.insert(c);
  }
  return cycles;
}

// Mean over bins of `bin` columns (the figures do not need 0.1 ms).
Eigen::MatrixXd binned(const Eigen::MatrixXd& m, int bin) {
  const Eigen::Index bins = m.cols() / bin;
  Eigen::MatrixXd out(m.rows(), bins);
  for (Eigen::Index b = 0; b < bins; ++b) out.col(b) = m.middleCols(b * bin, bin).rowwise().mean();
  return out;
}

void write_matrix(const fs::path& path, const Eigen::MatrixXd& m) {
  std::vector<double> data;
  data.reserve(static_cast<std::size_t>(m.size()));
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) data.push_back(m(r, c));
  write_npy<double>(path, {m.rows(), m.cols()}, data.data());
}

json metrics_json(const models::EliseCycleMetrics& m, double dt_ms) {
  return {{"corr_sum", m.corr_sum},
          {"corr_max", m.corr_max},
          {"mse", m.mse},
          {"mse_at_best_shift", m.mse_at_best_shift},
          {"best_shift_ms", m.best_shift_steps * dt_ms}};
}

void draw(const std::string& dir, const fs::path& plot_dir, const models::EliseArtifact& a,
          const models::EliseTrainingProgress& training, const models::EliseReplay& replay,
          const std::optional<models::EliseClamp>& clamp, const std::vector<std::string>& labels) {
  if (!fs::is_directory(plot_dir)) throw InputError(fmt::format("--plot-dir {}: no such folder", plot_dir.string()));
  const double dt = a.network.params().dt_ms;
  const int bin = std::max(1, static_cast<int>(std::lround(kPlotBinMs / dt)));
  TempFolder tmp;
  const fs::path& d = tmp.path();
  write_matrix(d / "target.npy", binned(a.pattern_rates, bin));
  Eigen::MatrixXd shown(a.pattern_rates.rows(), 0);
  std::vector<std::int64_t> shown_cycles;
  for (const auto& [cycle, rates] : replay.recorded) {
    const Eigen::MatrixXd b = binned(rates, bin);
    shown.conservativeResize(Eigen::NoChange, shown.cols() + b.cols());
    shown.rightCols(b.cols()) = b;
    shown_cycles.push_back(cycle);
  }
  write_matrix(d / "replay.npy", shown);
  write_npy<std::int64_t>(d / "replay_cycles.npy", {static_cast<std::int64_t>(shown_cycles.size())}, shown_cycles.data());
  auto rows = [dt](const std::vector<std::pair<int, models::EliseCycleMetrics>>& points) {
    Eigen::MatrixXd m(static_cast<Eigen::Index>(points.size()), 4);
    for (std::size_t k = 0; k < points.size(); ++k) {
      const auto& [cycle, x] = points[k];
      m.row(static_cast<Eigen::Index>(k)) << cycle, x.corr_sum, x.mse, x.best_shift_steps * dt;
    }
    return m;
  };
  std::vector<std::pair<int, models::EliseCycleMetrics>> replay_points, curve_points;
  for (std::size_t k = 0; k < replay.cycles.size(); ++k) replay_points.emplace_back(static_cast<int>(k) + 1, replay.cycles[k]);
  for (const auto& p : training.curve) curve_points.emplace_back(p.cycle, p.metrics);
  write_matrix(d / "replay_metrics.npy", rows(replay_points));
  write_matrix(d / "curve.npy", rows(curve_points));

  const auto& c = a.network.config();
  const double corr_max = replay.cycles.empty() ? 0.0 : replay.cycles.front().corr_max;
  const std::string network = fmt::format("{} visible + {} latent, {}, {}, seed {}", c.n_visible, c.n_latent,
                                          models::to_string(c.variant), models::to_string(c.connectivity), a.seed);
  json meta = {{"artifact", dir},
               {"labels", labels},
               {"bin_ms", bin * dt},
               {"cycle_ms", static_cast<double>(a.pattern_rates.cols()) * dt},
               {"corr_max", corr_max},
               {"suptitle", fmt::format("{} — ELiSe on '{}' ({})", dir, a.pattern_name, network)},
               {"clamp", nullptr}};
  if (clamp) {
    meta["clamp"] = {{"mv", clamp->mv}, {"cycle", clamp->cycle}, {"from_ms", clamp->begin * dt},
                     {"to_ms", clamp->end * dt}};
  }
  write_file_atomically(d / "meta.json", meta.dump(2));
  const fs::path replay_png = plot_dir / "replay.png";
  const fs::path curve_png = plot_dir / "learning_curve.png";
  run_plot_script("eval --plot", plots_dir() / "elise_replay.py", d, replay_png);
  run_plot_script("eval --plot", plots_dir() / "elise_learning_curve.py", d, curve_png);
  fmt::print("figures: {} {}\n", replay_png.string(), curve_png.string());
}

}  // namespace

const std::vector<std::string>& elise_only_eval_options() {
  static const std::vector<std::string> names = {"--replay-cycles", "--replay-plasticity", "--clamp-mv",
                                                 "--clamp-cycle",   "--clamp-from-ms",    "--clamp-to-ms",
                                                 "--plot",          "--plot-dir"};
  return names;
}

void add_elise_eval_options(CLI::App& cmd, EliseEvalOptions& o) {
  cmd.add_option("--replay-cycles", o.replay_cycles, "[elise] Cycles of the replay without teacher")
      ->check(CLI::PositiveNumber);
  cmd.add_flag("--replay-plasticity", o.replay_plasticity, "[elise] Keep plasticity on during the replay");
  cmd.add_option("--clamp-mv", o.clamp_mv, "[elise] Clamp the visible somata to this potential (e.g. -70 = E_l)");
  cmd.add_option("--clamp-cycle", o.clamp_cycle, "[elise] Replay cycle of the clamp (from 1; default 10)");
  cmd.add_option("--clamp-from-ms", o.clamp_from_ms, "[elise] Clamp from this time in the cycle (default 0)");
  cmd.add_option("--clamp-to-ms", o.clamp_to_ms, "[elise] Clamp until this time in the cycle (default: its end)");
  cmd.add_flag("--plot", o.plot, "[elise] Draw replay.png and learning_curve.png (matplotlib)");
  cmd.add_option("--plot-dir", o.plot_dir, "[elise] Folder of the figures (default: the artifact folder)");
}

void run_elise_eval(const std::string& dir, const EliseEvalOptions& o, bool as_json, const CLI::App& cmd) {
  for (const char* name : {"--trials", "--seed"}) {
    if (cmd.count(name) > 0)
      throw InputError(fmt::format("{} does not apply to an ELiSe artifact: its replay is deterministic (use "
                                   "--replay-cycles)", name));
  }
  if (cmd.count("--plot-dir") > 0 && !o.plot) throw InputError("--plot-dir needs --plot");
  models::EliseArtifact a = models::load_elise_artifact(dir);
  const std::string model_json = (fs::path(dir) / "model.json").string();
  const JsonFields training_fields(a.training, model_json, "training");
  const models::EliseTrainingSchedule schedule = models::schedule_from_json(training_fields);
  const models::EliseTrainingProgress training = models::progress_from_json(training_fields);
  const double dt = a.network.params().dt_ms;
  const int steps = static_cast<int>(a.pattern_rates.cols());

  models::EliseReplayOptions ro;
  ro.cycles = o.replay_cycles;
  ro.plasticity = o.replay_plasticity;
  ro.clamp = clamp_of(o, cmd, steps, dt);
  ro.max_shift_ms = schedule.max_shift_ms;
  if (o.plot) ro.record_cycles = cycles_to_draw(ro.cycles, ro.clamp);
  models::EliseNetwork network = a.network;  // the artifact's network stays as trained
  const models::EliseReplay replay = models::replay_elise(network, a.pattern_rates, ro);
  const models::EliseCycleMetrics mean = replay.mean();
  auto corr_of = [](const models::EliseCycleMetrics& m) { return m.corr_sum; };
  double min_corr = corr_of(replay.cycles.front());
  for (const auto& m : replay.cycles) min_corr = std::min(min_corr, m.corr_sum);
  std::optional<models::EliseRecovery> recovery;
  if (ro.clamp) recovery = models::recovery_after_clamp(replay, ro.clamp->cycle);

  const auto& c = a.network.config();
  if (as_json) {
    json cycles = json::array();
    for (const auto& m : replay.cycles) cycles.push_back(metrics_json(m, dt));
    json j = {{"artifact", dir},
              {"model_type", models::kEliseModelType},
              {"pattern", a.pattern_name},
              {"n_visible", c.n_visible},
              {"n_latent", c.n_latent},
              {"variant", models::to_string(c.variant)},
              {"connectivity", models::to_string(c.connectivity)},
              {"seed", a.seed},
              {"trained_cycles", training.cycles_done},
              {"replay_cycles", ro.cycles},
              {"replay_plasticity", ro.plasticity},
              {"mean", metrics_json(mean, dt)},
              {"min_corr_sum", min_corr},
              {"cycles", cycles}};
    if (recovery) {
      j["clamp"] = {{"mv", ro.clamp->mv}, {"cycle", ro.clamp->cycle}, {"from_ms", ro.clamp->begin * dt},
                    {"to_ms", ro.clamp->end * dt}};
      j["recovery"] = {{"baseline_corr_sum", recovery->baseline},
                       {"corr_sum_during", recovery->during},
                       {"threshold_fraction", models::kRecoveredFraction},
                       {"recovered_cycle", recovery->recovered_cycle ? json(*recovery->recovered_cycle) : json(nullptr)},
                       {"stays_recovered", recovery->stays_recovered}};
    }
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}: ELiSe on '{}' ({} visible + {} latent, variant {}, {} dendrites, seed {}), {} training cycles\n",
               dir, a.pattern_name, c.n_visible, c.n_latent, models::to_string(c.variant),
               models::to_string(c.connectivity), a.seed, training.cycles_done);
    fmt::print("  replay            {} cycles of {:.0f} ms, teacher off, plasticity {}\n", ro.cycles, steps * dt,
               ro.plasticity ? "on" : "off");
    fmt::print("  corr_sum          mean {:.3f} of {:.0f} (first {:.3f}, last {:.3f}, min {:.3f}; best shift within "
               "+-{:g} ms of the previous cycle's)\n",
               mean.corr_sum, mean.corr_max, replay.cycles.front().corr_sum, replay.cycles.back().corr_sum, min_corr,
               schedule.max_shift_ms);
    fmt::print("  MSE               mean {:.4e} (at the best shift {:.4e})\n", mean.mse, mean.mse_at_best_shift);
    const auto& first = replay.cycles.front();
    const auto& last = replay.cycles.back();
    fmt::print("  best shift        first {:+.1f} ms, last {:+.1f} ms (accumulated over the cycles)\n",
               first.best_shift_steps * dt, last.best_shift_steps * dt);
    if (!ro.clamp && ro.cycles > 1) {
      fmt::print("  phase drift       {:+.2f} ms per cycle (the replay's period minus the pattern's)\n",
                 (last.best_shift_steps - first.best_shift_steps) * dt / (ro.cycles - 1));
    }
    if (recovery) {
      fmt::print("  clamp             visible somata at {:g} mV in cycle {}, {:g}-{:g} ms: corr_sum {:.3f} "
                 "(baseline {:.3f}, mean of cycles 1-{})\n",
                 ro.clamp->mv, ro.clamp->cycle, ro.clamp->begin * dt, ro.clamp->end * dt, recovery->during,
                 recovery->baseline, ro.clamp->cycle - 1);
      if (recovery->recovered_cycle) {
        fmt::print("  recovery          corr_sum >= {:.0f}% of baseline again in cycle {} ({} cycle(s) after the "
                   "clamp){}\n",
                   100 * models::kRecoveredFraction, *recovery->recovered_cycle,
                   *recovery->recovered_cycle - ro.clamp->cycle,
                   recovery->stays_recovered ? " and in every cycle after" : ", but falls below it again later");
      } else {
        fmt::print("  recovery          not within the {} replay cycles\n", ro.cycles);
      }
    }
  }
  if (o.plot) {
    std::vector<std::string> labels;
    if (a.training.contains("pattern") && a.training["pattern"].contains("labels"))
      labels = a.training["pattern"]["labels"].get<std::vector<std::string>>();
    if (labels.size() != static_cast<std::size_t>(c.n_visible)) {
      labels.clear();
      for (int i = 0; i < c.n_visible; ++i) labels.push_back(fmt::format("v{}", i));
    }
    draw(dir, o.plot_dir.empty() ? fs::path(dir) : fs::path(o.plot_dir), a, training, replay, ro.clamp, labels);
  }
}

}  // namespace nf::cli
