#include "neurofab/quantize/integer_rate_rnn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "neurofab/common/error.hpp"

namespace nf::quantize {
namespace {

// Σ_j row[j] · v[j] in int64: the inner loop of every integer MAC (the reference path).
inline std::int64_t dot(const std::int32_t* row, const std::int32_t* v, Eigen::Index n) {
  std::int64_t sum = 0;
  for (Eigen::Index j = 0; j < n; ++j) sum += static_cast<std::int64_t>(row[j]) * v[j];
  return sum;
}

// The fast path of the recurrent and readout MACs: int16 codes, int32 sum.
//
// Why it is exact. The caller (narrow_operand below) only takes it when every
// code of the weight row and of v fits int16 and
//     max_j |v_j| · Σ_j |row[j]|  ≤  2^31 - 1.
// Each product |row[j] · v[j]| ≤ 2^15 · 2^15 = 2^30 fits int32, and every partial
// sum — in any order and grouping, including the pairwise sums of a vectorised
// loop (e.g. vpmaddwd / vpdpwssd) — is a sum of a subset of the terms, so its
// magnitude is at most Σ_j |row[j]| |v_j| ≤ 2^31 - 1. No int32 intermediate can
// overflow, and the result equals the exact int64 sum of dot(). Zero padding
// (row and v both 0 past n) adds 0.
// For the quantizer's presets this always holds at N = 256: 8-bit weights give
// Σ|row| ≤ 256 · 2^7 = 2^15 and 16-bit states |v| ≤ 2^15, a bound of 2^30.
// Otherwise (wider codes, or a state that would break the bound) step() uses dot().
inline std::int32_t dot16(const std::int16_t* row, const std::int16_t* v, Eigen::Index n) {
  std::int32_t sum = 0;
  for (Eigen::Index j = 0; j < n; ++j) sum += static_cast<std::int32_t>(row[j]) * static_cast<std::int32_t>(v[j]);
  return sum;
}

// dot16 of four rows at once (rows row, row + stride, ...): four independent
// sums share the loads of v, so the multiply-add chains overlap. Each sum is the
// dot16 of its row, exact under the same bound.
inline void dot16x4(const std::int16_t* row, Eigen::Index stride, const std::int16_t* v,
                    Eigen::Index n, std::int64_t* out) {
  const std::int16_t* r0 = row;
  const std::int16_t* r1 = row + stride;
  const std::int16_t* r2 = row + 2 * stride;
  const std::int16_t* r3 = row + 3 * stride;
  std::int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    const std::int32_t vj = v[j];
    s0 += static_cast<std::int32_t>(r0[j]) * vj;
    s1 += static_cast<std::int32_t>(r1[j]) * vj;
    s2 += static_cast<std::int32_t>(r2[j]) * vj;
    s3 += static_cast<std::int32_t>(r3[j]) * vj;
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

// Rows padded to a multiple of 32 int16 (64 bytes): the MAC loop has no remainder.
constexpr Eigen::Index kPad = 32;
constexpr std::int32_t kInt16Min = std::numeric_limits<std::int16_t>::min();
constexpr std::int32_t kInt16Max = std::numeric_limits<std::int16_t>::max();
Eigen::Index padded(Eigen::Index n) { return (n + kPad - 1) / kPad * kPad; }

using Int16Matrix = Eigen::Matrix<std::int16_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Int16Vector = Eigen::Matrix<std::int16_t, Eigen::Dynamic, 1>;

// W as int16 rows of padded length, or empty when some code needs more than 16 bits.
Int16Matrix narrow_weights(const IntMatrix& w, std::int64_t& row_abs_max) {
  row_abs_max = 0;
  for (Eigen::Index i = 0; i < w.rows(); ++i) {
    std::int64_t row_abs = 0;
    for (Eigen::Index j = 0; j < w.cols(); ++j) {
      const std::int32_t code = w(i, j);
      if (code < kInt16Min || code > kInt16Max) return {};
      row_abs += code < 0 ? -std::int64_t{code} : std::int64_t{code};
    }
    row_abs_max = std::max(row_abs_max, row_abs);
  }
  Int16Matrix narrow = Int16Matrix::Zero(w.rows(), padded(w.cols()));
  narrow.leftCols(w.cols()) = w.cast<std::int16_t>();
  return narrow;
}

// v (n codes) as int16 into v16 (padded, zero tail) when dot16 over rows whose
// Σ|W| ≤ row_abs_max is exact for it (see dot16); false otherwise.
bool narrow_operand(const std::int32_t* v, Eigen::Index n, std::int64_t row_abs_max, Int16Vector& v16) {
  std::int32_t low = 0, high = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    low = std::min(low, v[j]);
    high = std::max(high, v[j]);
  }
  if (low < kInt16Min || high > kInt16Max) return false;
  // max_abs ≤ 2^15 and row_abs_max ≤ N · 2^15: the product cannot overflow int64.
  const std::int64_t max_abs = std::max(-std::int64_t{low}, std::int64_t{high});
  if (max_abs * row_abs_max > std::numeric_limits<std::int32_t>::max()) return false;
  const Eigen::Index n_pad = padded(n);
  if (v16.size() < n_pad) v16.resize(n_pad);
  std::int16_t* out = v16.data();
  for (Eigen::Index j = 0; j < n; ++j) out[j] = static_cast<std::int16_t>(v[j]);
  for (Eigen::Index j = n; j < n_pad; ++j) out[j] = 0;
  return true;
}


// φ_q with its constants hoisted out of the unit loop and the rounding mode a
// template parameter (so shift_round's switch folds away). activate() and
// step() both evaluate φ_q through this one definition.
enum class Phi { kRelu, kTable, kPiecewiseLinear };

struct PhiParams {
  int fa;       // F_a
  int shift;    // table: F_a - k; piecewise linear: F_a - k - R
  int interpolation_bits;
  std::int64_t size, offset;  // 2^L, 2^(L-1)
  const std::int32_t* entries;
  FixedFormat state;
  Overflow overflow;
};

PhiParams phi_params(const RateRnnFixedPoint& s) {
  const auto& t = s.activation;
  const int fa = s.accumulator_frac();
  PhiParams p{fa, 0, t.interpolation_bits, 0, 0, t.entries.data(), s.state, s.overflow};
  if (t.function == models::Activation::kTanh) {
    p.size = std::int64_t{1} << t.index_bits;
    p.offset = p.size / 2;
    p.shift = t.piecewise_linear ? fa - t.input_frac_bits - t.interpolation_bits : fa - t.input_frac_bits;
  }
  return p;
}

Phi phi_kind(const RateRnnFixedPoint& s) {
  if (s.activation.function == models::Activation::kRelu) return Phi::kRelu;
  return s.activation.piecewise_linear ? Phi::kPiecewiseLinear : Phi::kTable;
}

template <Phi K, Rounding R>
inline std::int32_t phi(std::int64_t a, const PhiParams& p) {
  if constexpr (K == Phi::kRelu) {
    const std::int64_t q = requantize(a, p.fa, p.state, R, p.overflow);
    return static_cast<std::int32_t>(std::max<std::int64_t>(q, 0));
  } else if constexpr (K == Phi::kTable) {
    const std::int64_t j = std::clamp<std::int64_t>(shift_round(a, p.shift, R) + p.offset, 0, p.size - 1);
    return p.entries[j];
  } else {
    const std::int64_t z = shift_round(a, p.shift, Rounding::kFloor);
    const std::int64_t j = (z >> p.interpolation_bits) + p.offset;
    if (j < 0) return p.entries[0];
    if (j >= p.size) return p.entries[p.size];  // the last of the 2^L + 1 breakpoints
    const std::int64_t f = z & ((std::int64_t{1} << p.interpolation_bits) - 1);
    const std::int64_t low = p.entries[j];
    const std::int64_t high = p.entries[j + 1];
    return static_cast<std::int32_t>(low + shift_round((high - low) * f, p.interpolation_bits, R));
  }
}

// Calls f(integral_constant<Phi, K>, integral_constant<Rounding, R>) for the runtime K, R.
template <Phi K, typename F>
decltype(auto) with_rounding(Rounding r, F&& f) {
  using PK = std::integral_constant<Phi, K>;
  switch (r) {
    case Rounding::kFloor:
      return f(PK{}, std::integral_constant<Rounding, Rounding::kFloor>{});
    case Rounding::kHalfUp:
      return f(PK{}, std::integral_constant<Rounding, Rounding::kHalfUp>{});
    case Rounding::kConvergent:
      break;
  }
  return f(PK{}, std::integral_constant<Rounding, Rounding::kConvergent>{});
}
template <typename F>
decltype(auto) with_phi(Phi k, Rounding r, F&& f) {
  switch (k) {
    case Phi::kRelu:
      return with_rounding<Phi::kRelu>(r, f);
    case Phi::kTable:
      return with_rounding<Phi::kTable>(r, f);
    case Phi::kPiecewiseLinear:
      break;
  }
  return with_rounding<Phi::kPiecewiseLinear>(r, f);
}

// The unit update of a step: p = φ_q(a), h ← fit_h(shift_round((2^D - α_q) h + α_q p, D, r)).
// Two passes (the leak into `leaked`, then fit_h), each simple enough for the
// compiler to vectorise.
template <Phi K, Rounding R>
void update_units(const std::int64_t* a, const std::int32_t* h, std::int64_t* leaked,
                  std::int32_t* next, Eigen::Index n, const PhiParams& p, int leak_bits, std::int64_t alpha,
                  OverflowCount* overflow) {
  const std::int64_t keep = (std::int64_t{1} << leak_bits) - alpha;  // 2^D - α_q
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::int64_t mixed = keep * h[i] + alpha * std::int64_t{phi<K, R>(a[i], p)};
    leaked[i] = shift_round(mixed, leak_bits, R);
  }
  // fit_h, counting: fit changes exactly the values it counts (out of range).
  const int state_bits = p.state.total_bits;
  std::int64_t events = 0;
  if (p.overflow == Overflow::kSaturate) {
    // fit(x, W, saturate) is the clamp to [min_code, max_code], written so it vectorises.
    const std::int64_t low = p.state.min_code(), high = p.state.max_code();
    for (Eigen::Index i = 0; i < n; ++i) {
      const std::int64_t fitted = std::clamp(leaked[i], low, high);
      events += fitted != leaked[i] ? 1 : 0;
      next[i] = static_cast<std::int32_t>(fitted);
    }
  } else {
    for (Eigen::Index i = 0; i < n; ++i) {
      const std::int64_t fitted = fit(leaked[i], state_bits, p.overflow);
      events += fitted != leaked[i] ? 1 : 0;
      next[i] = static_cast<std::int32_t>(fitted);
    }
  }
  overflow->events += events;
}

}  // namespace

