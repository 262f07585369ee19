// `neurofab raster` end to end through the real binary: a tiny LIF artifact is
// trained, drawn, and the PNG checked (signature, size from IHDR, not blank);
// refusals leave neither a PNG nor a temporary folder behind.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "run_command.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

using Result = nf::test::CommandResult;

// `environment` is prefixed to the command ("NAME=value ..."), stdout and stderr are collected together.
Result run(const std::string& arguments, const std::string& environment = "") {
  return nf::test::run_command(fmt::format("{} {} {} 2>&1", environment, NF_CLI_PATH, arguments));
}

const std::string kTinyLif =
    "--model lif --task flipflop --task-param trial_length=200 --n 12 --epochs 2 --steps-per-epoch 2 --batch 8 "
    "--validation-trials 16 --eval-trials 16 -q";

// Trains a tiny artifact into `dir`; extra options go after the standard ones.
void train(const fs::path& dir, const std::string& options) {
  const Result r = run(fmt::format("train {} -o {}", options, dir.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  REQUIRE(fs::exists(dir / "model.json"));
}

std::set<std::string> entries(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

struct PngInfo {
  bool signature = false;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

std::uint32_t big_endian(const std::vector<unsigned char>& bytes, std::size_t at) {
  return std::uint32_t(bytes[at]) << 24 | std::uint32_t(bytes[at + 1]) << 16 | std::uint32_t(bytes[at + 2]) << 8 |
         std::uint32_t(bytes[at + 3]);
}

// Signature, then the IHDR chunk: length (4), "IHDR", width (4, big-endian), height (4).
PngInfo read_png_header(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  PngInfo info;
  const std::vector<unsigned char> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() < 24) return info;
  info.signature = std::equal(signature.begin(), signature.end(), bytes.begin());
  if (std::string(bytes.begin() + 12, bytes.begin() + 16) != "IHDR") return info;
  info.width = big_endian(bytes, 16);
  info.height = big_endian(bytes, 20);
  return info;
}

// Standard deviation of the RGB pixel values decoded by matplotlib; 0 for a blank image.
double pixel_std(const fs::path& png) {
  const Result r = nf::test::run_command(fmt::format(
      "{} -E -c \"import sys, matplotlib.image as m; a = m.imread(sys.argv[1]); print(float(a[..., :3].std()))\" "
      "{} 2>&1",
      NF_PYTHON, png.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return std::stod(r.output);
}

void check_png(const fs::path& png) {
  REQUIRE(fs::is_regular_file(png));
  const PngInfo info = read_png_header(png);
  CHECK(info.signature);
  CHECK(info.width >= 800);
  CHECK(info.height >= 600);
  CHECK(info.width <= 4000);
  CHECK(info.height <= 4000);
  CHECK(pixel_std(png) > 0.01);
}

// No PNG, no half-written temporary beside it.
void check_no_png(const fs::path& dir) {
  for (const auto& name : entries(dir)) {
    INFO(name);
    CHECK(name.find(".png") == std::string::npos);
    CHECK(name.find(".tmp") == std::string::npos);
  }
}

}  // namespace

TEST_CASE("raster draws one trial of a LIF artifact as a PNG", "[cli][raster]") {
  nf::test::TempDir tmp;
  const fs::path run_dir = tmp / "run";
  const fs::path scratch = tmp / "scratch";  // TMPDIR of the command: its temporary data folder goes here
  fs::create_directories(scratch);
  train(run_dir, kTinyLif);

  const fs::path png = tmp / "r.png";
  const Result r = run(fmt::format("raster {} -o {}", run_dir.string(), png.string()), "TMPDIR=" + scratch.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("raster: " + png.string()));
  CHECK_THAT(r.output, Catch::Contains("(flipflop, trial 0, 12 units, 200 steps)"));
  check_png(png);
  CHECK(entries(tmp.path()) == std::set<std::string>{"run", "r.png", "scratch"});  // no temporary PNG left
  CHECK(fs::is_empty(scratch));                                                     // data folder removed
  CHECK(!fs::exists(run_dir / "raster.png"));
}

TEST_CASE("raster defaults to <dir>/raster.png, takes --trial, --seed and --units, and draws spiking input and Dale's law",
          "[cli][raster]") {
  nf::test::TempDir tmp;
  const fs::path run_dir = tmp / "run";
  train(run_dir, kTinyLif + " --encoding poisson --dale-ratio 0.75");

  const Result r = run(fmt::format("raster {} --trial 2 --seed 9 --units 10", run_dir.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const fs::path png = run_dir / "raster.png";
  CHECK_THAT(r.output, Catch::Contains("raster: " + png.string()));
  CHECK_THAT(r.output, Catch::Contains("trial 2, 10 units, 200 steps"));
  check_png(png);

  // Drawing again replaces the file in place; --units above N draws all N.
  const Result again = run(fmt::format("raster {} --units 500", run_dir.string()));
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains("trial 0, 12 units"));
  check_png(png);
  for (const auto& name : entries(run_dir)) CHECK(name.find(".tmp") == std::string::npos);
}

TEST_CASE("raster refuses a rate artifact, a missing folder and bad options without leaving files",
          "[cli][raster]") {
  nf::test::TempDir tmp;
  const fs::path scratch = tmp / "scratch";
  fs::create_directories(scratch);
  const std::string env = "TMPDIR=" + scratch.string();
  const fs::path rate_dir = tmp / "rate";
  train(rate_dir, "--model rate --task flipflop --task-param trial_length=200 --n 8 --epochs 1 --steps-per-epoch 1 "
                  "--batch 8 --validation-trials 16 --eval-trials 16 -q");
  const fs::path lif_dir = tmp / "lif";
  train(lif_dir, kTinyLif);

  SECTION("a rate artifact") {
    const Result r = run("raster " + rate_dir.string(), env);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("rate"));
    CHECK_THAT(r.output, Catch::Contains("rate_rnn"));
    CHECK_THAT(r.output, Catch::Contains("LIF"));
    check_no_png(rate_dir);
  }
  SECTION("a missing folder") {
    const fs::path missing = tmp / "missing";
    const Result r = run("raster " + missing.string(), env);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains(missing.string()));
    CHECK(!fs::exists(missing));
  }
  SECTION("--trial -1") {
    const Result r = run("raster " + lif_dir.string() + " --trial -1", env);
    INFO(r.output);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Catch::Contains("--trial must be 0 or more"));
    check_no_png(lif_dir);
  }
  SECTION("--units 0") {
    const Result r = run("raster " + lif_dir.string() + " --units 0", env);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("--units must be 1 or more"));
    check_no_png(lif_dir);
  }
  SECTION("an output folder that does not exist") {
    const fs::path out = tmp / "nowhere" / "r.png";
    const Result r = run(fmt::format("raster {} -o {}", lif_dir.string(), out.string()), env);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains((tmp / "nowhere").string()));
    CHECK_THAT(r.output, Catch::Contains("does not exist"));
    CHECK(!fs::exists(tmp / "nowhere"));
  }
  // One line of error, no usage text or stack trace, and nothing left behind.
  CHECK(fs::is_empty(scratch));
  check_no_png(tmp.path());
}

