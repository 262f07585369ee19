#include "neurofab/quantize/integer_lif_rnn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <utility>

#include "neurofab/common/error.hpp"

// How step() computes the header's equations quickly, and bit for bit.
//
// 1. Sums. S = b·2^sb + Σ_k W_in[:,k] X_k·2^si + Σ_{j spiked} W_rec[:,j]·2^sr is
//    built in sweeps along the units over fan-out rows (W^T, copied once at
//    construction), several rows per sweep: the rows of the units that spiked
//    (recurrent events), of the inputs with X_k ≠ 0 (a zero input adds 0).
//    Integer addition is exact and associative, and Σ (W·2^k) = (Σ W)·2^k, so
//    the grouping, the order and one shift per group leave S unchanged, as
//    long as no partial sum leaves its lanes: the recurrent events add up in
//    int16 lanes when every Σ_j |W_rec[i,j]| < 2^15 (events16_), S in int32 or
//    int64 lanes by the bounds below.
// 2. Lanes. S and the unit update run in int32 lanes when the constructor has
//    shown, from the codes and formats, that no intermediate value of a step
//    can leave int32 — given the state codes in their formats (step() checks
//    it every step) and, for current input, max_k |X_k| ≤ int32_input_limit()
//    (checked every step). Otherwise they run in int64 lanes with the very
//    functions of the header (shift_round, fit, apply_decay's formulas).
// 3. Modes. Rounding, decay form and overflow mode are template parameters,
//    chosen once per step, so the unit loop has no run-time branch on them;
//    refractory and reset are selects, so it has no branch at all and the
//    compiler vectorises it. A step with no refractory unit (R = 0, every
//    c = 0) uses a loop without the refractory selects.
// 4. Events. The new spikes become the event list in one sweep, which also
//    sums the readout's W_out codes; the list drives the next step's
//    recurrent sweep (its rows are prefetched now).

