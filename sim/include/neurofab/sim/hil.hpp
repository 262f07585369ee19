#pragma once
// Hardware in the loop (`neurofab hil`): the task trials of a quantized
// network streamed to a board (or a virtual board) over the host link, every
// timestep compared with the integer golden model:
//
//   1. INFO (HostLink::connect: the port drained first, retried after an
//      error frame, garbage or silence): the board's family, sizes and config
//      id must be those of the artifact at the board's lane count (`neurofab
//      rtl` computes the id), or the run is refused — the board carries
//      another network.
//   2. Golden vectors of `trials` evaluation trials (the trials `neurofab
//      eval` and `neurofab verify` use).
//   3. Per trial: CLEAR, then one STEP per timestep: y (`==`), the step's
//      compute cycles (the cycle model) and overflow events are compared; the
//      internal state (every unit, through READ_STATE) after every step, after
//      the last step of each trial, or never.
//   4. The board's outputs, read back as reals, are scored with the task's
//      success criterion, beside the golden model's success rate.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "neurofab/quantize/quantized_artifact.hpp"
#include "neurofab/sim/host_link.hpp"

namespace nf::sim {

enum class StateCheck { kNone, kLast, kEvery };
StateCheck state_check_from_string(const std::string& name);  // none|last|every, else nf::InputError

struct HilOptions {
  int trials = 4;
  std::uint64_t seed = 0;  // 0: the artifact's seed (as `neurofab verify`)
  StateCheck state = StateCheck::kLast;
  int max_reported = 10;   // mismatches kept in the result (all are counted)
  int connect_attempts = HostLink::kConnectAttempts;  // INFO requests before giving up
};

struct HilMismatch {
  int trial = 0, step = 0, index = 0;
  std::string what;
  std::int64_t expected = 0, actual = 0;
};

// "trial T timestep t: <what> [i] expected E, actual A": one mismatch as the CLI prints it.
std::string describe(const HilMismatch& m);

struct HilResult {
  BoardInfo board;
  int connect_attempts = 0;          // INFO requests it took (1: the first answer was good)
  std::uint64_t stray_bytes = 0;     // bytes received meanwhile that were not that answer (dropped)
  int trials = 0, steps_per_trial = 0;
  std::int64_t timesteps = 0;         // STEP exchanges
  std::int64_t values_compared = 0;   // outputs, cycles, overflow counts and state values
  std::int64_t mismatches = 0;
  std::vector<HilMismatch> first_mismatches;
  double board_success_rate = 0;      // the task criterion on the board's outputs
  double golden_success_rate = 0;     // the same on the golden model's
  double seconds = 0;                 // wall time of the trials (the link included)
  double timesteps_per_second = 0;
  std::uint64_t bytes_sent = 0, bytes_received = 0;
};

// Throws nf::InputError when the board carries another network (naming both
// config ids), LinkError / LinkTimeout when the link fails.
HilResult run_hil(const quantize::QuantizedArtifact& artifact, HostLink& link, const HilOptions& options);

// The config id `neurofab rtl` gives the artifact at `lanes` lanes.
std::uint32_t expected_config_id(const quantize::QuantizedArtifact& artifact, int lanes);

}  // namespace nf::sim
