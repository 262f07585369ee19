// ELiSe patterns: the Für Elise note table at the right bins, the synthetic
// patterns (one note per slot; the repeat and its different continuation),
// the note -> rate stretching, and every defect of a user CSV named by file,
// line and column.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "neurofab/common/error.hpp"
#include "neurofab/models/elise/pattern.hpp"
#include "neurofab/models/elise/schedule.hpp"
#include "temp_dir.hpp"

using namespace nf::models;
using Catch::Matchers::Contains;

namespace {

int pitch(const std::string& name) {
  const auto names = fur_elise_pitch_names();
  const auto it = std::find(names.begin(), names.end(), name);
  REQUIRE(it != names.end());
  return static_cast<int>(it - names.begin());
}

std::filesystem::path write_file(const nf::test::TempDir& dir, const std::string& name, const std::string& text) {
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("fur_elise: 13 pitches x 25 slots, the opening's notes in order", "[elise][pattern]") {
  const Eigen::MatrixXi notes = fur_elise_notes();
  REQUIRE(notes.rows() == 13);
  REQUIRE(notes.cols() == 25);
  REQUIRE(fur_elise_pitch_names().size() == 13);
  // Right hand: E5 D#5 E5 D#5 E5 B4 D5 C5 A4 ... and the slots with two notes.
  const std::vector<std::pair<int, std::vector<std::string>>> expected = {
      {0, {"E5"}},  {1, {"D#5"}}, {2, {"E5"}},        {3, {"D#5"}}, {4, {"E5"}},  {5, {"B4"}},  {6, {"D5"}},
      {7, {"C5"}},  {8, {"A4", "A2"}}, {9, {"E3"}},   {10, {"A3"}}, {11, {"C4"}}, {12, {"E4"}}, {13, {"A4"}},
      {14, {"B4"}}, {15, {"E3"}}, {16, {"G#3"}},      {17, {"E4"}}, {18, {"G#4"}}, {19, {"B4"}},
      {20, {"C5", "A2"}}, {21, {"E3"}}, {22, {"A3"}}, {23, {"E4"}}, {24, {"E5"}}};
  for (const auto& [slot, pitches] : expected) {
    INFO("slot " << slot);
    CHECK(notes.col(slot).sum() == static_cast<int>(pitches.size()));
    for (const auto& name : pitches) CHECK(notes(pitch(name), slot) == 1);
  }
  // Every pitch sounds somewhere (so a perfect replay scores 13), and pitches are ordered low to high.
  for (int i = 0; i < 13; ++i) CHECK(notes.row(i).sum() >= 1);
  CHECK(pitch("A2") == 0);
  CHECK(pitch("E5") == 12);
}

TEST_CASE("Notes become target rates, bin_ms / dt steps per slot", "[elise][pattern]") {
  ElisePatternOptions o;
  o.levels = {0.03, 0.9};
  const ElisePattern p = make_elise_pattern("fur_elise", o);
  REQUIRE(p.n_visible() == 13);
  REQUIRE(p.steps() == 2500);
  CHECK(p.bin_steps == 100);
  CHECK(p.cycle_ms() == Approx(250.0));
  const int e5 = pitch("E5"), ds5 = pitch("D#5"), a2 = pitch("A2");
  CHECK(p.rates(e5, 0) == 0.9);
  CHECK(p.rates(e5, 99) == 0.9);
  CHECK(p.rates(e5, 100) == 0.03);  // slot 1 is D#5
  CHECK(p.rates(ds5, 100) == 0.9);
  CHECK(p.rates(ds5, 199) == 0.9);
  CHECK(p.rates(a2, 8 * 100 + 50) == 0.9);
  CHECK(p.rates(a2, 9 * 100) == 0.03);
  CHECK(p.labels.front() == "A2");

  o.bin_ms = 5.0;
  CHECK(make_elise_pattern("fur_elise", o).steps() == 1250);
}

TEST_CASE("Default levels: active note phi(E_l + 20 mV), silence phi(E_l)", "[elise][pattern]") {
  const EliseParameters params;
  const ElisePatternLevels levels = default_pattern_levels(params);
  CHECK(levels.off_rate == Approx(1.0 / (1.0 + std::exp(0.3 * (-58.0 + 70.0)))).epsilon(1e-12));
  CHECK(levels.on_rate == Approx(1.0 / (1.0 + std::exp(0.3 * (-58.0 + 50.0)))).epsilon(1e-12));
  CHECK(levels.off_rate == Approx(0.02660).margin(1e-4));
  CHECK(levels.on_rate == Approx(0.91683).margin(1e-4));
}

TEST_CASE("random: one note per slot, fixed by the seed", "[elise][pattern]") {
  const Eigen::MatrixXi a = random_notes(13, 25, 7);
  REQUIRE(a.rows() == 13);
  REQUIRE(a.cols() == 25);
  for (int s = 0; s < 25; ++s) CHECK(a.col(s).sum() == 1);
  CHECK(a == random_notes(13, 25, 7));
  CHECK(a != random_notes(13, 25, 8));
}

TEST_CASE("repeated: the first notes come again at the middle and go on differently", "[elise][pattern]") {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    for (const auto& [n, slots] : std::vector<std::pair<int, int>>{{13, 25}, {4, 8}, {6, 12}}) {
      INFO("seed " << seed << ", " << n << " neurons, " << slots << " slots");
      const Eigen::MatrixXi notes = repeated_notes(n, slots, seed);
      REQUIRE(notes.rows() == n);
      REQUIRE(notes.cols() == slots);
      std::vector<int> s(static_cast<std::size_t>(slots));
      for (int t = 0; t < slots; ++t) {
        REQUIRE(notes.col(t).sum() == 1);
        notes.col(t).maxCoeff(&s[static_cast<std::size_t>(t)]);
      }
      const int half = slots / 2;
      for (int k = 0; k < kRepeatLength; ++k) CHECK(s[half + k] == s[k]);
      CHECK(s[half + kRepeatLength] != s[kRepeatLength]);  // non-Markovian: same context, other continuation
      for (int t = 0; t < slots; ++t) CHECK(s[t] != s[(t + 1) % slots]);  // no note twice in a row, cyclically
    }
  }
  CHECK_THROWS_WITH(repeated_notes(3, 25, 1), Contains("at least 4 visible neurons"));
  CHECK_THROWS_WITH(repeated_notes(13, 7, 1), Contains("at least 8 slots"));
}

TEST_CASE("bin_ms must be a whole number of steps", "[elise][pattern]") {
  CHECK(bin_steps(10.0, 0.1) == 100);
  CHECK(bin_steps(0.1, 0.1) == 1);
  CHECK_THROWS_AS(bin_steps(10.05, 0.1), nf::InputError);
  CHECK_THROWS_WITH(bin_steps(0.0, 0.1), Contains("--bin-ms 0 must be a positive whole multiple"));
  CHECK_THROWS_WITH(bin_steps(-10.0, 0.1), Contains("--bin-ms"));
}

TEST_CASE("Unknown pattern names list the shipped ones", "[elise][pattern]") {
  CHECK_THROWS_WITH(make_elise_pattern("fuer_elise", {}),
                    Contains("'fuer_elise': neither a shipped pattern (fur_elise, random, repeated) nor a file"));
}

TEST_CASE("A CSV pattern: header, rows of rates, comments and blank lines", "[elise][pattern][csv]") {
  nf::test::TempDir dir;
  const auto file = write_file(dir, "p.csv", "# a test\nlow, mid ,high\n0,0.5,1\n\n0.25,0.125,0\r\n");
  const ElisePattern p = load_pattern_csv(file, 2.0, 0.1);
  REQUIRE(p.n_visible() == 3);
  REQUIRE(p.steps() == 40);
  CHECK(p.labels == std::vector<std::string>{"low", "mid", "high"});
  CHECK(p.rates(1, 0) == 0.5);
  CHECK(p.rates(1, 19) == 0.5);
  CHECK(p.rates(1, 20) == 0.125);
  CHECK(p.rates(2, 39) == 0.0);
  CHECK(p.name == file.string());
  // make_elise_pattern takes a path too.
  ElisePatternOptions o;
  o.bin_ms = 2.0;
  CHECK(make_elise_pattern(file.string(), o).rates == p.rates);
}

TEST_CASE("CSV defects name the file, line and column", "[elise][pattern][csv]") {
  nf::test::TempDir dir;
  const auto check = [&](const std::string& text, const std::string& message) {
    const auto file = write_file(dir, "bad.csv", text);
    INFO(text);
    CHECK_THROWS_MATCHES(load_pattern_csv(file, 10.0, 0.1), nf::InputError,
                         Catch::Matchers::Message(fmt::format("{}: {}", file.string(), message)));
  };
  check("", "empty (expected a header line and rows of target rates)");
  check("# only a comment\n\n", "empty (expected a header line and rows of target rates)");
  check("a,b\n", "no data rows after the header (line 1)");
  check("a,b\n0,1\n0.5\n", "line 3: 1 columns, the header has 2");
  check("a,b\n0,1\n0.5,0.5,0.5\n", "line 3: 3 columns, the header has 2");
  check("a,b\n0,1\n0.5,\n", "line 3, column 2 ('b'): '' is not a number");
  check("a,b\n0,x1\n", "line 2, column 2 ('b'): 'x1' is not a number");
  check("a,b\n0,nan\n", "line 2, column 2 ('b'): 'nan' is not a number");
  check("a,b\n1.5,0\n", "line 2, column 1 ('a'): 1.5 is outside [0, 1] (a target rate)");
  check("a,b\n0,-0.1\n", "line 2, column 2 ('b'): -0.1 is outside [0, 1] (a target rate)");
  check("0,1\n0,1\n",
        "line 1, column 1: expected a header line naming the visible neurons (got '0'); the first line is the "
        "header, e.g. v0,v1,v2");
  CHECK_THROWS_AS(load_pattern_csv(dir / "missing.csv", 10.0, 0.1), std::runtime_error);
}