namespace nf::quantize {
namespace {

constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();

// ------------------------------------------------------------------ int32 lanes
// shift_round(x, right, r) in int32 for right ∈ [0, 31], with the constants of
// the shift: mask = 2^right - 1, half = 2^(right-1) and up = 2^(right-1), or for
// right = 0 half = 1 and up = 0. With f = x >> right (the floor) and
// rem = x & mask = x - f·2^right ∈ [0, 2^right):
//   floor       f
//   half_up     (x + up) >> right = floor((x + 2^(right-1)) / 2^right), the
//               definition itself (the callers keep x + up within int32)
//   convergent  f + 1 when rem > half, or rem = half and f is odd:
//               rem > half - (f & 1)   (half ≥ 1)
// For right = 0 all three give x.
struct RightShift32 {
  std::int32_t right = 0, mask = 0, half = 1, up = 0;
};

RightShift32 right_shift32(int right) {
  if (right <= 0) return {};
  return {right, static_cast<std::int32_t>((std::int64_t{1} << right) - 1),
          static_cast<std::int32_t>(std::int64_t{1} << (right - 1)),
          static_cast<std::int32_t>(std::int64_t{1} << (right - 1))};
}

template <Rounding R>
inline std::int32_t round_right(std::int32_t x, std::int32_t right, std::int32_t mask, std::int32_t half,
                                std::int32_t up) {
  if constexpr (R == Rounding::kFloor) {
    return x >> right;
  } else if constexpr (R == Rounding::kHalfUp) {
    return (x + up) >> right;
  } else {
    const std::int32_t floor = x >> right;
    return floor + ((x & mask) > half - (floor & 1) ? 1 : 0);
  }
}

// shift_round(x, shift, r) with one shift for all lanes. int64 lanes call
// shift_round itself; int32 lanes shift left exactly (shift ≤ 0), then use
// round_right (shift ∈ [-30, 31], checked by the constructor).
template <typename T>
struct UniformShift {
  int shift = 0;
  std::int32_t left = 0;
  RightShift32 right;
};

template <typename T>
UniformShift<T> uniform_shift(int shift) {
  UniformShift<T> u;
  u.shift = shift;
  if (shift <= 0) {
    u.left = -shift;
  } else if (shift <= 31) {
    u.right = right_shift32(shift);
  }
  return u;
}

template <Rounding R, typename T>
inline T apply_shift(T x, const UniformShift<T>& u) {
  if constexpr (std::is_same_v<T, std::int32_t>) {
    return round_right<R>(static_cast<std::int32_t>(x << u.left), u.right.right, u.right.mask, u.right.half,
                          u.right.up);
  } else {
    return shift_round(x, u.shift, R);
  }
}

// The same for a shift known to be ≥ 0 (int32 lanes: no left shift).
template <Rounding R, typename T>
inline T apply_right_shift(T x, const UniformShift<T>& u) {
  if constexpr (std::is_same_v<T, std::int32_t>) {
    return round_right<R>(x, u.right.right, u.right.mask, u.right.half, u.right.up);
  } else {
    return shift_round(x, u.shift, R);
  }
}

// fit(x, W, o) without its count (callers compare before and after).
template <typename T>
struct FitBounds {
  int bits;
  T low, high;
};

template <typename T>
FitBounds<T> fit_bounds(const FixedFormat& f) {
  return {f.total_bits, static_cast<T>(f.min_code()), static_cast<T>(f.max_code())};
}

template <Overflow O, typename T>
inline T fit_lane(T x, const FitBounds<T>& b) {
  if constexpr (O == Overflow::kSaturate) {
    return std::clamp(x, b.low, b.high);  // fit's saturation, written so that it vectorises
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    // fit's wrap-around in int32 (W ≤ 31): keep the low W bits, sign-extended.
    const std::int32_t sign = b.high + 1;  // 2^(W-1)
    return ((x & (2 * b.high + 1)) ^ sign) - sign;
  } else {
    return fit(x, b.bits, O);
  }
}

// ------------------------------------------------------------------ the unit update
// Shift decays in int32 lanes, per unit: k clamped to the state width W,
// 2^k - 1 and 2^(k-1) (1 for k = 0). For a W-bit x and k ≥ W,
// shift_round(x, k, r) = shift_round(x, W, r) (both 0, or -1 for x < 0 under
// floor), so the clamp changes nothing and every shift count stays below 32.
struct ShiftLanes {
  const std::int32_t *shift = nullptr, *mask = nullptr, *half = nullptr, *up = nullptr;
};

template <typename T>
struct UnitConstants {
  UniformShift<T> to_current, to_membrane, by_multiplier;  // S → I, I → v, the multiplier decay's 2^-B
  FitBounds<T> fit_current, fit_membrane;
  T theta = 0, theta_below = 0;             // θ and θ - 1
  T keep_on_reset = 0, subtracted = 0;      // the reset: (u & keep_on_reset) - subtracted
  std::int32_t refractory_steps = 0;
  const std::int32_t *alpha = nullptr, *beta = nullptr;  // decay parameters (d_q or k)
  ShiftLanes alpha_lanes, beta_lanes;                    // int32 lanes, shift form
};

// D_d(x) (apply_decay) for the decay form D in lanes of T.
template <typename T, Rounding R, DecayForm D>
inline T decay_lane(T x, std::int32_t parameter, const ShiftLanes& lanes, Eigen::Index i,
                    const UniformShift<T>& by_multiplier) {
  if constexpr (D == DecayForm::kMultiplier) {
    return apply_right_shift<R>(static_cast<T>(x * static_cast<T>(parameter)), by_multiplier);
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    return x - round_right<R>(x, lanes.shift[i], lanes.mask[i], lanes.half[i], lanes.up[i]);
  } else {
    return x - shift_round(x, parameter, R);
  }
}

// I, v, c and s of every unit from S: the header's equations. Returns the
// number of values that the counted fits changed; adds the spikes to
// `spike_count`. In int32 lanes S is S·2^prescale (see the constructor) and
// the subtract reset needs no fit: θ ≥ 0 there, and a spiking u has
// θ ≤ u ≤ max_v, so u - θ ∈ [0, max_v]. kAllReady: no unit is refractory and
// none becomes so (R = 0 and every c = 0), so c stays 0 and is not touched.
// kSubtractRight (with kAllReady, int32 lanes): subtract reset and F_I ≥ F_v,
// so the reset is u - θ and I → v needs no left shift. The state arrays are
// distinct (__restrict: GCC otherwise gives up on its run-time alias checks).
template <typename T, Rounding R, DecayForm D, Overflow O, bool kAllReady, bool kSubtractRight = false>
T update_units(const UnitConstants<T>& k, Eigen::Index n, const T* __restrict synapse,
               std::int32_t* __restrict current_code, std::int32_t* __restrict membrane_code,
               std::int32_t* __restrict refractory, std::int32_t* __restrict spikes, T& spike_count) {
  constexpr bool kInt32 = std::is_same_v<T, std::int32_t>;
  // The counted fits: changed = (fits done) - (fits that left their value
  // alone), which costs a compare and a subtraction per vector.
  T unchanged = 0, ready_count = 0, reset_changed = 0, count = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    T synapse_shifted;
    if constexpr (kInt32 && R == Rounding::kHalfUp) {
      synapse_shifted = synapse[i] >> k.to_current.right.right;  // S already holds + 2^(r-1) (step_as)
    } else {
      synapse_shifted = apply_right_shift<R>(synapse[i], k.to_current);
    }
    const T current_sum =
        decay_lane<T, R, D>(current_code[i], k.alpha[i], k.alpha_lanes, i, k.by_multiplier) + synapse_shifted;
    const T current = fit_lane<O>(current_sum, k.fit_current);
    current_code[i] = static_cast<std::int32_t>(current);
    // A refractory unit keeps v and does not spike; its u is computed and dropped.
    const std::int32_t membrane_before = membrane_code[i];
    const std::int32_t refractory_before = kAllReady ? 0 : refractory[i];
    const bool ready = kAllReady || refractory_before <= 0;
    T current_shifted;
    if constexpr (kSubtractRight) {
      current_shifted = apply_right_shift<R>(current, k.to_membrane);  // F_I ≥ F_v: no left shift
    } else {
      current_shifted = apply_shift<R>(current, k.to_membrane);
    }
    const T u_sum =
        decay_lane<T, R, D>(membrane_before, k.beta[i], k.beta_lanes, i, k.by_multiplier) + current_shifted;
    const T u = fit_lane<O>(u_sum, k.fit_membrane);
    // u ≥ θ; in int32 lanes (θ ≥ 0) as u > θ - 1, one compare instead of two.
    const bool spike = ready & (kInt32 ? u > k.theta_below : u >= k.theta);
    // The reset: subtract, fit_v(u - θ); zero, 0 (no fit).
    const T reset_sum = kSubtractRight ? u - k.theta : (u & k.keep_on_reset) - k.subtracted;
    T reset = reset_sum;
    if constexpr (!kInt32) {
      reset = fit_lane<O>(reset_sum, k.fit_membrane);
      reset_changed += static_cast<T>(spike & (reset != reset_sum));
    }
    unchanged += static_cast<T>(current == current_sum) + static_cast<T>(ready & (u == u_sum));
    if constexpr (!kAllReady) ready_count += static_cast<T>(ready);
    count += static_cast<T>(spike);
    const std::int32_t membrane = static_cast<std::int32_t>(spike ? reset : u);
    if constexpr (kAllReady) {
      membrane_code[i] = membrane;
    } else {
      // Selects written as masks: GCC turns `ready ? new : old` into masked
      // stores (vpmaskmovd), which are slow on AMD cores.
      const std::int32_t keep = ready ? 0 : -1;
      membrane_code[i] = (membrane & ~keep) | (membrane_before & keep);
      refractory[i] = ((spike ? k.refractory_steps : 0) & ~keep) | ((refractory_before - 1) & keep);
    }
    spikes[i] = spike ? 1 : 0;
  }
  spike_count += count;
  if constexpr (kAllReady) ready_count = static_cast<T>(n);
  return static_cast<T>(n + ready_count - unchanged + reset_changed);
}

// ------------------------------------------------------------------ sums along units
// S is built in sweeps along units, each adding up to G fan-out rows. A sum of
// codes is exact in its lanes (the bounds, see the constructor), so one shift
// per sweep gives Σ_g row_g · x_g · 2^shift.

// Calls f(integral_constant<int, G>) for G = count ∈ [1, kMax].
template <int kMax, typename F>
void with_group(std::size_t count, F&& f) {
  [&]<int... kG>(std::integer_sequence<int, kG...>) {
    ((count == static_cast<std::size_t>(kG + 1) ? (f(std::integral_constant<int, kG + 1>{}), true) : false) || ...);
  }(std::make_integer_sequence<int, kMax>{});
}

// The recurrent events in int16 lanes, r[i] = Σ_e row_e[i] (kFirst: r = the first
// sweep's sum), sixteen rows per sweep. Exact when Σ_j |W_rec[i,j]| ≤ 2^15 - 1 for
// every i (the constructor's events16 condition): every partial sum is a sum
// over a subset of a row.
template <typename E, int G, bool kFirst>
void event16_pass(std::int16_t* __restrict r, const std::array<const E*, G>& rows, Eigen::Index n) {
  for (Eigen::Index i = 0; i < n; ++i) {
    int sum = kFirst ? 0 : r[i];
    for (int g = 0; g < G; ++g) sum += rows[g][i];
    r[i] = static_cast<std::int16_t>(sum);
  }
}

template <typename E>
void add_events16(std::int16_t* r, const E* rows, Eigen::Index stride, const Eigen::Index* events, std::size_t count,
                  Eigen::Index n) {
  for (std::size_t e = 0; e < count; e += 16) {
    with_group<16>(std::min<std::size_t>(16, count - e), [&](auto g) {
      constexpr int G = decltype(g)::value;
      std::array<const E*, G> group{};
      for (std::size_t k = 0; k < static_cast<std::size_t>(G); ++k) group[k] = rows + events[e + k] * stride;
      if (e == 0) {
        event16_pass<E, G, true>(r, group, n);
      } else {
        event16_pass<E, G, false>(r, group, n);
      }
    });
  }
}

// The first sweep: s[i] = b_i·2^bias_shift [+ r[i]·2^r_shift] + Σ_g row_g[i] · x_g·2^shift
// (G = 0: no rows). int32 lanes take the bias and the x_g already scaled
// (bias32_, with half_up's 2^(r-1), and X_k·2^shift: step_as); int64 lanes shift here.
template <typename T, typename E, int G, bool kWithR>
void first_pass(T* __restrict s, const std::int32_t* __restrict bias, int bias_shift,
                const std::int16_t* __restrict r, int r_shift, const std::array<const E*, G>& rows,
                const std::array<T, G>& x, int shift, Eigen::Index n) {
  constexpr bool kInt32 = std::is_same_v<T, std::int32_t>;
  for (Eigen::Index i = 0; i < n; ++i) {
    T sum = 0;
    for (int g = 0; g < G; ++g) sum += static_cast<T>(static_cast<T>(rows[g][i]) * x[g]);
    T value = kInt32 ? bias[i] : static_cast<T>(static_cast<T>(bias[i]) << bias_shift);
    if constexpr (kWithR) value += static_cast<T>(static_cast<T>(r[i]) << r_shift);
    if constexpr (G > 0) value += kInt32 ? sum : static_cast<T>(sum << shift);
    s[i] = value;
  }
}

// s[i] += Σ_g row_g[i] · x_g·2^shift, x_g = 1 for events (kMac false); int32
// lanes take the x_g of a MAC already scaled.
template <typename T, typename E, int G, bool kMac>
void rows_pass(T* __restrict s, const std::array<const E*, G>& rows, const std::array<T, G>& x, int shift,
               Eigen::Index n) {
  constexpr bool kScaled = kMac && std::is_same_v<T, std::int32_t>;
  for (Eigen::Index i = 0; i < n; ++i) {
    T sum = 0;
    for (int g = 0; g < G; ++g) {
      if constexpr (kMac) {
        sum += static_cast<T>(static_cast<T>(rows[g][i]) * x[g]);
      } else {
        sum += rows[g][i];
      }
    }
    s[i] += kScaled ? sum : static_cast<T>(sum << shift);
  }
}

// s += Σ over the events' rows (indices of sources) << shift, up to eight rows per sweep.
template <typename T, typename E>
void add_events(T* s, const E* rows, Eigen::Index stride, const Eigen::Index* events, std::size_t count, int shift,
                Eigen::Index n) {
  for (std::size_t e = 0; e < count; e += 8) {
    with_group<8>(std::min<std::size_t>(8, count - e), [&](auto g) {
      constexpr int G = decltype(g)::value;
      std::array<const E*, G> group{};
      for (std::size_t k = 0; k < static_cast<std::size_t>(G); ++k) group[k] = rows + events[e + k] * stride;
      rows_pass<T, E, G, false>(s, group, {}, shift, n);
    });
  }
}

// X_k as a MAC's multiplier: X_k·2^shift in int32 lanes (|X_k| ≤ int32_input_limit()
// keeps it in int32), X_k in int64 lanes (shifted after the sum).
template <typename T>
T scaled_input(std::int32_t x, int shift) {
  if constexpr (std::is_same_v<T, std::int32_t>) return static_cast<std::int32_t>(std::int64_t{x} << shift);
  return x;
}

// S's first sweep with the first (up to four) current inputs, then the others
// four per sweep: only the inputs in `inputs` (those with X_k ≠ 0; a zero
// input adds 0). r: the recurrent events' int16 sums, or nullptr.
template <typename T, typename E>
void sum_current_input(T* s, const std::int32_t* bias, int bias_shift, const std::int16_t* r, int r_shift,
                       const E* rows, Eigen::Index stride, const Eigen::Index* inputs, std::size_t count,
                       const std::int32_t* x, int shift, Eigen::Index n) {
  const auto group = [&](std::size_t first, auto g, auto&& pass) {
    constexpr int G = decltype(g)::value;
    std::array<const E*, G> rows_g{};
    std::array<T, G> x_g{};
    for (int j = 0; j < G; ++j) {
      const Eigen::Index k = inputs[first + static_cast<std::size_t>(j)];
      rows_g[static_cast<std::size_t>(j)] = rows + k * stride;
      x_g[static_cast<std::size_t>(j)] = scaled_input<T>(x[k], shift);
    }
    pass(rows_g, x_g);
  };
  const auto first = [&](auto g) {
    group(0, g, [&](const auto& rows_g, const auto& x_g) {
      constexpr int G = decltype(g)::value;
      if (r != nullptr) {
        first_pass<T, E, G, true>(s, bias, bias_shift, r, r_shift, rows_g, x_g, shift, n);
      } else {
        first_pass<T, E, G, false>(s, bias, bias_shift, r, r_shift, rows_g, x_g, shift, n);
      }
    });
  };
  if (count == 0) {
    first(std::integral_constant<int, 0>{});
    return;
  }
  with_group<4>(std::min<std::size_t>(4, count), first);
  for (std::size_t k = 4; k < count; k += 4) {
    with_group<4>(std::min<std::size_t>(4, count - k), [&](auto g) {
      group(k, g, [&](const auto& rows_g, const auto& x_g) {
        rows_pass<T, E, decltype(g)::value, true>(s, rows_g, x_g, shift, n);
      });
    });
  }
}

// ------------------------------------------------------------------ the spikes' event list
// Bit l of the word is spikes[l] (0/1): a sweep the compiler vectorises
// (eight 32-bit lanes) instead of a branch per unit.
template <int kWidth>
inline std::uint32_t spike_word32(const std::int32_t* spikes) {
  std::uint32_t word = 0;
  for (int l = 0; l < kWidth; ++l) word |= static_cast<std::uint32_t>(spikes[l]) << l;
  return word;
}

inline std::uint64_t spike_word64(const std::int32_t* spikes, Eigen::Index width) {
  if (width == 64) return spike_word32<32>(spikes) | std::uint64_t{spike_word32<32>(spikes + 32)} << 32;
  std::uint64_t word = 0;
  for (Eigen::Index l = 0; l < width; ++l) word |= static_cast<std::uint64_t>(spikes[l]) << l;
  return word;
}

// The spikes' event list and, for the first M ≤ 4 outputs, o[m] += Σ_{j spiked}
// W_out[m, j]. First the 64-unit words with a spike are collected (no branch),
// then one loop of `count` (the number of spikes) iterations takes their bits
// in order, moving to the next word by a select rather than a branch: a
// loop per word would mispredict its exit at every word.
template <int M>
void scan_spikes(const std::int32_t* spikes, Eigen::Index n, std::size_t count, std::uint64_t* words,
                 Eigen::Index* word_base, Eigen::Index* event, const std::array<const std::int32_t*, 4>& w_out,
                 std::array<std::int64_t, 4>& o) {
  std::size_t nonzero = 0;
  for (Eigen::Index base = 0; base < n; base += 64) {
    const std::uint64_t word = spike_word64(spikes + base, std::min<Eigen::Index>(64, n - base));
    words[nonzero] = word;
    word_base[nonzero] = base;
    nonzero += word != 0 ? 1 : 0;
  }
  words[nonzero] = 0;  // read (and not used) after the last spike
  word_base[nonzero] = 0;
  std::array<std::int64_t, 4> sum = o;
  std::uint64_t word = words[0];
  Eigen::Index base = word_base[0];
  std::size_t next = 1;
  for (std::size_t e = 0; e < count; ++e) {
    const Eigen::Index j = base + std::countr_zero(word);
    event[e] = j;
    for (int m = 0; m < M; ++m) sum[static_cast<std::size_t>(m)] += w_out[static_cast<std::size_t>(m)][j];
    word &= word - 1;
    const bool done = word == 0;
    const std::uint64_t next_word = words[next];
    const Eigen::Index next_base = word_base[next];
    word = done ? next_word : word;
    base = done ? next_base : base;
    next += done ? 1 : 0;
  }
  o = sum;
}

// Σ_i |row_i| maximised over the rows of m ([post, pre]): it bounds every sum
// of a subset of a row's codes, and so every partial sum of S's terms.
std::int64_t max_row_abs(const IntMatrix& m) {
  std::int64_t best = 0;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    std::int64_t sum = 0;
    for (Eigen::Index j = 0; j < m.cols(); ++j) sum += std::abs(static_cast<std::int64_t>(m(i, j)));
    best = std::max(best, sum);
  }
  return best;
}

