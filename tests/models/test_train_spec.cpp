// TrainSpec: train's options as typed values. Its checks name the option at
// fault (the messages `neurofab train` gives), set_train_option takes a sweep
// file's structured values, and the options map to the same configuration
// and the same initial weights as building them by hand.
#include <catch2/catch.hpp>
#include <fstream>

#include "neurofab/common/error.hpp"
#include "neurofab/models/train_spec.hpp"
#include "temp_dir.hpp"

using namespace nf::models;
namespace fs = std::filesystem;

namespace {

TrainSpec rate_spec(const fs::path& out) {
  TrainSpec spec;
  spec.out = out;
  set_train_option(spec, "task", std::string("and"));
  set_train_option(spec, "n", std::int64_t{8});
  return spec;
}

void check_refused(const TrainSpec& spec, const std::string& message) {
  INFO(message);
  CHECK_THROWS_AS(prepare_training(spec), nf::InputError);
  CHECK_THROWS_WITH(prepare_training(spec), Catch::Contains(message));
}

}  // namespace

TEST_CASE("TrainSpec refuses what train refuses, naming the option", "[models][train_spec]") {
  nf::test::TempDir tmp;
  const fs::path out = tmp / "run";

  TrainSpec no_task;
  no_task.out = out;
  check_refused(no_task, "--task is required (see `neurofab tasks`)");

  TrainSpec lif_option = rate_spec(out);
  set_train_option(lif_option, "tau-mem", 3.0);
  check_refused(lif_option, "--tau-mem is an option of the lif model, not of --model rate");

  TrainSpec rate_option = rate_spec(out);
  set_train_option(rate_option, "model", std::string("lif"));
  set_train_option(rate_option, "alpha", 0.5);
  check_refused(rate_option, "--alpha is an option of the rate model, not of --model lif");

  TrainSpec elise_option = rate_spec(out);
  set_train_option(elise_option, "pattern", std::string("random"));
  check_refused(elise_option, "--pattern is an option of the elise model, not of --model rate");

  TrainSpec elise = TrainSpec{};
  elise.out = out;
  set_train_option(elise, "model", std::string("elise"));
  check_refused(elise, "--pattern is required with --model elise");
  set_train_option(elise, "pattern", std::string("random"));
  set_train_option(elise, "lr", 0.1);
  check_refused(elise, "--lr is an option of the rate and lif models, not of --model elise");

  TrainSpec bad_init = rate_spec(out);
  set_train_option(bad_init, "init", std::string("bogus"));
  check_refused(bad_init, "unknown initialisation 'bogus'");

  TrainSpec bad_training = rate_spec(out);
  set_train_option(bad_training, "epochs", std::int64_t{0});
  check_refused(bad_training, "training field 'max_epochs': must be >= 1 (got 0)");

  TrainSpec no_units = rate_spec(out);
  no_units.n = 0;
  check_refused(no_units, "--n: must be positive (got 0)");

  fs::create_directories(out);
  check_refused(rate_spec(out), "already exists (use --resume to continue it or --force to replace it)");
  TrainSpec resumed = rate_spec(out);
  resumed.given = {"--resume", "--batch"};
  resumed.resume = true;
  check_refused(resumed, "--batch cannot be combined with --resume: a resumed run keeps the artifact's settings");
}

TEST_CASE("set_train_option takes structured values and refuses the wrong kind by name", "[models][train_spec]") {
  TrainSpec spec;
  set_train_option(spec, "lr", std::int64_t{1});  // an integer for a real
  CHECK(spec.training.learning_rate == 1.0);
  set_train_option(spec, "epochs", 300.0);  // a whole real for an integer
  CHECK(spec.training.max_epochs == 300);
  set_train_option(spec, "freeze", std::string("W_in,b_rec"));  // a list as on the command line
  CHECK(spec.freeze == std::vector<std::string>{"W_in", "b_rec"});
  set_train_option(spec, "freeze", std::vector<std::string>{"W_out"});
  CHECK(spec.freeze == std::vector<std::string>{"W_out"});
  set_train_option(spec, "task-param.bits", std::int64_t{2});
  set_train_option(spec, "task-param.mem_gap", std::string("20"));
  CHECK(spec.task_params == std::map<std::string, double>{{"bits", 2.0}, {"mem_gap", 20.0}});
  set_train_option(spec, "spike-penalty", 0.25);  // an alias, given under its first name
  CHECK(spec.training.regularization.l1_rates == 0.25);
  CHECK(spec.was_given("--rate-l1"));
  set_train_option(spec, "loss-on-scored-steps", false);  // a flag left out
  CHECK_FALSE(spec.was_given("--loss-on-scored-steps"));
  set_train_option(spec, "model", std::string("elise"));
  CHECK(spec.is_elise());
  set_train_option(spec, "model", std::string("lif"));
  CHECK(spec.family == Family::kLif);

  CHECK_THROWS_WITH(set_train_option(spec, "frozen", std::string("W_in")),
                    Catch::Contains("--frozen: not an option of `neurofab train`"));
  CHECK_THROWS_WITH(set_train_option(spec, "epochs", std::string("many")),
                    Catch::Contains("--epochs: expected an integer"));
  CHECK_THROWS_WITH(set_train_option(spec, "epochs", 2.5), Catch::Contains("--epochs: expected an integer"));
  CHECK_THROWS_WITH(set_train_option(spec, "seed", std::int64_t{-1}), Catch::Contains("--seed: expected an integer >= 0"));
  CHECK_THROWS_WITH(set_train_option(spec, "detach-reset", std::int64_t{1}),
                    Catch::Contains("--detach-reset: expected true or false"));
  CHECK_THROWS_WITH(set_train_option(spec, "model", std::string("gru")), Catch::Contains("--model: gru not in"));
  CHECK_THROWS_WITH(set_train_option(spec, "task-param.bits", std::string("x")),
                    Catch::Contains("--task-param 'bits=x': 'x' is not a number"));
}

