#pragma once
// The integer golden model of the LIF RNN: integer arithmetic only inside a
// step (docs/fixed-point.md is the normative text; this header mirrors it).
//
// Codes (int32) and formats: X ∈ Q_x (spike encodings: X ∈ {0, 1}, read as
// events), W_in ∈ Q_win, W_rec ∈ Q_wrec, b ∈ Q_b, I ∈ Q_I, v ∈ Q_v, θ ∈ Q_v,
// W_out ∈ Q_wout, b_out ∈ Q_bout, y ∈ Q_y; r = rounding, o = overflow mode.
//
// Decay of a code x by a per-unit decay d (three forms, as hardware has them):
//   shift        D_d(x) = x - shift_round(x, k, r)          k = round(-log2(1 - d)), k = 0 for d = 0
//                                                           (Xylo-style: d ≈ 1 - 2^-k)
//   multiplier   D_d(x) = shift_round(x · d_q, B, r)        d_q = round(d · 2^B) ∈ [0, 2^B], B bits
//                (B = 12 is Loihi's (x · (4096 - δ)) >> 12 with δ = 4096 - d_q)
//
// One step (per unit i; spikes s_{t-1} and refractory counters c from the last step):
//   F_s = max(F_win (+ F_x for current input), F_wrec, F_b)
//   S_i = Σ_k W_in[i,k] X_k · 2^(F_s - F_win - F_x)   current input: a MAC per input
//       = Σ_{k: X_k=1} W_in[i,k] · 2^(F_s - F_win)    spike input: an add per event
//       + Σ_{j: s_j=1} W_rec[i,j] · 2^(F_s - F_wrec)   event-driven: columns of units that spiked
//       + b_i · 2^(F_s - F_b)
//   I_i ← fit_I( D_αs(I_i) + shift_round(S_i, F_s - F_I, r) )
//   refractory (c_i > 0):  u_i = v_i, s_i = 0, c_i ← c_i - 1
//   otherwise:  u_i = fit_v( D_β(v_i) + shift_round(I_i, F_I - F_v, r) ),  s_i = [u_i ≥ θ_q],
//               c_i ← R if s_i else 0
//   v_i ← fit_v(u_i - θ_q s_i)  (subtract)   or   s_i ? 0 : u_i  (zero)
//   F_o = max(F_wout, F_bout)
//   y_m ← fit_y( D_κ(y_m) + shift_round(Σ_{j: s_j=1} W_out[m,j] · 2^(F_o-F_wout) + b_out_m · 2^(F_o-F_bout), F_o - F_y, r) )
// with s the new spikes in y's sum. fit_* saturate or wrap and count.
//
// step() computes exactly this, with work O(N·n_in + N·spikes(t-1) + N +
// n_out·spikes(t)) per step (for spike encodings N per input event instead of
// N·n_in; zero current inputs are skipped), without allocating: event lists,
// fan-out rows, one branch-free unit loop per rounding, decay form and
// overflow mode, in int32 lanes whenever bounds taken from the codes and
// formats show that no intermediate value can leave int32 (else in int64
// lanes). How, and why it is exact: the comment at the top of
// integer_lif_rnn.cpp; tests/quantize/test_integer_lif_step.cpp checks it
// against a reference step written from docs/fixed-point.md.

#include <cstdint>
#include <vector>

#include "neurofab/models/lif_rnn.hpp"
#include "neurofab/quantize/fixed_point.hpp"
#include "neurofab/quantize/integer_rate_rnn.hpp"

namespace nf::quantize {

enum class DecayForm { kShift, kMultiplier };
std::string to_string(DecayForm form);
DecayForm decay_form_from_string(const std::string& name);  // throws nf::InputError

struct DecaySpec {
  DecayForm form = DecayForm::kMultiplier;
  int multiplier_bits = 12;  // B (multiplier form)
};

// One decay per unit as the chosen form's integer parameter: k (shift) or d_q (multiplier).
std::int64_t decay_parameter(double decay, const DecaySpec& spec);
// The decay the integer parameter realises (1 - 2^-k, or d_q / 2^B), for error reports.
double realised_decay(std::int64_t parameter, const DecaySpec& spec);
// D_d(x) of the header.
constexpr std::int64_t apply_decay(std::int64_t x, std::int64_t parameter, const DecaySpec& spec, Rounding rounding) {
  if (spec.form == DecayForm::kShift) return x - shift_round(x, static_cast<int>(parameter), rounding);
  return shift_round(x * parameter, spec.multiplier_bits, rounding);
}

struct LifRnnFixedPoint {
  Rounding rounding = Rounding::kHalfUp;
  Overflow overflow = Overflow::kSaturate;
  FixedFormat input, w_in, w_rec, b_rec, current, membrane, w_out, b_out, output;
  DecaySpec decay;
  std::int64_t threshold = 0;  // θ_q in Q_v