// a · 2^shift when shift ∈ [0, 30] and the result fits int32, else kInt32Max + 1 ("too large").
std::int64_t scaled(std::int64_t a, int shift) {
  if (shift < 0 || shift > 30 || a > (kInt32Max >> shift)) return kInt32Max + 1;
  return a << shift;
}

// Calls f.template operator()<T, R, D, O>() for the run-time modes.
template <typename T, typename F>
void with_modes(Rounding r, DecayForm d, Overflow o, F&& f) {
  const auto with_o = [&](auto rc, auto dc) {
    if (o == Overflow::kSaturate) {
      f.template operator()<T, decltype(rc)::value, decltype(dc)::value, Overflow::kSaturate>();
    } else {
      f.template operator()<T, decltype(rc)::value, decltype(dc)::value, Overflow::kWrap>();
    }
  };
  const auto with_d = [&](auto rc) {
    if (d == DecayForm::kShift) {
      with_o(rc, std::integral_constant<DecayForm, DecayForm::kShift>{});
    } else {
      with_o(rc, std::integral_constant<DecayForm, DecayForm::kMultiplier>{});
    }
  };
  switch (r) {
    case Rounding::kFloor:
      with_d(std::integral_constant<Rounding, Rounding::kFloor>{});
      return;
    case Rounding::kHalfUp:
      with_d(std::integral_constant<Rounding, Rounding::kHalfUp>{});
      return;
    case Rounding::kConvergent:
      break;
  }
  with_d(std::integral_constant<Rounding, Rounding::kConvergent>{});
}

