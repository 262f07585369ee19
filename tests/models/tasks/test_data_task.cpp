// The data task (models/tasks/task_data.hpp): a user's own trials from an
// .npz file — reading and checking the file (one line per defect), seeded
// sampling, the masked-MSE criterion, the registry behind make_task("data"),
// an artifact folder carrying its copy of the file, and train's --data checks.

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "neurofab/common/error.hpp"
#include "neurofab/common/npz.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/tasks/task_data.hpp"
#include "neurofab/models/train_spec.hpp"
#include "python_script.hpp"
#include "temp_dir.hpp"
#include "test_seed.hpp"

namespace nf::models {
namespace {

namespace fs = std::filesystem;

void run_python(const nf::test::TempDir& dir, const std::string& code) { nf::test::run_python_script(dir.path(), code); }

// A file of K trials of T steps: input channel 0 holds the trial's index at
// every step (so a drawn trial can be recognised), targets are t * 0.1 + k.
TaskData numbered_trials(int k, int t, double success_mse) {
  TaskData data{Batch{}, success_mse};
  Batch& b = data.batch;
  b.n_steps = t;
  b.batch_size = k;
  b.inputs = Eigen::MatrixXd::Zero(2, t * k);
  b.targets = Eigen::MatrixXd::Zero(1, t * k);
  b.mask = Eigen::MatrixXd::Ones(1, t * k);
  for (int step = 0; step < t; ++step) {
    for (int trial = 0; trial < k; ++trial) {
      b.inputs(0, b.column(step, trial)) = trial;
      b.inputs(1, b.column(step, trial)) = 0.5 * step;
      b.targets(0, b.column(step, trial)) = 0.1 * step + trial;
    }
  }
  return data;
}

std::unique_ptr<Task> data_task(const fs::path& file, std::map<std::string, double> extra = {}) {
  std::map<std::string, double> params = register_task_data(file);
  for (const auto& [key, value] : extra) params[key] = value;
  return make_task(kDataTaskName, params);
}

// load_task_data(file) throws one nf::InputError line that starts with the file and holds `fragment`.
void expect_bad_file(const fs::path& file, const std::string& fragment) {
  try {
    load_task_data(file);
    FAIL("no error for " << file);
  } catch (const InputError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.rfind(file.string() + ": ", 0) == 0);
    CHECK(message.find('\n') == std::string::npos);
    CHECK_THAT(message, Catch::Contains(fragment));
  }
}

}  // namespace

TEST_CASE("a data file round-trips a batch exactly", "[tasks][data]") {
  nf::test::TempDir tmp;
  const auto xor_task = make_task("xor");
  Rng rng(5);
  const TaskData written{xor_task->generate(12, rng), 0.02};
  save_task_data(tmp / "xor.npz", written);
  const TaskData read = load_task_data(tmp / "xor.npz");
  CHECK(read.batch.n_steps == 200);
  CHECK(read.batch.batch_size == 12);
  CHECK(read.batch.inputs == written.batch.inputs);
  CHECK(read.batch.targets == written.batch.targets);
  CHECK(read.batch.mask == written.batch.mask);
  CHECK(read.success_mse == 0.02);
  // The arrays are [T, B, C] float64 and success_mse 0-d, as numpy sees them.
  const auto archive = NpzArchive::read(tmp / "xor.npz");
  CHECK(archive.names() == std::vector<std::string>{"inputs", "targets", "mask", "success_mse"});
  CHECK(archive.shape("inputs") == std::vector<std::int64_t>{200, 12, 2});
  CHECK(archive.shape("mask") == std::vector<std::int64_t>{200, 12, 1});
  CHECK(archive.dtype("targets") == "<f8");
  CHECK(archive.shape("success_mse").empty());
}

