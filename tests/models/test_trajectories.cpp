// Trajectories out (models/trajectories.hpp): the float64 record of chosen
// trials satisfies the model headers' update equations step by step, is laid
// out [T, B, C] as a Batch's columns, holds each trial's success by the task's
// criterion and takes the bytes announced before running.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/models/trajectories.hpp"
#include "test_seed.hpp"

using namespace nf::models;

namespace {

// Element (t, b, c) of a [T, B, C] array (t = 0 is step 1).
template <typename T>
double element(const NamedArrays& arrays, const std::string& name, int t, int b, int c) {
  const NamedArray& a = arrays.at(name);  // its shape is checked once, by check_shape
  return static_cast<double>(arrays.data<T>(name)[(std::int64_t{t} * a.shape[1] + b) * a.shape[2] + c]);
}
double real(const NamedArrays& arrays, const std::string& name, int t, int b, int c) {
  return element<double>(arrays, name, t, b, c);
}

bool close(double expected, double actual) { return std::abs(expected - actual) <= 1e-12 * (1 + std::abs(expected)); }

void check_shape(const NamedArrays& arrays, const std::string& name, std::vector<std::int64_t> shape) {
  INFO(name);
  REQUIRE(arrays.has(name));
  REQUIRE(arrays.at(name).shape == shape);
}

// inputs, targets and mask are the batch's columns; success is the task's verdict on the outputs.
void check_trials(const NamedArrays& arrays, const Batch& batch, const Task& task) {
  const int steps = batch.n_steps, trials = batch.batch_size;
  check_shape(arrays, "inputs", {steps, trials, batch.inputs.rows()});
  check_shape(arrays, "targets", {steps, trials, batch.targets.rows()});
  check_shape(arrays, "mask", {steps, trials, batch.mask.rows()});
  check_shape(arrays, "success", {trials});
  check_shape(arrays, "outputs", {steps, trials, batch.targets.rows()});
  int mismatches = 0;
  Eigen::MatrixXd outputs(batch.targets.rows(), batch.targets.cols());
  for (int t = 0; t < steps; ++t)
    for (int b = 0; b < trials; ++b) {
      const int col = batch.column(t, b);
      for (int c = 0; c < batch.inputs.rows(); ++c) mismatches += real(arrays, "inputs", t, b, c) != batch.inputs(c, col);
      for (int c = 0; c < batch.targets.rows(); ++c) {
        mismatches += real(arrays, "targets", t, b, c) != batch.targets(c, col);
        mismatches += real(arrays, "mask", t, b, c) != batch.mask(c, col);
        outputs(c, col) = real(arrays, "outputs", t, b, c);
      }
    }
  CHECK(mismatches == 0);
  const std::vector<bool> expected = task.success(batch, outputs);
  const std::uint8_t* success = arrays.data<std::uint8_t>("success");
  for (int b = 0; b < trials; ++b) CHECK(success[b] == (expected[static_cast<std::size_t>(b)] ? 1 : 0));
}

LifRnn<float> active_lif(const LifRnnConfig& config, std::uint64_t seed) {
  NetworkInit init;
  init.w_rec.gain = 1.5;
  LifRnn<float> net = make_lif_rnn(config, init, seed);
  net.weights().w_in *= 8.0f;  // drive the units well past θ, so there are spikes and resets to check
  net.weights().b_rec.setConstant(0.05f);
  return net;
}

}  // namespace

