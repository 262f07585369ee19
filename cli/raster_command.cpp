// `neurofab raster <dir>`: a spike raster with input and output traces for one
// trial of a trained LIF artifact, drawn as a PNG by matplotlib.
//
// The C++ side runs the trial (record_trials: the evaluation batch of the
// seed, K+1 trials, trial K drawn) and hands it to plots/raster.py through a
// private temporary folder of .npy files and a meta.json:
//
//   inputs.npy   (T, n_in)          float64  task inputs x_1 .. x_T
//   encoded.npy  (T, n_in_encoded)  float32  encoded inputs X_1 .. X_T (spiking encodings only)
//   spikes.npy   (T, M)             uint8    s_1 .. s_T of the first M units
//   outputs.npy  (T, n_out)         float32  y_1 .. y_T
//   targets.npy  (T, n_out)         float64
//   mask.npy     (T, n_out)         float64  1 where a step is scored
//   meta.json                                dt_ms, task, sizes, encoding, titles, output path
//
// Row t - 1 holds step t, drawn at time t·dt. The script is run as
// `/usr/bin/python3 -E raster.py <tmpdir> <out.png>` and writes the PNG under a
// temporary name beside the target before renaming it, so a failure never
// leaves a half-written PNG; the temporary folder is removed in every case.
#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/npy.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/training.hpp"
#include "plot_runner.hpp"


namespace nf::cli {

namespace {

namespace fs = std::filesystem;

struct Options {
  std::string dir;
  std::string out;
  int trial = 0;
  std::uint64_t seed = 0;
  int units = 0;  // 0: all
};

// Largest forward pass (in bytes, roughly) raster is willing to run to reach trial K.
constexpr double kMaxForwardBytes = 2.0 * 1024 * 1024 * 1024;

// Row-major (T, rows) copy of trial `trial` of a (rows x (first + T)·B) matrix,
// starting at step column `first` (1 for the (T+1)·B state matrices).
template <typename Out, typename Matrix>
std::vector<Out> trial_rows(const Matrix& m, int rows, int n_steps, int batch_size, int trial, int first) {
  std::vector<Out> data;
  data.reserve(static_cast<std::size_t>(n_steps) * static_cast<std::size_t>(rows));
  for (int t = 0; t < n_steps; ++t) {
    const Eigen::Index column = Eigen::Index(first + t) * batch_size + trial;
    for (int r = 0; r < rows; ++r) data.push_back(static_cast<Out>(m(r, column)));
  }
  return data;
}

fs::path output_path(const Options& o) {
  fs::path out = o.out.empty() ? fs::path(o.dir) / "raster.png" : fs::path(o.out);
  if (out.filename().empty() || fs::is_directory(out))
    throw InputError(fmt::format("raster output {} is a folder; give a file name such as {}", out.string(),
                                 (out / "raster.png").string()));
  const fs::path folder = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(folder))
    throw InputError(fmt::format("raster output folder {} does not exist", folder.string()));
  return out;
}

void draw(const models::LifRnnArtifact& artifact, const Options& o, bool seed_given) {
  const auto& network = artifact.network;
  const models::LifRnnConfig& config = network.config();
  const std::uint64_t seed = seed_given ? o.seed : artifact.seed;
  const fs::path out = output_path(o);
  const auto task = models::make_task(artifact.task_name, artifact.task_params);

  const int trials = o.trial + 1;
  const int n_steps = task->n_steps();
  const double forward_bytes = 4.0 * trials * (n_steps + 1.0) *
                               (6.0 * config.n_rec + config.n_in_encoded() + 2.0 * config.n_in + 3.0 * config.n_out);
  if (forward_bytes > kMaxForwardBytes)
    throw InputError(fmt::format("--trial {} needs a forward pass over {} trials of {} steps (about {:.1f} GiB); "
                                 "use a smaller --trial or another --seed",
                                 o.trial, trials, n_steps, forward_bytes / (1024.0 * 1024 * 1024)));

  const auto recorded = models::record_trials(network, *task, trials, seed);
  const models::Batch& batch = recorded.batch;
  const auto& traj = recorded.trajectory;
  const int T = traj.n_steps;
  const int B = traj.batch_size;
  const int n_rec = config.n_rec;
  const int units = o.units > 0 ? std::min(o.units, n_rec) : n_rec;
  const bool spiking_input = config.encoding != models::InputEncoding::kCurrent;

  // Firing rate of this trial over all units and steps 1..T.
  double spike_count = 0;
  for (int t = 1; t <= T; ++t) spike_count += traj.spikes.col(Eigen::Index(t) * B + o.trial).cast<double>().sum();
  const double rate = T > 0 ? spike_count / (double(n_rec) * T) : 0.0;
  const double rate_hz = rate / (config.dt_ms * 1e-3);

  TempFolder tmp;
  const fs::path& d = tmp.path();
  const auto shape = [T](int columns) { return std::vector<std::int64_t>{T, columns}; };
  const int n_in = static_cast<int>(batch.inputs.rows());
  const int n_out = static_cast<int>(batch.targets.rows());
  write_npy<double>(d / "inputs.npy", shape(n_in), trial_rows<double>(batch.inputs, n_in, T, B, o.trial, 0).data());
  write_npy<double>(d / "targets.npy", shape(n_out), trial_rows<double>(batch.targets, n_out, T, B, o.trial, 0).data());
  write_npy<double>(d / "mask.npy", shape(n_out), trial_rows<double>(batch.mask, n_out, T, B, o.trial, 0).data());
  write_npy<float>(d / "outputs.npy", shape(n_out), trial_rows<float>(traj.outputs, n_out, T, B, o.trial, 0).data());
  write_npy<std::uint8_t>(d / "spikes.npy", shape(units),
                          trial_rows<std::uint8_t>(traj.spikes, units, T, B, o.trial, 1).data());
  if (spiking_input) {
    const int n_enc = config.n_in_encoded();
    write_npy<float>(d / "encoded.npy", shape(n_enc), trial_rows<float>(traj.inputs, n_enc, T, B, o.trial, 0).data());
  }

  const int n_exc = config.dale() ? config.n_excitatory() : n_rec;
  std::string title = fmt::format("{}: N = {} LIF units", task->name(), n_rec);
  if (units < n_rec) title += fmt::format(" (first {} shown)", units);
  if (config.dale()) title += fmt::format(", Dale {} E / {} I", n_exc, n_rec - n_exc);
  title += fmt::format(", mean rate {:.3f} spikes/unit/step ({:.1f} Hz)", rate, rate_hz);
  const nlohmann::json meta = {
      {"artifact", o.dir},
      {"output", out.string()},
      {"task", task->name()},
      {"trial", o.trial},
      {"seed", seed},
      {"dt_ms", config.dt_ms},
      {"n_steps", T},
      {"n_in", n_in},
      {"n_out", n_out},
      {"n_rec", n_rec},
      {"n_units", units},
      {"dale", config.dale()},
      {"n_excitatory", n_exc},
      {"encoding", models::to_string(config.encoding)},
      {"threshold", config.threshold},
      {"mean_rate", rate},
      {"mean_rate_hz", rate_hz},
      {"suptitle", fmt::format("{} — LIF RNN on '{}', trial {} of seed {}", o.dir, task->name(), o.trial, seed)},
      {"title_inputs", spiking_input ? fmt::format("task inputs x_t and {} encoding (ON/OFF events)",
                                                   models::to_string(config.encoding))
                                     : std::string("task inputs x_t (current encoding)")},
      {"title_raster", title},
      {"title_outputs", "readout y_t and target (dashed)"},  // raster.py notes the shading of unscored steps
  };
  write_file_atomically(d / "meta.json", meta.dump(2));

  run_plot_script("raster", plots_dir() / "raster.py", d, out);
  fmt::print("raster: {} ({}, trial {}, {} units, {} steps)\n", out.string(), task->name(), o.trial, units, T);
}

}  // namespace

