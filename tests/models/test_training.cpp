// The training loop: determinism, exact resume, constraints kept, schedule and
// stopping rules. Short runs on small networks; the task-success targets are in
// test_training_targets.cpp (label "long").
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

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

// ---------------------------------------------------------------- the best network and the divergence guard

namespace {

NamedTensors copy_of(const RateRnn<float>::Tensors& weights) {
  NamedTensors copy;
  weights.for_each([&](const std::string& name, const Eigen::MatrixXf& w) { copy.emplace(name, w); });
  return copy;
}

void check_holds(const RateRnn<float>& net, const NamedTensors& expected) {
  net.weights().for_each([&](const std::string& name, const Eigen::MatrixXf& w) {
    INFO(name);
    CHECK(w == expected.at(name));
  });
}

// The epoch the rule "highest validation success, then lowest validation MSE" picks from the log.
int best_epoch_of(const std::vector<EpochRecord>& log) {
  const EpochRecord* best = nullptr;
  for (const auto& r : log) {
    if (std::isnan(r.validation_loss)) continue;  // rolled back: never scored
    if (!best || r.validation_success > best->validation_success ||
        (r.validation_success == best->validation_success && r.validation_loss < best->validation_loss)) {
      best = &r;
    }
  }
  return best ? best->epoch : 0;
}

}  // namespace

TEST_CASE("the network handed on is the best one seen, and the state keeps where training stands", "[training]") {
  const auto task = make_task("xor");
  RateRnnConfig c = config_for(*task, 16);
  RateRnn<float> net = make_rate_rnn(c, {}, 5);
  TrainingConfig t = short_training(8);
  t.divergence_factor = 0;  // the harm done below must not be rolled back
  NamedTensors last;
  TrainingHooks hooks;
  hooks.on_epoch = [&](const TrainingState& s) {
    // After epoch 6 the readout is thrown far off (outputs near 1000 against targets in [0, 1]),
    // more than the last two epochs' 6 small Adam steps can undo: they score worse than any before.
    if (s.epochs_done == 6) {
      net.weights().w_out *= 1000.0f;
      net.weights().b_out.setConstant(1000.0f);
    }
    last = copy_of(net.weights());
  };
  TrainingState state;
  train(net, *task, t, 5, state, hooks);

  REQUIRE(state.log.size() == 8);
  CHECK(state.best.epoch == best_epoch_of(state.log));
  CHECK(state.best.epoch <= 6);
  for (const auto& r : state.log) {
    INFO("epoch " << r.epoch);
    CHECK(r.validation_success <= state.best.validation_success);
  }
  check_holds(net, state.best.weights);                   // the network holds the best weights
  CHECK(state.training_weights.at("W_rec") == last.at("W_rec"));  // training goes on from the last ones
  CHECK(state.training_weights.at("W_rec") != state.best.weights.at("W_rec"));
}

TEST_CASE("a non-finite loss is rolled back to the last good epoch with a lower learning rate", "[training]") {
  const auto task = make_task("xor");
  RateRnn<float> net = make_rate_rnn(config_for(*task, 16), {}, 2);
  TrainingConfig t = short_training(6);
  NamedTensors after_epoch_3;
  long adam_step_after_3 = 0;
  TrainingHooks hooks;
  hooks.on_epoch = [&](const TrainingState& s) {
    if (s.epochs_done == 3) {
      after_epoch_3 = copy_of(net.weights());
      adam_step_after_3 = s.optimizer.step();
      net.weights().w_rec(0, 0) = std::numeric_limits<float>::quiet_NaN();  // a forced blow-up
    }
    if (s.epochs_done == 4) {  // epoch 4 ran on the NaN and was undone
      check_holds(net, after_epoch_3);
      CHECK(s.optimizer.step() == adam_step_after_3);
    }
  };
  TrainingState state;
  train(net, *task, t, 2, state, hooks);

  REQUIRE(state.rollbacks.size() == 1);
  CHECK(state.rollbacks[0].epoch == 4);
  CHECK(state.rollbacks[0].reason == "non-finite loss");
  CHECK(!std::isfinite(state.rollbacks[0].loss));
  CHECK(state.rollbacks[0].learning_rate == t.learning_rate * t.rollback_lr_factor);
  CHECK(state.log[4].learning_rate == t.learning_rate * t.rollback_lr_factor);  // epoch 5 trains slower
  CHECK(std::isnan(state.log[3].validation_loss));
  CHECK(state.epochs_done == 6);
  CHECK(state.stopped.empty());
  CHECK(state.best.epoch != 4);
  net.weights().for_each([](const std::string& name, const Eigen::MatrixXf& w) {
    INFO(name);
    CHECK(w.allFinite());
  });
}

