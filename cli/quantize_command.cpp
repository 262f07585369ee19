#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/json_fields.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/fine_tuning.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/common/atomic_write.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/quantize/bit_width_sweep.hpp"
#include "plot_runner.hpp"

namespace nf::cli {
namespace fs = std::filesystem;

namespace {

struct Options {
  std::string dir;
  std::string out;
  bool force = false;
  std::string rounding = "half_up";
  std::string overflow = "saturate";
  std::string calibration = "max_abs";
  std::string decay = "multiplier";
  std::vector<std::string> formats;  // NAME=W.F
  std::string formats_file;
  int eval_trials = 512;
  bool sweep = false;
  std::vector<int> sweep_bits = {16, 12, 10, 8, 6, 4};
  quantize::QuantizeOptions q;
  quantize::FineTuneOptions fine_tune;
  bool fine_tuning() const { return fine_tune.epochs > 0; }
};

// NAME=W.F entries and a JSON file {"NAME": "W.F", ...} into overrides (the command line wins).
void read_overrides(const Options& o, quantize::QuantizeOptions& q) {
  if (!o.formats_file.empty()) {
    const nlohmann::json document = JsonFields::parse_file(o.formats_file);
    if (!document.is_object()) throw InputError(fmt::format("{}: expected an object {{\"NAME\": \"W.F\"}}", o.formats_file));
    for (const auto& [name, value] : document.items()) {
      if (!value.is_string()) {
        throw InputError(fmt::format("{}: field '{}': expected a format string such as \"8.6\"", o.formats_file, name));
      }
      try {
        q.overrides[name] = quantize::parse_format(value.get<std::string>());
      } catch (const InputError& e) {
        throw InputError(fmt::format("{}: field '{}': {}", o.formats_file, name, e.what()));
      }
    }
  }
  for (const auto& entry : o.formats) {
    const auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) throw InputError(fmt::format("--format '{}': expected NAME=W.F", entry));
    q.overrides[entry.substr(0, eq)] = quantize::parse_format(entry.substr(eq + 1));
  }
}

template <typename Network>
void print_formats(const Network& net) {
  const auto& s = net.spec();
  fmt::print("  rounding {}, overflow {}\n", quantize::to_string(s.rounding), quantize::to_string(s.overflow));
  if constexpr (std::is_same_v<Network, quantize::IntegerRateRnn>) {
    fmt::print("  input {}  W_in {}  W_rec {}  b_rec {}  state {}  W_out {}  b_out {}  output {}\n",
               s.input.to_string(), s.w_in.to_string(), s.w_rec.to_string(), s.b_rec.to_string(),
               s.state.to_string(), s.w_out.to_string(), s.b_out.to_string(), s.output.to_string());
    fmt::print("  accumulator {} bits (F = {}), activation {}{}, leak {}/2^{}\n", s.accumulator_bits,
               s.accumulator_frac(), models::to_string(s.activation.function),
               s.activation.piecewise_linear ? " (piecewise linear)" : "", s.leak_multiplier, s.leak_bits);
  } else {
    fmt::print("  input {}  W_in {}  W_rec {}  b_rec {}  current {}  membrane {}  W_out {}  b_out {}  output {}\n",
               s.input.to_string(), s.w_in.to_string(), s.w_rec.to_string(), s.b_rec.to_string(),
               s.current.to_string(), s.membrane.to_string(), s.w_out.to_string(), s.b_out.to_string(),
               s.output.to_string());
    fmt::print("  synaptic accumulator {} bits, threshold code {}, decay {} ({} bits)\n", s.accumulator_bits,
               s.threshold, quantize::to_string(s.decay.form), s.decay.multiplier_bits);
  }
}

// --sweep: success against weight bits, as sweep.csv, sweep.md and sweep.png in one new folder.
void run_sweep(const Options& o, const quantize::QuantizeOptions& q) {
  for (const int bits : o.sweep_bits) {
    if (bits < 2 || bits > 32) throw InputError(fmt::format("--sweep-bits: {} is outside [2, 32]", bits));
  }
  const models::Artifact artifact = models::load_artifact(o.dir);
  const auto rows = quantize::bit_width_sweep(artifact, q, o.sweep_bits, o.eval_trials,
                                              o.fine_tuning() ? std::optional(o.fine_tune) : std::nullopt);
  const std::string title = std::visit(
      [&](const auto& a) {
        return fmt::format("{} on '{}', N = {}: {} trials", models::model_description(artifact), a.task_name,
                           a.network.config().n_rec, o.eval_trials);
      },
      artifact);
  StagingDir staging(o.out);
  write_file_atomically(staging.path() / "sweep.csv", quantize::sweep_csv(rows));
  write_file_atomically(staging.path() / "sweep.md",
                        fmt::format("# {}\n\nfrom `{}`\n\n{}", title, o.dir, quantize::sweep_markdown(rows)));
  TempFolder data;
  write_file_atomically(data.path() / "sweep.csv", quantize::sweep_csv(rows));
  write_file_atomically(data.path() / "meta.json", nlohmann::json{{"title", title}}.dump());
  run_plot_script("quantize --sweep", plots_dir() / "sweep.py", data.path(), staging.path() / "sweep.png");
  staging.commit();
  fmt::print("{}\n{}\nsweep: {}/sweep.csv, sweep.md, sweep.png\n", title, quantize::sweep_markdown(rows), o.out);
}

void run_quantize(const Options& o, const CLI::App& cmd) {
  quantize::QuantizeOptions q = o.q;
  q.rounding = quantize::rounding_from_string(o.rounding);
  q.overflow = quantize::overflow_from_string(o.overflow);
  q.calibration = quantize::calibration_from_string(o.calibration);
  if (o.decay == "loihi") {
    q.decay = {quantize::DecayForm::kMultiplier, 12};
  } else {
    q.decay.form = quantize::decay_form_from_string(o.decay);
  }
  read_overrides(o, q);
  q.validate();
  if (o.fine_tuning()) o.fine_tune.validate();
  if (fs::exists(o.out) && !o.force) {
    throw InputError(fmt::format("{}: already exists (use --force to replace it)", o.out));
  }
  if (o.sweep) {
    if (cmd.count("--bits")) throw InputError("--bits cannot be combined with --sweep (use --sweep-bits)");
    run_sweep(o, q);
    return;
  }
  const models::Artifact artifact = models::load_artifact(o.dir);
  const quantize::QuantizedArtifact quantized = [&] {
    if (!o.fine_tuning()) return quantize::quantize_artifact(artifact, o.dir, q);
    const quantize::FineTuned tuned = quantize::fine_tune(artifact, q, o.fine_tune);
    quantize::QuantizedArtifact result = quantize::quantize_artifact(tuned.artifact, o.dir, tuned.options);
    const auto& f = o.fine_tune;
    result.fine_tuning = quantize::FineTuneRecord{f.epochs,           f.learning_rate,   f.steps_per_epoch,
                                                  f.selection_trials, tuned.best_epoch, tuned.selection_success};
    fmt::print("fine-tuned {} epochs: kept epoch {} ({:.1f}% success rounded on {} selection trials; "
               "before fine-tuning {:.1f}%)\n",
               f.epochs, tuned.best_epoch, 100 * tuned.selection_success, f.selection_trials,
               100 * tuned.epoch_success.front());
    return result;
  }();
  quantize::save_quantized(o.out, quantized);

  const auto task = models::make_task(quantized.task_name, quantized.task_params);
  std::visit(
      [&](const auto& a, const auto& net) {
        const auto float_eval = models::evaluate(a.network, *task, o.eval_trials, a.seed);
        const auto int_eval = quantize::evaluate_integer(net, *task, o.eval_trials, a.seed);
        fmt::print("quantized {} ({}-bit weights, {}-bit state{}) → {}\n", o.dir, q.weight_bits, q.state_bits,
                   o.fine_tuning() ? fmt::format(", fine-tuned {} epochs", o.fine_tune.epochs) : "", o.out);
        print_formats(net);
        fmt::print("  {} trials: float success {:.1f}% (MSE {:.3e}), integer success {:.1f}% (MSE {:.3e}), "
                   "{} overflow events\n",
                   o.eval_trials, 100 * float_eval.success_rate, float_eval.mse, 100 * int_eval.success_rate,
                   int_eval.mse, int_eval.overflow_events);
      },
      artifact, quantized.network);
}

}  // namespace

