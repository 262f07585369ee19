#include "neurofab/quantize/trial_run.hpp"

#include <fmt/format.h>

#include "neurofab/common/error.hpp"
#include "neurofab/models/artifact.hpp"
#include "neurofab/models/spike_encoding.hpp"

namespace nf::quantize {
namespace {

using nlohmann::json;
// Column-major codes: the inputs of step t, trial b are contiguous (column batch.column(t, b)).
using StimulusCodes = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic>;

// A width the FixedFormat type would refuse (accumulators reach 62 bits) is still a Q(W, F).
json accumulator_format_json(int total_bits, int frac_bits) {
  return {{"total_bits", total_bits}, {"frac_bits", frac_bits}, {"q", fmt::format("Q{}.{}", total_bits, frac_bits)}};
}

// Declares one signal of the trace; returns its number for append().
std::size_t add(golden::GoldenTrace& trace, const std::string& name, bool int64, Eigen::Index width,
                std::string description, json format) {
  golden::Signal s;
  s.name = name;
  s.dtype = int64 ? "int64" : "int32";
  s.width = static_cast<int>(width);
  s.description = std::move(description);
  s.format = std::move(format);
  trace.add_signal(std::move(s));
  return trace.signals().size() - 1;
}

template <typename Network>
golden::GoldenTrace empty_trace(const Network& network, const models::Batch& batch) {
  json header = {{"model_type", models::model_type_name(std::is_same_v<Network, IntegerRateRnn>
                                                            ? models::Family::kRate
                                                            : models::Family::kLif)},
                 {"model", models::model_to_json(network.config())},
                 {"fixed_point", fixed_point_to_json(network)}};
  return golden::GoldenTrace(std::move(header), batch.batch_size, batch.n_steps);
}

StimulusCodes lif_stimulus(const IntegerLifRnn& network, const models::EvaluationTrials& data) {
  const auto& c = network.config();
  if (c.encoding == models::InputEncoding::kCurrent) {
    return quantize_stimulus(data.batch.inputs, network.spec().input, network.spec().rounding);
  }
  // Spike encoding is stimulus preparation: the same events the float model sees.
  Eigen::MatrixXd encoded;
  const Eigen::MatrixXd uniforms = data.noise.cast<double>();
  models::encode_inputs<double>(c, data.batch.inputs, data.batch.batch_size, uniforms.size() ? &uniforms : nullptr,
                                encoded);
  return encoded.cast<std::int32_t>();
}

// The trial loop of the integer model, shared by both families: every trial
// from the all-zero initial state, every step through `step_and_record(x_t,
// state)` (the family's step and its signals), then the step's overflow events
// (the trace's last signal).
template <typename Network, typename StepAndRecord>
void record_trials(const Network& network, const StimulusCodes& x, const models::Batch& batch,
                   golden::GoldenTrace& trace, StepAndRecord step_and_record) {
  const std::size_t f_overflow =
      add(trace, "overflow_events", true, 1, "values saturated or wrapped during the step", nullptr);
  std::vector<std::int64_t> overflow_per_trial;
  for (int b = 0; b < batch.batch_size; ++b) {
    auto state = network.initial_state();
    for (int t = 0; t < batch.n_steps; ++t) {
      const std::int32_t* xt = x.col(batch.column(t, b)).data();
      const std::int64_t overflow_before = state.overflow.events;
      step_and_record(xt, state);
      trace.append_one(f_overflow, state.overflow.events - overflow_before);
    }
    overflow_per_trial.push_back(state.overflow.events);
  }
  trace.header()["overflow_events_per_trial"] = overflow_per_trial;
}

}  // namespace

IntMatrix quantize_stimulus(const Eigen::MatrixXd& inputs, const FixedFormat& format, Rounding rounding) {
  IntMatrix codes(inputs.rows(), inputs.cols());
  for (Eigen::Index i = 0; i < inputs.rows(); ++i)
    for (Eigen::Index j = 0; j < inputs.cols(); ++j)
      codes(i, j) = static_cast<std::int32_t>(quantize_real(inputs(i, j), format, rounding));
  return codes;
}

// ---------------------------------------------------------------- rate RNN

golden::GoldenTrace run_trials(const IntegerRateRnn& network, const models::EvaluationTrials& data,
                               TraceContent content) {
  const auto& c = network.config();
  const auto& s = network.spec();
  const models::Batch& batch = data.batch;
  const StimulusCodes x = quantize_stimulus(batch.inputs, s.input, s.rounding);
  const bool every = content == TraceContent::kEverySignal;

  golden::GoldenTrace trace = empty_trace(network, batch);
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  const std::size_t f_input =
      every ? add(trace, "input", false, c.n_in, "input codes x consumed by the step", format_to_json(s.input)) : kNone;
  const std::size_t f_acc = every ? add(trace, "accumulator", true, c.n_rec,
                                        "pre-activation accumulators a of the step (int64, exact)",
                                        accumulator_format_json(s.accumulator_bits, s.accumulator_frac()))
                                  : kNone;
  const std::size_t f_state =
      every ? add(trace, "state", false, c.n_rec, "state h after the step", format_to_json(s.state)) : kNone;
  const std::size_t f_output = add(trace, "output", false, c.n_out, "output y of the step", format_to_json(s.output));
  const std::size_t f_macs =
      add(trace, "macs", true, 1, "multiply-accumulates of the step (input, recurrent, readout)", nullptr);
  const std::size_t f_table = add(trace, "table_lookups", true, 1, "activation table reads of the step", nullptr);

  const RateStepCounts counts = network.counts_per_step();
  std::vector<std::int32_t> y(static_cast<std::size_t>(c.n_out));
  std::vector<std::int64_t> a(static_cast<std::size_t>(c.n_rec));
  record_trials(network, x, batch, trace, [&](const std::int32_t* xt, IntegerRateRnn::State& state) {
    network.step(xt, state, y.data(), every ? a.data() : nullptr);
    if (every) {
      trace.append(f_input, xt);
      trace.append(f_acc, a.data());
      trace.append(f_state, state.h.data());
    }
    trace.append(f_output, y.data());
    trace.append_one(f_macs, counts.macs);
    trace.append_one(f_table, counts.table_lookups);
  });
  return trace;
}

// ---------------------------------------------------------------- LIF RNN

golden::GoldenTrace run_trials(const IntegerLifRnn& network, const models::EvaluationTrials& data,
                               TraceContent content) {
  const auto& c = network.config();
  const auto& s = network.spec();
  const models::Batch& batch = data.batch;
  const StimulusCodes x = lif_stimulus(network, data);
  const bool spike_input = c.encoding != models::InputEncoding::kCurrent;
  const bool every = content == TraceContent::kEverySignal;

  golden::GoldenTrace trace = empty_trace(network, batch);
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t f_input = kNone, f_current = kNone, f_membrane = kNone, f_spikes = kNone, f_refractory = kNone;
  if (every) {
    f_input = add(trace, "input", false, c.n_in_encoded(),
                  spike_input ? fmt::format("encoded input X consumed by the step: {} events 0/1, channel 2k ON and "
                                            "2k+1 OFF of input k",
                                            models::to_string(c.encoding))
                              : std::string("encoded input X consumed by the step: current codes"),
                  format_to_json(s.input));
    f_current = add(trace, "current", false, c.n_rec, "synaptic current I after the step", format_to_json(s.current));
    f_membrane = add(trace, "membrane", false, c.n_rec, "membrane v after the step (after reset)",
                     format_to_json(s.membrane));
    f_spikes = add(trace, "spikes", false, c.n_rec, "spikes s of the step (0/1)", nullptr);
    f_refractory =
        add(trace, "refractory", false, c.n_rec, "refractory counters c after the step (steps left)", nullptr);
  }
  const std::size_t f_output =
      add(trace, "output", false, c.n_out, "output y after the step", format_to_json(s.output));
  const std::size_t f_macs =
      add(trace, "input_macs", true, 1, "input multiply-accumulates of the step (current input)", nullptr);
  const std::size_t f_events =
      add(trace, "synaptic_events", true, 1,
          "weight reads caused by spikes in the step (input events, recurrent, readout)", nullptr);
  const std::size_t f_decays = add(trace, "decays", true, 1, "decay operations of the step (I, v, y)", nullptr);
  const std::size_t f_count = add(trace, "spike_count", true, 1, "spikes of the step (the sum of `spikes`)", nullptr);

  record_trials(network, x, batch, trace, [&](const std::int32_t* xt, IntegerLifRnn::State& state) {
    LifStepCounts counts;  // step() adds to it: fresh per step
    network.step(xt, state, &counts);
    if (every) {
      trace.append(f_input, xt);
      trace.append(f_current, state.current.data());
      trace.append(f_membrane, state.membrane.data());
      trace.append(f_spikes, state.spikes.data());
      trace.append(f_refractory, state.refractory.data());
    }
    trace.append(f_output, state.output.data());
    trace.append_one(f_macs, counts.input_macs);
    trace.append_one(f_events, counts.synaptic_events);
    trace.append_one(f_decays, counts.decays);
    trace.append_one(f_count, counts.spikes);
  });
  return trace;
}

// ---------------------------------------------------------------- an artifact's trials

golden::GoldenTrace run_trials(const QuantizedArtifact& artifact, int trials, std::uint64_t seed,
                               TraceContent content) {
  if (trials < 1) throw InputError(fmt::format("golden vectors need at least 1 trial (got {})", trials));
  const auto task = models::make_task(artifact.task_name, artifact.task_params);
  golden::GoldenTrace trace = std::visit(
      [&](const auto& net) {
        return run_trials(net, models::evaluation_trials(*task, net.config(), trials, seed), content);
      },
      artifact.network);
  json params = json::object();
  for (const auto& [name, value] : artifact.task_params) params[name] = value;
  trace.header()["task"] = {{"name", artifact.task_name}, {"params", params}};
  trace.header()["seed"] = seed;
  trace.header()["source_artifact"] = artifact.source;
  return trace;
}

Eigen::MatrixXd output_values(const golden::GoldenTrace& trace, const models::Batch& batch,
                              const FixedFormat& output_format) {
  const int n_out = trace.signal("output").width;
  const std::vector<std::int32_t>& y = trace.values<std::int32_t>("output");  // [trial][step][unit]
  Eigen::MatrixXd outputs(n_out, batch.inputs.cols());
  std::size_t k = 0;
  for (int b = 0; b < trace.trials(); ++b) {
    for (int t = 0; t < trace.steps(); ++t) {
      const int col = batch.column(t, b);
      for (int m = 0; m < n_out; ++m) outputs(m, col) = dequantize(y[k++], output_format);
    }
  }
  return outputs;
}

}  // namespace nf::quantize