TEST_CASE("the float LIF record satisfies the update equations step by step, in double", "[trajectories][lif]") {
  const std::uint64_t seed = nf::test::test_seed(21);
  const auto task = make_task("flipflop", {{"trial_length", 100}});
  struct Case {
    std::string name;
    ResetMode reset;
    int refractory;
    InputEncoding encoding;
  };
  for (const Case& k : {Case{"subtract, current", ResetMode::kSubtract, 0, InputEncoding::kCurrent},
                        Case{"zero, refractory 2, poisson", ResetMode::kZero, 2, InputEncoding::kPoisson},
                        Case{"subtract, refractory 1, delta", ResetMode::kSubtract, 1, InputEncoding::kDelta}}) {
    INFO(k.name);
    LifRnnConfig c;
    c.n_in = task->n_in();
    c.n_out = task->n_out();
    c.n_rec = 9;
    c.reset = k.reset;
    c.refractory_steps = k.refractory;
    c.encoding = k.encoding;
    c.encoding_gain = 0.6;
    const LifRnn<float> net = active_lif(c, seed);
    const EvaluationTrials trials = evaluation_trials(*task, c, 5, seed);
    const NamedArrays a = float_trajectories(net, trials, *task);
    const Batch& batch = trials.batch;
    const int steps = batch.n_steps, n_trials = batch.batch_size, n = c.n_rec;

    check_trials(a, batch, *task);
    for (const char* name : {"currents", "potentials", "membranes", "spikes"}) check_shape(a, name, {steps, n_trials, n});
    check_shape(a, "encoded_inputs", {steps, n_trials, c.n_in_encoded()});
    CHECK(a.has("refractory") == (k.refractory > 0));
    CHECK(a.bytes() == float_trajectory_bytes(c, steps, n_trials));

    const LifRnnTensors<double> w = net.weights().cast<double>();
    const double theta = c.threshold, kappa = c.kappa();
    auto spike = [&](int t, int b, int i) { return t < 0 ? 0.0 : element<std::uint8_t>(a, "spikes", t, b, i); };
    auto previous = [&](const char* name, int t, int b, int i) { return t < 0 ? 0.0 : real(a, name, t, b, i); };
    int bad_current = 0, bad_potential = 0, bad_spike = 0, bad_membrane = 0, bad_output = 0, bad_refractory = 0;
    double spikes = 0;
    for (int b = 0; b < n_trials; ++b)
      for (int t = 0; t < steps; ++t) {
        for (int i = 0; i < n; ++i) {
          double current = w.alpha_syn(i, 0) * previous("currents", t - 1, b, i) + w.b_rec(i, 0);
          for (int k2 = 0; k2 < c.n_in_encoded(); ++k2) current += w.w_in(i, k2) * real(a, "encoded_inputs", t, b, k2);
          for (int j = 0; j < n; ++j) current += w.w_rec(i, j) * spike(t - 1, b, j);
          const double I = real(a, "currents", t, b, i);
          bad_current += !close(current, I);
          // q_t: a spike within the R steps before.
          bool q = false;
          for (int r = 1; r <= k.refractory; ++r) q = q || spike(t - r, b, i) != 0;
          if (k.refractory > 0) bad_refractory += (element<std::uint8_t>(a, "refractory", t, b, i) != 0) != q;
          const double v_previous = previous("membranes", t - 1, b, i);
          const double u = q ? v_previous : w.beta(i, 0) * v_previous + I;  // exactly the model's operations
          bad_potential += real(a, "potentials", t, b, i) != u;
          const double s = (!q && u >= theta) ? 1.0 : 0.0;
          bad_spike += spike(t, b, i) != s;
          const double v = k.reset == ResetMode::kSubtract ? u - theta * s : u * (1 - s);
          bad_membrane += real(a, "membranes", t, b, i) != v;
          spikes += s;
        }
        for (int m = 0; m < c.n_out; ++m) {
          double y = kappa * previous("outputs", t - 1, b, m) + w.b_out(m, 0);
          for (int j = 0; j < n; ++j) y += w.w_out(m, j) * spike(t, b, j);
          bad_output += !close(y, real(a, "outputs", t, b, m));
        }
      }
    CHECK(bad_current == 0);
    CHECK(bad_potential == 0);
    CHECK(bad_spike == 0);
    CHECK(bad_membrane == 0);
    CHECK(bad_output == 0);
    CHECK(bad_refractory == 0);
    const double rate = spikes / (double(steps) * n_trials * n);
    INFO("spikes per unit and step " << rate);
    CHECK(rate > 0.02);  // the network is active, so spikes and resets were checked
    CHECK(rate < 0.9);
  }
}

TEST_CASE("the float LIF record is the float32 evaluation's, run in double", "[trajectories][lif]") {
  const std::uint64_t seed = nf::test::test_seed(5);
  const auto task = make_task("flipflop", {{"trial_length", 120}});
  LifRnnConfig c;
  c.n_in = task->n_in();
  c.n_out = task->n_out();
  c.n_rec = 12;
  const LifRnn<float> net = active_lif(c, seed);
  const EvaluationTrials trials = evaluation_trials(*task, c, 8, seed);
  const NamedArrays a = float_trajectories(net, trials, *task);
  const RecordedTrials<LifRnn<float>> f32 = record_trials(net, trials);
  const int n = c.n_rec;
  int differ = 0;
  for (int t = 0; t < trials.batch.n_steps; ++t)
    for (int b = 0; b < trials.batch.batch_size; ++b)
      for (int i = 0; i < n; ++i)
        differ += element<std::uint8_t>(a, "spikes", t, b, i) !=
                  f32.trajectory.spikes(i, trials.batch.column(t, b) + trials.batch.batch_size);
  CHECK(differ == 0);  // for this seed; in general a potential within float32 rounding of θ may differ
  // eval on given trials is eval on the task's trials of the seed.
  const Evaluation given = evaluate(net, trials, *task);
  const Evaluation generated = evaluate(net, *task, 8, seed);
  CHECK(given.success_rate == generated.success_rate);
  CHECK(given.mse == generated.mse);
  CHECK(given.trials == 8);
}

