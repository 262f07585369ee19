#pragma once
// Operations and memory traffic of one timestep of a golden-vector case
// (issue #9). This header is the normative definition of every count; the RTL
// cores count the same events in simulation from their own enables and
// valids (rtl/sv/nf_rate_core.sv, nf_lif_core.sv, `ifndef SYNTHESIS`; see
// docs/rtl.md, "Activity counters"), and the lock-step harnesses compare the
// two with `==` after every step.
//
// Like golden_trace.hpp it depends only on the C++17 standard library,
// nlohmann/json and that header, so the Verilator and SystemC harnesses can
// include it.
//
//   const auto v = nf::golden::GoldenTrace::load("out/vectors");
//   const nf::golden::StepOperations ops = nf::golden::step_operations(v, trial, step, lanes);
//   ops.count("mac_recurrent"); ops.memory("w_rec").reads;
//
// Everything is derived from the recorded signals of (trial, step) and of the
// step before (spikes and refractory counters: the state the step starts from;
// zero at step 0), and from vectors.json (model sizes, fixed_point formats).
// Clearing the state (after reset or clear_i) is not part of a step and is not
// counted. Sizes: N = n_rec units, n_x = the `input` signal's width (n_in, or
// 2·n_in for spike encodings), n_o = n_out outputs, P = lanes (MAC lanes of the
// core), G = ceil(N / P) unit groups, G_o = ceil(n_o / P) output groups (LIF).
//
// ---------------------------------------------------------------- rate_rnn
// Operations, in this order (operand widths in OperationCount's fields):
//   mac_input      N·n_x   one multiply-accumulate W_in[i,k]·x_k into a_i
//                          (W_in bits × input bits, into the W_a-bit accumulator);
//                          the bias b_i is loaded with the group's first item, not counted
//   mac_recurrent  N·N     W_rec[i,j]·h_j into a_i (W_rec bits × state bits, W_a bits)
//   mac_readout    n_o·N   W_out[m,j]·h_j into the readout sum (W_out bits × state bits,
//                          output_accumulator_bits); b_out is its initial value, not counted
//   leak           N       h_i ← shift_round((2^D − α_q) h_i + α_q p_i, D) and fit_h:
//                          two (D+1)-bit × state-bit products and an add per unit
//   table_lookup   N|0     one read of the tanh table (an entry of state bits, addressed
//                          by L index bits) per unit; 0 for relu
//   activation     N       φ of one unit: the table index (shift_round, clamp) for tanh,
//                          or shift_round, fit and max(0, ·) for relu (accumulator bits in)
// mac_input + mac_recurrent + mac_readout must equal the `macs` signal and
// table_lookup the `table_lookups` signal; step_operations checks both.
//
// Memories (the nf_rom/nf_ram instances of nf_rate_core), in this order;
// width_bits = one element, reads/writes in elements whose value the
// datapath uses (an RTL word of P lanes holds P elements; lanes past N hold
// padding and are not counted):
//   w_in       W_in bits     reads N·n_x
//   w_rec      W_rec bits    reads N·N
//   b_rec      b_rec bits    reads N
//   w_out      W_out bits    reads n_o·N  (one word = every output's weight of one unit)
//   b_out      b_out bits    reads n_o    (loaded when the step's input is taken)
//   act_table  state bits    reads N for tanh, 0 for relu (relu has no table memory)
//   state      state bits    reads G·N: the MAC stream reads every old h_j once per unit
//                            group and broadcasts it to the group's P lanes (the leak's
//                            old h_i is caught from that stream, not read again);
//                            writes N (the new h_i, into the other bank)
//
// ---------------------------------------------------------------- lif_rnn
// Let E = the input events of the step (inputs X_k ≠ 0; spike encodings only),
// S_prev = spike_count of the step before (0 at step 0), S = spike_count of the
// step, R_prev = units refractory when the step starts (refractory counter of
// the step before > 0; 0 at step 0), A = N − R_prev (units that integrate).
// Operations, in this order:
//   mac_input        N·n_x (current encoding) | 0   W_in[i,k]·X_k into S_i
//                    (W_in bits × input bits, accumulator_bits); the bias b_i is
//                    loaded with the first input, not counted
//   synop_input      N·E (spike encodings) | 0      one add of W_in[i,k] into S_i per input
//                    event and target unit (W_in bits, accumulator_bits). The RTL still
//                    walks every input channel (a cycle per channel and group, multiplying
//                    by 0 where there is no event): those are not synaptic operations
//   synop_recurrent  N·S_prev   one add of W_rec[i,j] per unit j that spiked in the step
//                               before and target unit i (W_rec bits, accumulator_bits)
//   synop_readout    n_o·S      one add of W_out[m,j] per unit j that spiked in this step
//                               and output m (W_out bits, accumulator_bits); b_out loaded, not counted
//   decay            N + A + n_o   D_αs(I_i) for every unit, D_β(v_i) for the units that
//                               integrate (a refractory unit keeps v: its decay is not used),
//                               D_κ(y_m) for every output (value bits: the widest of I, v, y;
//                               × decay-parameter bits for the multiplier form)
//   threshold        A          the compare u_i ≥ θ of a unit that integrates (membrane bits)
//   spike            S          a spike: the unit's reset (subtract θ or zero) and its
//                               spike-list entry
// synop_input + synop_recurrent + synop_readout must equal `synaptic_events`,
// mac_input `input_macs`, spike `spike_count` (and the sum of `spikes`), and
// decay + R_prev the `decays` signal (the golden model's count, 2N + n_o, includes
// the unused decays of refractory units); step_operations checks all of them.
//
// Memories (nf_lif_core), in this order:
//   w_in        W_in bits    reads N·n_x (current encoding) or N·E (spike encodings:
//                            the weight of a channel without an event is multiplied
//                            by 0, its value unused)
//   w_rec       W_rec bits   reads N·S_prev
//   b_rec       b_rec bits   reads N
//   w_out       W_out bits   reads n_o·S
//   b_out       b_out bits   reads n_o
//   beta        decay-parameter bits (shift form: 6; multiplier: B + 1)   reads A
//   alpha_syn   decay-parameter bits                                      reads N
//   state       1 + c bits + membrane bits + current bits (one unit's {s, c, v, I};
//               c bits = ceil(log2(R + 1)), 1 for R = 0)    reads N, writes N
//   spike_list  ceil(log2 N) bits (1 for N = 1), a unit index:
//               reads G·S_prev (each unit group walks last step's list) + G_o·S
//               (each output group walks this step's list), writes S
//
// Only the state reads (rate) and spike-list reads (LIF) depend on P: one read
// feeds every lane of a group. P = 1 is a sequential machine, where every
// operation fetches its operands; the CPU golden model is counted that way.

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "neurofab/golden/golden_trace.hpp"

