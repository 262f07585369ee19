// Quantized networks in Python: `neurofab quantize` (options as keywords, the
// library's parsers and checks), the integer golden model's runs (the golden
// trace's signals as numpy, as `neurofab eval <qdir> --dump` writes them) and
// its evaluation (`neurofab eval <qdir>`).

#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "bindings.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/models/tasks/task_data.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/fine_tuning.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/quantize/integer_trajectories.hpp"

namespace nf::python {

namespace {

QuantizedNetwork load_quantized(const std::string& dir) {
  return QuantizedNetwork{quantize::load_quantized(dir), dir};
}

void save_quantized(QuantizedNetwork& net, const std::string& dir, bool force) {
  check_out_folder(dir, force);
  quantize::save_quantized(dir, net.artifact);
  net.folder = dir;
}

template <typename F>
decltype(auto) visit(const QuantizedNetwork& net, F&& f) {
  return std::visit(std::forward<F>(f), net.artifact.network);
}

template <typename T>
T number(const std::string& name, nb::handle value) {
  try {
    if constexpr (std::is_same_v<T, bool>) {
      if (!nb::isinstance<nb::bool_>(value)) throw nb::cast_error();
    }
    return nb::cast<T>(value);
  } catch (const nb::cast_error&) {
    throw InputError(fmt::format("--{}: expected {}, got {}", name,
                                 std::is_same_v<T, bool>   ? "True or False"
                                 : std::is_integral_v<T>   ? "a whole number"
                                 : std::is_same_v<T, std::string> ? "a name"
                                                                  : "a number",
                                 nb::cast<std::string>(nb::repr(value))));
  }
}

// The options of `neurofab quantize`, by their names without dashes, as the
// command line binds them (cli/quantize_command.cpp).
struct QuantizeRequest {
  quantize::QuantizeOptions options;
  quantize::FineTuneOptions fine_tune{0};
  int eval_trials = 512;
};

QuantizeRequest quantize_request(const std::vector<std::pair<std::string, nb::object>>& items) {
  QuantizeRequest r;
  r.fine_tune.epochs = 0;
  auto& q = r.options;
  std::string decay;
  for (const auto& [name, value] : items) {
    if (name == "bits") q.weight_bits = number<int>(name, value);
    else if (name == "state-bits") q.state_bits = number<int>(name, value);
    else if (name == "input-bits") q.input_bits = number<int>(name, value);
    else if (name == "rounding") q.rounding = quantize::rounding_from_string(number<std::string>(name, value));
    else if (name == "overflow") q.overflow = quantize::overflow_from_string(number<std::string>(name, value));
    else if (name == "calibration") q.calibration = quantize::calibration_from_string(number<std::string>(name, value));
    else if (name == "percentile") q.percentile = number<double>(name, value);
    else if (name == "calibration-trials") q.calibration_trials = number<int>(name, value);
    else if (name == "format" || name == "formats") {
      // {"W_rec": "8.7"} or ["W_rec=8.7", ...] (the command line's NAME=W.F)
      if (nb::isinstance<nb::dict>(value)) {
        for (const auto& [key, format] : nb::cast<nb::dict>(value)) {
          const std::string tensor = nb::cast<std::string>(key);
          try {
            q.overrides[tensor] = quantize::parse_format(nb::cast<std::string>(nb::str(format)));
          } catch (const InputError& e) {
            throw InputError(fmt::format("--{}: '{}': {}", name, tensor, e.what()));
          }
        }
      } else {
        for (const std::string& entry : nb::cast<std::vector<std::string>>(value)) {
          const auto eq = entry.find('=');
          if (eq == std::string::npos || eq == 0) throw InputError(fmt::format("--format '{}': expected NAME=W.F", entry));
          q.overrides[entry.substr(0, eq)] = quantize::parse_format(entry.substr(eq + 1));
        }
      }
    } else if (name == "piecewise-linear") q.piecewise_linear = number<bool>(name, value);
    else if (name == "table-bits") q.table_index_bits = number<int>(name, value);
    else if (name == "table-frac-bits") q.table_input_frac_bits = number<int>(name, value);
    else if (name == "leak-bits") q.leak_bits = number<int>(name, value);
    else if (name == "decay") decay = number<std::string>(name, value);
    else if (name == "decay-bits") q.decay.multiplier_bits = number<int>(name, value);
    else if (name == "eval-trials") r.eval_trials = number<int>(name, value);
    else if (name == "fine-tune-epochs") r.fine_tune.epochs = number<int>(name, value);
    else if (name == "fine-tune-lr") r.fine_tune.learning_rate = number<double>(name, value);
    else throw InputError(fmt::format("--{}: not an option of `neurofab quantize`", name));
  }
  if (decay == "loihi") {
    q.decay = {quantize::DecayForm::kMultiplier, 12};
  } else if (!decay.empty()) {
    q.decay.form = quantize::decay_form_from_string(decay);
  }
  if (r.fine_tune.epochs < 0) throw InputError(fmt::format("--fine-tune-epochs {}: must be >= 0", r.fine_tune.epochs));
  q.validate();
  if (r.fine_tune.epochs > 0) r.fine_tune.validate();
  return r;
}

// `neurofab quantize`: post-training quantization, or fine-tuning first.
nb::tuple quantize_network(const FloatNetwork& net, const std::vector<std::pair<std::string, nb::object>>& items) {
  const QuantizeRequest r = quantize_request(items);
  std::optional<quantize::QuantizedArtifact> result;
  nlohmann::json report = nlohmann::json::object();
  {
    nb::gil_scoped_release release;
    if (r.fine_tune.epochs == 0) {
      result = quantize::quantize_artifact(net.artifact, net.folder, r.options);
    } else {
      const quantize::FineTuned tuned = quantize::fine_tune(net.artifact, r.options, r.fine_tune);
      result = quantize::quantize_artifact(tuned.artifact, net.folder, tuned.options);
      const auto& f = r.fine_tune;
      result->fine_tuning = quantize::FineTuneRecord{f.epochs,           f.learning_rate,   f.steps_per_epoch,
                                                     f.selection_trials, tuned.best_epoch, tuned.selection_success};
      report["fine_tuning"] = {{"epochs", f.epochs},
                               {"best_epoch", tuned.best_epoch},
                               {"selection_success", tuned.selection_success},
                               {"success_before", tuned.epoch_success.front()},
                               {"epoch_success", tuned.epoch_success}};
    }
  }
  return nb::make_tuple(QuantizedNetwork{std::move(*result), ""}, to_python(report));
}

nb::dict evaluation_dict(const quantize::IntegerEvaluation& e, bool lif) {
  nlohmann::json j = {{"success_rate", e.success_rate},
                      {"mse", e.mse},
                      {"trials", e.trials},
                      {"overflow_events", e.overflow_events}};
  if (lif) {
    j["spikes_per_step"] = e.spikes_per_step;
    j["synaptic_events_per_step"] = e.synaptic_events_per_step;
  }
  return nb::cast<nb::dict>(to_python(j));
}

// `neurofab eval <qdir>` (with --data: the data file's first `trials`, all when trials <= 0).
nb::dict evaluate(const QuantizedNetwork& net, int trials, std::optional<std::uint64_t> seed, const std::string& data,
                  double success_mse) {
  if (trials < 1 && data.empty()) throw InputError(fmt::format("trials {}: evaluation needs at least 1 trial", trials));
  const auto& a = net.artifact;
  const std::uint64_t s = seed.value_or(a.seed);
  return visit(net, [&](const auto& network) {
    constexpr bool lif = std::is_same_v<std::decay_t<decltype(network)>, quantize::IntegerLifRnn>;
    std::optional<quantize::IntegerEvaluation> result, ood;
    std::string task_name;
    {
      nb::gil_scoped_release release;
      if (data.empty()) {
        const auto task = models::make_task(a.task_name, a.task_params);
        result = quantize::evaluate_integer(network, *task, trials, s);
        const auto ood_task = models::make_ood_task(*task);
        ood = quantize::evaluate_integer(network, *ood_task, trials, s);
        task_name = task->name();
      } else {
        models::TaskData file = models::load_task_data(data);
        const std::map<std::string, double> params =
            data_task_params(data, success_mse, file.success_mse, a.task_name, a.task_params);
        const auto task = models::make_task(models::kDataTaskName, params);
        result = quantize::evaluate_integer(
            network, models::evaluation_trials(std::move(file.batch), network.config(), s), *task);
        task_name = task->name();
      }
    }
    nb::dict d = evaluation_dict(*result, lif);
    d["seed"] = s;
    d["task"] = task_name;
    d["ood_success_rate"] = ood ? nb::cast(ood->success_rate) : nb::none();
    d["ood_mse"] = ood ? nb::cast(ood->mse) : nb::none();
    return d;
  });
}

// The integer model on given inputs: every golden-trace signal [T, B, C] and
// its <name>_frac_bits, as `neurofab eval <qdir> --dump` and the golden vectors.
nb::object run(const QuantizedNetwork& net, const InputArray& inputs, std::optional<std::uint64_t> seed) {
  return visit(net, [&](const auto& network) {
    const auto& config = network.config();
    models::Batch batch = batch_from_arrays(inputs, nb::none(), nb::none(), config.n_in, config.n_out);
    const std::uint64_t s = seed.value_or(net.artifact.seed);
    std::optional<models::NamedArrays> arrays;
    {
      nb::gil_scoped_release release;
      const auto task = no_criterion_task(config.n_in, config.n_out, batch.n_steps);
      arrays = quantize::integer_trajectories(network, models::evaluation_trials(std::move(batch), config, s), *task);
    }
    return named_arrays(*arrays, {"targets", "mask", "success"});
  });
}

nb::dict codes_of(nb::handle self) {
  const QuantizedNetwork& net = nb::cast<const QuantizedNetwork&>(self);
  nb::dict dict;
  visit(net, [&](const auto& network) {
    const auto& t = network.tensors();
    dict["W_in"] = matrix_view(t.w_in, self, false);
    dict["W_rec"] = matrix_view(t.w_rec, self, false);
    dict["b_rec"] = matrix_view(t.b_rec, self, true);
    dict["W_out"] = matrix_view(t.w_out, self, false);
    dict["b_out"] = matrix_view(t.b_out, self, true);
    if constexpr (std::is_same_v<std::decay_t<decltype(network)>, quantize::IntegerLifRnn>) {
      dict["beta"] = matrix_view(t.beta, self, true);
      dict["alpha_syn"] = matrix_view(t.alpha_syn, self, true);
    }
  });
  return dict;
}

}  // namespace

void bind_quantize(nb::module_& m) {
  nb::class_<QuantizedNetwork>(m, "QuantizedNetwork", "A quantized network (the integer golden model) in memory.")
      .def_static("load", &load_quantized, nb::arg("dir"))
      .def("save", &save_quantized, nb::arg("dir"), nb::arg("force") = false)
      .def_prop_ro("folder", [](const QuantizedNetwork& n) { return n.folder; })
      .def_prop_ro("family", [](const QuantizedNetwork& n) { return std::string(models::short_name(n.artifact.family())); })
      .def_prop_ro("n_rec", [](const QuantizedNetwork& n) { return visit(n, [](const auto& q) { return q.config().n_rec; }); })
      .def_prop_ro("n_in", [](const QuantizedNetwork& n) { return visit(n, [](const auto& q) { return q.config().n_in; }); })
      .def_prop_ro("n_out", [](const QuantizedNetwork& n) { return visit(n, [](const auto& q) { return q.config().n_out; }); })
      .def_prop_ro("config", [](const QuantizedNetwork& n) {
        return visit(n, [](const auto& q) { return to_python(models::model_to_json(q.config())); });
      })
      .def_prop_ro("fixed_point", [](const QuantizedNetwork& n) {
        return visit(n, [](const auto& q) { return to_python(quantize::fixed_point_to_json(q)); });
      })
      .def_prop_ro("task", [](const QuantizedNetwork& n) { return n.artifact.task_name; })
      .def_prop_ro("task_params", [](const QuantizedNetwork& n) { return n.artifact.task_params; })
      .def_prop_ro("seed", [](const QuantizedNetwork& n) { return n.artifact.seed; })
      .def_prop_ro("source", [](const QuantizedNetwork& n) { return n.artifact.source; })
      .def_prop_ro("weight_bits", [](const QuantizedNetwork& n) { return n.artifact.options.weight_bits; })
      .def_prop_ro("state_bits", [](const QuantizedNetwork& n) { return n.artifact.options.state_bits; })
      .def_prop_ro("n_steps", [](const QuantizedNetwork& n) {
        return models::make_task(n.artifact.task_name, n.artifact.task_params)->n_steps();
      })
      .def_prop_ro("codes", [](nb::handle self) { return codes_of(self); })
      .def("run", &run, nb::arg("inputs"), nb::arg("seed") = nb::none())
      .def("evaluate", &evaluate, nb::arg("trials"), nb::arg("seed") = nb::none(), nb::arg("data") = "",
           nb::arg("success_mse") = 0.0);
  m.def("quantize", &quantize_network, nb::arg("network"), nb::arg("options"),
        "`neurofab quantize` with its options as (name, value) pairs; returns (network, report).");
}

}  // namespace nf::python
