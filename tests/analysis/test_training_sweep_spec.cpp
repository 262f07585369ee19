// The sweep file: parsing, the grid's order and run ids, and one clear error
// (file:line: key) for each kind of defect.
#include <catch2/catch.hpp>
#include <fstream>

#include "neurofab/analysis/training_sweep.hpp"
#include "neurofab/analysis/training_sweep_spec.hpp"
#include "neurofab/common/error.hpp"
#include "temp_dir.hpp"

using nf::analysis::expand_grid;
using nf::analysis::parse_training_sweep_spec;

namespace {

void check_error(const std::string& text, const std::string& fragment) {
  INFO(text);
  CHECK_THROWS_WITH(parse_training_sweep_spec(text, "s.toml"), Catch::Contains(fragment) && Catch::StartsWith("s.toml:"));
  CHECK_THROWS_AS(parse_training_sweep_spec(text, "s.toml"), nf::InputError);
}

}  // namespace

TEST_CASE("a sweep file becomes one run per grid point, the first axis outermost", "[analysis][sweep]") {
  const auto spec = parse_training_sweep_spec(R"(
[sweep]
name = "demo"
eval_trials = 64
weight_bits = [4, 8]
threads = 2

[train]
task = "nbit_flipflop"
epochs = 300
lr = 1e-3
loss-on-scored-steps = true
dale = false
task-param = { bits = 2 }

[grid]
init = ["normal", "orthogonal"]
seed = { from = 1, to = 3 }
task-param.mem_gap = [20, 40]
)", "s.toml");
  CHECK(spec.name == "demo");
  CHECK(spec.eval_trials == 64);
  CHECK(spec.weight_bits == std::vector<int>{4, 8});
  CHECK(spec.threads == 2);
  REQUIRE(spec.grid.size() == 3);
  CHECK(spec.grid[1].values == std::vector<std::string>{"1", "2", "3"});
  CHECK(spec.grid[2].name == "task-param.mem_gap");

  const auto runs = expand_grid(spec);
  REQUIRE(runs.size() == 12);
  CHECK(runs[0].id == "init=normal_seed=1_task-param.mem_gap=20");
  CHECK(runs[1].id == "init=normal_seed=1_task-param.mem_gap=40");
  CHECK(runs[2].id == "init=normal_seed=2_task-param.mem_gap=20");
  CHECK(runs[11].id == "init=orthogonal_seed=3_task-param.mem_gap=40");
  const std::vector<std::string> expected = {"--task", "nbit_flipflop", "--epochs", "300", "--lr", "0.001",
                                             "--loss-on-scored-steps", "--task-param", "bits=2", "--init",
                                             "orthogonal", "--seed", "3", "--task-param", "mem_gap=40"};
  CHECK(runs[11].train_arguments == expected);  // `dale = false` passes nothing
  CHECK(runs[11].grid_values.back() == std::pair<std::string, std::string>{"task-param.mem_gap", "40"});
}

TEST_CASE("boolean axes pass the flag or leave it out, and an empty grid is one run", "[analysis][sweep]") {
  const auto flags = expand_grid(parse_training_sweep_spec("[train]\ntask = \"and\"\n[grid]\nloss-on-scored-steps = [true, false]\n", "s.toml"));
  REQUIRE(flags.size() == 2);
  CHECK(flags[0].train_arguments == std::vector<std::string>{"--task", "and", "--loss-on-scored-steps"});
  CHECK(flags[1].train_arguments == std::vector<std::string>{"--task", "and"});
  const auto single = expand_grid(parse_training_sweep_spec("[train]\ntask = \"and\"\n", "s.toml"));
  REQUIRE(single.size() == 1);
  CHECK(single[0].id == "run");
  const auto stepped = parse_training_sweep_spec("[grid]\nn = { from = 16, to = 64, step = 16 }\n", "s.toml");
  CHECK(stepped.grid[0].values == std::vector<std::string>{"16", "32", "48", "64"});
  // Characters that do not belong in a folder name become '-'.
  const auto odd = expand_grid(parse_training_sweep_spec("[grid]\nfrozen = [\"W_in/W out\"]\n", "s.toml"));
  CHECK(odd[0].id == "frozen=W_in-W-out");
  // Values that differ only in such characters would share a folder: refused.
  CHECK_THROWS_WITH(expand_grid(parse_training_sweep_spec("[grid]\nfrozen = [\"W_in,W_out\", \"W_in W_out\"]\n", "s.toml")),
                    Catch::Contains("share the run folder name 'frozen=W_in-W_out'"));
}