TEST_CASE("a rate TrainSpec maps to the configuration and weights built by hand", "[models][train_spec]") {
  nf::test::TempDir tmp;
  TrainSpec spec = rate_spec(tmp / "run");
  set_train_option(spec, "init", std::string("orthogonal"));
  set_train_option(spec, "gain", 1.5);
  set_train_option(spec, "alpha", 0.2);
  set_train_option(spec, "dt", 2.0);
  set_train_option(spec, "noise", 0.05);
  set_train_option(spec, "freeze", std::string("b_rec"));
  set_train_option(spec, "seed", std::int64_t{7});
  set_train_option(spec, "lr", 2e-3);

  const auto task = make_task("and", {});
  RateRnnConfig expected;
  expected.n_in = task->n_in();
  expected.n_rec = 8;
  expected.n_out = task->n_out();
  expected.activation = Activation::kTanh;
  expected.dt_ms = 2.0;
  expected.tau_ms = 2.0 / 0.2;  // --alpha overrides --tau
  expected.noise_sd = 0.05;
  expected.frozen = {"b_rec"};
  const RateRnnConfig config = rate_config(spec, *task);
  CHECK(config.tau_ms == expected.tau_ms);
  CHECK(config.noise_sd == expected.noise_sd);
  CHECK(config.frozen == expected.frozen);
  NetworkInit init;
  init.w_rec = {InitScheme::kOrthogonal, 1.5, 0.1};
  const NetworkInit mapped = network_init(spec);
  CHECK(mapped.w_rec.scheme == init.w_rec.scheme);
  CHECK(mapped.w_rec.gain == init.w_rec.gain);
  CHECK(mapped.w_in.scheme == init.w_in.scheme);

  const PreparedTraining prepared = prepare_training(spec);
  const auto& artifact = std::get<RateRnnArtifact>(std::get<Artifact>(prepared));
  const RateRnn<float> by_hand = make_rate_rnn(expected, init, 7);
  CHECK(artifact.seed == 7);
  CHECK(artifact.task_name == "and");
  CHECK(artifact.training.learning_rate == 2e-3);
  CHECK(artifact.network.weights().w_rec == by_hand.weights().w_rec);  // exact: the same draws
  CHECK(artifact.network.weights().w_in == by_hand.weights().w_in);
  CHECK(artifact.network.weights().w_out == by_hand.weights().w_out);
  CHECK_FALSE(fs::exists(tmp / "run"));  // nothing written before training
}

TEST_CASE("a LIF TrainSpec maps to its LifRnnConfig, and training writes the artifact", "[models][train_spec]") {
  nf::test::TempDir tmp;
  TrainSpec spec = rate_spec(tmp / "run");
  set_train_option(spec, "model", std::string("lif"));
  set_train_option(spec, "tau-mem", std::int64_t{15});
  set_train_option(spec, "reset", std::string("zero"));
  set_train_option(spec, "surrogate", std::string("atan"));
  set_train_option(spec, "refractory", std::int64_t{2});
  set_train_option(spec, "train-tau", true);
  set_train_option(spec, "epochs", std::int64_t{2});
  set_train_option(spec, "steps-per-epoch", std::int64_t{2});
  set_train_option(spec, "batch", std::int64_t{4});
  set_train_option(spec, "validation-trials", std::int64_t{8});
  const auto task = make_task("and", {});
  const LifRnnConfig config = lif_config(spec, *task);
  CHECK(config.n_rec == 8);
  CHECK(config.tau_mem_ms == 15.0);
  CHECK(config.tau_syn_ms == 5.0);
  CHECK(config.reset == ResetMode::kZero);
  CHECK(config.surrogate == Surrogate::kAtan);
  CHECK(config.refractory_steps == 2);
  CHECK(config.train_tau);

  PreparedTraining prepared = prepare_training(spec);
  CHECK(std::holds_alternative<LifRnnArtifact>(std::get<Artifact>(prepared)));
  int epochs_seen = 0;
  TrainRunHooks hooks;
  hooks.on_epoch = [&](const TrainingState&) { ++epochs_seen; };
  run_training(prepared, spec, hooks);
  CHECK(epochs_seen == 2);
  const Artifact saved = load_artifact(tmp / "run");
  CHECK(std::get<LifRnnArtifact>(saved).state.epochs_done == 2);
  CHECK(std::get<LifRnnArtifact>(saved).network.weights().w_rec ==
        std::get<LifRnnArtifact>(std::get<Artifact>(prepared)).network.weights().w_rec);

  // Resumed, with only --epochs raised.
  TrainSpec resume;
  resume.out = tmp / "run";
  resume.resume = true;
  set_train_option(resume, "epochs", std::int64_t{3});
  const PreparedTraining resumed = prepare_training(resume);
  CHECK(std::get<LifRnnArtifact>(std::get<Artifact>(resumed)).training.max_epochs == 3);
}

TEST_CASE("train's option list is the table set_train_option knows", "[models][train_spec]") {
  const auto& names = train_option_names();
  CHECK(names.front() == "--task");
  CHECK(names.back() == "--loss-on-scored-steps");
  CHECK(std::find(names.begin(), names.end(), "--spike-penalty") == names.end());
  CHECK(canonical_train_option("--spike-penalty") == "--rate-l1");
}
