// `neurofab analyze spectrum` and `neurofab analyze fixed-points` end to end
// through the real binary on tiny trained artifacts: the output files and
// their contents, and refusals that leave no output folder behind.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "neurofab/analysis/spectrum.hpp"
#include "neurofab/models/artifact.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

using Result = nf::test::CommandResult;

Result run(const std::string& arguments) {
  return nf::test::run_command(fmt::format("{} {} 2>&1", NF_CLI_PATH, arguments));
}

const std::string kTiny =
    "--task flipflop --task-param trial_length=120 --n 12 --epochs 1 --steps-per-epoch 2 --batch 8 "
    "--validation-trials 8 --eval-trials 8 -q";

void train(const fs::path& dir, const std::string& options) {
  const Result r = run(fmt::format("train {} {} -o {}", kTiny, options, dir.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool is_png(const fs::path& path) {
  const std::string bytes = read(path);
  return bytes.size() > 1000 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

long lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

// No output folder and no staging leftovers (".<name>.tmp-*") beside it.
void check_nothing_written(const fs::path& out) {
  CHECK(!fs::exists(out));
  const std::string staging_prefix = fmt::format(".{}.tmp-", out.filename().string());
  for (const auto& e : fs::directory_iterator(out.parent_path()))
    CHECK(e.path().filename().string().rfind(staging_prefix, 0) != 0);
}

}  // namespace

TEST_CASE("analyze spectrum writes csv, json and png for rate and LIF networks", "[cli][spectrum]") {
  nf::test::TempDir tmp;
  train(tmp / "rate", "--alpha 0.5 --seed 2");
  train(tmp / "lif", "--model lif --seed 2");
  const fs::path out = tmp / "spectrum";
  const Result r = run(fmt::format("analyze spectrum {} {} -o {}", (tmp / "rate").string(), (tmp / "lif").string(),
                                   out.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("spectral radius of W_rec") != std::string::npos);

  // 2 networks x 2 stages x 2 matrices x 12 eigenvalues, plus the header.
  const std::string csv = read(out / "spectrum.csv");
  CHECK(csv.rfind("run,stage,matrix,index,re,im,modulus,arg_rad,outlier\n", 0) == 0);
  CHECK(lines(csv) == 1 + 2 * 2 * 2 * 12);
  CHECK(csv.find(",init,J0,") != std::string::npos);
  CHECK(csv.find(",trained,W_eff,") != std::string::npos);
  CHECK(read(out / "outliers.csv").rfind("run,stage,matrix,kind,re,im,modulus,arg_rad,frequency_hz,period_steps", 0) ==
        0);
  CHECK(is_png(out / "spectrum.png"));

  const auto json = nlohmann::json::parse(read(out / "spectrum.json"));
  REQUIRE(json["networks"].size() == 2);
  CHECK(json["networks"][0]["model_type"] == "rate_rnn");
  CHECK(json["networks"][0]["alpha"] == 0.5);
  CHECK(json["networks"][1]["model_type"] == "lif_rnn");
  // The init radius in the file is that of the rebuilt initial W_rec.
  const auto artifact = nf::models::load_artifact(tmp / "rate");
  const auto values = nf::analysis::eigenvalues(nf::analysis::initial_w_rec(artifact).cast<double>());
  CHECK(json["networks"][0]["spectra"]["init"]["W_rec"]["spectral_radius"].get<double>() ==
        Approx(std::abs(values[0])).epsilon(1e-12));

  SECTION("an existing output folder is kept unless --force") {
    const Result again = run(fmt::format("analyze spectrum {} -o {}", (tmp / "rate").string(), out.string()));
    CHECK(again.exit_code == 1);
    CHECK(again.output.find("already exists") != std::string::npos);
    CHECK(lines(read(out / "spectrum.csv")) == 1 + 2 * 2 * 2 * 12);
    const Result forced = run(fmt::format("analyze spectrum {} -o {} --force", (tmp / "rate").string(), out.string()));
    INFO(forced.output);
    CHECK(forced.exit_code == 0);
    CHECK(lines(read(out / "spectrum.csv")) == 1 + 2 * 2 * 12);
  }
}

TEST_CASE("analyze spectrum refuses bad arguments with one message and no output", "[cli][spectrum]") {
  nf::test::TempDir tmp;
  const fs::path out = tmp / "out";
  const Result missing = run(fmt::format("analyze spectrum {} -o {}", (tmp / "nowhere").string(), out.string()));
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("nowhere") != std::string::npos);
  CHECK(missing.output.find("neither an artifact folder") != std::string::npos);
  check_nothing_written(out);

  train(tmp / "rate", "--seed 1");
  const Result margin =
      run(fmt::format("analyze spectrum {} -o {} --outlier-margin -0.5", (tmp / "rate").string(), out.string()));
  CHECK(margin.exit_code == 1);
  CHECK(margin.output.find("--outlier-margin") != std::string::npos);
  check_nothing_written(out);
  const Result no_out = run(fmt::format("analyze spectrum {}", (tmp / "rate").string()));
  CHECK(no_out.exit_code == 2);  // a usage error
}

TEST_CASE("analyze fixed-points writes csv, json and png, and refuses LIF networks", "[cli][fixed_points]") {
  nf::test::TempDir tmp;
  train(tmp / "rate", "--seed 4");
  const fs::path out = tmp / "fp";
  const Result r = run(fmt::format("analyze fixed-points {} -o {} --starts 12 --trials 2 --seed 9",
                                   (tmp / "rate").string(), out.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("seed 9") != std::string::npos);
  const std::string csv = read(out / "fixed_points.csv");
  CHECK(csv.rfind("run,point,kind,q,stability,unstable_directions,max_modulus", 0) == 0);
  const auto json = nlohmann::json::parse(read(out / "fixed_points.json"));
  REQUIRE(json["networks"].size() == 1);
  const auto& n = json["networks"][0];
  CHECK(n["seed"] == 9);
  CHECK(n["starts"] == 12);
  CHECK(n["input"] == nlohmann::json::array({0.0, 0.0}));
  CHECK(lines(csv) == 1 + static_cast<long>(n["points"].size()));
  int accounted = n["discarded"].get<int>();
  for (const auto& p : n["points"]) {
    accounted += p["starts"].get<int>();
    CHECK(p["eigenvalues"].size() == 12);
    CHECK(p["h"].size() == 12);
  }
  CHECK(accounted == 12);
  CHECK(is_png(out / "fixed_points.png"));

  train(tmp / "lif", "--model lif --seed 4");
  const fs::path out_lif = tmp / "fp-lif";
  const Result lif = run(fmt::format("analyze fixed-points {} {} -o {}", (tmp / "rate").string(),
                                     (tmp / "lif").string(), out_lif.string()));
  CHECK(lif.exit_code == 1);
  CHECK(lif.output.find("rate network") != std::string::npos);
  CHECK(lif.output.find("lif") != std::string::npos);
  check_nothing_written(out_lif);

  const Result input = run(fmt::format("analyze fixed-points {} -o {} --input 1", (tmp / "rate").string(),
                                       out_lif.string()));
  CHECK(input.exit_code == 1);
  CHECK(input.output.find("--input") != std::string::npos);
  check_nothing_written(out_lif);
}