// W^T (row j = the fan-out of source j), in the narrowest of int8, int16 and
// int32 that holds every code (narrow), or in int32: the rows a MAC multiplies
// (current input) are read faster as int32, with no widening.
FanOutRows fan_out_rows(const IntMatrix& w, bool narrow) {
  FanOutRows f;
  IntMatrix t = w.transpose();
  const std::int32_t low = t.size() == 0 ? 0 : t.minCoeff(), high = t.size() == 0 ? 0 : t.maxCoeff();
  if (narrow && low >= std::numeric_limits<std::int8_t>::min() && high <= std::numeric_limits<std::int8_t>::max()) {
    f.w8 = t.cast<std::int8_t>();
  } else if (narrow && low >= std::numeric_limits<std::int16_t>::min() &&
             high <= std::numeric_limits<std::int16_t>::max()) {
    f.w16 = t.cast<std::int16_t>();
  } else {
    f.w32 = std::move(t);
  }
  return f;
}

// Calls f(rows, stride) with the fan-out rows in their stored element type.
template <typename F>
decltype(auto) with_rows(const FanOutRows& w, F&& f) {
  if (w.w8.size() > 0) return f(w.w8.data(), w.w8.cols());
  if (w.w16.size() > 0) return f(w.w16.data(), w.w16.cols());
  return f(w.w32.data(), w.w32.cols());
}

}  // namespace