TEST_CASE("a data file from numpy: any numeric dtype, mask and success_mse optional", "[tasks][data][numpy]") {
  nf::test::TempDir tmp;
  run_python(tmp, R"(
x = np.arange(24, dtype=np.float32).reshape(4, 3, 2)
y = (np.arange(12) % 2).astype(np.int8).reshape(4, 3, 1)
np.savez_compressed(d + '/plain.npz', inputs=x, targets=y)
)");
  const TaskData data = load_task_data(tmp / "plain.npz");
  CHECK(data.batch.n_steps == 4);
  CHECK(data.batch.batch_size == 3);
  CHECK(data.batch.inputs(1, data.batch.column(2, 1)) == 15.0);  // x[2, 1, 1]
  CHECK(data.batch.targets(0, data.batch.column(3, 2)) == 1.0);   // y[3, 2, 0] = 11 % 2
  CHECK(data.batch.mask == Eigen::MatrixXd::Ones(1, 12));          // no mask: every step scored
  CHECK(std::isnan(data.success_mse));                             // no criterion in the file

  // The task then needs the criterion from the caller (train's --success-mse).
  CHECK_THROWS_WITH(data_task(tmp / "plain.npz"), Catch::Contains("has no 'success_mse' array") &&
                                                      Catch::Contains("--success-mse"));
  const auto task = data_task(tmp / "plain.npz", {{"success_mse", 0.3}});
  CHECK(task->param("success_mse") == 0.3);
  CHECK(task->loss_threshold() == Approx(0.03));
}

TEST_CASE("the data task: shape, parameters, OOD variant", "[tasks][data]") {
  nf::test::TempDir tmp;
  save_task_data(tmp / "d.npz", numbered_trials(5, 7, 0.25));
  const auto task = data_task(tmp / "d.npz");
  CHECK(task->name() == "data");
  CHECK(task->n_in() == 2);
  CHECK(task->n_out() == 1);
  CHECK(task->n_steps() == 7);
  CHECK(task->param("success_mse") == 0.25);
  CHECK(task->loss_threshold() == 0.025);
  CHECK(task->summary().find('\n') == std::string::npos);
  CHECK_THAT(task->summary(), Catch::Contains("5 trials of 7 steps"));
  // The OOD variant is the same trials: same parameters, same batches.
  const auto ood = make_ood_task(*task);
  CHECK(ood->param_values() == task->param_values());
  Rng a(3), b(3);
  CHECK(ood->generate(9, a).targets == task->generate(9, b).targets);
  // The data task is not one of the built-in tasks `neurofab tasks` lists.
  for (const auto& name : task_names()) CHECK(name != kDataTaskName);
}

TEST_CASE("the data task draws trials with the rng, in shuffled passes over the file", "[tasks][data]") {
  nf::test::TempDir tmp;
  const int k = 6;
  save_task_data(tmp / "d.npz", numbered_trials(k, 3, 0.1));
  const auto task = data_task(tmp / "d.npz");
  const std::uint64_t seed = nf::test::test_seed(11);
  const auto drawn = [&](const Batch& batch) {
    std::vector<int> trials;
    for (int b = 0; b < batch.batch_size; ++b) {
      const int trial = static_cast<int>(batch.inputs(0, batch.column(0, b)));
      trials.push_back(trial);
      // The whole trial came along: every step, every channel, target and mask.
      for (int t = 0; t < batch.n_steps; ++t) {
        CHECK(batch.inputs(0, batch.column(t, b)) == trial);
        CHECK(batch.inputs(1, batch.column(t, b)) == 0.5 * t);
        CHECK(batch.targets(0, batch.column(t, b)) == Approx(0.1 * t + trial));
        CHECK(batch.mask(0, batch.column(t, b)) == 1.0);
      }
    }
    return trials;
  };
  Rng r1(seed), r2(seed), r3(seed + 1);
  const Batch one = task->generate(2 * k + 3, r1);
  const std::vector<int> trials = drawn(one);
  CHECK(drawn(task->generate(2 * k + 3, r2)) == trials);     // the same seed, the same batch
  CHECK(drawn(task->generate(2 * k + 3, r3)) != trials);     // another seed, another order
  std::map<int, int> count;
  for (const int t : trials) ++count[t];
  CHECK(count.size() == static_cast<std::size_t>(k));
  for (const auto& [trial, n] : count) CHECK((n == 2 || n == 3));  // two full passes and 3 of a third
  // A batch of at most K trials holds distinct trials.
  Rng r4(seed);
  const std::vector<int> four = drawn(task->generate(4, r4));
  CHECK(std::set<int>(four.begin(), four.end()).size() == 4);
  Rng r5(seed);
  CHECK_THROWS_WITH(task->generate(0, r5), Catch::Contains("batch_size must be >= 1"));
}

