#include "neurofab/models/trajectories.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "neurofab/common/error.hpp"

namespace nf::models {
namespace {

constexpr std::int64_t kDoubleBytes = sizeof(double);

// [T, B, C] of a batch's trials.
std::vector<std::int64_t> per_step(const Batch& batch, Eigen::Index channels) {
  return {batch.n_steps, batch.batch_size, static_cast<std::int64_t>(channels)};
}

// The 0/1 values of `count` doubles as bytes (spikes and refractory flags are exactly 0 or 1).
std::vector<std::uint8_t> zero_one(const double* values, Eigen::Index count) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(count));
  for (Eigen::Index k = 0; k < count; ++k) bytes[static_cast<std::size_t>(k)] = values[k] != 0.0 ? 1 : 0;
  return bytes;
}

// What a record keeps alive: the trials and the float64 forward pass on them.
template <typename Trajectory>
struct Record {
  Batch batch;
  Eigen::MatrixXd noise;  // the draws as the float64 pass used them; empty if none
  Trajectory trajectory;
};

// The record's own trials and their success, kept by `arrays`.
template <typename R>
void add_trials_of(NamedArrays& arrays, const std::shared_ptr<R>& record,
                   const Task& task) {
  arrays.keep(record);
  add_trial_arrays(arrays, std::shared_ptr<const Batch>(record, &record->batch),
                   task.success(record->batch, record->trajectory.outputs));
}

}  // namespace

// ---------------------------------------------------------------- NamedArray(s)

std::int64_t NamedArray::size() const {
  std::int64_t n = 1;
  for (const std::int64_t d : shape) n *= d;
  return n;
}

std::int64_t NamedArray::bytes() const {
  const auto element = std::visit([](const auto* p) { return static_cast<std::int64_t>(sizeof(*p)); }, data);
  return size() * element;
}

bool NamedArrays::has(const std::string& name) const {
  for (const NamedArray& a : arrays_)
    if (a.name == name) return true;
  return false;
}

const NamedArray& NamedArrays::at(const std::string& name) const {
  for (const NamedArray& a : arrays_)
    if (a.name == name) return a;
  std::string known;
  for (const NamedArray& a : arrays_) known += (known.empty() ? "" : ", ") + a.name;
  throw std::out_of_range(fmt::format("no array '{}' (there are: {})", name, known));
}

std::int64_t NamedArrays::bytes() const {
  std::int64_t total = 0;
  for (const NamedArray& a : arrays_) total += a.bytes();
  return total;
}

void NamedArrays::push(std::string name, std::vector<std::int64_t> shape, NamedArray::Data data) {
  if (name.empty() || has(name)) throw std::invalid_argument(fmt::format("array name '{}' is empty or taken", name));
  arrays_.push_back(NamedArray{std::move(name), std::move(shape), data});
}

void NamedArrays::check_size(const std::string& name, const std::vector<std::int64_t>& shape, std::int64_t size) {
  std::int64_t n = 1;
  for (const std::int64_t d : shape) n *= d;
  if (n != size) throw std::invalid_argument(fmt::format("array '{}': {} values for a shape of {}", name, size, n));
}

// ---------------------------------------------------------------- the trials

void add_trial_arrays(NamedArrays& arrays, std::shared_ptr<const Batch> batch, const std::vector<bool>& success) {
  if (static_cast<int>(success.size()) != batch->batch_size) {
    throw std::invalid_argument(fmt::format("{} success values for {} trials", success.size(), batch->batch_size));
  }
  arrays.add_view("inputs", per_step(*batch, batch->inputs.rows()), batch->inputs.data());
  arrays.add_view("targets", per_step(*batch, batch->targets.rows()), batch->targets.data());
  arrays.add_view("mask", per_step(*batch, batch->mask.rows()), batch->mask.data());
  arrays.add("success", {batch->batch_size}, std::vector<std::uint8_t>(success.begin(), success.end()));
  arrays.keep(std::move(batch));
}

std::int64_t trial_array_bytes(int n_in, int n_out, int steps, int trials) {
  const std::int64_t columns = std::int64_t{steps} * trials;
  return columns * kDoubleBytes * (n_in + 2 * std::int64_t{n_out}) + trials;
}

// ---------------------------------------------------------------- rate RNN