std::string to_string(DecayForm form) { return form == DecayForm::kShift ? "shift" : "multiplier"; }

DecayForm decay_form_from_string(const std::string& name) {
  if (name == "shift") return DecayForm::kShift;
  if (name == "multiplier") return DecayForm::kMultiplier;
  throw InputError(fmt::format("unknown decay form '{}' (expected shift or multiplier)", name));
}

std::int64_t decay_parameter(double decay, const DecaySpec& spec) {
  if (!(decay >= 0.0 && decay <= 1.0)) throw InputError(fmt::format("decay {} is outside [0, 1]", decay));
  if (spec.form == DecayForm::kShift) {
    if (decay == 0.0) return 0;  // x - x
    if (decay == 1.0) return 62;  // no decay within int64
    return std::clamp<std::int64_t>(std::llround(-std::log2(1.0 - decay)), 0, 62);
  }
  return std::llround(std::ldexp(decay, spec.multiplier_bits));
}

double realised_decay(std::int64_t parameter, const DecaySpec& spec) {
  if (spec.form == DecayForm::kShift) return parameter == 0 ? 0.0 : 1.0 - std::ldexp(1.0, -static_cast<int>(parameter));
  return std::ldexp(static_cast<double>(parameter), -spec.multiplier_bits);
}

int LifRnnFixedPoint::synapse_frac(bool spike_input) const {
  const int input_frac = spike_input ? w_in.frac_bits : w_in.frac_bits + input.frac_bits;
  return std::max({input_frac, w_rec.frac_bits, b_rec.frac_bits});
}

int LifRnnFixedPoint::output_frac() const { return std::max(w_out.frac_bits, b_out.frac_bits); }

