#include "neurofab/quantize/quantizer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "neurofab/common/error.hpp"
#include "neurofab/models/training.hpp"

namespace nf::quantize {
namespace {

// The calibrated magnitude of a signal: max |x|, or the p-th percentile of |x|.
template <typename Matrix>
double signal_range(const Matrix& values, const QuantizeOptions& o) {
  if (values.size() == 0) return 0.0;
  if (o.calibration == Calibration::kMaxAbs) return static_cast<double>(values.cwiseAbs().maxCoeff());
  std::vector<double> magnitudes(static_cast<std::size_t>(values.size()));
  for (Eigen::Index k = 0; k < values.size(); ++k) magnitudes[static_cast<std::size_t>(k)] = std::abs(values.data()[k]);
  const auto rank = static_cast<std::size_t>(
      std::ceil(o.percentile / 100.0 * static_cast<double>(magnitudes.size())) - 1);
  const std::size_t index = std::min(rank, magnitudes.size() - 1);
  std::nth_element(magnitudes.begin(), magnitudes.begin() + static_cast<std::ptrdiff_t>(index), magnitudes.end());
  return magnitudes[index];
}

double max_abs(const Eigen::MatrixXf& m) { return m.size() ? static_cast<double>(m.cwiseAbs().maxCoeff()) : 0.0; }

// The format of `name`: the override, or `bits` wide around the calibrated range.
FixedFormat choose_format(const std::string& name, double range, int bits, const QuantizeOptions& o,
                          CalibrationRanges& ranges) {
  ranges[name] = range;
  if (const auto it = o.overrides.find(name); it != o.overrides.end()) return it->second;
  return {bits, frac_bits_for_range(range, bits)};
}

IntMatrix quantize_tensor(const Eigen::MatrixXf& m, const FixedFormat& format, Rounding rounding) {
  IntMatrix q(m.rows(), m.cols());
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      q(i, j) = static_cast<std::int32_t>(quantize_real(m(i, j), format, rounding));
  return q;
}
IntVector quantize_vector(const Eigen::MatrixXf& m, const FixedFormat& f, Rounding r) {
  return quantize_tensor(m, f, r).col(0);
}


// max_i Σ_j |W_ij| · max|v_j| · 2^shift, in double (exact enough for a width bound).
double row_bound(const IntMatrix& w, double max_input_code, int shift) {
  double worst = 0;
  for (Eigen::Index i = 0; i < w.rows(); ++i) {
    worst = std::max(worst, w.row(i).cast<double>().cwiseAbs().sum() * max_input_code);
  }
  return std::ldexp(worst, shift);
}

void check_accumulator(int bits, const char* what) {
  if (bits > 62) {
    throw InputError(fmt::format("the {} accumulator would need {} bits (more than 62): use fewer fractional bits "
                                 "or narrower formats",
                                 what, bits));
  }
}

template <typename Network>
models::RecordedTrials<Network> calibration_trials(const Network& network, const models::TrainedArtifact<Network>& a,
                                                   const QuantizeOptions& o) {
  const auto task = models::make_task(a.task_name, a.task_params);
  return models::record_trials(network, *task, o.calibration_trials, o.calibration_seed ? o.calibration_seed : a.seed);
}

}  // namespace

int bits_for_magnitude(double bound) { return static_cast<int>(std::ceil(std::log2(bound + 1.0))) + 1; }

std::string to_string(Calibration calibration) {
  return calibration == Calibration::kMaxAbs ? "max_abs" : "percentile";
}

Calibration calibration_from_string(const std::string& name) {
  if (name == "max_abs") return Calibration::kMaxAbs;
  if (name == "percentile") return Calibration::kPercentile;
  throw InputError(fmt::format("unknown calibration '{}' (expected max_abs or percentile)", name));
}

void QuantizeOptions::validate() const {
  const auto bits = [](int b, const char* name) {
    if (b < 2 || b > 32) throw InputError(fmt::format("{} = {} is outside [2, 32]", name, b));
  };
  bits(weight_bits, "weight bits");
  bits(state_bits, "state bits");
  bits(input_bits, "input bits");
  if (!(percentile > 0 && percentile <= 100)) {
    throw InputError(fmt::format("percentile = {} is outside (0, 100]", percentile));
  }
  if (calibration_trials < 1) throw InputError("calibration trials must be >= 1");
  if (table_index_bits < 2 || table_index_bits > 20) throw InputError("table index bits must be in [2, 20]");
  if (interpolation_bits < 0 || interpolation_bits > 16) throw InputError("interpolation bits must be in [0, 16]");
  if (leak_bits < 1 || leak_bits > 30) throw InputError("leak bits must be in [1, 30]");
  if (decay.multiplier_bits < 1 || decay.multiplier_bits > 30) throw InputError("decay multiplier bits must be in [1, 30]");
  const std::vector<std::string> names = {"input",  "W_in",   "W_rec", "b_rec",   "W_out",
                                          "b_out",  "output", "state", "current", "membrane"};
  for (const auto& [name, format] : overrides) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw InputError(fmt::format("unknown format name '{}' (names: {})", name, fmt::join(names, ", ")));
    }
    format.validate(fmt::format("format '{}'", name));
  }
}

