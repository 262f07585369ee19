#include "neurofab/models/elise/pattern.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"
#include "neurofab/common/text_file.hpp"

namespace nf::models {

namespace fs = std::filesystem;

namespace {

// Pitches of fur_elise, lowest first (neuron index = position).
const std::vector<std::string> kFurElisePitches = {"A2", "E3", "G#3", "A3", "C4",  "E4", "G#4",
                                                   "A4", "B4", "C5",  "D5", "D#5", "E5"};

// The opening in sixteenth notes, one slot each; "A4+A2" sounds both.
// Bars: pickup E5 D#5 | E5 D#5 E5 B4 D5 C5 | A4+A2 E3 A3 C4 E4 A4 |
//       B4 (E2 left out) E3 G#3 E4 G#4 B4 | C5+A2 E3 A3 E4 E5.
const std::vector<std::vector<std::string>> kFurEliseSlots = {
    {"E5"}, {"D#5"}, {"E5"}, {"D#5"}, {"E5"}, {"B4"}, {"D5"},  {"C5"}, {"A4", "A2"},
    {"E3"}, {"A3"},  {"C4"}, {"E4"},  {"A4"}, {"B4"}, {"E3"},  {"G#3"}, {"E4"},
    {"G#4"}, {"B4"}, {"C5", "A2"}, {"E3"}, {"A3"}, {"E4"}, {"E5"}};

// Stream ids for Rng::derive, so the two synthetic patterns of one seed are independent.
constexpr std::uint64_t kRandomStream = 0x7061'7474'0001;
constexpr std::uint64_t kRepeatedStream = 0x7061'7474'0002;

void check_sizes(const char* pattern, int n_visible, int slots, int min_visible, int min_slots) {
  if (n_visible < min_visible)
    throw InputError(fmt::format("pattern '{}' needs at least {} visible neurons (got {})", pattern, min_visible, n_visible));
  if (slots < min_slots)
    throw InputError(fmt::format("pattern '{}' needs at least {} slots (got {})", pattern, min_slots, slots));
}

// A uniformly random note that is none of `excluded`.
int random_note_except(Rng& rng, int n_visible, const std::vector<int>& excluded) {
  std::vector<int> allowed;
  for (int note = 0; note < n_visible; ++note) {
    if (std::find(excluded.begin(), excluded.end(), note) == excluded.end()) allowed.push_back(note);
  }
  return allowed[rng.below(allowed.size())];
}

Eigen::MatrixXi one_hot(const std::vector<int>& sequence, int n_visible) {
  Eigen::MatrixXi notes = Eigen::MatrixXi::Zero(n_visible, static_cast<Eigen::Index>(sequence.size()));
  for (std::size_t slot = 0; slot < sequence.size(); ++slot) notes(sequence[slot], static_cast<Eigen::Index>(slot)) = 1;
  return notes;
}

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line);
  std::string cell;
  while (std::getline(stream, cell, ',')) cells.push_back(trim(cell));
  if (!line.empty() && line.back() == ',') cells.emplace_back();  // a trailing comma is an empty last cell
  return cells;
}

// The whole cell as a finite number, or nothing.
bool parse_number(const std::string& cell, double& value) {
  if (cell.empty()) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtod(cell.c_str(), &end);
  return end == cell.c_str() + cell.size() && errno == 0 && std::isfinite(value);
}

}  // namespace

std::vector<std::string> builtin_pattern_names() { return {"fur_elise", "random", "repeated"}; }

