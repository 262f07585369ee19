#include "neurofab/quantize/integer_trajectories.hpp"

#include <fmt/format.h>

#include <map>

#include "neurofab/quantize/trial_run.hpp"

namespace nf::quantize {
namespace {

// [trial][step][unit] → [step][trial][unit].
template <typename T>
std::vector<T> step_major(const std::vector<T>& values, int trials, int steps, int width) {
  std::vector<T> out(values.size());
  const std::size_t w = static_cast<std::size_t>(width);
  for (int b = 0; b < trials; ++b)
    for (int t = 0; t < steps; ++t) {
      const std::size_t from = (static_cast<std::size_t>(b) * steps + t) * w;
      const std::size_t to = (static_cast<std::size_t>(t) * trials + b) * w;
      std::copy(values.begin() + from, values.begin() + from + w, out.begin() + to);
    }
  return out;
}

std::int64_t frac_bits(const golden::Signal& s) {
  return s.format.is_object() ? s.format.at("frac_bits").get<std::int64_t>() : 0;
}

template <typename Network>
models::NamedArrays trajectories_of(const Network& network, const models::EvaluationTrials& trials,
                                    const models::Task& task) {
  const golden::GoldenTrace trace = run_trials(network, trials, TraceContent::kEverySignal);
  auto batch = std::make_shared<const models::Batch>(trials.batch);
  const std::vector<bool> success = task.success(*batch, output_values(trace, *batch, network.spec().output));
  return trajectory_arrays(trace, std::move(batch), success);
}

// Bytes per trial and step of the trace's signals, and their count, from one step of one trial.
template <typename Network>
std::int64_t trajectory_bytes(const Network& network, int steps, int trials) {
  const auto& c = network.config();
  models::Batch probe;
  probe.n_steps = 1;
  probe.batch_size = 1;
  probe.inputs = Eigen::MatrixXd::Zero(c.n_in, 1);
  probe.targets = Eigen::MatrixXd::Zero(c.n_out, 1);
  probe.mask = Eigen::MatrixXd::Zero(c.n_out, 1);
  const golden::GoldenTrace trace =
      run_trials(network, models::evaluation_trials(std::move(probe), c, 0), TraceContent::kEverySignal);
  std::int64_t per_step = 0;
  for (const golden::Signal& s : trace.signals())
    per_step += static_cast<std::int64_t>(s.width) * static_cast<std::int64_t>(s.bytes_per_value());
  const auto frac_scalars = static_cast<std::int64_t>(trace.signals().size()) * std::int64_t{sizeof(std::int64_t)};
  return models::trial_array_bytes(c.n_in, c.n_out, steps, trials) + std::int64_t{steps} * trials * per_step +
         frac_scalars;
}

}  // namespace

std::string dump_array_name(const std::string& signal) {
  static const std::map<std::string, std::string> kRenamed = {
      {"input", "encoded_inputs"}, {"accumulator", "preactivations"}, {"state", "rates"},
      {"current", "currents"},     {"membrane", "membranes"},         {"output", "outputs"},
      {"refractory", "refractory_counters"}};
  const auto it = kRenamed.find(signal);
  return it == kRenamed.end() ? signal : it->second;
}

models::NamedArrays trajectory_arrays(const golden::GoldenTrace& trace, std::shared_ptr<const models::Batch> batch,
                                      const std::vector<bool>& success) {
  if (trace.trials() != batch->batch_size || trace.steps() != batch->n_steps) {
    throw std::invalid_argument(fmt::format("a trace of {} trials x {} steps for a batch of {} x {}", trace.trials(),
                                            trace.steps(), batch->batch_size, batch->n_steps));
  }
  const int trials = trace.trials(), steps = trace.steps();
  models::NamedArrays arrays;
  models::add_trial_arrays(arrays, std::move(batch), success);
  for (const golden::Signal& s : trace.signals()) {
    const std::string name = dump_array_name(s.name);
    const std::vector<std::int64_t> shape = {steps, trials, s.width};
    if (s.is_int64()) {
      arrays.add(name, shape, step_major(trace.values<std::int64_t>(s.name), trials, steps, s.width));
    } else {
      arrays.add(name, shape, step_major(trace.values<std::int32_t>(s.name), trials, steps, s.width));
    }
    arrays.add(name + "_frac_bits", {}, std::vector<std::int64_t>{frac_bits(s)});
  }
  return arrays;
}

models::NamedArrays integer_trajectories(const IntegerRateRnn& network, const models::EvaluationTrials& trials,
                                         const models::Task& task) {
  return trajectories_of(network, trials, task);
}
models::NamedArrays integer_trajectories(const IntegerLifRnn& network, const models::EvaluationTrials& trials,
                                         const models::Task& task) {
  return trajectories_of(network, trials, task);
}

std::int64_t integer_trajectory_bytes(const IntegerRateRnn& network, int steps, int trials) {
  return trajectory_bytes(network, steps, trials);
}
std::int64_t integer_trajectory_bytes(const IntegerLifRnn& network, int steps, int trials) {
  return trajectory_bytes(network, steps, trials);
}

}  // namespace nf::quantize
