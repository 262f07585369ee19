#include "neurofab/quantize/integer_lif_rnn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "neurofab/common/error.hpp"

namespace nf::quantize {

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
  w_rec_by_source_ = tensors_.w_rec.transpose();
  w_out_by_source_ = tensors_.w_out.transpose();
  w_in_by_source_ = tensors_.w_in.transpose();
}

IntegerLifRnn::State IntegerLifRnn::initial_state() const {
  const int n = config_.n_rec;
  State s{IntVector::Zero(n), IntVector::Zero(n), IntVector::Zero(n), IntVector::Zero(n),
          IntVector::Zero(config_.n_out), {}, {}, {}};
  s.spiking.reserve(static_cast<std::size_t>(n));
  return s;
}

void IntegerLifRnn::step(const std::int32_t* x, State& state, LifStepCounts* counts) const {
  const auto& s = spec_;
  const auto& c = config_;
  const Eigen::Index n = c.n_rec, n_in = c.n_in_encoded(), n_out = c.n_out;
  const bool spike_input = c.encoding != models::InputEncoding::kCurrent;
  const int fs = s.synapse_frac(spike_input);
  LifStepCounts local;

  // Synaptic input S (int64, fraction F_s): bias, input, then the rows of the
  // units that spiked last step.
  auto& synapse = state.synapse;
  synapse = tensors_.b_rec.cast<std::int64_t>() * (std::int64_t{1} << shift_bias_);
  if (spike_input) {
    for (Eigen::Index k = 0; k < n_in; ++k) {
      if (x[k] == 0) continue;
      synapse += w_in_by_source_.row(k).transpose().cast<std::int64_t>() * (std::int64_t{1} << shift_in_);
      local.synaptic_events += n;
    }
  } else {
    for (Eigen::Index i = 0; i < n; ++i) {
      std::int64_t sum = 0;
      for (Eigen::Index k = 0; k < n_in; ++k) sum += static_cast<std::int64_t>(tensors_.w_in(i, k)) * x[k];
      synapse(i) += sum * (std::int64_t{1} << shift_in_);
    }
    local.input_macs += n * n_in;
  }
  for (const Eigen::Index j : state.spiking) {
    synapse += w_rec_by_source_.row(j).transpose().cast<std::int64_t>() * (std::int64_t{1} << shift_rec_);
    local.synaptic_events += n;
  }

  state.spiking.clear();
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::int64_t current =
        fit(apply_decay(state.current(i), tensors_.alpha_syn(i), s.decay, s.rounding) +
                shift_round(synapse(i), fs - s.current.frac_bits, s.rounding),
            s.current.total_bits, s.overflow, &state.overflow);
    state.current(i) = static_cast<std::int32_t>(current);
    std::int64_t membrane = state.membrane(i);
    bool spike = false;
    if (state.refractory(i) > 0) {
      state.refractory(i) -= 1;
    } else {
      membrane = fit(apply_decay(membrane, tensors_.beta(i), s.decay, s.rounding) +
                         shift_round(current, s.current.frac_bits - s.membrane.frac_bits, s.rounding),
                     s.membrane.total_bits, s.overflow, &state.overflow);
      spike = membrane >= s.threshold;
      state.refractory(i) = spike ? c.refractory_steps : 0;
    }
    if (spike) {
      membrane = c.reset == models::ResetMode::kSubtract
                     ? fit(membrane - s.threshold, s.membrane.total_bits, s.overflow, &state.overflow)
                     : 0;
      state.spiking.push_back(i);
    }
    state.membrane(i) = static_cast<std::int32_t>(membrane);
    state.spikes(i) = spike ? 1 : 0;
  }
  local.decays += 2 * n + n_out;
  local.spikes = static_cast<std::int64_t>(state.spiking.size());

  const int fo = s.output_frac();
  for (Eigen::Index m = 0; m < n_out; ++m) {
    std::int64_t sum = static_cast<std::int64_t>(tensors_.b_out(m)) << shift_out_bias_;
    for (const Eigen::Index j : state.spiking) sum += static_cast<std::int64_t>(w_out_by_source_(j, m)) << shift_out_;
    const std::int64_t y = apply_decay(state.output(m), tensors_.kappa, s.decay, s.rounding) +
                           shift_round(sum, fo - s.output.frac_bits, s.rounding);
    state.output(m) = static_cast<std::int32_t>(fit(y, s.output.total_bits, s.overflow, &state.overflow));
  }
  local.synaptic_events += local.spikes * n_out;
  if (counts != nullptr) {
    counts->input_macs += local.input_macs;
    counts->synaptic_events += local.synaptic_events;
    counts->decays += local.decays;
    counts->spikes += local.spikes;
  }
}

}  // namespace nf::quantize