bool is_builtin_pattern(const std::string& name) {
  const auto names = builtin_pattern_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> fur_elise_pitch_names() { return kFurElisePitches; }

Eigen::MatrixXi fur_elise_notes() {
  const int n_pitches = static_cast<int>(kFurElisePitches.size());
  Eigen::MatrixXi notes = Eigen::MatrixXi::Zero(n_pitches, static_cast<Eigen::Index>(kFurEliseSlots.size()));
  for (std::size_t slot = 0; slot < kFurEliseSlots.size(); ++slot) {
    for (const std::string& pitch : kFurEliseSlots[slot]) {
      const auto it = std::find(kFurElisePitches.begin(), kFurElisePitches.end(), pitch);
      notes(it - kFurElisePitches.begin(), static_cast<Eigen::Index>(slot)) = 1;
    }
  }
  return notes;
}

Eigen::MatrixXi random_notes(int n_visible, int slots, std::uint64_t seed) {
  check_sizes("random", n_visible, slots, 1, 1);
  Rng rng = Rng::derive(seed, {kRandomStream});
  std::vector<int> sequence(static_cast<std::size_t>(slots));
  for (int& note : sequence) note = static_cast<int>(rng.below(static_cast<std::uint64_t>(n_visible)));
  return one_hot(sequence, n_visible);
}

Eigen::MatrixXi repeated_notes(int n_visible, int slots, std::uint64_t seed) {
  // Up to three notes are excluded at one slot, so four neurons always leave a choice.
  check_sizes("repeated", n_visible, slots, 4, 2 * kRepeatLength + 2);
  Rng rng = Rng::derive(seed, {kRepeatedStream});
  const int half = slots / 2;
  std::vector<int> s(static_cast<std::size_t>(slots));
  s[0] = static_cast<int>(rng.below(static_cast<std::uint64_t>(n_visible)));
  for (int i = 1; i < slots; ++i) {
    if (i >= half && i < half + kRepeatLength) {
      s[i] = s[i - half];  // the repeat
      continue;
    }
    // No note twice in a row (cyclically too: the last slot is not the first's note);
    // after the repeat a different continuation than after the original.
    std::vector<int> excluded = {s[i - 1]};
    if (i == half + kRepeatLength) excluded.push_back(s[kRepeatLength]);
    if (i == half - 1 || i == slots - 1) excluded.push_back(s[0]);
    s[i] = random_note_except(rng, n_visible, excluded);
  }
  return one_hot(s, n_visible);
}

int bin_steps(double bin_ms, double dt_ms) {
  if (!(dt_ms > 0)) throw InputError(fmt::format("dt must be positive (got {} ms)", dt_ms));
  const double ratio = bin_ms / dt_ms;
  const double whole = std::round(ratio);
  if (!(bin_ms > 0) || whole < 1 || std::abs(ratio - whole) > 1e-9 * std::max(1.0, whole)) {
    throw InputError(fmt::format("--bin-ms {} must be a positive whole multiple of dt = {} ms", bin_ms, dt_ms));
  }
  return static_cast<int>(whole);
}

ElisePattern pattern_from_notes(const std::string& name, const Eigen::MatrixXi& notes, const ElisePatternOptions& o,
                                std::vector<std::string> labels) {
  const int steps_per_bin = bin_steps(o.bin_ms, o.dt_ms);
  ElisePattern pattern;
  pattern.name = name;
  pattern.dt_ms = o.dt_ms;
  pattern.bin_steps = steps_per_bin;
  pattern.rates.resize(notes.rows(), notes.cols() * steps_per_bin);
  for (Eigen::Index slot = 0; slot < notes.cols(); ++slot) {
    for (Eigen::Index i = 0; i < notes.rows(); ++i) {
      const double rate = notes(i, slot) != 0 ? o.levels.on_rate : o.levels.off_rate;
      pattern.rates.block(i, slot * steps_per_bin, 1, steps_per_bin).setConstant(rate);
    }
  }
  if (labels.empty()) {
    for (Eigen::Index i = 0; i < notes.rows(); ++i) labels.push_back(fmt::format("v{}", i));
  }
  pattern.labels = std::move(labels);
  return pattern;
}

ElisePattern make_elise_pattern(const std::string& name_or_file, const ElisePatternOptions& o) {
  if (name_or_file == "fur_elise") return pattern_from_notes("fur_elise", fur_elise_notes(), o, fur_elise_pitch_names());
  if (name_or_file == "random") return pattern_from_notes("random", random_notes(o.n_visible, o.slots, o.seed), o);
  if (name_or_file == "repeated") return pattern_from_notes("repeated", repeated_notes(o.n_visible, o.slots, o.seed), o);
  if (fs::is_regular_file(name_or_file)) return load_pattern_csv(name_or_file, o.bin_ms, o.dt_ms);
  throw InputError(fmt::format("--pattern '{}': neither a shipped pattern ({}) nor a file", name_or_file,
                               fmt::join(builtin_pattern_names(), ", ")));
}

ElisePattern load_pattern_csv(const fs::path& file, double bin_ms, double dt_ms) {
  const int steps_per_bin = bin_steps(bin_ms, dt_ms);
  std::stringstream text(read_text_file(file));
  std::vector<std::string> labels;
  std::vector<std::vector<double>> rows;
  std::string line;
  int line_number = 0;
  while (std::getline(text, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    const std::vector<std::string> cells = split_cells(content);
    if (labels.empty()) {
      for (std::size_t c = 0; c < cells.size(); ++c) {
        double ignored = 0;
        if (cells[c].empty() || parse_number(cells[c], ignored)) {
          throw InputError(fmt::format(
              "{}: line {}, column {}: expected a header line naming the visible neurons (got '{}'); the first "
              "line is the header, e.g. v0,v1,v2",
              file.string(), line_number, c + 1, cells[c]));
        }
      }
      labels = cells;
      continue;
    }
    if (cells.size() != labels.size()) {
      throw InputError(fmt::format("{}: line {}: {} columns, the header has {}", file.string(), line_number,
                                   cells.size(), labels.size()));
    }
    std::vector<double> row(cells.size());
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (!parse_number(cells[c], row[c])) {
        throw InputError(fmt::format("{}: line {}, column {} ('{}'): '{}' is not a number", file.string(),
                                     line_number, c + 1, labels[c], cells[c]));
      }
      if (row[c] < 0.0 || row[c] > 1.0) {
        throw InputError(fmt::format("{}: line {}, column {} ('{}'): {} is outside [0, 1] (a target rate)",
                                     file.string(), line_number, c + 1, labels[c], cells[c]));
      }
    }
    rows.push_back(std::move(row));
  }
  if (labels.empty()) throw InputError(fmt::format("{}: empty (expected a header line and rows of target rates)", file.string()));
  if (rows.empty()) throw InputError(fmt::format("{}: no data rows after the header (line {})", file.string(), line_number));

  ElisePattern pattern;
  pattern.name = file.string();
  pattern.dt_ms = dt_ms;
  pattern.bin_steps = steps_per_bin;
  pattern.labels = labels;
  pattern.rates.resize(static_cast<Eigen::Index>(labels.size()), static_cast<Eigen::Index>(rows.size()) * steps_per_bin);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      pattern.rates.block(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(r) * steps_per_bin, 1, steps_per_bin)
          .setConstant(rows[r][i]);
    }
  }
  return pattern;
}

}  // namespace nf::models
