#include "neurofab/quantize/integer_rate_rnn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "neurofab/common/error.hpp"

namespace nf::quantize {
namespace {

// Σ_j row[j] · v[j] in int64: the inner loop of every integer MAC.
inline std::int64_t dot(const std::int32_t* row, const std::int32_t* v, Eigen::Index n) {
  std::int64_t sum = 0;
  for (Eigen::Index j = 0; j < n; ++j) sum += static_cast<std::int64_t>(row[j]) * v[j];
  return sum;
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
}

IntegerRateRnn::State IntegerRateRnn::initial_state() const {
  return {IntVector::Zero(config_.n_rec), {}, IntVector::Zero(config_.n_rec)};
}

std::int32_t IntegerRateRnn::activate(std::int64_t a) const {
  const auto& s = spec_;
  const int fa = s.accumulator_frac();
  if (s.activation.function == models::Activation::kRelu) {
    const std::int64_t p = requantize(a, fa, s.state, s.rounding, s.overflow);
    return static_cast<std::int32_t>(std::max<std::int64_t>(p, 0));
  }
  const auto& t = s.activation;
  const std::int64_t size = std::int64_t{1} << t.index_bits;
  const std::int64_t offset = size / 2;
  if (!t.piecewise_linear) {
    const std::int64_t j = std::clamp<std::int64_t>(shift_round(a, fa - t.input_frac_bits, s.rounding) + offset, 0, size - 1);
    return t.entries[static_cast<std::size_t>(j)];
  }
  const std::int64_t z = shift_round(a, fa - t.input_frac_bits - t.interpolation_bits, Rounding::kFloor);
  const std::int64_t j = (z >> t.interpolation_bits) + offset;
  if (j < 0) return t.entries.front();
  if (j >= size) return t.entries.back();
  const std::int64_t f = z & ((std::int64_t{1} << t.interpolation_bits) - 1);
  const std::int64_t low = t.entries[static_cast<std::size_t>(j)];
  const std::int64_t high = t.entries[static_cast<std::size_t>(j + 1)];
  return static_cast<std::int32_t>(low + shift_round((high - low) * f, t.interpolation_bits, s.rounding));
}

void IntegerRateRnn::step(const std::int32_t* x, State& state, std::int32_t* y, std::int64_t* pre_activation) const {
  const auto& s = spec_;
  const Eigen::Index n = config_.n_rec, n_in = config_.n_in, n_out = config_.n_out;
  const std::int64_t d = std::int64_t{1} << s.leak_bits;
  const std::int64_t alpha = s.leak_multiplier;
  // The new state is computed from the old one for every unit before any is written.
  IntVector& next = state.next;
  next.resize(n);
  const std::int32_t* h = state.h.data();
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::int64_t a = (dot(tensors_.w_in.row(i).data(), x, n_in) << shift_in_) +
                           (dot(tensors_.w_rec.row(i).data(), h, n) << shift_rec_) +
                           (static_cast<std::int64_t>(tensors_.b_rec(i)) << shift_bias_);
    if (pre_activation != nullptr) pre_activation[i] = a;
    const std::int64_t p = activate(a);
    const std::int64_t mixed = (d - alpha) * h[i] + alpha * p;
    next(i) = static_cast<std::int32_t>(
        fit(shift_round(mixed, s.leak_bits, s.rounding), s.state.total_bits, s.overflow, &state.overflow));
  }
  state.h.swap(next);
  const int fo = s.output_frac();
  for (Eigen::Index m = 0; m < n_out; ++m) {
    const std::int64_t o = (dot(tensors_.w_out.row(m).data(), state.h.data(), n) << shift_out_) +
                           (static_cast<std::int64_t>(tensors_.b_out(m)) << shift_out_bias_);
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