namespace nf::golden {

struct OperationCount {
  std::string name;
  std::int64_t count = 0;
  // The widths that set one operation's cost (0 where they do not apply): the
  // first operand (a weight, a state value), the second (an activation, a
  // constant), and the adder or accumulator the result goes into.
  int operand_bits = 0;
  int second_operand_bits = 0;
  int accumulator_bits = 0;
};

struct MemoryTraffic {
  std::string memory;  // the RTL memory's name: w_in, w_rec, b_rec, w_out, b_out, act_table, state, ...
  int width_bits = 0;  // bits of ONE element (weight/state value), not of the RTL word
  std::int64_t reads = 0, writes = 0;  // in elements whose value the datapath uses
};

struct StepOperations {
  std::vector<OperationCount> operations;  // fixed names and order per model type (above)
  std::vector<MemoryTraffic> memories;     // fixed order per model type

  // Throws std::out_of_range naming the operation or memory (and the known ones).
  std::int64_t count(const std::string& name) const { return operation(name).count; }
  const OperationCount& operation(const std::string& name) const {
    for (const OperationCount& o : operations)
      if (o.name == name) return o;
    std::string known;
    for (const OperationCount& o : operations) known += (known.empty() ? "" : ", ") + o.name;
    throw std::out_of_range("step operations: no operation '" + name + "' (known: " + known + ")");
  }
  const MemoryTraffic& memory(const std::string& name) const {
    for (const MemoryTraffic& m : memories)
      if (m.memory == name) return m;
    std::string known;
    for (const MemoryTraffic& m : memories) known += (known.empty() ? "" : ", ") + m.memory;
    throw std::out_of_range("step operations: no memory '" + name + "' (known: " + known + ")");
  }

