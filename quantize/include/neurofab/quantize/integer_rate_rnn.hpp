#pragma once
// The integer golden model of the rate RNN: integer arithmetic only inside a
// step (docs/fixed-point.md is the normative text; this header mirrors it).
//
// Codes (int32) and their formats: x ∈ Q_x, W_in ∈ Q_win, W_rec ∈ Q_wrec,
// b ∈ Q_b, h ∈ Q_h, W_out ∈ Q_wout, b_out ∈ Q_bout, y ∈ Q_y. With r the
// rounding mode and o the overflow mode of the spec, one step is:
//
//   F_a = max(F_win + F_x, F_wrec + F_h, F_b)                 accumulator fraction
//   a_i = Σ_k W_in[i,k] x_k · 2^(F_a - F_win - F_x)            exact, int64 (left shifts)
//       + Σ_j W_rec[i,j] h_j · 2^(F_a - F_wrec - F_h)
//       + b_i · 2^(F_a - F_b)
//   p_i = φ_q(a_i)                                             activation, in Q_h (below)
//   h_i ← fit_h( shift_round((2^D - α_q) h_i + α_q p_i, D, r) )  leak: α_q = α·2^D (D = leak_bits);
//                                                             α = 2^-k is α_q = 2^(D-k): h + (p - h)/2^k,
//                                                             a shift in hardware; α = 1 gives h = p
//   F_o = max(F_wout + F_h, F_bout)
//   y_m = fit_y( shift_round(Σ_j W_out[m,j] h_j · 2^(F_o-F_wout-F_h) + b_out_m · 2^(F_o-F_bout), F_o - F_y, r) )
//
// fit_h / fit_y saturate or wrap (the spec's overflow mode) and count what they
// change. The accumulator width W_a (accumulator_bits) is the bound
// max_i Σ|terms| over all codes a step can see, so a dot product cannot overflow
// W_a bits; int64 holds it (the quantizer refuses a spec that would need more).
//
// Activation φ_q:
//   relu: p = max(0, fit_h(shift_round(a, F_a - F_h, r)))                 exact, no table
//   tanh, table: the table T has 2^L entries, T[j] = round(tanh((j - 2^(L-1)) · 2^-k)) in Q_h,
//         j = clamp(shift_round(a, F_a - k, r) + 2^(L-1), 0, 2^L - 1), p = T[j]
//   tanh, piecewise linear: T has 2^L + 1 entries (breakpoints), z = floor(a · 2^(k+R-F_a)),
//         j = floor(z / 2^R) + 2^(L-1), f = z mod 2^R; outside the table's domain p = T[0] or T[2^L];
//         else p = T[j] + shift_round((T[j+1] - T[j]) f, R, r)
// (L = index_bits, k = input_frac_bits: step 2^-k, domain ±2^(L-1-k); R = interpolation_bits)

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "neurofab/models/rate_rnn.hpp"
#include "neurofab/quantize/fixed_point.hpp"

namespace nf::quantize {

using IntMatrix = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using IntVector = Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1>;

struct ActivationTable {
  models::Activation function = models::Activation::kTanh;
  bool piecewise_linear = false;
  int index_bits = 10;          // L
  int input_frac_bits = 7;      // k: the table's step is 2^-k, its domain ±2^(L-1-k)
  int interpolation_bits = 4;   // R (piecewise linear only)
  std::vector<std::int32_t> entries;  // in the state format; empty for relu
};

struct RateRnnFixedPoint {
  Rounding rounding = Rounding::kHalfUp;
  Overflow overflow = Overflow::kSaturate;
  FixedFormat input, w_in, w_rec, b_rec, state, w_out, b_out, output;
  ActivationTable activation;
  int leak_bits = 16;                  // D
  std::int64_t leak_multiplier = 0;    // α_q = round(α · 2^D), in [1, 2^D]

  // Derived (docs: "accumulator"): fractions and the width no dot product exceeds.
  int accumulator_frac() const;  // F_a
  int output_frac() const;       // F_o
  int accumulator_bits = 0;      // W_a, set by the quantizer from the codes
  int output_accumulator_bits = 0;
};

struct IntegerRateRnnTensors {
  IntMatrix w_in, w_rec, w_out;  // [post, pre]
  IntVector b_rec, b_out;
};

// What one step did, for golden vectors and energy models.
struct RateStepCounts {
  std::int64_t macs = 0;           // multiply-accumulates (input, recurrent, readout)
  std::int64_t table_lookups = 0;  // activation table reads
};

class IntegerRateRnn {
 public:
  IntegerRateRnn(models::RateRnnConfig config, RateRnnFixedPoint spec, IntegerRateRnnTensors tensors);

  const models::RateRnnConfig& config() const { return config_; }
  const RateRnnFixedPoint& spec() const { return spec_; }
  const IntegerRateRnnTensors& tensors() const { return tensors_; }

  struct State {
    IntVector h;  // Q_h
    OverflowCount overflow;
    IntVector next;  // workspace: the new h while the old one is still read
    // Workspace of step(), kept here rather than in hidden statics: input
    // sums, accumulators, and h as int16 for the narrow MAC path.
    std::vector<std::int64_t> input_sums, accumulators;
    Eigen::Matrix<std::int16_t, Eigen::Dynamic, 1> h16;
  };
  State initial_state() const;  // h = 0

  // One step: input codes x (n_in, Q_x) → updates `state`, writes y (n_out, Q_y).
  // Optional: the pre-activation accumulators a (n_rec) for golden vectors.
  void step(const std::int32_t* x, State& state, std::int32_t* y, std::int64_t* pre_activation = nullptr) const;
  RateStepCounts counts_per_step() const;

  // φ_q of one accumulator value (exposed for tests and the table generator).
  std::int32_t activate(std::int64_t a) const;

 private:
  models::RateRnnConfig config_;
  RateRnnFixedPoint spec_;
  IntegerRateRnnTensors tensors_;
  int shift_in_, shift_rec_, shift_bias_, shift_out_, shift_out_bias_;
  // step()'s fast path (integer_rate_rnn.cpp): the same codes stored for a
  // faster MAC loop, never a different arithmetic.
  using Int16Matrix = Eigen::Matrix<std::int16_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  IntMatrix w_in_by_source_;         // W_in^T: the input MACs run along units
  Int16Matrix w_rec16_, w_out16_;    // W_rec, W_out as int16, rows zero-padded; empty if a code needs more
  std::int64_t w_rec_row_abs_ = 0;   // max_i Σ_j |W_rec[i,j]|
  std::int64_t w_out_row_abs_ = 0;   // max_m Σ_j |W_out[m,j]|
};

// The table of φ for `table` (function, L, k, piecewise) in `state` format.
std::vector<std::int32_t> make_activation_table(const ActivationTable& table, const FixedFormat& state,
                                                Rounding rounding);

}  // namespace nf::quantize
