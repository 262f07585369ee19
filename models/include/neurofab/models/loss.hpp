#pragma once
// The training loss shared by the model families, and its regularisers.
//
//   L = Σ m (y - ŷ)² / Σ m                                  task MSE (m = mask, ŷ = target)
//     + λ_w2 Σ_W mean(W²) + λ_w1 Σ_W mean(|W|)              W ∈ {W_in, W_rec, W_out}
//     + λ_r2 mean(a²) + λ_r1 mean(|a|)                      activity a over t = 1..T, trials, units:
//                                                           a = h (rate RNN), a = s (LIF spikes, so
//                                                           λ_r1 is a cost per spike per unit and step)
//     + λ_f mean_i (r_i - r*)²                              LIF only: r_i = mean_{t,b} s_i, the firing
//                                                           rate of unit i in spikes per step
//
// A batch may be evaluated in parts (groups of trials, see training.hpp): each
// part's sums are normalised by the whole batch's counts (BatchTotals), the
// parts' losses and gradients are added in part order, and the terms of the
// whole batch (weight penalties, the firing-rate term) are added once.

#include <Eigen/Core>

namespace nf::models {

struct Regularization {
  double l2_weights = 0.0;          // λ_w2
  double l1_weights = 0.0;          // λ_w1
  double l2_rates = 0.0;            // λ_r2
  double l1_rates = 0.0;            // λ_r1 (for LIF: the spike penalty)
  double target_rate = 0.0;         // r*, spikes per unit per step (LIF)
  double target_rate_weight = 0.0;  // λ_f (LIF)
};

// The counts of a whole batch that every part's loss and gradient divide by.
struct BatchTotals {
  double mask_sum = 0;        // Σ m
  double activity_count = 0;  // entries of the activity a: n_rec · T · B
  double columns = 0;         // T · B
  Eigen::VectorXd spike_sums;  // LIF: Σ_{t,b} s_i per unit (the firing-rate term)

  // Adds a part's totals (parts are added in part order).
  BatchTotals& operator+=(const BatchTotals& part) {
    mask_sum += part.mask_sum;
    activity_count += part.activity_count;
    columns += part.columns;
    if (part.spike_sums.size() != 0) {
      if (spike_sums.size() == 0) spike_sums = Eigen::VectorXd::Zero(part.spike_sums.size());
      spike_sums += part.spike_sums;
    }
    return *this;
  }
};

struct LossTerms {
  double task = 0.0;  // masked MSE
  double weights = 0.0;
  double rates = 0.0;  // activity and firing-rate terms
  double total() const { return task + weights + rates; }
  LossTerms& operator+=(const LossTerms& other) {
    task += other.task;
    weights += other.weights;
    rates += other.rates;
    return *this;
  }
};

}  // namespace nf::models