NamedArrays float_trajectories(const RateRnn<float>& network, const EvaluationTrials& trials,
                               const Task& task) {
  const RateRnnConfig& config = network.config();
  const RateRnn<double> exact(config, network.connectivity(), network.weights().cast<double>());
  auto record = std::make_shared<Record<RateRnnTrajectory<double>>>();
  record->batch = trials.batch;
  const Batch& batch = record->batch;
  const bool noisy = config.noise_sd > 0;
  if (noisy) record->noise = trials.noise.cast<double>();
  record->trajectory.record_preactivations = true;
  exact.forward(batch.inputs, batch.batch_size, noisy ? &record->noise : nullptr, record->trajectory);

  NamedArrays arrays;
  add_trials_of(arrays, record, task);
  const auto& traj = record->trajectory;
  const Eigen::Index n = config.n_rec;
  if (noisy) arrays.add_view("noise", per_step(batch, n), record->noise.data());
  arrays.add_view("preactivations", per_step(batch, n), traj.preactivations.data());
  arrays.add_view("rates", per_step(batch, n), traj.states.data() + n * batch.batch_size);  // h_1 .. h_T
  arrays.add_view("outputs", per_step(batch, config.n_out), traj.outputs.data());
  return arrays;
}

std::int64_t float_trajectory_bytes(const RateRnnConfig& config, int steps, int trials) {
  const std::int64_t columns = std::int64_t{steps} * trials;
  const std::int64_t unit_signals = config.noise_sd > 0 ? 3 : 2;
  return trial_array_bytes(config.n_in, config.n_out, steps, trials) +
         columns * kDoubleBytes * (unit_signals * config.n_rec + config.n_out);
}

// ---------------------------------------------------------------- LIF RNN

namespace {

struct LifRecord : Record<LifRnnTrajectory<double>> {
  std::vector<std::uint8_t> spikes, refractory;
};

}  // namespace

NamedArrays float_trajectories(const LifRnn<float>& network, const EvaluationTrials& trials,
                               const Task& task) {
  const LifRnnConfig& config = network.config();
  const LifRnn<double> exact(config, network.connectivity(), network.weights().cast<double>());
  auto record = std::make_shared<LifRecord>();
  record->batch = trials.batch;
  const Batch& batch = record->batch;
  record->noise = trials.noise.cast<double>();
  exact.forward(batch.inputs, batch.batch_size, record->noise.size() ? &record->noise : nullptr, record->trajectory);

  const auto& traj = record->trajectory;
  const Eigen::Index n = config.n_rec;
  const Eigen::Index first = n * batch.batch_size;  // the (T+1)·B matrices start with step 0
  const Eigen::Index values = n * batch.inputs.cols();
  record->spikes = zero_one(traj.spikes.data() + first, values);
  if (config.refractory_steps > 0) record->refractory = zero_one(traj.refractory.data(), values);

  NamedArrays arrays;
  add_trials_of(arrays, record, task);
  arrays.add_view("encoded_inputs", per_step(batch, config.n_in_encoded()), traj.inputs.data());
  arrays.add_view("currents", per_step(batch, n), traj.currents.data() + first);
  arrays.add_view("potentials", per_step(batch, n), traj.potentials.data());
  arrays.add_view("membranes", per_step(batch, n), traj.membranes.data() + first);
  arrays.add_view("spikes", per_step(batch, n), record->spikes.data());
  if (config.refractory_steps > 0) arrays.add_view("refractory", per_step(batch, n), record->refractory.data());
  arrays.add_view("outputs", per_step(batch, config.n_out), traj.outputs.data());
  return arrays;
}

std::int64_t float_trajectory_bytes(const LifRnnConfig& config, int steps, int trials) {
  const std::int64_t columns = std::int64_t{steps} * trials;
  const std::int64_t flags = config.refractory_steps > 0 ? 2 : 1;  // spikes (+ refractory), one byte each
  return trial_array_bytes(config.n_in, config.n_out, steps, trials) +
         columns * (kDoubleBytes * (config.n_in_encoded() + 3 * std::int64_t{config.n_rec} + config.n_out) +
                    flags * config.n_rec);
}

namespace {

class UnscoredTask : public Task {
 public:
  UnscoredTask(int n_in, int n_out, int n_steps) : n_in_(n_in), n_out_(n_out), n_steps_(n_steps) {}
  std::string name() const override { return "none"; }
  std::string summary() const override { return "trials without a criterion"; }
  int n_in() const override { return n_in_; }
  int n_out() const override { return n_out_; }
  int n_steps() const override { return n_steps_; }
  double loss_threshold() const override { return 0; }
  Batch generate(int, Rng&) const override { throw std::logic_error("unscored_task: no generator"); }
  std::vector<bool> success(const Batch& batch, const Eigen::MatrixXd&) const override {
    return std::vector<bool>(static_cast<std::size_t>(batch.batch_size), false);
  }
  std::map<std::string, double> ood_overrides() const override { return {}; }

 protected:
  void validate() const override {}

 private:
  int n_in_, n_out_, n_steps_;
};

}  // namespace

std::unique_ptr<Task> unscored_task(int n_in, int n_out, int n_steps) {
  return std::make_unique<UnscoredTask>(n_in, n_out, n_steps);
}

}  // namespace nf::models
