// `neurofab export-nir` and `neurofab import-nir`: LIF networks to and from
// NIR graphs (interop/; docs/interop.md).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "min_success.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/interop/nir_export.hpp"
#include "neurofab/interop/nir_import.hpp"
#include "neurofab/models/tasks/task_data.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "task_options.hpp"

namespace nf::cli {

namespace {

struct ExportOptions {
  std::string dir;
  std::string out;
  double dt = 0;
};

struct ImportOptions {
  std::string file;
  std::string out;
  double dt = 0;
  std::string reset;
  std::string discretisation = "euler";
  std::string task;
  std::vector<std::string> task_params;
  std::string data;
  int trials = 512;
  bool force = false;
  double min_success_percent = -1;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The imported network on its task: a stage that produces a network says how good it is.
double check_imported(const std::string& out, int trials) {
  if (quantize::is_quantized_artifact(out)) {
    const quantize::QuantizedArtifact q = quantize::load_quantized(out);
    const auto task = models::make_task(q.task_name, q.task_params);
    const auto& net = std::get<quantize::IntegerLifRnn>(q.network);
    const auto result = quantize::evaluate_integer(net, *task, trials, q.seed);
    fmt::print("  integer LIF RNN on '{}', N = {}: success {:.1f}% on {} trials (seed {}), {} overflow events\n",
               task->name(), net.config().n_rec, 100 * result.success_rate, trials, q.seed, result.overflow_events);
    return result.success_rate;
  }
  const models::LifRnnArtifact a = models::load_lif_artifact(out);
  const auto task = models::make_task(a.task_name, a.task_params);
  const auto result = models::evaluate(a.network, *task, trials, a.seed);
  fmt::print("  LIF RNN on '{}', N = {}: success {:.1f}%, MSE {:.3e} on {} trials (seed {})\n", task->name(),
             a.network.config().n_rec, 100 * result.success_rate, result.mse, trials, a.seed);
  return result.success_rate;
}

}  // namespace

void add_nir_commands(CLI::App& app) {
  auto* ex = app.add_subcommand(
      "export-nir", "Write a LIF network (float artifact or quantized folder) as a NIR graph (HDF5, docs/interop.md)");
  auto eo = std::make_shared<ExportOptions>();
  ex->add_option("dir", eo->dir, "Float LIF artifact or quantized LIF folder")->required();
  ex->add_option("-o,--out", eo->out, "NIR file to write (e.g. net.nir)")->required();
  ex->add_option("--dt", eo->dt, "Step in seconds the time constants are written for (default: the network's "
                                 "dt_ms / 1000; snnTorch's importer assumes 1e-4)")
      ->check(CLI::PositiveNumber);
  ex->callback([eo, ex] {
    const auto start = std::chrono::steady_clock::now();
    interop::NirExportOptions options;
    if (ex->count("--dt") > 0) options.dt_seconds = eo->dt;
    interop::export_nir(eo->dir, eo->out, options);
    fmt::print("wrote {} ({:.3f} s)\n", eo->out, seconds_since(start));
  });

  auto* im = app.add_subcommand(
      "import-nir", "Read a NIR graph of one recurrent LIF layer (from neurofab, nir, snnTorch) into an artifact folder");
  auto io = std::make_shared<ImportOptions>();
  im->add_option("file", io->file, "NIR file (.nir, HDF5)")->required();
  im->add_option("-o,--out", io->out, "Artifact folder to write")->required();
  im->add_option("--dt", io->dt, "Step in seconds (required for graphs without neurofab metadata; snnTorch: 1e-4)")
      ->check(CLI::PositiveNumber);
  im->add_option("--reset", io->reset, "Reset of a graph without neurofab metadata: zero (NIR's, default) or subtract")
      ->check(CLI::IsMember({"zero", "subtract"}));
  im->add_option("--discretisation", io->discretisation,
                 "How a graph without neurofab metadata turns τ into a decay: euler (1 - dt/τ; NIR's reference, "
                 "snnTorch, Norse; default) or exp (exp(-dt/τ))")
      ->check(CLI::IsMember({"euler", "exp"}));
  im->add_option("--task", io->task, "Task of the network (required for graphs without neurofab metadata)");
  im->add_option("--task-param", io->task_params, "Task parameter NAME=VALUE (repeatable)");
  im->add_option("--data", io->data, "The network's task is this data file's trials (neurofab data, docs/own-data.md)");
  im->add_option("--trials", io->trials, "Trials of the check after import")->check(CLI::PositiveNumber);
  im->add_flag("--force", io->force, "Replace --out if it exists");
  add_min_success_option(*im, io->min_success_percent);
  im->callback([io, im] {
    const auto start = std::chrono::steady_clock::now();
    if (std::filesystem::exists(io->out) && !io->force) {
      throw InputError(fmt::format("{}: already exists (use --force to replace it)", io->out));
    }
    interop::NirImportOptions options;
    if (im->count("--dt") > 0) options.dt_seconds = io->dt;
    options.exponential_decay = io->discretisation == "exp";
    if (!io->reset.empty()) options.reset = models::reset_mode_from_string(io->reset);
    if (!io->data.empty() && !io->task.empty()) throw InputError("--data and --task: give one of them");
    if (!io->data.empty()) {
      options.task_name = models::kDataTaskName;
      options.task_params = models::register_task_data(io->data);
    } else if (!io->task.empty()) {
      options.task_name = io->task;
      options.task_params = parse_task_params(io->task_params);
    } else if (!io->task_params.empty()) {
      throw InputError("--task-param needs --task");
    }
    const interop::NirNode graph = interop::read_nir(io->file);
    const interop::NirImport imported = interop::import_nir(graph, io->file, options);
    interop::write_import(imported, io->file, io->out);
    fmt::print("imported {} into {} ({} profile{}, {:.3f} s)\n", io->file, io->out,
               imported.quantized ? "integer" : "float", imported.neurofab_metadata ? "" : ", no neurofab metadata",
               seconds_since(start));
    for (const auto& note : imported.notes) fmt::print("  note: {}\n", note);
    const double success = check_imported(io->out, io->trials);
    if (success == 0) {
      fmt::print(stderr,
                 "neurofab: WARNING: the imported network succeeds on no trial of its task; if it worked where it was "
                 "trained, check --dt, --reset and --task\n");
    }
    require_success(success, io->min_success_percent, io->out + ": success after import");
  });
}

}  // namespace nf::cli