TEST_CASE("the data task's criterion: masked MSE per trial below success_mse", "[tasks][data]") {
  nf::test::TempDir tmp;
  TaskData data = numbered_trials(4, 4, 0.25);
  // Steps 2 and 3 of every trial are not scored.
  for (int trial = 0; trial < 4; ++trial) {
    data.batch.mask(0, data.batch.column(2, trial)) = 0;
    data.batch.mask(0, data.batch.column(3, trial)) = 0;
  }
  save_task_data(tmp / "d.npz", data);
  const auto task = data_task(tmp / "d.npz");
  const Batch& batch = data.batch;  // the file's own trials, in order
  // Per trial, an error e on the scored steps: MSE = e^2 against 0.25 (strictly below succeeds);
  // a huge error on the unscored steps counts for nothing.
  const std::vector<double> errors = {0.0, 0.4, 0.5, 0.6};
  Eigen::MatrixXd outputs = batch.targets;
  for (int trial = 0; trial < 4; ++trial) {
    for (int t = 0; t < 4; ++t) outputs(0, batch.column(t, trial)) += t < 2 ? errors[trial] : 100.0;
  }
  CHECK(task->success(batch, outputs) == std::vector<bool>{true, true, false, false});
  CHECK(success_rate(*task, batch, outputs) == 0.5);
  CHECK(task->success(batch, batch.targets) == std::vector<bool>(4, true));
  // --success-mse replaces the file's criterion.
  const auto looser = data_task(tmp / "d.npz", {{"success_mse", 0.3}});
  CHECK(looser->success(batch, outputs) == std::vector<bool>{true, true, true, false});
  CHECK_THROWS_AS(task->success(batch, Eigen::MatrixXd::Zero(2, 16)), InputError);  // wrong shape
}

TEST_CASE("default_success_mse is a tenth of the masked targets' variance", "[tasks][data]") {
  Batch b;
  b.n_steps = 2;
  b.batch_size = 2;
  b.targets = (Eigen::MatrixXd(1, 4) << 0, 2, 0, 50).finished();
  b.mask = (Eigen::MatrixXd(1, 4) << 1, 1, 1, 0).finished();  // the 50 is not scored
  // Scored targets 0, 2, 0: mean 2/3, variance (4/9 + 16/9 + 4/9) / 3 = 8/9.
  CHECK(default_success_mse(b) == Approx(8.0 / 90));
  b.targets.setConstant(3);
  CHECK_THROWS_WITH(default_success_mse(b), Catch::Contains("give --success-mse"));
}

TEST_CASE("make_task(\"data\") names what is missing", "[tasks][data]") {
  CHECK_THROWS_WITH(make_task(kDataTaskName), Catch::Contains("neurofab train --data FILE.npz"));
  CHECK_THROWS_WITH(make_task(kDataTaskName, {{"data_id", 12345}}),
                    Catch::Contains("data set 12345 is not loaded") && Catch::Contains("task_data.npz"));
  CHECK_THROWS_WITH(make_task(kDataTaskName, {{"data_id", 0.5}}), Catch::Contains("whole number"));
}

