// The training loop: determinism, exact resume, constraints kept, schedule and
// stopping rules. Short runs on small networks; the task-success targets are in
// test_training_targets.cpp (label "long").
#include <catch2/catch.hpp>

#include "neurofab/models/artifact.hpp"
#include "neurofab/models/init.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/training.hpp"
#include "temp_dir.hpp"

using namespace nf::models;

namespace {

RateRnnConfig config_for(const Task& task, int n) {
  RateRnnConfig c;
  c.n_in = task.n_in();
  c.n_rec = n;
  c.n_out = task.n_out();
  return c;
}

TrainingConfig short_training(int epochs) {
  TrainingConfig t;
  t.max_epochs = epochs;
  t.steps_per_epoch = 3;
  t.batch_size = 16;
  t.validation_trials = 32;
  t.learning_rate = 3e-3;
  t.loss_threshold = 0;  // never stop early
  return t;
}

}  // namespace

TEST_CASE("same seed and build give bit-identical weights", "[training]") {
  const auto task = make_task("nbit_flipflop");
  RateRnnConfig c = config_for(*task, 20);
  c.noise_sd = 0.05;
  c.tau_ms = 4;
  const TrainingConfig t = short_training(4);
  auto run = [&](std::uint64_t seed) {
    RateRnn<float> net = make_rate_rnn(c, {}, seed);
    TrainingState state;
    train(net, *task, t, seed, state);
    return net;
  };
  const auto a = run(3), b = run(3), other = run(4);
  a.weights().for_each([&](const std::string& name, const Eigen::MatrixXf& w) {
    INFO(name);
    CHECK(b.weights().at(name) == w);
  });
  CHECK(other.weights().w_rec != a.weights().w_rec);
}

TEST_CASE("a run resumed from a saved checkpoint ends with the same weights", "[training]") {
  nf::test::TempDir tmp;
  const auto task = make_task("xor");
  RateRnnConfig c = config_for(*task, 16);
  c.noise_sd = 0.02;
  TrainingConfig t = short_training(6);
  t.plateau_patience = 2;  // make the schedule state matter too
  const std::uint64_t seed = 8;

  RateRnn<float> straight = make_rate_rnn(c, {}, seed);
  TrainingState straight_state;
  train(straight, *task, t, seed, straight_state);

  // Interrupted after 3 epochs (a checkpoint is what a killed run leaves), then resumed.
  TrainingConfig first_half = t;
  first_half.max_epochs = 3;
  RateRnnArtifact a{make_rate_rnn(c, {}, seed), {}, task->name(), task->param_values(), seed, first_half, {}};
  train(a.network, *task, first_half, seed, a.state);
  save_artifact(tmp / "run", a);
  RateRnnArtifact resumed = load_rate_artifact(tmp / "run");
  train(resumed.network, *task, t, seed, resumed.state);

  CHECK(resumed.state.epochs_done == 6);
  CHECK(resumed.state.learning_rate == straight_state.learning_rate);
  straight.weights().for_each([&](const std::string& name, const Eigen::MatrixXf& w) {
    INFO(name);
    CHECK(resumed.network.weights().at(name) == w);
  });
}

TEST_CASE("training keeps masks, Dale's law and frozen tensors", "[training]") {
  const auto task = make_task("flipflop");
  RateRnnConfig c = config_for(*task, 24);
  c.dale_ratio = 0.75;
  c.frozen = {"W_in", "b_out"};
  NetworkInit init;
  init.rec_density = 0.4;
  RateRnn<float> net = make_rate_rnn(c, init, 2);
  const Eigen::MatrixXf w_in_before = net.weights().w_in;
  const Eigen::MatrixXf w_rec_before = net.weights().w_rec;
  TrainingState state;
  train(net, *task, short_training(3), 2, state);

  CHECK(net.constraint_violation() == "");
  CHECK(net.weights().w_in == w_in_before);
  CHECK(net.weights().b_out.isZero());
  CHECK(net.weights().w_rec != w_rec_before);
  const Eigen::ArrayXXf absent = (net.connectivity().mask_rec.array() == 0).cast<float>();
  CHECK((absent * net.weights().w_rec.array().abs()).maxCoeff() == 0.0f);
}

