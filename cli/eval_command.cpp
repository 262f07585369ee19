#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "neurofab/common/error.hpp"

#include "commands.hpp"
#include "elise_commands.hpp"
#include "min_success.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::cli {

namespace {

struct Options {
  std::string dir;
  int trials = 512;
  std::uint64_t seed = 0;
  bool json = false;
  double min_success_percent = -1;
};

template <typename Network>
double report(const models::TrainedArtifact<Network>& artifact, const std::string& description, const Options& o,
            bool seed_given) {
  const std::uint64_t seed = seed_given ? o.seed : artifact.seed;
  const auto task = models::make_task(artifact.task_name, artifact.task_params);
  const auto ood_task = models::make_ood_task(*task);
  const auto result = models::evaluate(artifact.network, *task, o.trials, seed);
  const auto ood = models::evaluate(artifact.network, *ood_task, o.trials, seed);
  if (o.json) {
    nlohmann::json j = {{"artifact", o.dir},      {"model_type", description}, {"task", task->name()},
                        {"trials", o.trials},     {"seed", seed},              {"loss", result.mse},
                        {"success_rate", result.success_rate}, {"ood_loss", ood.mse},
                        {"ood_success_rate", ood.success_rate}};
    if (const auto& a = result.activity) {
      j["mean_rate"] = a->mean_rate;
      j["mean_rate_hz"] = a->mean_rate_hz;
      j["spikes_per_step"] = a->spikes_per_step;
      j["synops_per_step"] = a->synops_per_step;
      j["input_macs_per_step"] = a->input_macs_per_step;
    }
    fmt::print("{}\n", j.dump(2));
    return result.success_rate;
  }
  fmt::print("{}: {} on '{}', N = {}, {} trials (seed {})\n", o.dir, description, task->name(),
             artifact.network.config().n_rec, o.trials, seed);
  fmt::print("  loss (MSE)        {:.4e}\n", result.mse);
  fmt::print("  success rate      {:.1f}%\n", 100 * result.success_rate);
  fmt::print("  OOD loss (MSE)    {:.4e}   ({} steps per trial)\n", ood.mse, ood_task->n_steps());
  fmt::print("  OOD success rate  {:.1f}%\n", 100 * ood.success_rate);
  if (const auto& a = result.activity) {
    fmt::print("  mean firing rate  {:.4f} spikes/unit/step ({:.1f} Hz)\n", a->mean_rate, a->mean_rate_hz);
    fmt::print("  spikes per step   {:.2f}\n", a->spikes_per_step);
    fmt::print("  SynOps per step   {:.1f}   (spikes x fan-out, recurrent + readout{})\n", a->synops_per_step,
               a->input_macs_per_step > 0 ? "" : " + input spikes");
    if (a->input_macs_per_step > 0) fmt::print("  input MACs/step   {:.0f}   (dense current input)\n", a->input_macs_per_step);
  }
  return result.success_rate;
}

// A quantized artifact: the integer golden model on the same trials.
double report_quantized(const Options& o, bool seed_given) {
  const quantize::QuantizedArtifact q = quantize::load_quantized(o.dir);
  const std::uint64_t seed = seed_given ? o.seed : q.seed;
  const auto task = models::make_task(q.task_name, q.task_params);
  const auto ood_task = models::make_ood_task(*task);
  return std::visit(
      [&](const auto& net) -> double {
        const auto result = quantize::evaluate_integer(net, *task, o.trials, seed);
        const auto ood = quantize::evaluate_integer(net, *ood_task, o.trials, seed);
        const std::string description =
            std::is_same_v<std::decay_t<decltype(net)>, quantize::IntegerRateRnn> ? "integer rate RNN" : "integer LIF RNN";
        if (o.json) {
          nlohmann::json j = {{"artifact", o.dir},        {"model_type", description},
                              {"task", task->name()},     {"trials", o.trials},
                              {"seed", seed},             {"loss", result.mse},
                              {"success_rate", result.success_rate}, {"ood_loss", ood.mse},
                              {"ood_success_rate", ood.success_rate}, {"overflow_events", result.overflow_events}};
          if (std::is_same_v<std::decay_t<decltype(net)>, quantize::IntegerLifRnn>) {
            j["spikes_per_step"] = result.spikes_per_step;
            j["synaptic_events_per_step"] = result.synaptic_events_per_step;
          }
          fmt::print("{}\n", j.dump(2));
          return result.success_rate;
        }
        fmt::print("{}: {} on '{}', N = {}, {} trials (seed {})\n", o.dir, description, task->name(),
                   net.config().n_rec, o.trials, seed);
        fmt::print("  loss (MSE)        {:.4e}\n", result.mse);
        fmt::print("  success rate      {:.1f}%\n", 100 * result.success_rate);
        fmt::print("  OOD loss (MSE)    {:.4e}   ({} steps per trial)\n", ood.mse, ood_task->n_steps());
        fmt::print("  OOD success rate  {:.1f}%\n", 100 * ood.success_rate);
        fmt::print("  overflow events   {}\n", result.overflow_events);
        if (std::is_same_v<std::decay_t<decltype(net)>, quantize::IntegerLifRnn>) {
          fmt::print("  spikes per step   {:.2f}\n", result.spikes_per_step);
          fmt::print("  synaptic events   {:.1f} per step\n", result.synaptic_events_per_step);
        }
        return result.success_rate;
      },
      q.network);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "eval", "Evaluate a trained artifact: loss, success rate, OOD success rate (LIF: firing rate, SynOps; ELiSe: "
              "replay metrics)");
  auto o = std::make_shared<Options>();
  auto elise = std::make_shared<EliseEvalOptions>();
  cmd->add_option("dir", o->dir, "Artifact folder")->required();
  cmd->add_option("--trials", o->trials, "Number of fresh trials")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", o->seed, "Seed of the evaluation trials (default: the artifact's)");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  add_min_success_option(*cmd, o->min_success_percent);
  add_elise_eval_options(*cmd, *elise);
  cmd->callback([o, elise, cmd] {
    if (models::is_elise_artifact(o->dir)) {
      if (o->min_success_percent >= 0) {
        throw InputError(fmt::format("{}: --min-success applies to rate and LIF artifacts (an ELiSe network is scored "
                                     "by its replay, not a success rate)", o->dir));
      }
      return run_elise_eval(o->dir, *elise, o->json, *cmd);
    }
    for (const auto& name : elise_only_eval_options()) {
      if (cmd->count(name) > 0) throw InputError(fmt::format("{} applies to ELiSe artifacts only", name));
    }
    const bool seed_given = cmd->count("--seed") > 0;
    if (quantize::is_quantized_artifact(o->dir)) {
      require_success(report_quantized(*o, seed_given), o->min_success_percent, o->dir + ": integer success");
      return;
    }
    const models::Artifact artifact = models::load_artifact(o->dir);
    const double success = std::visit(
        [&](const auto& a) { return report(a, models::model_description(artifact), *o, seed_given); }, artifact);
    require_success(success, o->min_success_percent, o->dir + ": float success");
  });
}

}  // namespace nf::cli
