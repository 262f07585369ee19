// `neurofab sweep` end to end through the real binary: a threaded sweep and its
// table, a resumed sweep after a kill (finished runs untouched, the same
// table; a run cut off mid-way continues from its checkpoint), two MPI ranks over loopback giving the same table as threads, and
// the errors a user meets first.
#include <fmt/format.h>
#include <fmt/std.h>  // paths, quoted: safe in the shell commands below
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "neurofab/analysis/training_sweep.hpp"
#include "neurofab/common/text_file.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using nf::test::CommandResult;

namespace {

CommandResult neurofab(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} {} 2>&1", NF_CLI_PATH, arguments));
}

// Six tiny trainings of AND (a second each), evaluated on few trials, with the
// integer model at two widths.
const std::string kSweepFile = R"(
[sweep]
name = "tiny"
eval_trials = 32
weight_bits = [6, 8]

[train]
task = "and"
n = 8
epochs = 4
steps-per-epoch = 3
batch = 8
validation-trials = 16
checkpoint-every = 1

[grid]
init = ["normal", "orthogonal"]
seed = { from = 1, to = 3 }
)";

fs::path write_spec(const nf::test::TempDir& tmp, const std::string& text = kSweepFile) {
  const fs::path file = tmp / "sweep.toml";
  std::ofstream(file) << text;
  return file;
}

int count_finished(const fs::path& out) {
  int finished = 0;
  if (!fs::is_directory(out / "runs")) return 0;
  for (const auto& entry : fs::directory_iterator(out / "runs")) finished += fs::exists(entry.path() / "run.json");
  return finished;
}

}  // namespace

TEST_CASE("a threaded sweep trains every run once and writes one table", "[analysis][sweep][cli]") {
  nf::test::TempDir tmp;
  const fs::path file = write_spec(tmp);
  const fs::path out = tmp / "out";
  const CommandResult first = neurofab(fmt::format("sweep {} -o {} --threads 2", file, out));
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.output, Catch::Contains("6 runs (0 finished before, 6 trained now on 1 rank(s) x 2 thread(s))"));

  const std::string table = nf::read_text_file(out / "results.csv");
  INFO(table);
  CHECK_THAT(table, Catch::StartsWith("id,init,seed,model,task,init,n_rec,seed,epochs,converged_epoch,test_mse,"
                                      "test_success,ood_mse,ood_success,spikes_per_unit_step,int6_mse,int6_success,"
                                      "int8_mse,int8_success\n"));
  CHECK(std::count(table.begin(), table.end(), '\n') == 7);
  CHECK_THAT(table, Catch::Contains("\ninit=normal_seed=1,normal,1,rate_rnn,and,normal,8,1,4,"));
  CHECK_THAT(table, Catch::Contains("\ninit=orthogonal_seed=3,orthogonal,3,rate_rnn,and,orthogonal,8,3,4,"));
  // Each run is an artifact `neurofab eval` reads.
  const CommandResult eval = neurofab(fmt::format("eval {}", out / "runs" / "init=orthogonal_seed=2"));
  INFO(eval.output);
  CHECK(eval.exit_code == 0);
  // The run's record matches its row.
  const auto record = nf::analysis::read_run_result(out / "runs" / "init=normal_seed=1" / "run.json");
  CHECK(record.n_rec == 8);
  CHECK(record.integer.size() == 2);

  // Again: nothing left to train, the same table.
  const CommandResult again = neurofab(fmt::format("sweep {} -o {}", file, out));
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains("6 runs (6 finished before, 0 trained now"));
  CHECK(nf::read_text_file(out / "results.csv") == table);

  // A grown grid trains only the new runs.
  std::string grown = kSweepFile;
  grown.replace(grown.find("to = 3"), 6, "to = 4");
  const CommandResult more = neurofab(fmt::format("sweep {} -o {}", write_spec(tmp, grown), out));
  INFO(more.output);
  REQUIRE(more.exit_code == 0);
  CHECK_THAT(more.output, Catch::Contains("8 runs (6 finished before, 2 trained now"));
}

TEST_CASE("a sweep killed mid-way resumes: finished runs are kept, the table is the same", "[analysis][sweep][cli]") {
  nf::test::TempDir tmp;
  const fs::path file = write_spec(tmp);
  const fs::path reference = tmp / "reference";
  REQUIRE(neurofab(fmt::format("sweep {} -o {} --threads 1 -q", file, reference)).exit_code == 0);

  const fs::path out = tmp / "out";
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::execl(NF_CLI_PATH, NF_CLI_PATH, "sweep", file.c_str(), "-o", out.c_str(), "--threads", "1", "-q", nullptr);
    ::_exit(127);
  }
  // Kill it (SIGKILL: no clean-up at all) once some, but not all, runs are finished.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (count_finished(out) < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const int finished = count_finished(out);
  INFO("finished when killed: " << finished);
  REQUIRE(finished >= 2);
  REQUIRE(finished < 6);
  CHECK(WIFSIGNALED(status));
  std::map<fs::path, std::string> kept;
  for (const auto& entry : fs::directory_iterator(out / "runs")) {
    if (fs::exists(entry.path() / "run.json")) kept[entry.path()] = nf::read_text_file(entry.path() / "run.json");
  }

  const CommandResult resumed = neurofab(fmt::format("sweep {} -o {} --threads 1", file, out));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Catch::Contains(fmt::format("6 runs ({} finished before, {} trained now", finished, 6 - finished)));
  for (const auto& [dir, record] : kept) CHECK(nf::read_text_file(dir / "run.json") == record);  // not retrained
  CHECK(nf::read_text_file(out / "results.csv") == nf::read_text_file(reference / "results.csv"));
}