int frac_bits_for_range(double range, int bits) {
  if (!(range > 0) || !std::isfinite(range)) return bits - 1;
  const int f = bits - 2 - static_cast<int>(std::floor(std::log2(range)));
  return std::clamp(f, -32, bits);
}

QuantizedRate quantize_rate(const models::RateRnnArtifact& artifact, const QuantizeOptions& o) {
  o.validate();
  const auto& net = artifact.network;
  const auto& c = net.config();
  const auto& w = net.weights();
  const auto recorded = calibration_trials(net, artifact, o);
  const auto& traj = recorded.trajectory;

  CalibrationRanges ranges;
  RateRnnFixedPoint spec;
  spec.rounding = o.rounding;
  spec.overflow = o.overflow;
  spec.input = choose_format("input", signal_range(recorded.batch.inputs, o), o.input_bits, o, ranges);
  spec.w_in = choose_format("W_in", max_abs(w.w_in), o.weight_bits, o, ranges);
  spec.w_rec = choose_format("W_rec", max_abs(w.w_rec), o.weight_bits, o, ranges);
  spec.b_rec = choose_format("b_rec", max_abs(w.b_rec), o.weight_bits, o, ranges);
  spec.w_out = choose_format("W_out", max_abs(w.w_out), o.weight_bits, o, ranges);
  spec.b_out = choose_format("b_out", max_abs(w.b_out), o.weight_bits, o, ranges);
  // tanh keeps h in (-1, 1); relu states are calibrated.
  const double state_range = c.activation == models::Activation::kTanh ? 1.0 : signal_range(traj.states, o);
  spec.state = choose_format("state", state_range, o.state_bits, o, ranges);
  spec.output = choose_format("output", signal_range(traj.outputs, o), o.state_bits, o, ranges);

  spec.activation.function = c.activation;
  spec.activation.piecewise_linear = o.piecewise_linear;
  spec.activation.index_bits = o.table_index_bits;
  spec.activation.input_frac_bits = o.table_input_frac_bits;
  spec.activation.interpolation_bits = o.interpolation_bits;
  spec.activation.entries = make_activation_table(spec.activation, spec.state, o.rounding);
  spec.leak_bits = o.leak_bits;
  spec.leak_multiplier = std::clamp<std::int64_t>(std::llround(std::ldexp(c.alpha(), o.leak_bits)), 1,
                                                  std::int64_t{1} << o.leak_bits);

  IntegerRateRnnTensors t;
  t.w_in = quantize_tensor(w.w_in, spec.w_in, o.rounding);
  t.w_rec = quantize_tensor(w.w_rec, spec.w_rec, o.rounding);
  t.b_rec = quantize_vector(w.b_rec, spec.b_rec, o.rounding);
  t.w_out = quantize_tensor(w.w_out, spec.w_out, o.rounding);
  t.b_out = quantize_vector(w.b_out, spec.b_out, o.rounding);

  const int fa = spec.accumulator_frac(), fo = spec.output_frac();
  const double bound = row_bound(t.w_in, static_cast<double>(-spec.input.min_code()), fa - spec.w_in.frac_bits - spec.input.frac_bits) +
                       row_bound(t.w_rec, static_cast<double>(-spec.state.min_code()), fa - spec.w_rec.frac_bits - spec.state.frac_bits) +
                       std::ldexp(t.b_rec.cast<double>().cwiseAbs().maxCoeff(), fa - spec.b_rec.frac_bits);
  spec.accumulator_bits = bits_for_magnitude(bound);
  check_accumulator(spec.accumulator_bits, "recurrent");
  const double out_bound = row_bound(t.w_out, static_cast<double>(-spec.state.min_code()), fo - spec.w_out.frac_bits - spec.state.frac_bits) +
                           std::ldexp(t.b_out.cast<double>().cwiseAbs().maxCoeff(), fo - spec.b_out.frac_bits);
  spec.output_accumulator_bits = bits_for_magnitude(out_bound);
  check_accumulator(spec.output_accumulator_bits, "readout");
  return {IntegerRateRnn(c, std::move(spec), std::move(t)), std::move(ranges)};
}