TEST_CASE("a loss that jumps after convergence is rolled back", "[training]") {
  const auto task = make_task("xor");
  RateRnn<float> net = make_rate_rnn(config_for(*task, 16), {}, 2);
  TrainingConfig t = short_training(6);
  t.loss_threshold = 10;  // converged at epoch 1, so the jump test is armed from epoch 2
  t.extra_epochs = 5;
  TrainingHooks hooks;
  hooks.on_epoch = [&](const TrainingState& s) {
    if (s.epochs_done == 2) net.weights().w_out *= 1000.0f;
  };
  TrainingState state;
  train(net, *task, t, 2, state, hooks);

  CHECK(state.converged_epoch == 1);
  REQUIRE(state.rollbacks.size() == 1);
  CHECK(state.rollbacks[0].epoch == 3);
  CHECK_THAT(state.rollbacks[0].reason, Catch::StartsWith("task loss") && Catch::Contains("x lowest"));
  CHECK(state.log[2].task_loss > 10 * state.log[0].task_loss);
}

TEST_CASE("after the rollback limit training stops with its reason and keeps the best network", "[training]") {
  const auto task = make_task("xor");
  RateRnn<float> net = make_rate_rnn(config_for(*task, 16), {}, 2);
  TrainingConfig t = short_training(20);
  t.max_rollbacks = 3;
  TrainingHooks hooks;
  hooks.on_epoch = [&](const TrainingState& s) {
    if (s.epochs_done >= 2) net.weights().w_in(0, 0) = std::numeric_limits<float>::infinity();
  };
  TrainingState state;
  train(net, *task, t, 2, state, hooks);

  CHECK(state.epochs_done == 5);  // epochs 3, 4 and 5 rolled back
  CHECK(state.rollbacks.size() == 3);
  CHECK(state.finished);
  CHECK_THAT(state.stopped, Catch::Contains("stopped at epoch 5") && Catch::Contains("3 rollbacks"));
  CHECK(state.best.epoch == best_epoch_of(state.log));
  CHECK(state.best.epoch <= 2);
  check_holds(net, state.best.weights);
}

TEST_CASE("the best network, rollbacks and training position survive save, load and resume", "[training][artifact]") {
  nf::test::TempDir tmp;
  const auto task = make_task("xor");
  const RateRnnConfig c = config_for(*task, 16);
  TrainingConfig t = short_training(6);
  const std::uint64_t seed = 4;
  const auto blow_up_after_2 = [](RateRnn<float>& net) {
    TrainingHooks hooks;
    hooks.on_epoch = [&net](const TrainingState& s) {
      if (s.epochs_done == 2) net.weights().w_rec(1, 1) = std::numeric_limits<float>::quiet_NaN();
    };
    return hooks;
  };

  RateRnn<float> straight = make_rate_rnn(c, {}, seed);
  TrainingState straight_state;
  train(straight, *task, t, seed, straight_state, blow_up_after_2(straight));

  TrainingConfig first_half = t;
  first_half.max_epochs = 4;
  RateRnnArtifact a{make_rate_rnn(c, {}, seed), {}, task->name(), task->param_values(), seed, first_half, {}};
  train(a.network, *task, first_half, seed, a.state, blow_up_after_2(a.network));
  save_artifact(tmp / "run", a);
  RateRnnArtifact loaded = load_rate_artifact(tmp / "run");
  CHECK(loaded.state.best.epoch == a.state.best.epoch);
  CHECK(loaded.state.best.validation_success == a.state.best.validation_success);
  CHECK(loaded.state.best.validation_loss == a.state.best.validation_loss);
  REQUIRE(loaded.state.rollbacks.size() == 1);
  CHECK(loaded.state.rollbacks[0].reason == a.state.rollbacks[0].reason);
  CHECK(std::isnan(loaded.state.log[2].validation_loss));
  check_holds(loaded.network, copy_of(a.network.weights()));
  CHECK(loaded.state.training_weights == a.state.training_weights);

  train(loaded.network, *task, t, seed, loaded.state);
  CHECK(loaded.state.epochs_done == 6);
  CHECK(loaded.state.best.epoch == straight_state.best.epoch);
  check_holds(loaded.network, copy_of(straight.weights()));
  CHECK(loaded.state.training_weights == straight_state.training_weights);
  CHECK(loaded.state.learning_rate == straight_state.learning_rate);
}