TEST_CASE("a run cut off after a checkpoint continues from it: the same table as never cut", "[analysis][sweep][cli]") {
  nf::test::TempDir tmp;
  const fs::path file = write_spec(tmp);
  const fs::path reference = tmp / "reference";
  REQUIRE(neurofab(fmt::format("sweep {} -o {} --threads 2 -q", file, reference)).exit_code == 0);

  // The first run stops after its second epoch's checkpoint, as a kill would stop it.
  const fs::path out = tmp / "out";
  fs::create_directories(out / "runs");
  std::ofstream(out / "sweep.toml") << kSweepFile;
  const auto runs = nf::analysis::expand_grid(nf::analysis::load_training_sweep_spec(file));
  nf::models::TrainSpec spec = nf::analysis::train_spec(runs[0]);
  spec.out = out / "runs" / runs[0].id;
  nf::models::PreparedTraining prepared = nf::models::prepare_training(spec);
  nf::models::TrainRunHooks hooks;
  hooks.on_epoch = [](const nf::models::TrainingState& s) {
    if (s.epochs_done == 3) throw std::runtime_error("cut off");
  };
  CHECK_THROWS_WITH(nf::models::run_training(prepared, spec, hooks), "cut off");
  REQUIRE(fs::exists(spec.out / "model.json"));

  const CommandResult resumed = neurofab(fmt::format("sweep {} -o {} --threads 2", file, out));
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Catch::Contains("6 runs (0 finished before, 6 trained now"));
  CHECK(nf::read_text_file(out / "results.csv") == nf::read_text_file(reference / "results.csv"));
}

TEST_CASE("two MPI ranks over loopback give the same table as threads", "[analysis][sweep][cli][mpi]") {
  nf::test::TempDir tmp;
  const fs::path file = write_spec(tmp);
  const fs::path threaded = tmp / "threaded";
  const fs::path ranks = tmp / "ranks";
  REQUIRE(neurofab(fmt::format("sweep {} -o {} --threads 2 -q", file, threaded)).exit_code == 0);
  // Root may run mpirun only when told so; --oversubscribe lets 2 ranks share fewer cores.
  const CommandResult mpi = nf::test::run_command(fmt::format(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe --mca btl self,tcp "
      "--mca btl_tcp_if_include lo {} sweep {} -o {} 2>&1",
      NF_CLI_PATH, file, ranks));
  INFO(mpi.output);
  REQUIRE(mpi.exit_code == 0);
  CHECK_THAT(mpi.output, Catch::Contains("[rank 0]"));
  CHECK_THAT(mpi.output, Catch::Contains("[rank 1]"));
  CHECK_THAT(mpi.output, Catch::Contains("6 trained now on 2 rank(s) x 1 thread(s)"));
  CHECK(nf::read_text_file(ranks / "results.csv") == nf::read_text_file(threaded / "results.csv"));

  // A folder rank 0 refuses stops both ranks with the message (none hangs in a barrier).
  std::string other = kSweepFile;
  other.replace(other.find("epochs = 4"), 10, "epochs = 5");
  const fs::path other_file = tmp / "other.toml";
  std::ofstream(other_file) << other;
  const CommandResult refused = nf::test::run_command(fmt::format(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 60 mpirun -np 2 --oversubscribe --mca btl "
      "self,tcp --mca btl_tcp_if_include lo {} sweep {} -o {} 2>&1",
      NF_CLI_PATH, other_file, ranks));
  INFO(refused.output);
  CHECK(refused.exit_code != 0);
  CHECK(refused.exit_code != 124);  // not the timeout
  // Each rank stops with rank 0's reason, since mpirun may kill rank 0 before it prints.
  CHECK_THAT(refused.output, Catch::Contains("[rank 0] "));
  CHECK_THAT(refused.output, Catch::Contains("holds a different sweep"));
  CHECK_THAT(refused.output, !Catch::Contains("another rank"));
}

TEST_CASE("sweep errors: a bad option names its run before anything trains, and another sweep's folder is refused",
          "[analysis][sweep][cli]") {
  nf::test::TempDir tmp;
  const fs::path out = tmp / "out";
  std::string bad = kSweepFile;
  const std::string inits = "init = [\"normal\", \"orthogonal\"]";
  bad.replace(bad.find(inits), inits.size(), "init = [\"normal\", \"bogus\"]");
  const CommandResult r = neurofab(fmt::format("sweep {} -o {}", write_spec(tmp, bad), out));
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("run init=bogus_seed=1:"));
  CHECK_FALSE(fs::exists(out));  // checked up front: nothing was made

  const fs::path file = write_spec(tmp);
  const CommandResult listed = neurofab(fmt::format("sweep {} --list", file));
  CHECK(listed.exit_code == 0);
  CHECK_THAT(listed.output, Catch::Contains("init=orthogonal_seed=3: neurofab train --task and --n 8"));

  std::string other = kSweepFile;
  other.replace(other.find("epochs = 4"), 10, "epochs = 5");
  fs::create_directories(out / "runs");
  std::ofstream(out / "sweep.toml") << kSweepFile;
  const CommandResult refused = neurofab(fmt::format("sweep {} -o {}", write_spec(tmp, other), out));
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, Catch::Contains("holds a different sweep"));

  const fs::path occupied = tmp / "occupied";
  fs::create_directories(occupied);
  std::ofstream(occupied / "notes.txt") << "mine";
  const CommandResult not_sweep = neurofab(fmt::format("sweep {} -o {}", file, occupied));
  CHECK(not_sweep.exit_code == 1);
  CHECK_THAT(not_sweep.output, Catch::Contains("is not a sweep folder"));
  CHECK(neurofab(fmt::format("sweep {} -o {}", tmp / "missing.toml", out)).exit_code == 2);
}