  // Adds the counts of `other` (same model type: same names in the same order), for totals.
  StepOperations& operator+=(const StepOperations& other) {
    if (operations.empty() && memories.empty()) {
      *this = other;
      return *this;
    }
    if (other.operations.size() != operations.size() || other.memories.size() != memories.size()) {
      throw std::invalid_argument("step operations: adding counts of different model types");
    }
    for (std::size_t k = 0; k < operations.size(); ++k) {
      if (operations[k].name != other.operations[k].name) {
        throw std::invalid_argument("step operations: adding '" + other.operations[k].name + "' to '" +
                                    operations[k].name + "'");
      }
      operations[k].count += other.operations[k].count;
    }
    for (std::size_t k = 0; k < memories.size(); ++k) {
      if (memories[k].memory != other.memories[k].memory) {
        throw std::invalid_argument("step operations: adding memory '" + other.memories[k].memory + "' to '" +
                                    memories[k].memory + "'");
      }
      memories[k].reads += other.memories[k].reads;
      memories[k].writes += other.memories[k].writes;
    }
    return *this;
  }
};

// {"operations": [{name, count, operand_bits, second_operand_bits, accumulator_bits}],
//  "memories": [{memory, width_bits, reads, writes}]}
inline nlohmann::json to_json(const StepOperations& ops) {
  nlohmann::json operations = nlohmann::json::array(), memories = nlohmann::json::array();
  for (const OperationCount& o : ops.operations) {
    operations.push_back({{"name", o.name},
                          {"count", o.count},
                          {"operand_bits", o.operand_bits},
                          {"second_operand_bits", o.second_operand_bits},
                          {"accumulator_bits", o.accumulator_bits}});
  }
  for (const MemoryTraffic& m : ops.memories) {
    memories.push_back({{"memory", m.memory}, {"width_bits", m.width_bits}, {"reads", m.reads}, {"writes", m.writes}});
  }
  return {{"operations", operations}, {"memories", memories}};
}

namespace detail {

[[noreturn]] inline void step_operations_fail(const GoldenTrace& v, const std::string& what) {
  throw std::runtime_error("step operations: golden vectors " + v.dir() + ": " + what);
}

// `path` is the field's parent as written in messages ("fixed_point.formats."); the
// message is only built on failure (the harnesses call this every step).
inline const nlohmann::json& json_at(const GoldenTrace& v, const nlohmann::json& j, const char* path, const char* key) {
  if (!j.is_object()) step_operations_fail(v, std::string("vectors.json field '") + path + "' is not an object");
  const auto it = j.find(key);
  if (it == j.end()) step_operations_fail(v, std::string("vectors.json has no field '") + path + key + "'");
  return *it;
}

inline std::int64_t json_integer(const GoldenTrace& v, const nlohmann::json& j, const char* path, const char* key) {
  const nlohmann::json& x = json_at(v, j, path, key);
  if (!x.is_number_integer()) {
    step_operations_fail(v, std::string("vectors.json field '") + path + key + "' is not an integer");
  }
  return x.get<std::int64_t>();
}

inline int format_bits(const GoldenTrace& v, const char* name) {
  const nlohmann::json& fp = json_at(v, v.header(), "", "fixed_point");
  const nlohmann::json& formats = json_at(v, fp, "fixed_point.", "formats");
  const nlohmann::json& f = json_at(v, formats, "fixed_point.formats.", name);
  const auto bits = f.is_object() ? f.find("total_bits") : f.end();
  if (bits == f.end() || !bits->is_number_integer()) {
    step_operations_fail(v, std::string("vectors.json field 'fixed_point.formats.") + name +
                                ".total_bits' is missing or not an integer");
  }
  return bits->get<int>();
}

inline int ceil_log2(std::int64_t n) {  // as $clog2
  int bits = 0;
  while ((std::int64_t{1} << bits) < n) ++bits;
  return bits;
}

inline std::int64_t scalar(const GoldenTrace& v, const char* signal, int trial, int step) {
  if (!v.has_signal(signal)) step_operations_fail(v, std::string("no signal '") + signal + "'");
  return v.value<std::int64_t>(signal, trial, step, 0);
}

inline int signal_width(const GoldenTrace& v, const char* signal) {
  if (!v.has_signal(signal)) step_operations_fail(v, std::string("no signal '") + signal + "'");
  return v.signal(signal).width;
}

inline void expect_equal(const GoldenTrace& v, int trial, int step, const std::string& what, std::int64_t counted,
                         std::int64_t recorded) {
  if (counted != recorded) {
    step_operations_fail(v, "trial " + std::to_string(trial) + " step " + std::to_string(step) + ": " + what +
                                " counted " + std::to_string(counted) + ", the vectors record " +
                                std::to_string(recorded) + " (format drift between the golden model and this header?)");
  }
}

inline StepOperations rate_step_operations(const GoldenTrace& v, int trial, int step, int lanes) {
  const nlohmann::json& model = json_at(v, v.header(), "", "model");
  const nlohmann::json& fp = json_at(v, v.header(), "", "fixed_point");
  const std::int64_t n = json_integer(v, model, "model.", "n_rec");
  const std::int64_t n_out = json_integer(v, model, "model.", "n_out");
  const std::int64_t n_x = signal_width(v, "input");
  if (signal_width(v, "state") != n || signal_width(v, "output") != n_out) {
    step_operations_fail(v, "the widths of 'state'/'output' differ from model.n_rec/n_out");
  }
  const nlohmann::json& activation = json_at(v, fp, "fixed_point.", "activation");
  const nlohmann::json& function = json_at(v, activation, "fixed_point.activation.", "function");
  if (!function.is_string()) step_operations_fail(v, "fixed_point.activation.function is not a string");
  const bool table = function.get<std::string>() == "tanh";
  const bool piecewise = activation.value("piecewise_linear", false);
  const int leak_bits = static_cast<int>(json_integer(v, json_at(v, fp, "fixed_point.", "leak"), "fixed_point.leak.", "bits"));
  const int acc_bits = static_cast<int>(json_integer(v, fp, "fixed_point.", "accumulator_bits"));
  const int out_acc_bits = static_cast<int>(json_integer(v, fp, "fixed_point.", "output_accumulator_bits"));
  const int index_bits =
      static_cast<int>(json_integer(v, activation, "fixed_point.activation.", "index_bits"));
  const int x_bits = format_bits(v, "input"), h_bits = format_bits(v, "state");
  const int w_in_bits = format_bits(v, "W_in"), w_rec_bits = format_bits(v, "W_rec"), w_out_bits = format_bits(v, "W_out");
  const std::int64_t groups = (n + lanes - 1) / lanes;

  StepOperations ops;
  ops.operations = {
      {"mac_input", n * n_x, w_in_bits, x_bits, acc_bits},
      {"mac_recurrent", n * n, w_rec_bits, h_bits, acc_bits},
      {"mac_readout", n_out * n, w_out_bits, h_bits, out_acc_bits},
      {"leak", n, h_bits, leak_bits + 1, h_bits + leak_bits + 3},
      {"table_lookup", table ? n : 0, h_bits, index_bits, 0},
      {"activation", n, acc_bits, 0, 0},
  };
  // Piecewise-linear tanh reads two breakpoints per unit (the RTL has no such table yet).
  ops.memories = {
      {"w_in", w_in_bits, n * n_x, 0},
      {"w_rec", w_rec_bits, n * n, 0},
      {"b_rec", format_bits(v, "b_rec"), n, 0},
      {"w_out", w_out_bits, n_out * n, 0},
      {"b_out", format_bits(v, "b_out"), n_out, 0},
      {"act_table", h_bits, table ? (piecewise ? 2 * n : n) : 0, 0},
      {"state", h_bits, groups * n, n},
  };
  expect_equal(v, trial, step, "mac_input + mac_recurrent + mac_readout",
               ops.count("mac_input") + ops.count("mac_recurrent") + ops.count("mac_readout"),
               scalar(v, "macs", trial, step));
  expect_equal(v, trial, step, "table_lookup", ops.count("table_lookup"), scalar(v, "table_lookups", trial, step));
  return ops;
}

inline StepOperations lif_step_operations(const GoldenTrace& v, int trial, int step, int lanes) {
  const nlohmann::json& model = json_at(v, v.header(), "", "model");
  const nlohmann::json& fp = json_at(v, v.header(), "", "fixed_point");
  const std::int64_t n = json_integer(v, model, "model.", "n_rec");
  const std::int64_t n_out = json_integer(v, model, "model.", "n_out");
  const std::int64_t n_x = signal_width(v, "input");
  const nlohmann::json& encoding = json_at(v, model, "model.", "input_encoding");
  if (!encoding.is_string()) step_operations_fail(v, "model.input_encoding is not a string");
  const bool spike_input = encoding.get<std::string>() != "current";
  const std::int64_t refractory_steps = json_integer(v, model, "model.", "refractory_steps");
  if (signal_width(v, "spikes") != n || signal_width(v, "refractory") != n || signal_width(v, "output") != n_out) {
    step_operations_fail(v, "the widths of 'spikes'/'refractory'/'output' differ from model.n_rec/n_out");
  }
  const nlohmann::json& decay = json_at(v, fp, "fixed_point.", "decay");
  const nlohmann::json& form = json_at(v, decay, "fixed_point.decay.", "form");
  if (!form.is_string()) step_operations_fail(v, "fixed_point.decay.form is not a string");
  const bool multiplier = form.get<std::string>() == "multiplier";
  const int param_bits =
      multiplier ? static_cast<int>(json_integer(v, decay, "fixed_point.decay.", "multiplier_bits")) + 1 : 6;
  const int acc_bits = static_cast<int>(json_integer(v, fp, "fixed_point.", "accumulator_bits"));
  const int x_bits = format_bits(v, "input"), i_bits = format_bits(v, "current"), v_bits = format_bits(v, "membrane");
  const int y_bits = format_bits(v, "output");
  const int w_in_bits = format_bits(v, "W_in"), w_rec_bits = format_bits(v, "W_rec"), w_out_bits = format_bits(v, "W_out");
  const int ref_bits = refractory_steps > 0 ? ceil_log2(refractory_steps + 1) : 1;
  const int index_bits = n > 1 ? ceil_log2(n) : 1;
  const std::int64_t groups = (n + lanes - 1) / lanes, out_groups = (n_out + lanes - 1) / lanes;

  std::int64_t events = 0;
  if (spike_input) {
    const std::int32_t* x = v.step_values<std::int32_t>("input", trial, step);
    for (std::int64_t k = 0; k < n_x; ++k) events += x[k] != 0 ? 1 : 0;
  }
  const std::int64_t spikes = scalar(v, "spike_count", trial, step);
  const std::int64_t spikes_before = step == 0 ? 0 : scalar(v, "spike_count", trial, step - 1);
  std::int64_t refractory_before = 0, spike_sum = 0;
  const std::int32_t* spike_values = v.step_values<std::int32_t>("spikes", trial, step);
  const std::int32_t* refractory_values = step > 0 ? v.step_values<std::int32_t>("refractory", trial, step - 1) : nullptr;
  for (std::int64_t i = 0; i < n; ++i) {
    spike_sum += spike_values[i];
    if (refractory_values != nullptr && refractory_values[i] > 0) ++refractory_before;
  }
  const std::int64_t integrating = n - refractory_before;
  const int widest = std::max(i_bits, std::max(v_bits, y_bits));

  StepOperations ops;
  ops.operations = {
      {"mac_input", spike_input ? 0 : n * n_x, w_in_bits, x_bits, acc_bits},
      {"synop_input", spike_input ? n * events : 0, w_in_bits, 0, acc_bits},
      {"synop_recurrent", n * spikes_before, w_rec_bits, 0, acc_bits},
      {"synop_readout", n_out * spikes, w_out_bits, 0, acc_bits},
      {"decay", n + integrating + n_out, widest, multiplier ? param_bits : 0, widest + 1},
      {"threshold", integrating, v_bits, 0, 0},
      {"spike", spikes, v_bits, 0, 0},
  };
  ops.memories = {
      {"w_in", w_in_bits, spike_input ? n * events : n * n_x, 0},
      {"w_rec", w_rec_bits, n * spikes_before, 0},
      {"b_rec", format_bits(v, "b_rec"), n, 0},
      {"w_out", w_out_bits, n_out * spikes, 0},
      {"b_out", format_bits(v, "b_out"), n_out, 0},
      {"beta", param_bits, integrating, 0},
      {"alpha_syn", param_bits, n, 0},
      {"state", 1 + ref_bits + v_bits + i_bits, n, n},
      {"spike_list", index_bits, groups * spikes_before + out_groups * spikes, spikes},
  };
  expect_equal(v, trial, step, "synop_input + synop_recurrent + synop_readout",
               ops.count("synop_input") + ops.count("synop_recurrent") + ops.count("synop_readout"),
               scalar(v, "synaptic_events", trial, step));
  expect_equal(v, trial, step, "mac_input", ops.count("mac_input"), scalar(v, "input_macs", trial, step));
  expect_equal(v, trial, step, "spike (sum of 'spikes')", spikes, spike_sum);
  expect_equal(v, trial, step, "decay + refractory units", ops.count("decay") + refractory_before,
               scalar(v, "decays", trial, step));
  return ops;
}

}  // namespace detail

// Operations and memory traffic of step `step` of trial `trial` (the lanes P of
// the core only change the state/spike-list reads; see above). Throws
// std::runtime_error naming what is missing from the folder or which recorded
// count disagrees, std::out_of_range for a trial/step outside the vectors and
// std::invalid_argument for lanes < 1 or an unknown model type.
inline StepOperations step_operations(const GoldenTrace& v, int trial, int step, int lanes = 1) {
  if (lanes < 1) throw std::invalid_argument("step operations: lanes " + std::to_string(lanes) + " < 1");
  if (trial < 0 || trial >= v.trials() || step < 0 || step >= v.steps()) {
    throw std::out_of_range("step operations: trial " + std::to_string(trial) + ", step " + std::to_string(step) +
                            " outside the vectors' " + std::to_string(v.trials()) + " trials x " +
                            std::to_string(v.steps()) + " steps");
  }
  const std::string type = v.model_type();
  if (type == "rate_rnn") return detail::rate_step_operations(v, trial, step, lanes);
  if (type == "lif_rnn") return detail::lif_step_operations(v, trial, step, lanes);
  throw std::invalid_argument("step operations: golden vectors " + v.dir() + ": unknown model_type '" + type + "'");
}

// The sum of step_operations over every trial and step of the vectors.
inline StepOperations total_operations(const GoldenTrace& v, int lanes = 1) {
  StepOperations total;
  for (int trial = 0; trial < v.trials(); ++trial)
    for (int step = 0; step < v.steps(); ++step) total += step_operations(v, trial, step, lanes);
  return total;
}

}  // namespace nf::golden