IntegerLifRnn::IntegerLifRnn(models::LifRnnConfig config, LifRnnFixedPoint spec, IntegerLifRnnTensors tensors)
    : config_(std::move(config)), spec_(std::move(spec)), tensors_(std::move(tensors)) {
  const auto& c = config_;
  const auto check = [](const char* name, Eigen::Index rows, Eigen::Index cols, int want_rows, int want_cols) {
    if (rows != want_rows || cols != want_cols) {
      throw InputError(fmt::format("integer tensor '{}' has shape [{}, {}], the model needs [{}, {}]", name, rows,
                                   cols, want_rows, want_cols));
    }
  };
  check("W_in", tensors_.w_in.rows(), tensors_.w_in.cols(), c.n_rec, c.n_in_encoded());
  check("W_rec", tensors_.w_rec.rows(), tensors_.w_rec.cols(), c.n_rec, c.n_rec);
  check("b_rec", tensors_.b_rec.rows(), 1, c.n_rec, 1);
  check("W_out", tensors_.w_out.rows(), tensors_.w_out.cols(), c.n_out, c.n_rec);
  check("b_out", tensors_.b_out.rows(), 1, c.n_out, 1);
  check("beta", tensors_.beta.rows(), 1, c.n_rec, 1);
  check("alpha_syn", tensors_.alpha_syn.rows(), 1, c.n_rec, 1);
  const bool spike_input = c.encoding != models::InputEncoding::kCurrent;
  const int fs = spec_.synapse_frac(spike_input), fo = spec_.output_frac();
  shift_in_ = fs - spec_.w_in.frac_bits - (spike_input ? 0 : spec_.input.frac_bits);
  shift_rec_ = fs - spec_.w_rec.frac_bits;
  shift_bias_ = fs - spec_.b_rec.frac_bits;
  shift_out_ = fo - spec_.w_out.frac_bits;
  shift_out_bias_ = fo - spec_.b_out.frac_bits;
  events16_ = max_row_abs(tensors_.w_rec) <= std::numeric_limits<std::int16_t>::max();
  w_in_by_source_ = fan_out_rows(tensors_.w_in, spike_input);
  w_rec_by_source_ = fan_out_rows(tensors_.w_rec, true);

  // When int32 lanes are exact. With the state codes in their formats,
  // |I| ≤ h_I = 2^(W_I-1), |v| ≤ h_v = 2^(W_v-1), and a decay never grows a
  // code, |D(x)| ≤ |x| (multiplier: d_q ∈ [0, 2^B]; shift: k ∈ [0, 62]).
  //  - S is held as S' = S·2^p, p = max(0, F_I - F_s) (the left shift of
  //    shift_round(S, F_s - F_I) done by the sums' shifts); every partial sum of
  //    S' (bias, input terms, recurrent rows, in any grouping) is bounded by
  //    B = (A_in·X·2^si + A_rec·2^sr + A_b·2^sb)·2^p, A = max over units of Σ|codes|
  //    of the row, X = max_k |X_k| (1 for spike encodings).
  //  - I: |D_αs(I) + shift_round(S', r_I)| ≤ h_I + (B >> r_I) + 1 (r_I = max(0, F_s - F_I)
  //    > 0) or h_I + B (r_I = 0), so B ≤ S_max below keeps it in int32;
  //  - v: |D_β(v) + shift_round(I, s_v)| ≤ h_v + h_I·2^-s_v (s_v ≤ 0) or h_v + (h_I >> s_v) + 1;
  //  - u - θ (subtract reset, and the compare) with 0 ≤ θ: |u - θ| ≤ h_v + θ;
  //  - multiplier decays: |x · d_q| ≤ h · max d_q;
  //  - half_up adds 2^(r-1) before shifting right by r (round_right): S' and
  //    x · d_q keep that room, and I + 2^(s_v-1) ≤ h_I + 2^(s_v-1); a shift
  //    decay of a W-bit x adds at most 2^(W-1), and x + 2^(W-1) < 2^W ≤ 2^31.
  // Every shift count lies in [0, 31].
  const auto& s = spec_;
  const int w_i = s.current.total_bits, w_v = s.membrane.total_bits;
  const int s_i = fs - s.current.frac_bits, s_v = s.current.frac_bits - s.membrane.frac_bits;
  const int prescale = std::max(0, -s_i), right_i = std::max(0, s_i);
  bool ok = w_i <= 31 && w_v <= 31 && right_i <= 31 && s_v >= -30 && s_v <= 31 && s.threshold >= 0 &&
            shift_in_ + prescale <= 30 && shift_rec_ + prescale <= 30 && shift_bias_ + prescale <= 30;
  const std::int64_t h_i = std::int64_t{1} << (w_i - 1), h_v = std::int64_t{1} << (w_v - 1);
  const auto decays_ok = [&](const IntVector& d, std::int64_t h) {
    if (d.size() == 0) return true;
    const std::int64_t low = d.minCoeff(), high = d.maxCoeff();
    if (s.decay.form == DecayForm::kShift) return low >= 0 && high <= 62;
    const int b = s.decay.multiplier_bits;
    return b >= 1 && b <= 30 && low >= 0 && high <= (std::int64_t{1} << b) &&
           h * high + (std::int64_t{1} << (b - 1)) <= kInt32Max;
  };
  ok = ok && decays_ok(tensors_.alpha_syn, h_i) && decays_ok(tensors_.beta, h_v);
  if (ok) {
    const std::int64_t s_max =
        right_i == 0 ? kInt32Max - h_i
                     : std::min(kInt32Max - (std::int64_t{1} << (right_i - 1)),
                                ((kInt32Max - 1 - h_i) << right_i) + ((std::int64_t{1} << right_i) - 1));
    const std::int64_t bias_abs =
        tensors_.b_rec.size() == 0 ? 0 : tensors_.b_rec.cast<std::int64_t>().cwiseAbs().maxCoeff();
    const std::int64_t budget =
        s_max - scaled(max_row_abs(tensors_.w_rec), shift_rec_ + prescale) - scaled(bias_abs, shift_bias_ + prescale);
    const std::int64_t per_unit_input = scaled(max_row_abs(tensors_.w_in), shift_in_ + prescale);
    const std::int64_t u_from_i = s_v <= 0 ? h_i << -s_v : (h_i >> s_v) + 1;
    const std::int64_t i_rounding = s_v <= 0 ? 0 : h_i + (std::int64_t{1} << (s_v - 1));
    ok = budget >= 0 && u_from_i + h_v <= kInt32Max && i_rounding <= kInt32Max && s.threshold + h_v <= kInt32Max;
    if (spike_input) {
      ok = ok && per_unit_input <= budget;
      int32_input_limit_ = 1;
    } else {
      // X_k · 2^(si+p) is formed in int32 too (the codes multiply it): budget /
      // per_unit_input ≤ kInt32Max >> (si+p) already when some code is nonzero.
      int32_input_limit_ = per_unit_input == 0 ? kInt32Max >> (shift_in_ + prescale) : budget / per_unit_input;
    }
  }
  int32_lanes_ = ok;
  int32_prescale_ = prescale;
  if (!ok) int32_input_limit_ = 0;
  if (ok) {  // b · 2^(sb+p), plus half_up's 2^(r_I-1) (see step_as), within S_max
    const std::int64_t up = s.rounding == Rounding::kHalfUp ? right_shift32(right_i).up : 0;
    for (Eigen::Index i = 0; i < tensors_.b_rec.size(); ++i) {
      bias32_.push_back(static_cast<std::int32_t>((std::int64_t{tensors_.b_rec(i)} << (shift_bias_ + prescale)) + up));
    }
  }
  if (ok && s.decay.form == DecayForm::kShift) {
    const auto lanes = [](const IntVector& k, int w, ShiftDecayLanes& out) {
      for (Eigen::Index i = 0; i < k.size(); ++i) {
        const RightShift32 r = right_shift32(std::min(k(i), w));
        out.shift.push_back(r.right);
        out.mask.push_back(r.mask);
        out.half.push_back(r.half);
        out.up.push_back(r.up);
      }
    };
    lanes(tensors_.alpha_syn, w_i, alpha_lanes32_);
    lanes(tensors_.beta, w_v, beta_lanes32_);
  }
}

IntegerLifRnn::State IntegerLifRnn::initial_state() const {
  const int n = config_.n_rec;
  const auto size = static_cast<std::size_t>(n);
  State s{IntVector::Zero(n), IntVector::Zero(n), IntVector::Zero(n), IntVector::Zero(n),
          IntVector::Zero(config_.n_out), {}, {}, {}};
  s.spiking.reserve(size);
  auto& w = s.workspace;
  w.input_events.reserve(static_cast<std::size_t>(config_.n_in_encoded()));
  w.synapse.resize(size);
  w.synapse32.resize(size);
  w.events16.resize(events16_ ? size : 0);
  w.words.resize((size + 63) / 64 + 1);
  w.word_base.resize((size + 63) / 64 + 1);
  return s;
}