TEST_CASE("a failing plot script is reported with its last lines and leaves no PNG behind", "[cli][raster]") {
  nf::test::TempDir tmp;
  const fs::path lif_dir = tmp / "lif";
  train(lif_dir, kTinyLif);
  const fs::path scratch = tmp / "scratch";
  const fs::path plots = tmp / "plots";
  fs::create_directories(scratch);
  fs::create_directories(plots);
  const fs::path out_dir = tmp / "out";
  fs::create_directories(out_dir);
  const fs::path png = out_dir / "r.png";
  const std::string env = fmt::format("TMPDIR={} NEUROFAB_PLOTS_DIR={}", scratch.string(), plots.string());
  const std::string command = fmt::format("raster {} -o {}", lif_dir.string(), png.string());

  SECTION("the script crashes after starting its temporary PNG") {
    // Starts the temporary file raster.py would write, then dies before the rename.
    std::ofstream(plots / "raster.py") << "import os, sys\n"
                                          "out = sys.argv[2]\n"
                                          "temp = os.path.join(os.path.dirname(out), '.' + os.path.basename(out) + "
                                          "'.tmp-' + str(os.getpid()))\n"
                                          "open(temp, 'wb').write(b'\\x89PNG half')\n"
                                          "print('Traceback (most recent call last):', file=sys.stderr)\n"
                                          "print('RuntimeError: boom in savefig', file=sys.stderr)\n"
                                          "sys.exit(1)\n";
    const Result r = run(command, env);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("boom in savefig"));
    CHECK_THAT(r.output, Catch::Contains("python3-matplotlib"));
  }
  SECTION("matplotlib cannot be imported") {
    std::ofstream(plots / "raster.py") << "import sys\n"
                                          "print(\"raster.py: No module named 'matplotlib'\", file=sys.stderr)\n"
                                          "sys.exit(3)\n";
    const Result r = run(command, env);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("No module named 'matplotlib'"));
    CHECK_THAT(r.output, Catch::Contains("python3-matplotlib"));
  }
  SECTION("the script is missing") {
    const Result r = run(command, env);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains((plots / "raster.py").string()));
    CHECK_THAT(r.output, Catch::Contains("not found"));
  }
  CHECK(fs::is_empty(out_dir));  // neither the PNG nor a temporary one
  CHECK(fs::is_empty(scratch));  // the data folder is removed on failure too
  check_no_png(lif_dir);
}
