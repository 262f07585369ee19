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
    std::vector<Eigen::Index> spiking;  // workspace: indices of units that spiked last step
    Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> synapse;  // workspace: S of the step
  };
  State initial_state() const;

  // One step on encoded input codes X (n_in_encoded); updates the state
  // (spikes, refractory counters, output y in Q_y included) and adds to `counts`.
  void step(const std::int32_t* x, State& state, LifStepCounts* counts = nullptr) const;

 private:
  models::LifRnnConfig config_;
  LifRnnFixedPoint spec_;
  IntegerLifRnnTensors tensors_;
  IntMatrix w_rec_by_source_;  // W_rec^T: row j = the fan-out of unit j (event-driven reads)
  IntMatrix w_out_by_source_;  // W_out^T
  IntMatrix w_in_by_source_;   // W_in^T
  int shift_in_, shift_rec_, shift_bias_, shift_out_, shift_out_bias_;
};

}  // namespace nf::quantize
