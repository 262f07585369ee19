#pragma once
// Trajectories out (`neurofab eval --dump out.npz`): every per-step signal of
// chosen trials as named arrays in memory; the CLI writes them as one .npz
// archive (nf::NpzWriter, np.load). Docs: docs/lif-rnn.md and docs/rate-rnn.md, "Trajectories".
//
// Layout. A per-step signal is [T, B, C] in C order: element (t, b, c) is
// signal c of trial b after step t + 1 (step t + 1 = 1..T of the model
// headers). That is exactly a Batch matrix (C x T·B, column t·B + b), and
// exactly the trajectories' columns from step 1 on, so the float arrays are
// views into the recorded trajectory, never transposed copies. Per-trial
// values are [B]; scalars are 0-d.
//
// Precision. The float models run in DOUBLE precision for the record: the
// artifact's float32 weights (and decays) cast to double, which is exact; the
// task inputs and targets are double already; the random draws (Poisson
// uniforms, recurrent noise ξ) are the float32 evaluation draws cast to double;
// θ, κ and α come from the configuration in double. A record is therefore the
// float64 forward pass of the header's update equations, what numpy or
// snnTorch in float64 reproduce. Its success can differ from the float32
// evaluation's where a potential lands within float32 rounding of θ.
//
// LIF arrays (lif_rnn.hpp's equations):
//   inputs          [T, B, n_in]          float64  task inputs x_t
//   encoded_inputs  [T, B, n_in_encoded]  float64  X_t = encode(x_t)
//   currents        [T, B, N]             float64  I_t
//   potentials      [T, B, N]             float64  u_t, before the spike (v_{t-1} while refractory)
//   membranes       [T, B, N]             float64  v_t, after the reset
//   spikes          [T, B, N]             uint8    s_t (0/1)
//   refractory      [T, B, N]             uint8    q_t (0/1); only with a refractory period
//   outputs         [T, B, n_out]         float64  y_t
//   targets, mask   [T, B, n_out]         float64  the trials' targets and scored steps
//   success         [B]                   uint8    the trial meets the criterion (0/1)
// Rate arrays (rate_rnn.hpp's equations):
//   inputs          [T, B, n_in]          float64  x_t
//   noise           [T, B, N]             float64  ξ_t; only with noise_sd > 0
//   preactivations  [T, B, N]             float64  a_t
//   rates           [T, B, N]             float64  h_t
//   outputs, targets, mask, success       as for LIF

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "neurofab/models/lif_rnn.hpp"
#include "neurofab/models/rate_rnn.hpp"
#include "neurofab/models/training.hpp"

namespace nf::models {

// One array, C order.
struct NamedArray {
  using Data = std::variant<const double*, const std::int32_t*, const std::int64_t*, const std::uint8_t*>;
  std::string name;
  std::vector<std::int64_t> shape;  // empty: a 0-d scalar
  Data data;

  std::int64_t size() const;   // the product of the shape (1 for a scalar)
  std::int64_t bytes() const;  // size() x the element's bytes
};

// Named arrays that own what they point to: copies (add) or views into
// objects kept alive with them (keep, then add_view). Copying a NamedArrays
// shares the owners, so views stay valid.
class NamedArrays {
 public:
  template <typename T>
  void add(std::string name, std::vector<std::int64_t> shape, std::vector<T> values) {
    auto owned = std::make_shared<const std::vector<T>>(std::move(values));
    check_size(name, shape, static_cast<std::int64_t>(owned->size()));
    const T* data = owned->data();
    owners_.push_back(std::move(owned));
    push(std::move(name), std::move(shape), data);
  }
  // `data` must live as long as an owner given to keep().
  template <typename T>
  void add_view(std::string name, std::vector<std::int64_t> shape, const T* data) {
    push(std::move(name), std::move(shape), data);
  }
  void keep(std::shared_ptr<const void> owner) { owners_.push_back(std::move(owner)); }

  const std::vector<NamedArray>& arrays() const { return arrays_; }
  bool has(const std::string& name) const;
  const NamedArray& at(const std::string& name) const;  // std::out_of_range naming the arrays there are
  // The data of `name`; std::invalid_argument if its element type is not T.
  template <typename T>
  const T* data(const std::string& name) const {
    const NamedArray& a = at(name);
    if (!std::holds_alternative<const T*>(a.data)) throw std::invalid_argument("array '" + name + "': other dtype");
    return std::get<const T*>(a.data);
  }
  std::int64_t bytes() const;  // all arrays together

 private:
  void push(std::string name, std::vector<std::int64_t> shape, NamedArray::Data data);
  static void check_size(const std::string& name, const std::vector<std::int64_t>& shape, std::int64_t size);
  std::vector<NamedArray> arrays_;
  std::vector<std::shared_ptr<const void>> owners_;
};

// The record of `trials` (the batch and its draws) in double precision, with
// each trial's success by `task`'s criterion (a data file's trials: the data task's).
NamedArrays float_trajectories(const RateRnn<float>& network, const EvaluationTrials& trials,
                               const Task& task);
NamedArrays float_trajectories(const LifRnn<float>& network, const EvaluationTrials& trials,
                               const Task& task);

// What float_trajectories' arrays take for T steps and B trials, in bytes,
// known before running (a request too large is refused up front).
std::int64_t float_trajectory_bytes(const RateRnnConfig& config, int steps, int trials);
std::int64_t float_trajectory_bytes(const LifRnnConfig& config, int steps, int trials);

// The trials' own arrays, shared by every level: inputs, targets, mask
// ([T, B, C] views into `batch`, which `arrays` keeps) and success [B].
void add_trial_arrays(NamedArrays& arrays, std::shared_ptr<const Batch> batch, const std::vector<bool>& success);
// Their bytes for a configuration's n_in and n_out.
std::int64_t trial_array_bytes(int n_in, int n_out, int steps, int trials);

// The task of trials run without targets (Python's net.run / q.run and their
// benchmark): the given sizes, no criterion (every trial fails), no generator.
std::unique_ptr<Task> unscored_task(int n_in, int n_out, int n_steps);

}  // namespace nf::models