TEST_CASE("bad data files get one line naming the file and the array", "[tasks][data][numpy]") {
  nf::test::TempDir tmp;
  const fs::path bad = tmp / "bad.npz";
  // A good file's arrays; each section spoils one thing.
  const std::string good = "x = np.zeros((4, 3, 2)); y = np.zeros((4, 3, 1)); m = np.ones((4, 3, 1))\n";
  const auto make = [&](const std::string& code) { run_python(tmp, good + code); };

  SECTION("not an npz file") {
    std::ofstream(bad) << "inputs,targets\n1,2\n";
    expect_bad_file(bad, "not a .npz file");
  }
  SECTION("missing inputs") {
    make("np.savez(d + '/bad.npz', targets=y, mask=m)");
    expect_bad_file(bad, "array 'inputs' is missing");
  }
  SECTION("missing targets") {
    make("np.savez(d + '/bad.npz', inputs=x)");
    expect_bad_file(bad, "array 'targets' is missing");
  }
  SECTION("an unexpected array") {
    make("np.savez(d + '/bad.npz', inputs=x, targets=y, masks=m)");
    expect_bad_file(bad, "unexpected array 'masks'");
  }
  SECTION("wrong rank") {
    make("np.savez(d + '/bad.npz', inputs=np.zeros((4, 3)), targets=y)");
    expect_bad_file(bad, "array 'inputs' must have 3 dimensions [T, B, n_in] (got shape (4, 3))");
  }
  SECTION("T of targets differs") {
    make("np.savez(d + '/bad.npz', inputs=x, targets=np.zeros((5, 3, 1)))");
    expect_bad_file(bad, "array 'targets' has shape (5, 3, 1), 'inputs' (4, 3, 2): T and B");
  }
  SECTION("B of targets differs") {
    make("np.savez(d + '/bad.npz', inputs=x, targets=np.zeros((4, 2, 1)))");
    expect_bad_file(bad, "array 'targets' has shape (4, 2, 1)");
  }
  SECTION("mask shape differs from the targets'") {
    make("np.savez(d + '/bad.npz', inputs=x, targets=y, mask=np.ones((4, 3, 2)))");
    expect_bad_file(bad, "array 'mask' has shape (4, 3, 2), 'targets' (4, 3, 1)");
  }
  SECTION("zero trials") {
    make("np.savez(d + '/bad.npz', inputs=np.zeros((4, 0, 2)), targets=np.zeros((4, 0, 1)))");
    expect_bad_file(bad, "array 'inputs' has zero trials");
  }
  SECTION("zero steps") {
    make("np.savez(d + '/bad.npz', inputs=np.zeros((0, 3, 2)), targets=np.zeros((0, 3, 1)))");
    expect_bad_file(bad, "array 'inputs' has zero steps");
  }
  SECTION("NaN in the inputs") {
    make("x[1, 2, 0] = np.nan; np.savez(d + '/bad.npz', inputs=x, targets=y)");
    expect_bad_file(bad, "array 'inputs' holds nan at [t, b, c] = [1, 2, 0]");
  }
  SECTION("Inf in the targets") {
    make("y[3, 0, 0] = -np.inf; np.savez(d + '/bad.npz', inputs=x, targets=y)");
    expect_bad_file(bad, "array 'targets' holds -inf at [t, b, c] = [3, 0, 0]");
  }
  SECTION("a mask value other than 0 and 1") {
    make("m[2, 1, 0] = 0.5; np.savez(d + '/bad.npz', inputs=x, targets=y, mask=m)");
    expect_bad_file(bad, "array 'mask' holds 0.5 at [t, b, c] = [2, 1, 0]: a mask value must be 0 or 1");
  }
  SECTION("a trial with nothing to score") {
    make("m[:, 1, :] = 0; np.savez(d + '/bad.npz', inputs=x, targets=y, mask=m)");
    expect_bad_file(bad, "array 'mask' is 0 everywhere in trial 1");
  }
  SECTION("a non-numeric dtype") {
    make("np.savez(d + '/bad.npz', inputs=x, targets=np.full((4, 3, 1), 'a'))");
    expect_bad_file(bad, "array 'targets': dtype '<U1' is not numeric");
  }
  SECTION("success_mse not a positive number") {
    make("np.savez(d + '/bad.npz', inputs=x, targets=y, success_mse=-0.1)");
    expect_bad_file(bad, "array 'success_mse' must be a finite number > 0 (got -0.1)");
  }
  SECTION("success_mse not a scalar") {
    make("np.savez(d + '/bad.npz', inputs=x, targets=y, success_mse=np.array([0.1, 0.2]))");
    expect_bad_file(bad, "array 'success_mse' must be one number, a 0-d array (got shape (2,))");
  }
  SECTION("a corrupt archive") {
    make("np.savez(d + '/good.npz', inputs=x, targets=y)");
    std::ifstream in(tmp / "good.npz", std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), {}};
    std::ofstream(bad, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    expect_bad_file(bad, "truncated zip archive");
  }
}

