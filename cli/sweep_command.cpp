#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <thread>

#include "commands.hpp"
#include "neurofab/analysis/mpi_world.hpp"
#include "neurofab/analysis/training_sweep.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/text_file.hpp"

namespace nf::cli {

namespace {

namespace fs = std::filesystem;

struct TrainingSweepOptions {
  std::string file;
  std::string out;
  int threads = 0;  // 0: the file's, else every core (one per MPI rank)
  bool list = false;
  bool quiet = false;
};

int worker_threads(const TrainingSweepOptions& o, const analysis::TrainingSweepSpec& spec, const analysis::MpiWorld& world) {
  if (o.threads > 0) return o.threads;
  if (spec.threads > 0) return spec.threads;
  if (world.active()) return 1;  // one rank per core is the usual mpirun layout
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void list_runs(const analysis::TrainingSweepSpec& spec) {
  const auto runs = analysis::expand_grid(spec);
  fmt::print("{} runs\n", runs.size());
  for (const auto& run : runs) {
    std::string arguments;
    for (const auto& argument : run.train_arguments) arguments += " " + argument;
    fmt::print("{}: neurofab train{}\n", run.id, arguments);
  }
}

void run_training_sweep_command(const TrainingSweepOptions& o) {
  const std::string text = read_text_file(o.file);
  const analysis::TrainingSweepSpec spec = analysis::parse_training_sweep_spec(text, o.file);
  if (o.list) return list_runs(spec);
  if (o.out.empty()) throw InputError("-o/--out is required (the sweep folder)");

  analysis::MpiWorld world;
  analysis::TrainingSweepWorkers workers;
  workers.rank = world.rank();
  workers.ranks = world.size();
  workers.threads = worker_threads(o, spec, world);
  workers.barrier = [&world] { world.barrier(); };
  workers.combined_error = [&world](const std::string& error) { return world.combined_error(error); };
  const std::string rank_tag = world.active() ? fmt::format("[rank {}] ", world.rank()) : "";

  auto report = [&](const analysis::RunResult& r, int done, int total) {
    if (o.quiet) return;
    if (r.replay) {  // ELiSe: training cycles and the replay without the teacher
      fmt::print(stderr, "{}[{}/{}] {}: {} cycles, replay corr_sum {:.2f} of {:.0f}, MSE {:.4f}, {:.0f} s\n", rank_tag,
                 done, total, r.id, r.epochs, r.replay->corr_sum, r.replay->corr_max, r.replay->mse, r.train_seconds);
      return;
    }
    fmt::print(stderr, "{}[{}/{}] {}: {} epochs, success {:.1f}% (OOD {:.1f}%), {:.0f} s\n", rank_tag, done, total,
               r.id, r.epochs, 100 * r.test.success, 100 * r.ood.success, r.train_seconds);
  };
  std::string failure;
  analysis::TrainingSweepSummary summary;
  try {
    summary = analysis::run_training_sweep(spec, text, o.out, workers, report);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  // Every rank gets here, so one rank's failure never leaves the others
  // hanging in a barrier, and each stops with every failing rank's message.
  const std::string failures = world.combined_error(failure);
  if (!failures.empty()) throw InputError(failures);
  const int trained = world.sum(summary.trained);
  if (world.rank() != 0) return;
  const auto rows = analysis::write_results_table(spec, o.out);
  fmt::print("sweep {}: {} runs ({} finished before, {} trained now on {} rank(s) x {} thread(s)); table: {}\n",
             spec.name.empty() ? o.file : spec.name, rows.size(), summary.finished_before, trained,
             workers.ranks, workers.threads, (fs::path(o.out) / "results.csv").string());
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "sweep", "Train a grid of networks from a TOML sweep file, on threads or MPI ranks; resumable (docs/analysis.md)");
  auto o = std::make_shared<TrainingSweepOptions>();
  cmd->add_option("file", o->file, "Sweep file (TOML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", o->out, "Sweep folder (created, or resumed when it holds this sweep)");
  cmd->add_option("--threads", o->threads, "Worker threads per process (default: the file's, else every core; "
                                           "1 per MPI rank)")->check(CLI::PositiveNumber);
  cmd->add_flag("--list", o->list, "List the runs and their train arguments, train nothing");
  cmd->add_flag("-q,--quiet", o->quiet, "No per-run progress lines");
  cmd->callback([o] { run_training_sweep_command(*o); });
}

}  // namespace nf::cli