bool IntegerLifRnn::state_in_formats(const State& state, bool& all_ready) const {
  // x ∈ [min, max] ⟺ (uint32)(x - min) ≤ max - min: one subtraction and one
  // unsigned maximum per vector.
  const auto offset = [](const FixedFormat& f) { return static_cast<std::uint32_t>(f.min_code()); };
  const std::uint32_t current_min = offset(spec_.current), membrane_min = offset(spec_.membrane);
  const std::int32_t* current = state.current.data();
  const std::int32_t* membrane = state.membrane.data();
  const std::int32_t* refractory = state.refractory.data();
  std::uint32_t current_far = 0, membrane_far = 0;
  std::int32_t refractory_any = 0;
  for (Eigen::Index i = 0; i < state.current.size(); ++i) {
    current_far = std::max(current_far, static_cast<std::uint32_t>(current[i]) - current_min);
    membrane_far = std::max(membrane_far, static_cast<std::uint32_t>(membrane[i]) - membrane_min);
    refractory_any |= refractory[i];
  }
  all_ready = config_.refractory_steps == 0 && refractory_any == 0;
  const auto range = [](const FixedFormat& f) { return static_cast<std::uint32_t>(f.max_code() - f.min_code()); };
  return state.current.size() == state.membrane.size() && state.current.size() == state.refractory.size() &&
         current_far <= range(spec_.current) && membrane_far <= range(spec_.membrane);
}

void IntegerLifRnn::step(const std::int32_t* x, State& state, LifStepCounts* counts) const {
  bool int32 = int32_lanes_;
  if (int32 && config_.encoding == models::InputEncoding::kCurrent) {
    for (Eigen::Index k = 0; k < config_.n_in_encoded(); ++k) {
      if (std::abs(static_cast<std::int64_t>(x[k])) > int32_input_limit_) int32 = false;
    }
  }
  bool all_ready = false;
  int32 = int32 && state_in_formats(state, all_ready);
  LifStepCounts local;
  const auto run = [&]<typename T, Rounding R, DecayForm D, Overflow O>() {
    step_as<T, R, D, O>(x, state, all_ready, local);
  };
  if (int32) {
    with_modes<std::int32_t>(spec_.rounding, spec_.decay.form, spec_.overflow, run);
  } else {
    with_modes<std::int64_t>(spec_.rounding, spec_.decay.form, spec_.overflow, run);
  }
  if (counts != nullptr) {
    counts->input_macs += local.input_macs;
    counts->synaptic_events += local.synaptic_events;
    counts->decays += local.decays;
    counts->spikes += local.spikes;
  }
}