TEST_CASE("an artifact of the data task carries its file, and checks it when loaded", "[tasks][data][artifact]") {
  nf::test::TempDir tmp;
  save_task_data(tmp / "mine.npz", numbered_trials(3, 5, 0.2));
  TrainSpec spec;
  spec.out = tmp / "run";
  set_train_option(spec, "data", (tmp / "mine.npz").string());
  set_train_option(spec, "success-mse", 0.5);
  set_train_option(spec, "n", std::int64_t{4});
  auto artifact = std::get<Artifact>(prepare_training(spec));
  const auto& a = std::get<RateRnnArtifact>(artifact);
  CHECK(a.task_name == "data");
  CHECK(a.task_params.at("success_mse") == 0.5);  // --success-mse, not the file's 0.2
  CHECK(a.network.config().n_in == 2);
  CHECK(a.network.config().n_out == 1);
  save_artifact(tmp / "run", a);

  // The folder holds the file byte for byte, named in model.json's task section.
  const auto bytes = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string{std::istreambuf_iterator<char>(in), {}};
  };
  CHECK(bytes(tmp / "run" / kTaskDataFile) == bytes(tmp / "mine.npz"));
  const std::string json = bytes(tmp / "run" / "model.json");
  CHECK_THAT(json, Catch::Contains("\"data_file\": \"task_data.npz\""));
  const auto loaded = std::get<RateRnnArtifact>(load_artifact(tmp / "run"));
  CHECK(loaded.task_params == a.task_params);
  CHECK(make_task(loaded.task_name, loaded.task_params)->n_steps() == 5);

  SECTION("a changed file is refused") {
    save_task_data(tmp / "run" / kTaskDataFile, numbered_trials(3, 6, 0.2));
    CHECK_THROWS_WITH(load_artifact(tmp / "run"), Catch::Contains("task_data.npz: its content hash") &&
                                                      Catch::Contains("(the file was changed)"));
  }
  SECTION("a missing file is refused") {
    fs::remove(tmp / "run" / kTaskDataFile);
    CHECK_THROWS_WITH(load_artifact(tmp / "run"), Catch::Contains("field 'task.data_file'") &&
                                                      Catch::Contains("missing"));
  }
  SECTION("a data file outside the folder is refused") {
    std::string edited = json;
    edited.replace(edited.find("\"task_data.npz\""), 15, "\"../mine.npz\"");
    std::ofstream(tmp / "run" / "model.json", std::ios::trunc) << edited;
    CHECK_THROWS_WITH(load_artifact(tmp / "run"), Catch::Contains("must be a file name inside the artifact folder"));
  }
}

TEST_CASE("train --data: the checks of TrainSpec", "[tasks][data][train_spec]") {
  nf::test::TempDir tmp;
  save_task_data(tmp / "mine.npz", numbered_trials(3, 5, 0.2));
  const auto spec_with = [&](const std::vector<std::pair<std::string, TrainOptionValue>>& options) {
    TrainSpec spec;
    spec.out = tmp / "run";
    for (const auto& [name, value] : options) set_train_option(spec, name, value);
    return spec;
  };
  const std::string file = (tmp / "mine.npz").string();
  const auto refused = [](const TrainSpec& spec, const std::string& message) {
    INFO(message);
    CHECK_THROWS_WITH(prepare_training(spec), Catch::Contains(message));
  };
  refused(spec_with({{"data", file}, {"task", std::string("xor")}}), "--data and --task: give one of them");
  refused(spec_with({{"data", file}, {"task-param.mem_gap", 3.0}}), "--task-param applies to --task");
  refused(spec_with({{"task", std::string("xor")}, {"success-mse", 0.1}}), "--success-mse is the criterion of --data");
  refused(spec_with({{"data", file}, {"success-mse", -1.0}}), "--success-mse: must be a finite number > 0");
  refused(spec_with({{"data", (tmp / "none.npz").string()}}), "none.npz: cannot open file");
  refused(spec_with({{"data", file}, {"model", std::string("elise")}}), "--data is an option of the rate and lif models");
  refused(spec_with({}), "--task is required (see `neurofab tasks`), or --data FILE.npz");
  refused(spec_with({{"data", file}, {"resume", true}}), "--data cannot be combined with --resume");
  // LIF takes it as the rate model does.
  const auto lif = std::get<Artifact>(prepare_training(spec_with({{"data", file}, {"model", std::string("lif")}})));
  CHECK(std::get<LifRnnArtifact>(lif).task_name == "data");
}

}  // namespace nf::models
