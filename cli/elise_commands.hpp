#pragma once
// The ELiSe parts of `neurofab train` and `neurofab eval` (docs/elise.md,
// "Usage"): train_command.cpp and eval_command.cpp hand over to these when
// --model elise is given or the artifact folder holds an ELiSe network.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "neurofab/models/train_spec.hpp"

namespace nf::cli {

// Registers the ELiSe-only options of `train` (models::TrainSpec::elise).
void add_elise_train_options(CLI::App& cmd, models::EliseTrainOptions& o);

// Trains (or, resumed, continues) what models::prepare_training built for
// --model elise into spec.out, with train's progress line and final report.
void run_elise_train(models::EliseTraining& run, const models::TrainSpec& spec);

// Options of `eval` for ELiSe artifacts.
struct EliseEvalOptions {
  int replay_cycles = 100;
  bool replay_plasticity = false;
  double clamp_mv = -70.0;
  int clamp_cycle = 10;
  double clamp_from_ms = 0.0;
  double clamp_to_ms = -1.0;  // -1: the end of the cycle
  bool plot = false;
  std::string plot_dir;       // default: the artifact folder
};

void add_elise_eval_options(CLI::App& cmd, EliseEvalOptions& o);
const std::vector<std::string>& elise_only_eval_options();
void run_elise_eval(const std::string& dir, const EliseEvalOptions& o, bool json, const CLI::App& cmd);

}  // namespace nf::cli
