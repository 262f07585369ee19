// Which networks `neurofab analyze` reads: artifact folders as given, sweep
// folders as their finished runs in natural order, and clear errors otherwise.
#include <catch2/catch.hpp>
#include <fstream>

#include "neurofab/analysis/run_set.hpp"
#include "neurofab/common/error.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using nf::analysis::expand_runs;

namespace {

void touch(const fs::path& file) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << "{}";
}

}  // namespace

TEST_CASE("a sweep folder stands for its finished runs, in natural order", "[analysis][run_set]") {
  nf::test::TempDir tmp;
  const fs::path sweep = tmp / "sweep";
  touch(sweep / "sweep.toml");
  for (const char* id : {"n=100_seed=10", "n=100_seed=2", "n=25_seed=1", "n=100_seed=1", "n=025_seed=3"}) {
    touch(sweep / "runs" / id / "model.json");
    touch(sweep / "runs" / id / "run.json");
  }
  touch(sweep / "runs" / "n=25_seed=2" / "model.json");  // cut off: no run.json
  const fs::path single = tmp / "single";
  touch(single / "model.json");

  const auto runs = expand_runs({single, sweep});
  std::vector<std::string> names;
  for (const auto& run : runs) names.push_back(run.filename().string());
  CHECK(names == std::vector<std::string>{"single", "n=25_seed=1", "n=025_seed=3", "n=100_seed=1", "n=100_seed=2",
                                          "n=100_seed=10"});
  CHECK(nf::analysis::is_sweep_folder(sweep));
  CHECK_FALSE(nf::analysis::is_sweep_folder(single));
}

TEST_CASE("decimal grid values are ordered by value", "[analysis][run_set]") {
  nf::test::TempDir tmp;
  const fs::path sweep = tmp / "sweep";
  touch(sweep / "sweep.toml");
  for (const char* id : {"penalty=0.3_seed=1", "penalty=0.1_seed=2", "penalty=0_seed=1", "penalty=0.01_seed=1",
                         "penalty=0.1_seed=1", "penalty=0.03_seed=1", "penalty=1.5_seed=1", "penalty=1_seed=1"}) {
    touch(sweep / "runs" / id / "model.json");
    touch(sweep / "runs" / id / "run.json");
  }
  std::vector<std::string> names;
  for (const auto& run : expand_runs({sweep})) names.push_back(run.filename().string());
  CHECK(names == std::vector<std::string>{"penalty=0_seed=1", "penalty=0.01_seed=1", "penalty=0.03_seed=1",
                                          "penalty=0.1_seed=1", "penalty=0.1_seed=2", "penalty=0.3_seed=1",
                                          "penalty=1_seed=1", "penalty=1.5_seed=1"});
}

TEST_CASE("arguments that name no network are refused by name", "[analysis][run_set]") {
  nf::test::TempDir tmp;
  CHECK_THROWS_AS(expand_runs({}), nf::InputError);
  CHECK_THROWS_WITH(expand_runs({tmp / "missing"}), Catch::Contains("missing: neither an artifact folder"));
  const fs::path empty_sweep = tmp / "empty";
  touch(empty_sweep / "sweep.toml");
  fs::create_directories(empty_sweep / "runs" / "seed=1");
  CHECK_THROWS_WITH(expand_runs({empty_sweep}), Catch::Contains("the sweep has no finished run yet"));
}