TEST_CASE("the float rate record satisfies the update equations step by step, in double", "[trajectories][rate]") {
  const std::uint64_t seed = nf::test::test_seed(8);
  const auto task = make_task("xor");
  for (const double noise_sd : {0.0, 0.1}) {
    INFO("noise_sd " << noise_sd);
    RateRnnConfig c;
    c.n_in = task->n_in();
    c.n_out = task->n_out();
    c.n_rec = 7;
    c.tau_ms = 4;  // α = 1/4: the leak is part of what is checked
    c.noise_sd = noise_sd;
    NetworkInit init;
    init.w_rec.gain = 1.4;
    RateRnn<float> net = make_rate_rnn(c, init, seed);
    net.weights().b_rec.setConstant(0.1f);
    const EvaluationTrials trials = evaluation_trials(*task, c, 4, seed);
    const NamedArrays a = float_trajectories(net, trials, *task);
    const Batch& batch = trials.batch;
    const int steps = batch.n_steps, n_trials = batch.batch_size, n = c.n_rec;

    check_trials(a, batch, *task);
    for (const char* name : {"preactivations", "rates"}) check_shape(a, name, {steps, n_trials, n});
    CHECK(a.has("noise") == (noise_sd > 0));
    CHECK(a.bytes() == float_trajectory_bytes(c, steps, n_trials));

    const RateRnnTensors<double> w = net.weights().cast<double>();
    const double alpha = c.alpha();
    auto previous = [&](int t, int b, int j) { return t < 0 ? 0.0 : real(a, "rates", t, b, j); };
    int bad_pre = 0, bad_rate = 0, bad_output = 0, bad_noise = 0;
    for (int b = 0; b < n_trials; ++b)
      for (int t = 0; t < steps; ++t) {
        const int col = batch.column(t, b);
        for (int i = 0; i < n; ++i) {
          double pre = w.b_rec(i, 0);
          if (noise_sd > 0) {
            bad_noise += real(a, "noise", t, b, i) != double(trials.noise(i, col));
            pre += noise_sd * real(a, "noise", t, b, i);
          }
          for (int k = 0; k < c.n_in; ++k) pre += w.w_in(i, k) * real(a, "inputs", t, b, k);
          for (int j = 0; j < n; ++j) pre += w.w_rec(i, j) * previous(t - 1, b, j);
          const double a_t = real(a, "preactivations", t, b, i);
          bad_pre += !close(pre, a_t);
          bad_rate += !close((1 - alpha) * previous(t - 1, b, i) + alpha * std::tanh(a_t), real(a, "rates", t, b, i));
        }
        for (int m = 0; m < c.n_out; ++m) {
          double y = w.b_out(m, 0);
          for (int j = 0; j < n; ++j) y += w.w_out(m, j) * real(a, "rates", t, b, j);
          bad_output += !close(y, real(a, "outputs", t, b, m));
        }
      }
    CHECK(bad_pre == 0);
    CHECK(bad_rate == 0);
    CHECK(bad_output == 0);
    CHECK(bad_noise == 0);
  }
}

TEST_CASE("named arrays refuse a taken name and a size that is not the shape's", "[trajectories]") {
  NamedArrays a;
  a.add("x", {2, 3}, std::vector<double>(6, 1.0));
  CHECK_THROWS_AS(a.add("x", {1}, std::vector<double>(1, 0.0)), std::invalid_argument);
  CHECK_THROWS_AS(a.add("y", {2, 2}, std::vector<double>(5, 0.0)), std::invalid_argument);
  a.add("z", {}, std::vector<std::int64_t>{7});
  CHECK(a.at("z").size() == 1);
  CHECK(a.bytes() == 6 * 8 + 8);
  CHECK_THROWS_AS(a.data<std::int32_t>("z"), std::invalid_argument);
  CHECK_THROWS_AS(a.at("w"), std::out_of_range);
}