void add_quantize_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("quantize", "Quantize a trained float artifact to fixed point (the integer golden model)");
  auto o = std::make_shared<Options>();
  auto& q = o->q;
  cmd->add_option("dir", o->dir, "Float artifact folder")->required();
  cmd->add_option("-o,--out", o->out, "Quantized artifact folder to write")->required();
  cmd->add_flag("--force", o->force, "Replace an existing --out folder");
  cmd->add_option("--bits", q.weight_bits, "Bits of weights and biases (preset)");
  cmd->add_option("--state-bits", q.state_bits, "Bits of states, currents, membranes and outputs");
  cmd->add_option("--input-bits", q.input_bits, "Bits of the input stimulus");
  cmd->add_option("--rounding", o->rounding, "floor, half_up or convergent");
  cmd->add_option("--overflow", o->overflow, "saturate or wrap");
  cmd->add_option("--calibration", o->calibration, "max_abs or percentile");
  cmd->add_option("--percentile", q.percentile, "Percentile of |value| for --calibration percentile");
  cmd->add_option("--calibration-trials", q.calibration_trials, "Task trials the float model runs for calibration");
  cmd->add_option("--format", o->formats, "Override a format: NAME=W.F (repeatable), e.g. W_rec=8.7")
      ->delimiter(',');
  cmd->add_option("--formats", o->formats_file, "JSON file of format overrides {\"NAME\": \"W.F\"}");
  cmd->add_flag("--piecewise-linear", q.piecewise_linear, "[rate] Interpolate the tanh table");
  cmd->add_option("--table-bits", q.table_index_bits, "[rate] Index bits of the tanh table");
  cmd->add_option("--table-frac-bits", q.table_input_frac_bits, "[rate] Table step 2^-k");
  cmd->add_option("--leak-bits", q.leak_bits, "[rate] Bits of the leak multiplier");
  cmd->add_option("--decay", o->decay, "[lif] Decay form: multiplier, shift or loihi (12-bit multiplier)");
  cmd->add_option("--decay-bits", q.decay.multiplier_bits, "[lif] Bits of the decay multiplier");
  cmd->add_option("--eval-trials", o->eval_trials, "Trials of the float-vs-integer check")->check(CLI::PositiveNumber);
  cmd->add_flag("--sweep", o->sweep,
                "Sweep the weight bits instead: success of float, float with quantized weights and integer "
                "models, written to --out as sweep.csv, sweep.md and sweep.png");
  cmd->add_option("--sweep-bits", o->sweep_bits, "Weight bit widths of --sweep")->delimiter(',');
  cmd->add_option("--fine-tune-epochs", o->fine_tune.epochs,
                  "Quantization-aware fine-tuning (straight-through estimator) for this many epochs before "
                  "quantizing; with --sweep, a fine-tuned integer column (default 0: off)")
      ->default_val(0)
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--fine-tune-lr", o->fine_tune.learning_rate, "Learning rate of the fine-tuning");
  cmd->callback([o, cmd] { run_quantize(*o, *cmd); });
}

}  // namespace nf::cli