void add_raster_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "raster", "Draw a spike raster with input and output traces for one trial of a LIF artifact (PNG, matplotlib)");
  auto o = std::make_shared<Options>();
  cmd->add_option("dir", o->dir, "LIF artifact folder")->required();
  cmd->add_option("-o,--out", o->out, "Output PNG (default: <dir>/raster.png)");
  cmd->add_option("--trial", o->trial, "Trial of the evaluation batch to draw (0 = the first)");
  cmd->add_option("--seed", o->seed, "Seed of the evaluation batch (default: the artifact's)");
  cmd->add_option("--units", o->units, "Draw only the first M recurrent units (default: all)");
  cmd->callback([o, cmd] {
    if (o->trial < 0) throw InputError(fmt::format("--trial must be 0 or more (got {})", o->trial));
    if (cmd->count("--units") > 0 && o->units < 1)
      throw InputError(fmt::format("--units must be 1 or more (got {})", o->units));
    const models::Artifact artifact = models::load_artifact(o->dir);
    if (!std::holds_alternative<models::LifRnnArtifact>(artifact))
      throw InputError(fmt::format("raster draws spikes: {} is a {} artifact (model_type {}); use a LIF artifact "
                                   "(neurofab train --model lif)",
                                   o->dir, models::model_description(artifact), models::model_type(artifact)));
    draw(std::get<models::LifRnnArtifact>(artifact), *o, cmd->count("--seed") > 0);
  });
}

}  // namespace nf::cli
