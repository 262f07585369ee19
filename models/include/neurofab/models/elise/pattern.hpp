#pragma once
// Target patterns of the ELiSe sequence learner: what the visible neurons
// should replay, one cycle of it, as target rates over time.
//
// A pattern is a matrix `rates` of n_visible rows and one column per
// simulation step (dt, 0.1 ms by default); column t is the target rate phi(u)
// of every visible neuron during step t. One cycle of the pattern is
// rates.cols() steps; training and replay repeat it cycle after cycle.
//
// Shipped patterns (built from a note table: 1 = the neuron's note sounds in
// that slot, 0 = silent; one slot is bin_ms long, 10 ms by default):
//
//   fur_elise  the opening of Beethoven's "Für Elise": 13 visible neurons, one
//              per pitch, 25 slots (250 ms). Melody and the bass notes of the
//              left hand as sixteenth notes; the low E2 of bar 3 is left out so
//              that the 13 pitches A2 E3 G#3 A3 C4 E4 G#4 A4 B4 C5 D5 D#5 E5 fill
//              the 13 neurons (lowest pitch = neuron 0). Non-Markovian: E3 is
//              followed by A3 or G#3, E4 by A4, G#4 or E5, E5 by D#5, B4 or E5.
//   random     one random note (uniform over the visible neurons) per slot,
//              from the seed; `slots` slots. Usually Markov-ambiguous too, but
//              not by construction.
//   repeated   a non-Markovian pattern by construction: a random sequence of
//              `slots` notes (no note twice in a row) in which the first
//              kRepeatLength notes come again at slot slots/2, and the note
//              after the repeat differs from the note after the original —
//              a network that only sees the last kRepeatLength notes cannot
//              know how to continue.
//
// Note -> rate: an active note has the target rate on_rate, silence off_rate
// (by default phi(E_l + 20 mV) = 0.917 and phi(E_l) = 0.027 for the spec's
// phi; see default_pattern_levels in schedule.hpp). Edges are sharp (a step
// from one slot to the next); the neurons' own dynamics smooth them.
//
// A user pattern is a CSV file (load_pattern_csv): a header line naming the
// visible neurons (one column each), then one row per time bin of bin_ms with
// the target rate of each neuron, a number in [0, 1]. Blank lines and lines
// starting with '#' are skipped. Every defect (ragged row, a cell that is not
// a number, a value outside [0, 1], no data rows) is an nf::InputError naming
// the file, the line and the column.

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace nf::models {

struct ElisePattern {
  std::string name;             // "fur_elise", "random", "repeated", or the CSV file's path
  Eigen::MatrixXd rates;        // n_visible x steps: target rate of each visible neuron at each step
  double dt_ms = 0.1;           // step of the columns
  int bin_steps = 100;          // steps per slot / CSV row
  std::vector<std::string> labels;  // one per visible neuron (pitch names, CSV header)

  int n_visible() const { return static_cast<int>(rates.rows()); }
  int steps() const { return static_cast<int>(rates.cols()); }
  double cycle_ms() const { return steps() * dt_ms; }
};

// Target rates of an active note and of silence.
struct ElisePatternLevels {
  double off_rate = 0.0;
  double on_rate = 1.0;
};

// How to build a pattern (sizes apply to random/repeated only; fur_elise has 13 x 25).
struct ElisePatternOptions {
  double dt_ms = 0.1;
  double bin_ms = 10.0;       // one slot / one CSV row
  int n_visible = 13;         // random, repeated
  int slots = 25;             // random, repeated
  std::uint64_t seed = 1;     // random, repeated
  ElisePatternLevels levels;
};

inline constexpr int kRepeatLength = 3;  // length of the repeated subsequence of "repeated"

// "fur_elise", "random", "repeated".
std::vector<std::string> builtin_pattern_names();
bool is_builtin_pattern(const std::string& name);

// The note table of fur_elise: 13 x 25, notes(pitch, slot) = 1 when sounding.
Eigen::MatrixXi fur_elise_notes();
std::vector<std::string> fur_elise_pitch_names();  // 13, lowest first

// Note tables (n_visible x slots, 0/1) of the synthetic patterns.
Eigen::MatrixXi random_notes(int n_visible, int slots, std::uint64_t seed);
Eigen::MatrixXi repeated_notes(int n_visible, int slots, std::uint64_t seed);

// Steps per bin: bin_ms / dt_ms, which must be a whole number >= 1 (InputError otherwise).
int bin_steps(double bin_ms, double dt_ms);

// A note table stretched to steps: every slot becomes bin_steps columns of on/off rates.
ElisePattern pattern_from_notes(const std::string& name, const Eigen::MatrixXi& notes,
                                const ElisePatternOptions& options, std::vector<std::string> labels = {});

// A built-in pattern by name, or else a CSV file by path (InputError for neither).
ElisePattern make_elise_pattern(const std::string& name_or_file, const ElisePatternOptions& options);

// A user pattern from CSV (format above); rows are stretched to bin_ms each.
ElisePattern load_pattern_csv(const std::filesystem::path& file, double bin_ms, double dt_ms);

}  // namespace nf::models
