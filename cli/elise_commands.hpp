#pragma once
// The ELiSe parts of `neurofab train` and `neurofab eval` (docs/elise.md,
// "Usage"): train_command.cpp and eval_command.cpp hand over to these when
// --model elise is given or the artifact folder holds an ELiSe network.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace nf::cli {

// Options of `train --model elise` that no other model family has.
struct EliseTrainOptions {
  std::string pattern;
  int latent = 50;
  int cycles = 10000;
  int free_run_every = 20;
  bool no_free_run_plasticity = false;
  std::string variant = "elise";
  std::string connectivity = "all_to_all";
  int in_degree = 10;
  double sparse_density = 0.16;
  double p = 0.2;
  double q = 0.15;
  double p0 = 0.04;
  double bin_ms = 10.0;
  int visible = 13;  // random / repeated patterns
  int slots = 25;    // random / repeated patterns
  double max_shift_ms = 25.0;
};

// Cycles between checkpoints when --checkpoint-every is not given (a few seconds of training).
inline constexpr int kEliseCheckpointEvery = 1000;

// What train's shared options say (the subset ELiSe uses).
struct EliseCommonTrainOptions {
  std::uint64_t seed = 1;
  std::string out;
  bool resume = false;
  bool force = false;
  bool quiet = false;
  bool no_report = false;
  bool check_only = false;
  int checkpoint_every = kEliseCheckpointEvery;  // cycles; 0: at the end only
};

// Registers the ELiSe-only options on `train`.
void add_elise_train_options(CLI::App& cmd, EliseTrainOptions& o);
// Their names ("--pattern", ...): refused for --model rate / lif.
const std::vector<std::string>& elise_only_train_options();
// Options of `train` that --model elise accepts (its own plus these shared ones).
const std::vector<std::string>& elise_shared_train_options();

// Trains (or, with resume, continues) an ELiSe network into common.out.
// Throws nf::InputError for options of other families given to it.
void run_elise_train(const EliseTrainOptions& o, const EliseCommonTrainOptions& common, const CLI::App& cmd);

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
