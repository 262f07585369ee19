// The contract every task keeps (task.hpp, docs/tasks.md): shapes,
// determinism, success criteria at the extremes, OOD variants, parameter
// errors, and the registry. Task-specific data checks: test_task_specs.cpp.

#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/task.hpp"
#include "task_test_helpers.hpp"

namespace nf::models {
namespace {

using test::kOtherSeed;
using test::kSeed;

std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("task_names lists the tasks of the spec in order", "[tasks]") {
  const std::vector<std::string> expected = {
      "and",        "or",            "xor",
      "not",        "flipflop",      "oscillator",
      "time_pulse", "nbit_flipflop", "delayed_discrimination",
      "sine_wave",  "path_integration_2d"};
  CHECK(task_names() == expected);
  for (const std::string& name : task_names()) {
    INFO("task " << name);
    const auto task = make_task(name);
    CHECK(task->name() == name);
    CHECK_FALSE(task->summary().empty());
    CHECK(task->summary().find('\n') == std::string::npos);
  }
}

TEST_CASE("make_task rejects an unknown name and lists the valid ones", "[tasks]") {
  CHECK_THROWS_AS(make_task("nope"), InputError);
  const std::string message = error_message([] { make_task("nope"); });
  CHECK(message.find("'nope'") != std::string::npos);
  for (const std::string& name : task_names()) CHECK(message.find(name) != std::string::npos);
}

TEST_CASE("loss thresholds follow the source studies", "[tasks]") {
  const std::map<std::string, double> expected = {
      {"and", 5e-4},          {"or", 1e-4},           {"xor", 1e-3},
      {"not", 1e-3},          {"flipflop", 1e-3},     {"oscillator", 1e-3},
      {"time_pulse", 1e-3},   {"nbit_flipflop", 1e-3}, {"delayed_discrimination", 1e-2},
      {"sine_wave", 5e-2},    {"path_integration_2d", 5e-2}};
  for (const std::string& name : task_names()) {
    INFO("task " << name);
    REQUIRE(expected.count(name) == 1);
    CHECK(make_task(name)->loss_threshold() == expected.at(name));
  }
}

TEST_CASE("default dimensions and trial lengths follow docs/tasks.md", "[tasks]") {
  struct Dims {
    int n_in, n_out, n_steps, ood_steps;
  };
  const std::map<std::string, Dims> expected = {
      {"and", {2, 1, 200, 220}},
      {"or", {2, 1, 200, 220}},
      {"xor", {2, 1, 200, 220}},
      {"not", {1, 1, 200, 220}},
      {"flipflop", {2, 1, 1010, 2020}},
      {"oscillator", {1, 1, 420, 840}},
      {"time_pulse", {1, 1, 300, 320}},
      {"nbit_flipflop", {3, 3, 100, 200}},
      {"delayed_discrimination", {1, 1, 45, 65}},
      {"sine_wave", {1, 1, 200, 400}},
      {"path_integration_2d", {3, 2, 100, 200}},
  };
  for (const std::string& name : task_names()) {
    INFO("task " << name);
    REQUIRE(expected.count(name) == 1);
    const auto task = make_task(name);
    const Dims& d = expected.at(name);
    CHECK(task->n_in() == d.n_in);
    CHECK(task->n_out() == d.n_out);
    CHECK(task->n_steps() == d.n_steps);
    CHECK(make_ood_task(*task)->n_steps() == d.ood_steps);
  }
}

TEST_CASE("every task fills batches of the documented [T, B, C] shape", "[tasks]") {
  for (const std::string& name : task_names()) {
    const auto task = make_task(name);
    for (int batch_size : {1, 7}) {
      INFO("task " << name << ", batch " << batch_size << ", seed " << kSeed);
      Rng rng(kSeed);
      const Batch batch = task->generate(batch_size, rng);
      const Eigen::Index columns = Eigen::Index{task->n_steps()} * batch_size;
      CHECK(batch.n_steps == task->n_steps());
      CHECK(batch.batch_size == batch_size);
      CHECK(batch.inputs.rows() == task->n_in());
      CHECK(batch.inputs.cols() == columns);
      CHECK(batch.targets.rows() == task->n_out());
      CHECK(batch.targets.cols() == columns);
      CHECK(batch.mask.rows() == task->n_out());
      CHECK(batch.mask.cols() == columns);
      CHECK((batch.mask.array() == 0.0 || batch.mask.array() == 1.0).all());
      // Every trial is scored somewhere, or success() would be vacuous.
      for (int b = 0; b < batch_size; ++b) {
        double scored = 0.0;
        for (int t = 0; t < batch.n_steps; ++t) scored += batch.mask.col(batch.column(t, b)).sum();
        CHECK(scored > 0.0);
      }
      CHECK(task->success(batch, batch.targets).size() == static_cast<std::size_t>(batch_size));
    }
  }
}

TEST_CASE("every task's batches are a function of the Rng state", "[tasks]") {
  for (const std::string& name : task_names()) {
    INFO("task " << name << ", seeds " << kSeed << " and " << kOtherSeed);
    const auto task = make_task(name);
    Rng a(kSeed);
    Rng b(kSeed);
    Rng c(kOtherSeed);
    const Batch first = task->generate(16, a);
    const Batch same = task->generate(16, b);
    const Batch other = task->generate(16, c);
    CHECK(first.inputs == same.inputs);
    CHECK(first.targets == same.targets);
    CHECK(first.mask == same.mask);
    CHECK((first.inputs != other.inputs || first.targets != other.targets));
    // The generator advanced the Rng: the next batch is a different one.
    const Batch next = task->generate(16, a);
    CHECK((next.inputs != first.inputs || next.targets != first.targets));
  }
}

TEST_CASE("every task generates finite values", "[tasks]") {
  for (const std::string& name : task_names()) {
    INFO("task " << name << ", seed " << kSeed);
    const auto task = make_task(name);
    for (const auto& t : {make_task(name), make_ood_task(*task)}) {
      Rng rng(kSeed);
      const Batch batch = t->generate(32, rng);
      CHECK(test::all_finite(batch.inputs));
      CHECK(test::all_finite(batch.targets));
      CHECK(test::all_finite(batch.mask));
    }
  }
}

TEST_CASE("every task scores outputs equal to the targets as 100% success", "[tasks]") {
  for (const std::string& name : task_names()) {
    INFO("task " << name << ", seed " << kSeed);
    const auto task = make_task(name);
    const auto ood = make_ood_task(*task);
    for (const Task* t : {task.get(), ood.get()}) {
      Rng rng(kSeed);
      const Batch batch = t->generate(64, rng);
      CHECK(success_rate(*t, batch, batch.targets) == 1.0);
    }
  }
}

TEST_CASE("every task fails a trial whose output is NaN", "[tasks]") {
  for (const std::string& name : task_names()) {
    INFO("task " << name << ", seed " << kSeed);
    const auto task = make_task(name);
    Rng rng(kSeed);
    const Batch batch = task->generate(4, rng);
    Eigen::MatrixXd outputs = batch.targets;
    for (int t = 0; t < batch.n_steps; ++t) {
      outputs.col(batch.column(t, 1)).setConstant(std::numeric_limits<double>::quiet_NaN());
    }
    const std::vector<bool> ok = task->success(batch, outputs);
    CHECK(ok == std::vector<bool>{true, false, true, true});
  }
}

TEST_CASE("every task scores a clearly wrong output below 50%", "[tasks]") {
  for (const std::string& name : task_names()) {
    INFO("task " << name << ", seed " << kSeed);
    const auto task = make_task(name);
    Rng rng(kSeed);
    const Batch batch = task->generate(64, rng);
    const double rate = success_rate(*task, batch, test::wrong_outputs(*task, batch));
    INFO("success rate of the wrong output " << rate);
    CHECK(rate < 0.5);
    // These wrong outputs are wrong on every trial that has a response at all.
    CHECK(rate <= 0.05);
  }
}

TEST_CASE("every task fails an all-zero output wherever zero is not the answer", "[tasks]") {
  for (const std::string& name : task_names()) {
    INFO("task " << name << ", seed " << kSeed);
    const auto task = make_task(name);
    Rng rng(kSeed);
    const Batch batch = task->generate(64, rng);
    const Eigen::MatrixXd zeros = Eigen::MatrixXd::Zero(batch.targets.rows(), batch.targets.cols());
    const std::vector<bool> ok = task->success(batch, zeros);
    int nonzero_trials = 0;
    int nonzero_passed = 0;
    for (int b = 0; b < batch.batch_size; ++b) {
      if (test::target_all_zero(batch, b)) {
        CHECK(ok[b]);  // zero is the answer there
      } else {
        ++nonzero_trials;
        nonzero_passed += ok[b] ? 1 : 0;
      }
    }
    REQUIRE(nonzero_trials > 0);
    INFO(nonzero_passed << " of " << nonzero_trials << " trials with a response passed");
    CHECK(nonzero_passed < nonzero_trials / 2);
  }
}

TEST_CASE("every task's OOD variant has longer trials or delays", "[tasks]") {
  for (const std::string& name : task_names()) {
    INFO("task " << name);
    const auto task = make_task(name);
    const auto ood = make_ood_task(*task);
    CHECK(ood->name() == name);
    CHECK(ood->n_in() == task->n_in());
    CHECK(ood->n_out() == task->n_out());
    CHECK(ood->n_steps() > task->n_steps());
    // Only the overridden parameters change.
    const auto overrides = task->ood_overrides();
    REQUIRE_FALSE(overrides.empty());
    for (const auto& [key, value] : task->param_values()) {
      INFO("parameter " << key);
      if (overrides.count(key) != 0) {
        CHECK(ood->param(key) == overrides.at(key));
        CHECK(ood->param(key) > value);
      } else {
        CHECK(ood->param(key) == value);
      }
    }
    // The OOD variant of a non-default task keeps the other overrides.
    const auto base = task->param_values();
    if (base.count("grace") != 0) {
      const auto custom = make_task(name, {{"grace", 1}});
      CHECK(make_ood_task(*custom)->param("grace") == 1.0);
    }
  }
  // The delay, not just the trial, doubles for delayed discrimination.
  const auto dd = make_ood_task(*make_task("delayed_discrimination"));
  CHECK(dd->param("delay_min") == 10.0);
  CHECK(dd->param("delay_max") == 40.0);
  // mem_gap doubles for the logic and time-pulse tasks.
  for (const std::string name : {"and", "or", "xor", "not", "time_pulse"}) {
    INFO("task " << name);
    CHECK(make_ood_task(*make_task(name))->param("mem_gap") == 40.0);
  }
}

TEST_CASE("every task rejects bad parameters with an InputError naming task and parameter",
          "[tasks]") {
  for (const std::string& name : task_names()) {
    INFO("task " << name);
    const auto task = make_task(name);
    const auto before = task->param_values();
    REQUIRE_FALSE(before.empty());

    const std::string unknown =
        error_message([&] { task->set_params({{"no_such_parameter", 1.0}}); });
    CHECK(unknown.find("'" + name + "'") != std::string::npos);
    CHECK(unknown.find("no_such_parameter") != std::string::npos);
    CHECK(unknown.find(task->params().front().name) != std::string::npos);  // lists valid names
    CHECK_THROWS_AS(make_task(name, {{"no_such_parameter", 1.0}}), InputError);

    for (const TaskParam& p : task->params()) {
      INFO("parameter " << p.name);
      CHECK_FALSE(p.description.empty());
      const std::string nan_message = error_message(
          [&] { task->set_params({{p.name, std::numeric_limits<double>::quiet_NaN()}}); });
      CHECK(nan_message.find(p.name) != std::string::npos);
      if (!p.integer) continue;
      CHECK(p.value == std::floor(p.value));
      // Every integer parameter is a length, count or step: none may be negative.
      const std::string negative = error_message([&] { task->set_params({{p.name, -1.0}}); });
      CHECK(negative.find("'" + name + "'") != std::string::npos);
      CHECK(negative.find("'" + p.name + "'") != std::string::npos);
      const std::string fraction = error_message([&] { task->set_params({{p.name, 2.5}}); });
      CHECK(fraction.find("'" + p.name + "'") != std::string::npos);
      CHECK(fraction.find("whole number") != std::string::npos);
    }
    // A failed set_params leaves the task as it was.
    CHECK(task->param_values() == before);

    Rng rng(kSeed);
    CHECK_THROWS_AS(task->generate(0, rng), InputError);
    CHECK_THROWS_AS(task->generate(-3, rng), InputError);
    const Batch batch = task->generate(2, rng);
    CHECK_THROWS_AS(task->success(batch, Eigen::MatrixXd::Zero(task->n_out() + 1,
                                                               batch.targets.cols())),
                    InputError);
    CHECK_THROWS_AS(task->success(batch, Eigen::MatrixXd::Zero(task->n_out(),
                                                               batch.targets.cols() - 1)),
                    InputError);
  }
}

TEST_CASE("parameter errors read as in the style guide", "[tasks]") {
  CHECK(error_message([] { make_task("xor", {{"mem_gap", -3}}); }) ==
        "task 'xor': parameter 'mem_gap' must be >= 0 (got -3)");
  CHECK(error_message([] { make_task("xor", {{"mem_gap", 2.5}}); }) ==
        "task 'xor': parameter 'mem_gap' must be a whole number (got 2.5)");
  CHECK(error_message([] { make_task("sine_wave", {{"freq_max", 0.9}}); }) ==
        "task 'sine_wave': parameter 'freq_max' must be in [0.01, 0.5] (got 0.9)");
  CHECK(error_message([] { make_task("delayed_discrimination", {{"delay_max", 3}}); }) ==
        "task 'delayed_discrimination': parameter 'delay_max' must be >= delay_min = 5 (got 3)");
  CHECK_THROWS_AS(make_task("nbit_flipflop", {{"flip_prob", 1.5}}), InputError);
  CHECK_THROWS_AS(make_task("oscillator", {{"input_noise", -0.1}}), InputError);
  CHECK_THROWS_AS(make_task("path_integration_2d", {{"speed_max", 6}}), InputError);
  CHECK_THROWS_AS(make_task("time_pulse", {{"bump_sd", 40}}), InputError);  // bump past the end
  CHECK_THROWS_AS(make_task("flipflop", {{"trial_length", 60}}), InputError);  // no pulse answered
  CHECK_THROWS_AS(make_task("and", {{"response_len", 1e9}, {"mem_gap", 1e9}}), InputError);
}

TEST_CASE("parameters round-trip through make_task", "[tasks]") {
  for (const std::string& name : task_names()) {
    INFO("task " << name << ", seed " << kSeed);
    const auto task = make_task(name);
    const auto copy = make_task(name, task->param_values());
    CHECK(copy->param_values() == task->param_values());
    Rng a(kSeed);
    Rng b(kSeed);
    CHECK(task->generate(4, a).inputs == copy->generate(4, b).inputs);
  }
  // An override changes what it should and n_steps follows it.
  const auto xor_task = make_task("xor", {{"mem_gap", 40}});
  CHECK(xor_task->param("mem_gap") == 40.0);
  CHECK(xor_task->int_param("mem_gap") == 40);
  CHECK(xor_task->n_steps() == 220);
  CHECK_THROWS_AS(xor_task->param("no_such_parameter"), InputError);
  const auto bits = make_task("nbit_flipflop", {{"bits", 5}});
  CHECK(bits->n_in() == 5);
  CHECK(bits->n_out() == 5);
}

TEST_CASE("success_rate is the fraction of successful trials", "[tasks]") {
  INFO("seed " << kSeed);
  const auto task = make_task("xor");
  Rng rng(kSeed);
  const Batch batch = task->generate(8, rng);
  // Trials 0..3 correct, 4..7 inverted.
  Eigen::MatrixXd outputs = batch.targets;
  for (int t = 0; t < batch.n_steps; ++t) {
    for (int b = 4; b < 8; ++b) {
      outputs(0, batch.column(t, b)) = 1.0 - batch.targets(0, batch.column(t, b));
    }
  }
  CHECK(success_rate(*task, batch, outputs) == 0.5);
}

}  // namespace nf::models

namespace nf::models {

TEST_CASE("mask_unscored_steps zeroes exactly the grace steps that success() skips", "[tasks]") {
  for (const std::string name : {"xor", "flipflop", "delayed_discrimination"}) {
    INFO(name << ", seed " << test::kSeed);
    const auto task = make_task(name);
    Rng rng(test::kSeed);
    Batch batch = task->generate(8, rng);
    const Batch original = batch;
    task->mask_unscored_steps(batch);
    const int grace = task->int_param("grace");
    int zeroed = 0;
    for (int b = 0; b < batch.batch_size; ++b) {
      for (Eigen::Index c = 0; c < batch.targets.rows(); ++c) {
        int last_change = -1;
        for (int t = 0; t < batch.n_steps; ++t) {
          const int col = batch.column(t, b);
          if (t > 0 && batch.targets(c, col) != batch.targets(c, batch.column(t - 1, b))) last_change = t;
          const bool in_grace = last_change >= 0 && t - last_change < grace;
          CHECK(batch.mask(c, col) == (in_grace ? 0.0 : original.mask(c, col)));
          zeroed += in_grace ? 1 : 0;
        }
      }
    }
    CHECK(zeroed > 0);
    // The criterion did not score these steps before either: a wrong output there still passes.
    Eigen::MatrixXd outputs = original.targets;
    for (Eigen::Index k = 0; k < outputs.size(); ++k)
      if (batch.mask.data()[k] == 0.0) outputs.data()[k] = 100.0;
    CHECK(success_rate(*task, original, outputs) == 1.0);
    CHECK(success_rate(*task, batch, outputs) == 1.0);
  }
  const auto sine = make_task("sine_wave");  // scores every step: nothing changes
  Rng rng(test::kSeed);
  Batch batch = sine->generate(4, rng);
  const Eigen::MatrixXd mask = batch.mask;
  sine->mask_unscored_steps(batch);
  CHECK(batch.mask == mask);
}

}  // namespace nf::models