// One step in lanes of T (int32 only when the constructor's bounds hold), for
// the rounding R, decay form D and overflow mode O of the spec.
template <typename T, Rounding R, DecayForm D, Overflow O>
void IntegerLifRnn::step_as(const std::int32_t* x, State& state, bool all_ready, LifStepCounts& counts) const {
  constexpr bool kInt32 = std::is_same_v<T, std::int32_t>;
  const auto& s = spec_;
  const auto& c = config_;
  const Eigen::Index n = c.n_rec, n_in = c.n_in_encoded(), n_out = c.n_out;
  const bool spike_input = c.encoding != models::InputEncoding::kCurrent;
  const int fs = s.synapse_frac(spike_input);
  const int prescale = kInt32 ? int32_prescale_ : 0;

  // S (fraction F_s; ·2^prescale in int32 lanes) = bias + input + the fan-out
  // rows of the units that spiked last step. The workspace is sized by
  // initial_state(); a State of another shape is resized once.
  auto& w = state.workspace;
  std::vector<T>& synapse_lanes = [&]() -> std::vector<T>& {
    if constexpr (kInt32) {
      return w.synapse32;
    } else {
      return w.synapse;
    }
  }();
  if (synapse_lanes.size() != static_cast<std::size_t>(n)) synapse_lanes.resize(static_cast<std::size_t>(n));
  T* synapse = synapse_lanes.data();
  const std::int32_t* bias = kInt32 ? bias32_.data() : tensors_.b_rec.data();
  // half_up in int32 lanes: the 2^(r-1) of round_right goes into S with the bias (bias32_).
  const UniformShift<T> to_current = uniform_shift<T>(fs - s.current.frac_bits + prescale);
  // The recurrent events first, in int16 lanes when their sums fit (events16_).
  const std::int16_t* events16 = nullptr;
  if (events16_ && !state.spiking.empty()) {
    if (w.events16.size() != static_cast<std::size_t>(n)) w.events16.resize(static_cast<std::size_t>(n));
    with_rows(w_rec_by_source_, [&](const auto* rows, Eigen::Index stride) {
      if constexpr (sizeof(*rows) < 4) {
        add_events16(w.events16.data(), rows, stride, state.spiking.data(), state.spiking.size(), n);
      }
    });
    events16 = w.events16.data();
  }
  // The inputs that add something: X_k ≠ 0 (for spike encodings, the events).
  w.input_events.clear();
  for (Eigen::Index k = 0; k < n_in; ++k) {
    if (x[k] != 0) w.input_events.push_back(k);
  }
  const T* synapse_in = synapse;  // the S the units read
  bool bias_only = false;
  if constexpr (kInt32) {  // nothing to add: S is the bias, whose int32 form is bias32_
    bias_only = events16 == nullptr && state.spiking.empty() && w.input_events.empty();
    if (bias_only) synapse_in = bias32_.data();
  }
  if (!bias_only) {
    if (spike_input) {
      sum_current_input<T, std::int32_t>(synapse, bias, shift_bias_ + prescale, events16, shift_rec_ + prescale,
                                         nullptr, 0, nullptr, 0, nullptr, 0, n);
      with_rows(w_in_by_source_, [&](const auto* rows, Eigen::Index stride) {
        add_events(synapse, rows, stride, w.input_events.data(), w.input_events.size(), shift_in_ + prescale, n);
      });
    } else {
      with_rows(w_in_by_source_, [&](const auto* rows, Eigen::Index stride) {
        sum_current_input(synapse, bias, shift_bias_ + prescale, events16, shift_rec_ + prescale, rows, stride,
                          w.input_events.data(), w.input_events.size(), x, shift_in_ + prescale, n);
      });
    }
    if (events16 == nullptr && !state.spiking.empty()) {
      with_rows(w_rec_by_source_, [&](const auto* rows, Eigen::Index stride) {
        add_events(synapse, rows, stride, state.spiking.data(), state.spiking.size(), shift_rec_ + prescale, n);
      });
    }
  }
  if (spike_input) {
    counts.synaptic_events += n * static_cast<Eigen::Index>(w.input_events.size());
  } else {
    counts.input_macs += n * n_in;
  }
  counts.synaptic_events += n * static_cast<Eigen::Index>(state.spiking.size());

  // The units: one pass, no branch.
  UnitConstants<T> k;
  k.to_current = to_current;
  k.to_membrane = uniform_shift<T>(s.current.frac_bits - s.membrane.frac_bits);
  k.by_multiplier = uniform_shift<T>(s.decay.multiplier_bits);
  k.fit_current = fit_bounds<T>(s.current);
  k.fit_membrane = fit_bounds<T>(s.membrane);
  k.theta = static_cast<T>(s.threshold);
  k.theta_below = kInt32 ? static_cast<T>(k.theta - 1) : k.theta;
  const bool subtract = c.reset == models::ResetMode::kSubtract;
  k.keep_on_reset = subtract ? T{-1} : T{0};
  k.subtracted = subtract ? k.theta : T{0};
  k.refractory_steps = c.refractory_steps;
  k.alpha = tensors_.alpha_syn.data();
  k.beta = tensors_.beta.data();
  k.alpha_lanes = {alpha_lanes32_.shift.data(), alpha_lanes32_.mask.data(), alpha_lanes32_.half.data(),
                   alpha_lanes32_.up.data()};
  k.beta_lanes = {beta_lanes32_.shift.data(), beta_lanes32_.mask.data(), beta_lanes32_.half.data(),
                  beta_lanes32_.up.data()};
  T spike_count = 0;
  // int32 lanes only (the int64 lanes keep one general loop): no refractory
  // unit; and then the common subtract reset with F_I ≥ F_v, one select and
  // one shift fewer per vector.
  if (kInt32 && all_ready && subtract && s.current.frac_bits >= s.membrane.frac_bits) {
    state.overflow.events += update_units<T, R, D, O, true, true>(k, n, synapse_in, state.current.data(),
                                                                  state.membrane.data(), state.refractory.data(),
                                                                  state.spikes.data(), spike_count);
  } else if (kInt32 && all_ready) {
    state.overflow.events += update_units<T, R, D, O, true>(k, n, synapse_in, state.current.data(),
                                                            state.membrane.data(), state.refractory.data(),
                                                            state.spikes.data(), spike_count);
  } else {
    state.overflow.events += update_units<T, R, D, O, false>(k, n, synapse_in, state.current.data(),
                                                             state.membrane.data(), state.refractory.data(),
                                                             state.spikes.data(), spike_count);
  }
  counts.decays += 2 * n + n_out;

  // The event list of this step's spikes (unit order, within the capacity
  // initial_state() reserved) and, in the same sweep, the readout's sums of
  // W_out codes over them for up to four outputs.
  state.spiking.resize(static_cast<std::size_t>(spike_count));
  std::array<const std::int32_t*, 4> w_out{};
  std::array<std::int64_t, 4> out_sum{};
  for (Eigen::Index m = 0; m < std::min<Eigen::Index>(4, n_out); ++m) {
    w_out[static_cast<std::size_t>(m)] = tensors_.w_out.row(m).data();
  }
  if (spike_count > 0) {
    const auto scan = [&](auto outputs) {
      const std::size_t words = static_cast<std::size_t>((n + 63) / 64 + 1);
      if (w.words.size() < words) w.words.resize(words);
      if (w.word_base.size() < words) w.word_base.resize(words);
      scan_spikes<decltype(outputs)::value>(state.spikes.data(), n, state.spiking.size(), w.words.data(),
                                            w.word_base.data(), state.spiking.data(), w_out, out_sum);
    };
    switch (std::min<Eigen::Index>(4, n_out)) {
      case 1:
        scan(std::integral_constant<int, 1>{});
        break;
      case 2:
        scan(std::integral_constant<int, 2>{});
        break;
      case 3:
        scan(std::integral_constant<int, 3>{});
        break;
      case 4:
        scan(std::integral_constant<int, 4>{});
        break;
      default:
        scan(std::integral_constant<int, 0>{});
    }
    // The next step reads the fan-out rows of these units: fetch them now.
    with_rows(w_rec_by_source_, [&](const auto* rows, Eigen::Index stride) {
      constexpr Eigen::Index kLine = 64 / sizeof(*rows);  // elements per 64-byte cache line
      for (const Eigen::Index j : state.spiking) {
        for (Eigen::Index i = 0; i < n; i += kLine) __builtin_prefetch(rows + j * stride + i);
      }
    });
  }
  counts.spikes += static_cast<std::int64_t>(state.spiking.size());

  // The readout (int64): o_m = b_out_m·2^sbo + (Σ_{j spiked} W_out[m,j])·2^so.
  const int fo = s.output_frac();
  for (Eigen::Index m = 0; m < n_out; ++m) {
    std::int64_t codes = 0;
    if (m < 4) {
      codes = out_sum[static_cast<std::size_t>(m)];
    } else {
      const std::int32_t* row = tensors_.w_out.row(m).data();
      for (const Eigen::Index j : state.spiking) codes += row[j];
    }
    const std::int64_t o = (static_cast<std::int64_t>(tensors_.b_out(m)) << shift_out_bias_) + (codes << shift_out_);
    const std::int64_t y = apply_decay(state.output(m), tensors_.kappa, s.decay, R) +
                           shift_round(o, fo - s.output.frac_bits, R);
    state.output(m) = static_cast<std::int32_t>(fit(y, s.output.total_bits, O, &state.overflow));
  }
  counts.synaptic_events += static_cast<std::int64_t>(state.spiking.size()) * n_out;
}

}  // namespace nf::quantize