TEST_CASE("each defect of a sweep file is one error naming the file, line and key", "[analysis][sweep]") {
  check_error("[sweep]\nname = \"x\"\n[grid]\nseed = [1, 2\n", "s.toml:4");  // TOML syntax
  check_error("[bogus]\nx = 1\n", "unknown top-level key `bogus`");
  check_error("[sweep]\nthreadz = 2\n", "unknown key `sweep.threadz`");
  check_error("[sweep]\neval_trials = 0\n", "`sweep.eval_trials`");
  check_error("[sweep]\nweight_bits = [8, 1]\n", "`sweep.weight_bits`");
  check_error("[train]\nout = \"x\"\n", "`out` is set by the sweep itself");
  check_error("[grid]\nresume = [true]\n", "`resume` is set by the sweep itself");
  check_error("[grid]\nseed = []\n", "grid axis `seed` has no values");
  check_error("[grid]\nseed = [1, 1]\n", "repeats the value 1");
  check_error("[grid]\nseed = { from = 5, to = 1 }\n", "`to` (1) is below `from` (5)");
  check_error("[grid]\nseed = { from = 1 }\n", "a range needs integers `from` and `to`");
  check_error("[grid]\nseed = 3\n", "grid axis `seed`: expected an array");
  check_error("[grid]\nseed = [1, true]\n", "mixes booleans");
  check_error("[train]\ntask = \"\"\n", "`task`: empty value");
  CHECK_THROWS_WITH(parse_training_sweep_spec("[train]\nseed = 1\n[grid]\nseed = [1, 2]\n", "s.toml"),
                    Catch::Contains("`seed` is both in [train] and in [grid]"));
  CHECK_THROWS_WITH(
      parse_training_sweep_spec("[train]\ntask-param = { mem_gap = 5 }\n[grid]\ntask-param.mem_gap = [1, 2]\n", "s.toml"),
      Catch::Contains("`task-param.mem_gap` is both in [train] and in [grid]"));
}

TEST_CASE("a run record with a bad weight-width key is refused by file and field", "[analysis][sweep]") {
  nf::test::TempDir tmp;
  const auto file = tmp / "run.json";
  std::ofstream(file) << R"({"id": "run", "grid": [], "model": "rate_rnn", "task": "and", "init": "normal",
    "n_rec": 8, "seed": 1, "epochs": 1, "converged_epoch": -1, "test": {"mse": 0.1, "success": 0.5},
    "ood": {"mse": 0.1, "success": 0.5}, "spikes_per_unit_step": null,
    "integer": {"eight": {"mse": 0.1, "success": 0.5}}, "train_seconds": 1.0})";
  CHECK_THROWS_WITH(nf::analysis::read_run_result(file),
                    Catch::Contains("run.json") && Catch::Contains("integer.eight") &&
                        Catch::Contains("expected a weight width"));
}

TEST_CASE("the results table quotes grid values that hold commas", "[analysis][sweep]") {
  const auto spec = parse_training_sweep_spec("[grid]\nfrozen = [\"W_in,W_out\", \"b_rec\"]\n", "s.toml");
  const auto runs = expand_grid(spec);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].train_arguments == std::vector<std::string>{"--frozen", "W_in,W_out"});
  nf::analysis::RunResult row;
  row.id = runs[0].id;
  row.grid_values = runs[0].grid_values;
  row.model = "rate_rnn";
  const std::string csv = nf::analysis::results_csv(spec, {row});
  CHECK_THAT(csv, Catch::StartsWith("id,frozen,model,"));
  CHECK_THAT(csv, Catch::Contains("\nfrozen=W_in-W_out,\"W_in,W_out\",rate_rnn,"));
}