TEST_CASE("the loss falls, early stopping and the plateau schedule work", "[training]") {
  const auto task = make_task("and");
  RateRnnConfig c = config_for(*task, 16);
  RateRnn<float> net = make_rate_rnn(c, {}, 1);
  TrainingConfig t = short_training(30);
  t.loss_threshold = 0.2;
  t.extra_epochs = 2;
  TrainingState state;
  train(net, *task, t, 1, state);
  REQUIRE(state.log.size() >= 2);
  CHECK(state.log.back().task_loss < 0.5 * state.log.front().task_loss);
  REQUIRE(state.converged_epoch > 0);
  CHECK(state.epochs_done == state.converged_epoch + 2);
  CHECK(state.finished);

  TrainingConfig plateau = short_training(6);
  plateau.learning_rate = 1e-12;  // no progress at all → the rate must drop
  plateau.plateau_patience = 2;
  plateau.plateau_factor = 0.5;
  plateau.min_learning_rate = 1e-15;
  RateRnn<float> stuck = make_rate_rnn(c, {}, 1);
  TrainingState stuck_state;
  train(stuck, *task, plateau, 1, stuck_state);
  CHECK(stuck_state.learning_rate < 1e-12);
}

TEST_CASE("bad training options are refused with the field named", "[training]") {
  TrainingConfig t;
  t.batch_size = 0;
  CHECK_THROWS_WITH(t.validate(), Catch::Contains("batch_size"));
  t = {};
  t.learning_rate = -1;
  CHECK_THROWS_WITH(t.validate(), Catch::Contains("learning_rate"));
  const auto task = make_task("xor");
  RateRnnConfig c = config_for(*task, 8);
  c.n_in = 5;
  RateRnn<float> net = make_rate_rnn(c, {}, 1);
  TrainingState state;
  CHECK_THROWS_WITH(train(net, *task, short_training(1), 1, state), Catch::Contains("inputs"));
}

TEST_CASE("LIF training shares the machinery: deterministic, exactly resumable, constraints kept", "[training][lif]") {
  nf::test::TempDir tmp;
  const auto task = make_task("flipflop", {{"trial_length", 150}, {"first_pulse", 10}, {"pulse_period", 40}});
  LifRnnConfig c;
  c.n_in = task->n_in();
  c.n_rec = 16;
  c.n_out = task->n_out();
  c.encoding = InputEncoding::kPoisson;  // random draws per step: resume must replay them
  c.train_tau = true;
  c.dale_ratio = 0.75;
  NetworkInit init;
  init.rec_density = 0.5;
  TrainingConfig t = short_training(6);
  t.plateau_patience = 2;
  t.regularization.l1_rates = 0.1;
  const std::uint64_t seed = 12;

  LifRnn<float> straight = make_lif_rnn(c, init, seed);
  const Eigen::MatrixXf beta_before = straight.weights().beta;
  TrainingState straight_state;
  train(straight, *task, t, seed, straight_state);

  TrainingConfig first_half = t;
  first_half.max_epochs = 3;
  LifRnnArtifact a{make_lif_rnn(c, init, seed), init, task->name(), task->param_values(), seed, first_half, {}};
  train(a.network, *task, first_half, seed, a.state);
  save_artifact(tmp / "run", a);
  LifRnnArtifact resumed = load_lif_artifact(tmp / "run");
  train(resumed.network, *task, t, seed, resumed.state);

  CHECK(resumed.state.epochs_done == 6);
  straight.weights().for_each([&](const std::string& name, const Eigen::MatrixXf& w) {
    INFO(name);
    CHECK(resumed.network.weights().at(name) == w);
  });
  CHECK(straight.constraint_violation() == "");
  CHECK(straight.weights().beta != beta_before);  // trained decays moved
  CHECK((straight.weights().beta.array() <= 1).all());
  CHECK(straight_state.log.back().task_loss < straight_state.log.front().task_loss);
}