QuantizedLif quantize_lif(const models::LifRnnArtifact& artifact, const QuantizeOptions& o) {
  o.validate();
  const auto& net = artifact.network;
  const auto& c = net.config();
  const auto& w = net.weights();
  const auto recorded = calibration_trials(net, artifact, o);
  const auto& traj = recorded.trajectory;
  const bool spike_input = c.encoding != models::InputEncoding::kCurrent;

  CalibrationRanges ranges;
  LifRnnFixedPoint spec;
  spec.rounding = o.rounding;
  spec.overflow = o.overflow;
  // Spike inputs are the codes 0/1 of Q_x = Q2.0.
  spec.input = spike_input ? FixedFormat{2, 0}
                           : choose_format("input", signal_range(traj.inputs, o), o.input_bits, o, ranges);
  spec.w_in = choose_format("W_in", max_abs(w.w_in), o.weight_bits, o, ranges);
  spec.w_rec = choose_format("W_rec", max_abs(w.w_rec), o.weight_bits, o, ranges);
  spec.b_rec = choose_format("b_rec", max_abs(w.b_rec), o.weight_bits, o, ranges);
  spec.w_out = choose_format("W_out", max_abs(w.w_out), o.weight_bits, o, ranges);
  spec.b_out = choose_format("b_out", max_abs(w.b_out), o.weight_bits, o, ranges);
  spec.current = choose_format("current", signal_range(traj.currents, o), o.state_bits, o, ranges);
  // The membrane must hold u (before the reset) and the threshold.
  spec.membrane = choose_format("membrane", std::max(signal_range(traj.potentials, o), c.threshold), o.state_bits,
                                o, ranges);
  spec.output = choose_format("output", signal_range(traj.outputs, o), o.state_bits, o, ranges);
  spec.decay = o.decay;
  spec.threshold = quantize_real(c.threshold, spec.membrane, o.rounding);

  IntegerLifRnnTensors t;
  t.w_in = quantize_tensor(w.w_in, spec.w_in, o.rounding);
  t.w_rec = quantize_tensor(w.w_rec, spec.w_rec, o.rounding);
  t.b_rec = quantize_vector(w.b_rec, spec.b_rec, o.rounding);
  t.w_out = quantize_tensor(w.w_out, spec.w_out, o.rounding);
  t.b_out = quantize_vector(w.b_out, spec.b_out, o.rounding);
  t.beta.resize(c.n_rec);
  t.alpha_syn.resize(c.n_rec);
  for (int i = 0; i < c.n_rec; ++i) {
    t.beta(i) = static_cast<std::int32_t>(decay_parameter(w.beta(i, 0), o.decay));
    t.alpha_syn(i) = static_cast<std::int32_t>(decay_parameter(w.alpha_syn(i, 0), o.decay));
  }
  t.kappa = decay_parameter(c.kappa(), o.decay);

  const int fs = spec.synapse_frac(spike_input);
  const double input_code = spike_input ? 1.0 : static_cast<double>(-spec.input.min_code());
  const double bound = row_bound(t.w_in, input_code, fs - spec.w_in.frac_bits - (spike_input ? 0 : spec.input.frac_bits)) +
                       row_bound(t.w_rec, 1.0, fs - spec.w_rec.frac_bits) +
                       std::ldexp(t.b_rec.cast<double>().cwiseAbs().maxCoeff(), fs - spec.b_rec.frac_bits);
  spec.accumulator_bits = bits_for_magnitude(bound);
  check_accumulator(spec.accumulator_bits, "synaptic");
  return {IntegerLifRnn(c, std::move(spec), std::move(t)), std::move(ranges)};
}

}  // namespace nf::quantize