int RateRnnFixedPoint::accumulator_frac() const {
  return std::max({w_in.frac_bits + input.frac_bits, w_rec.frac_bits + state.frac_bits, b_rec.frac_bits});
}

int RateRnnFixedPoint::output_frac() const { return std::max(w_out.frac_bits + state.frac_bits, b_out.frac_bits); }

std::vector<std::int32_t> make_activation_table(const ActivationTable& table, const FixedFormat& state,
                                                Rounding rounding) {
  if (table.function != models::Activation::kTanh) return {};
  const std::int64_t size = (std::int64_t{1} << table.index_bits) + (table.piecewise_linear ? 1 : 0);
  const std::int64_t offset = std::int64_t{1} << (table.index_bits - 1);
  std::vector<std::int32_t> entries(static_cast<std::size_t>(size));
  for (std::int64_t j = 0; j < size; ++j) {
    const double x = std::ldexp(static_cast<double>(j - offset), -table.input_frac_bits);
    entries[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(quantize_real(std::tanh(x), state, rounding));
  }
  return entries;
}

IntegerRateRnn::IntegerRateRnn(models::RateRnnConfig config, RateRnnFixedPoint spec, IntegerRateRnnTensors tensors)
    : config_(std::move(config)), spec_(std::move(spec)), tensors_(std::move(tensors)) {
  const auto& c = config_;
  const auto check = [](const char* name, Eigen::Index rows, Eigen::Index cols, int want_rows, int want_cols) {
    if (rows != want_rows || cols != want_cols) {
      throw InputError(fmt::format("integer tensor '{}' has shape [{}, {}], the model needs [{}, {}]", name, rows,
                                   cols, want_rows, want_cols));
    }
  };
  check("W_in", tensors_.w_in.rows(), tensors_.w_in.cols(), c.n_rec, c.n_in);
  check("W_rec", tensors_.w_rec.rows(), tensors_.w_rec.cols(), c.n_rec, c.n_rec);
  check("b_rec", tensors_.b_rec.rows(), 1, c.n_rec, 1);
  check("W_out", tensors_.w_out.rows(), tensors_.w_out.cols(), c.n_out, c.n_rec);
  check("b_out", tensors_.b_out.rows(), 1, c.n_out, 1);
  const auto& s = spec_;
  if (s.activation.function == models::Activation::kTanh) {
    const std::size_t want = (std::size_t{1} << s.activation.index_bits) + (s.activation.piecewise_linear ? 1 : 0);
    if (s.activation.entries.size() != want) {
      throw InputError(fmt::format("activation table has {} entries, index_bits = {} needs {}",
                                   s.activation.entries.size(), s.activation.index_bits, want));
    }
  }
  if (s.leak_multiplier < 1 || s.leak_multiplier > (std::int64_t{1} << s.leak_bits)) {
    throw InputError(fmt::format("leak multiplier {} is outside [1, 2^{}]", s.leak_multiplier, s.leak_bits));
  }
  const int fa = s.accumulator_frac(), fo = s.output_frac();
  shift_in_ = fa - s.w_in.frac_bits - s.input.frac_bits;
  shift_rec_ = fa - s.w_rec.frac_bits - s.state.frac_bits;
  shift_bias_ = fa - s.b_rec.frac_bits;
  shift_out_ = fo - s.w_out.frac_bits - s.state.frac_bits;
  shift_out_bias_ = fo - s.b_out.frac_bits;
  w_in_by_source_ = tensors_.w_in.transpose();
  w_rec16_ = narrow_weights(tensors_.w_rec, w_rec_row_abs_);
  w_out16_ = narrow_weights(tensors_.w_out, w_out_row_abs_);
}

IntegerRateRnn::State IntegerRateRnn::initial_state() const {
  return {IntVector::Zero(config_.n_rec), {}, IntVector::Zero(config_.n_rec), {}, {}, {}};
}

std::int32_t IntegerRateRnn::activate(std::int64_t a) const {
  const PhiParams p = phi_params(spec_);
  return with_phi(phi_kind(spec_), spec_.rounding, [&](auto k, auto r) { return phi<k.value, r.value>(a, p); });
}

void IntegerRateRnn::step(const std::int32_t* x, State& state, std::int32_t* y, std::int64_t* pre_activation) const {
  const auto& s = spec_;
  const Eigen::Index n = config_.n_rec, n_in = config_.n_in, n_out = config_.n_out;
  state.input_sums.assign(static_cast<std::size_t>(n), 0);
  state.accumulators.resize(static_cast<std::size_t>(n));
  std::int64_t* input = state.input_sums.data();
  std::int64_t* a = pre_activation != nullptr ? pre_activation : state.accumulators.data();
  const std::int32_t* h = state.h.data();

  // a_i = Σ_k W_in[i,k] x_k · 2^shift_in + Σ_j W_rec[i,j] h_j · 2^shift_rec + b_i · 2^shift_bias,
  // each sum exact. The input MACs run along units, one input at a time (n_in is small).
  for (Eigen::Index k = 0; k < n_in; ++k) {
    const std::int32_t* column = w_in_by_source_.row(k).data();
    const std::int64_t xk = x[k];
    for (Eigen::Index i = 0; i < n; ++i) input[i] += column[i] * xk;
  }
  if (w_rec16_.size() > 0 && narrow_operand(h, n, w_rec_row_abs_, state.h16)) {
    const Eigen::Index stride = w_rec16_.cols();
    Eigen::Index i = 0;
    for (; i + 4 <= n; i += 4) dot16x4(w_rec16_.row(i).data(), stride, state.h16.data(), stride, a + i);
    for (; i < n; ++i) a[i] = dot16(w_rec16_.row(i).data(), state.h16.data(), stride);
  } else {
    for (Eigen::Index i = 0; i < n; ++i) a[i] = dot(tensors_.w_rec.row(i).data(), h, n);
  }
  const std::int32_t* b = tensors_.b_rec.data();
  for (Eigen::Index i = 0; i < n; ++i) {
    a[i] = (input[i] << shift_in_) + (a[i] << shift_rec_) + (static_cast<std::int64_t>(b[i]) << shift_bias_);
  }

  // The new state is computed from the old one for every unit before any is written.
  IntVector& next = state.next;
  next.resize(n);
  const PhiParams p = phi_params(s);
  with_phi(phi_kind(s), s.rounding, [&](auto k, auto r) {
    update_units<k.value, r.value>(a, h, input, next.data(), n, p, s.leak_bits, s.leak_multiplier, &state.overflow);
  });
  state.h.swap(next);

  const int fo = s.output_frac();
  const std::int32_t* h_new = state.h.data();
  const bool narrow_out = w_out16_.size() > 0 && narrow_operand(h_new, n, w_out_row_abs_, state.h16);
  for (Eigen::Index m = 0; m < n_out; ++m) {
    const std::int64_t sum = narrow_out ? dot16(w_out16_.row(m).data(), state.h16.data(), w_out16_.cols())
                                        : dot(tensors_.w_out.row(m).data(), h_new, n);
    const std::int64_t o = (sum << shift_out_) + (static_cast<std::int64_t>(tensors_.b_out(m)) << shift_out_bias_);
    y[m] = static_cast<std::int32_t>(requantize(o, fo, s.output, s.rounding, s.overflow, &state.overflow));
  }
}

RateStepCounts IntegerRateRnn::counts_per_step() const {
  const std::int64_t n = config_.n_rec;
  RateStepCounts c;
  c.macs = n * (config_.n_in + n) + config_.n_out * n;
  c.table_lookups = spec_.activation.function == models::Activation::kTanh ? n : 0;
  return c;
}

}  // namespace nf::quantize