  int synapse_frac(bool spike_input) const;  // F_s
  int output_frac() const;                   // F_o
  int accumulator_bits = 0;                  // W of S_i, set by the quantizer from the codes
};

struct IntegerLifRnnTensors {
  IntMatrix w_in, w_rec, w_out;  // [post, pre]
  IntVector b_rec, b_out;
  IntVector beta, alpha_syn;  // per-unit decay parameters (k or d_q)
  std::int64_t kappa = 0;     // readout decay parameter
};

// W^T of one weight tensor (row j = the fan-out of source j) in int8, int16 or
// int32 codes (one of the three; the others are empty). Part of
// IntegerLifRnn's implementation.
struct FanOutRows {
  Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> w8;
  Eigen::Matrix<std::int16_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> w16;
  IntMatrix w32;
};

// A shift decay's per-unit constants for int32 lanes (k clamped to the state
// width W, 2^k - 1, 2^(k-1) and the rounding addend). Part of IntegerLifRnn's implementation.
struct ShiftDecayLanes {
  std::vector<std::int32_t> shift, mask, half, up;
};

struct LifStepCounts {
  std::int64_t input_macs = 0;      // current input: multiply-accumulates
  std::int64_t synaptic_events = 0; // weight reads caused by spikes (input events, recurrent, readout)
  std::int64_t decays = 0;          // decay operations (I, v, y)
  std::int64_t spikes = 0;
};

class IntegerLifRnn {
 public:
  IntegerLifRnn(models::LifRnnConfig config, LifRnnFixedPoint spec, IntegerLifRnnTensors tensors);

  const models::LifRnnConfig& config() const { return config_; }
  const LifRnnFixedPoint& spec() const { return spec_; }
  const IntegerLifRnnTensors& tensors() const { return tensors_; }

  struct State {
    IntVector current, membrane, spikes, refractory, output;
    OverflowCount overflow;
    std::vector<Eigen::Index> spiking;  // indices of the units that spiked last step (the event list)
    // step()'s scratch space, sized by initial_state() so that a step allocates nothing.
    struct Workspace {
      std::vector<Eigen::Index> input_events;  // the inputs with X_k ≠ 0 (the only ones that add to S)
      std::vector<std::int64_t> synapse;       // S, int64 lanes
      std::vector<std::int32_t> synapse32;     // S · 2^prescale, int32 lanes
      std::vector<std::int16_t> events16;      // Σ of the recurrent events' W_rec codes, when int16 holds it
      std::vector<std::uint64_t> words;        // the nonzero 64-unit words of the spikes, then a 0
      std::vector<Eigen::Index> word_base;     // their first units
    } workspace;
  };
  State initial_state() const;

  // One step on encoded input codes X (n_in_encoded); updates the state
  // (spikes, refractory counters, output y in Q_y included) and adds to `counts`.
  void step(const std::int32_t* x, State& state, LifStepCounts* counts = nullptr) const;

  // Whether step() may use int32 lanes, and the largest max_k |X_k| of a current
  // input for which it does (a step beyond it uses int64 lanes). For tests and benchmarks.
  bool int32_lanes() const { return int32_lanes_; }
  std::int64_t int32_input_limit() const { return int32_input_limit_; }

 private:
  template <typename T, Rounding R, DecayForm D, Overflow O>
  void step_as(const std::int32_t* x, State& state, bool all_ready, LifStepCounts& counts) const;
  // Whether the state codes lie in their formats (int32 lanes rely on it); sets
  // `all_ready` when no unit is refractory and none can become so (R = 0, c = 0).
  bool state_in_formats(const State& state, bool& all_ready) const;

  models::LifRnnConfig config_;
  LifRnnFixedPoint spec_;
  IntegerLifRnnTensors tensors_;
  FanOutRows w_in_by_source_;   // W_in^T (current input: a MAC per row; spikes: one row per event)
  FanOutRows w_rec_by_source_;  // W_rec^T (one row per spike of the last step)
  int shift_in_, shift_rec_, shift_bias_, shift_out_, shift_out_bias_;
  bool events16_ = false;  // every Σ_j |W_rec[i,j]| ≤ 2^15 - 1: the recurrent events add up in int16 lanes
  // int32 lanes: whether bounds allow them, the input limit, the power of two
  // S is held at (2^prescale, the left shift of shift_round(S, F_s - F_I) when
  // F_s < F_I), the bias as S holds it, and the shift decays' per-unit constants.
  bool int32_lanes_ = false;
  std::int64_t int32_input_limit_ = 0;
  int int32_prescale_ = 0;
  std::vector<std::int32_t> bias32_;  // b · 2^(sb + prescale), plus half_up's 2^(r-1)
  ShiftDecayLanes alpha_lanes32_, beta_lanes32_;
};

}  // namespace nf::quantize
