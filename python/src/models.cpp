// Float networks in Python: load and save, weights as numpy arrays, training
// through models::TrainSpec (the options of `neurofab train`, checked with its
// messages), runs (the trajectories of `neurofab eval --dump`) and evaluation
// (the figures of `neurofab eval`).

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
#include "neurofab/models/elise/elise_artifact.hpp"
#include "neurofab/models/tasks/task_data.hpp"
#include "neurofab/models/train_spec.hpp"
#include "neurofab/models/training.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::python {

namespace {

namespace fs = std::filesystem;

FloatNetwork load_float(const std::string& dir) {
  if (models::is_elise_artifact(dir)) {
    throw InputError(fmt::format("{}: an ELiSe network; the Python package reads rate and LIF networks (use the "
                                 "`neurofab` command for ELiSe)",
                                 dir));
  }
  if (quantize::is_quantized_artifact(dir)) {
    throw InputError(fmt::format("{}: a quantized network (load it with neurofab.load)", dir));
  }
  FloatNetwork net{models::load_artifact(dir), dir};
  return net;
}

void save_float(FloatNetwork& net, const std::string& dir, bool force) {
  check_out_folder(dir, force);
  std::visit([&](const auto& a) { models::save_artifact(dir, a); }, net.artifact);
  net.folder = dir;
}

template <typename F>
decltype(auto) visit(const FloatNetwork& net, F&& f) {
  return std::visit(std::forward<F>(f), net.artifact);
}

nb::dict weights_of(nb::handle self) {
  const FloatNetwork& net = nb::cast<const FloatNetwork&>(self);
  nb::dict dict;
  visit(net, [&](const auto& a) {
    a.network.weights().for_each([&](const std::string& name, const Eigen::MatrixXf& m) {
      dict[nb::str(name.c_str())] = matrix_view(m, self, name[0] != 'W');
    });
  });
  return dict;
}

// Checked replacement of one tensor: shape, finite values, then the network's
// own constraints (masks, Dale's law, LIF decays); the old value stays on error.
void set_weight(FloatNetwork& net, const std::string& name,
                nb::ndarray<const float, nb::c_contig, nb::device::cpu> values) {
  std::visit(
      [&](auto& a) {
        auto& weights = a.network.weights();
        Eigen::MatrixXf* target = nullptr;
        std::vector<std::string> names;
        weights.for_each([&](const std::string& n, Eigen::MatrixXf& m) {
          names.push_back(n);
          if (n == name) target = &m;
        });
        if (target == nullptr) {
          throw InputError(fmt::format("set_weight: no tensor '{}' (the network has {})", name, fmt::join(names, ", ")));
        }
        const bool vector = name[0] != 'W';
        const bool fits = vector ? (values.ndim() == 1 && values.shape(0) == static_cast<std::size_t>(target->rows())) ||
                                       (values.ndim() == 2 && values.shape(0) == static_cast<std::size_t>(target->rows()) &&
                                        values.shape(1) == 1)
                                 : values.ndim() == 2 && values.shape(0) == static_cast<std::size_t>(target->rows()) &&
                                       values.shape(1) == static_cast<std::size_t>(target->cols());
        if (!fits) {
          std::vector<std::size_t> shape;
          for (std::size_t i = 0; i < values.ndim(); ++i) shape.push_back(values.shape(i));
          throw InputError(fmt::format("set_weight: tensor '{}' has shape {}, got [{}]", name,
                                       vector ? fmt::format("[{}]", target->rows())
                                              : fmt::format("[{}, {}]", target->rows(), target->cols()),
                                       fmt::join(shape, ", ")));
        }
        // The array is [post, pre] in C order; the matrix is column-major.
        Eigen::MatrixXf next = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            values.data(), target->rows(), target->cols());
        for (Eigen::Index r = 0; r < next.rows(); ++r) {
          for (Eigen::Index c = 0; c < next.cols(); ++c) {
            if (!std::isfinite(next(r, c))) {
              throw InputError(fmt::format("set_weight: tensor '{}' value {} at [{}, {}] is not finite", name,
                                           next(r, c), r, c));
            }
          }
        }
        // Copied into the matrix's own storage (same size: no reallocation), so
        // numpy views taken before stay valid and see the new values.
        const Eigen::MatrixXf previous = *target;
        *target = next;
        if (const std::string violation = a.network.constraint_violation(); !violation.empty()) {
          *target = previous;
          throw InputError(fmt::format("set_weight: {}", violation));
        }
      },
      net.artifact);
}

nb::dict evaluation_dict(const models::Evaluation& e) {
  nlohmann::json j = {{"success_rate", e.success_rate}, {"mse", e.mse}, {"trials", e.trials}};
  if (const auto& a = e.activity) {
    j["mean_rate"] = a->mean_rate;
    j["mean_rate_hz"] = a->mean_rate_hz;
    j["spikes_per_step"] = a->spikes_per_step;
    j["synops_per_step"] = a->synops_per_step;
    j["input_macs_per_step"] = a->input_macs_per_step;
  }
  return nb::cast<nb::dict>(to_python(j));
}

// `neurofab eval`: the task's fresh trials and the OOD variant; or, with a
// data file, its first `trials` trials (all when trials <= 0) by its criterion.
nb::dict evaluate(const FloatNetwork& net, int trials, std::optional<std::uint64_t> seed, const std::string& data,
                  double success_mse) {
  if (trials < 1 && data.empty()) throw InputError(fmt::format("trials {}: evaluation needs at least 1 trial", trials));
  return visit(net, [&](const auto& a) {
    const auto& config = a.network.config();
    const std::uint64_t s = seed.value_or(a.seed);
    std::optional<models::Evaluation> result, ood;
    std::string task_name;
    {
      nb::gil_scoped_release release;
      if (data.empty()) {
        const auto task = models::make_task(a.task_name, a.task_params);
        result = models::evaluate(a.network, *task, trials, s);
        const auto ood_task = models::make_ood_task(*task);
        ood = models::evaluate(a.network, *ood_task, trials, s);
        task_name = task->name();
      } else {
        models::TaskData file = models::load_task_data(data);
        const std::map<std::string, double> params =
            data_task_params(data, success_mse, file.success_mse, a.task_name, a.task_params);
        const auto task = models::make_task(models::kDataTaskName, params);
        result = models::evaluate(a.network, models::evaluation_trials(std::move(file.batch), config, s), *task);
        task_name = task->name();
      }
    }
    nb::dict d = evaluation_dict(*result);
    d["seed"] = s;
    d["task"] = task_name;
    if (ood) {
      d["ood_success_rate"] = ood->success_rate;
      d["ood_mse"] = ood->mse;
    } else {
      d["ood_success_rate"] = nb::none();
      d["ood_mse"] = nb::none();
    }
    return d;
  });
}

// The float64 record of given inputs (`neurofab eval --dump`'s arrays) without
// the trial arrays that need targets: no targets, mask or success.
nb::object run(const FloatNetwork& net, const InputArray& inputs, std::optional<std::uint64_t> seed) {
  return visit(net, [&](const auto& a) {
    const auto& config = a.network.config();
    models::Batch batch = batch_from_arrays(inputs, nb::none(), nb::none(), config.n_in, config.n_out);
    const std::uint64_t s = seed.value_or(a.seed);
    std::optional<models::NamedArrays> arrays;
    {
      nb::gil_scoped_release release;
      const auto task = no_criterion_task(config.n_in, config.n_out, batch.n_steps);
      arrays = models::float_trajectories(a.network, models::evaluation_trials(std::move(batch), config, s), *task);
    }
    return named_arrays(*arrays, {"targets", "mask", "success"});
  });
}

// A Python value as a TrainSpec value.
models::TrainOptionValue option_value(const std::string& name, nb::handle value) {
  if (nb::isinstance<nb::bool_>(value)) return nb::cast<bool>(value);
  if (nb::isinstance<nb::int_>(value)) return nb::cast<std::int64_t>(value);
  if (nb::isinstance<nb::float_>(value)) return nb::cast<double>(value);
  if (nb::isinstance<nb::str>(value)) return nb::cast<std::string>(value);
  if (nb::isinstance<nb::list>(value) || nb::isinstance<nb::tuple>(value)) {
    std::vector<std::string> items;
    for (nb::handle item : value) {
      if (!nb::isinstance<nb::str>(item)) {
        throw InputError(fmt::format("{}: expected a list of names, got an item {}", name,
                                     nb::cast<std::string>(nb::repr(item))));
      }
      items.push_back(nb::cast<std::string>(item));
    }
    return items;
  }
  // numpy scalars and other numbers
  if (PyIndex_Check(value.ptr())) return nb::cast<std::int64_t>(nb::int_(value));
  if (PyFloat_Check(value.ptr()) || PyNumber_Check(value.ptr())) return nb::cast<double>(nb::float_(value));
  throw InputError(fmt::format("{}: a value of type {} is not an option value", name,
                               nb::cast<std::string>(nb::str(value.type().attr("__name__")))));
}

// `neurofab train`, the options given as {name: value} with the command
// line's names without dashes ("tau-mem", "task-param.bits"), into `out`.
FloatNetwork train(const std::vector<std::pair<std::string, nb::object>>& options, nb::object progress_callback,
                   nb::object warn) {
  models::TrainSpec spec;
  spec.training.threads = 0;  // the CLI's default: every core
  for (const auto& [name, value] : options) models::set_train_option(spec, name, option_value(name, value));
  if (spec.is_elise()) {
    throw InputError("model 'elise': the Python package trains rate and LIF networks (use the `neurofab` command for "
                     "ELiSe)");
  }
  spec.quiet = true;
  const Progress progress(std::move(progress_callback));
  models::PreparedTraining prepared = models::prepare_training(spec);
  auto& artifact = std::get<models::Artifact>(prepared);
  if (spec.check_only) return FloatNetwork{std::move(artifact), ""};
  {
    nb::gil_scoped_release release;
    const int max_epochs = std::visit([](const auto& a) { return a.training.max_epochs; }, artifact);
    models::TrainRunHooks hooks;
    hooks.on_rollback = [&](const models::Rollback& r) {
      nb::gil_scoped_acquire gil;
      warn(models::rollback_message(r));
    };
    hooks.on_epoch = [&](const models::TrainingState& s) {
      const auto& r = s.log.back();
      progress(s.epochs_done, max_epochs,
               {{"loss", r.loss},
                {"task_loss", r.task_loss},
                {"success", r.validation_success},
                {"lr", r.learning_rate}});
    };
    models::run_training(artifact, spec, hooks);
  }
  std::visit(
      [&](const auto& a) {
        if (!a.state.stopped.empty()) warn(a.state.stopped);
      },
      artifact);
  if (spec.min_success_percent >= 0) {  // train --min-success: the CLI's report and requirement
    const double success = std::visit(
        [&](const auto& a) {
          nb::gil_scoped_release release;
          const auto task = models::make_task(a.task_name, a.task_params);
          return models::evaluate(a.network, *task, spec.eval_trials, a.seed).success_rate;
        },
        artifact);
    if (100 * success < spec.min_success_percent) {
      throw TargetMissedError(fmt::format("{}: test success {:.1f}% is below --min-success {:g}%", spec.out.string(),
                                          100 * success, spec.min_success_percent));
    }
  }
  return FloatNetwork{std::move(artifact), spec.out.string()};
}

nb::dict history(const FloatNetwork& net) {
  return visit(net, [&](const auto& a) {
    const models::TrainingState& s = a.state;
    nlohmann::json log = nlohmann::json::array();
    for (const auto& r : s.log) {
      log.push_back({{"epoch", r.epoch},
                     {"loss", r.loss},
                     {"task_loss", r.task_loss},
                     {"validation_success", r.validation_success},
                     {"validation_loss", r.validation_loss},
                     {"learning_rate", r.learning_rate},
                     {"seconds", r.seconds}});
    }
    nlohmann::json rollbacks = nlohmann::json::array();
    for (const auto& r : s.rollbacks) rollbacks.push_back(models::rollback_message(r));
    const nlohmann::json j = {{"epochs_done", s.epochs_done},
                              {"converged_epoch", s.converged_epoch >= 0 ? nlohmann::json(s.converged_epoch) : nullptr},
                              {"best_epoch", s.best.epoch},
                              {"best_validation_success", s.best.validation_success},
                              {"finished", s.finished},
                              {"stopped", s.stopped},
                              {"log", log},
                              {"rollbacks", rollbacks}};
    return nb::cast<nb::dict>(to_python(j));
  });
}

}  // namespace

void bind_models(nb::module_& m) {
  nb::class_<FloatNetwork>(m, "FloatNetwork", "A rate or LIF network in memory (an artifact folder's content).")
      .def_static("load", &load_float, nb::arg("dir"), "Loads an artifact folder; nf::InputError names the defect.")
      .def("save", &save_float, nb::arg("dir"), nb::arg("force") = false,
           "Writes the artifact folder atomically (the CLI's format).")
      .def_prop_ro("folder", [](const FloatNetwork& n) { return n.folder; })
      .def_prop_ro("family", [](const FloatNetwork& n) {
        return std::string(models::short_name(models::family_of(n.artifact)));
      })
      .def_prop_ro("description", [](const FloatNetwork& n) { return models::model_description(n.artifact); })
      .def_prop_ro("n_rec", [](const FloatNetwork& n) { return visit(n, [](const auto& a) { return a.network.config().n_rec; }); })
      .def_prop_ro("n_in", [](const FloatNetwork& n) { return visit(n, [](const auto& a) { return a.network.config().n_in; }); })
      .def_prop_ro("n_out", [](const FloatNetwork& n) { return visit(n, [](const auto& a) { return a.network.config().n_out; }); })
      .def_prop_ro("config", [](const FloatNetwork& n) {
        return visit(n, [](const auto& a) { return to_python(models::model_to_json(a.network.config())); });
      })
      .def_prop_ro("task", [](const FloatNetwork& n) { return visit(n, [](const auto& a) { return a.task_name; }); })
      .def_prop_ro("task_params", [](const FloatNetwork& n) { return visit(n, [](const auto& a) { return a.task_params; }); })
      .def_prop_ro("seed", [](const FloatNetwork& n) { return visit(n, [](const auto& a) { return a.seed; }); })
      .def_prop_ro("n_steps", [](const FloatNetwork& n) {
        return visit(n, [](const auto& a) { return models::make_task(a.task_name, a.task_params)->n_steps(); });
      })
      .def_prop_ro("history", &history)
      .def_prop_ro("weights", [](nb::handle self) { return weights_of(self); })
      .def("set_weight", &set_weight, nb::arg("name"), nb::arg("values"))
      .def("run", &run, nb::arg("inputs"), nb::arg("seed") = nb::none())
      .def("evaluate", &evaluate, nb::arg("trials"), nb::arg("seed") = nb::none(), nb::arg("data") = "",
           nb::arg("success_mse") = 0.0);

  m.def("train", &train, nb::arg("options"), nb::arg("progress") = nb::none(), nb::arg("warn"),
        "`neurofab train` with its options as (name, value) pairs (names without dashes).");
  m.def("train_option_names", [] {
    std::vector<std::string> names;
    for (const auto& n : models::train_option_names()) names.push_back(n.substr(2));
    return names;
  });
  m.def("task_names", &models::task_names);
  m.def("task_info", [](const std::string& name, const std::map<std::string, double>& params) {
    const auto task = models::make_task(name, params);
    nlohmann::json p = nlohmann::json::object();
    for (const auto& param : task->params()) {
      p[param.name] = {{"value", param.value}, {"description", param.description}, {"integer", param.integer}};
    }
    return to_python({{"name", task->name()}, {"summary", task->summary()}, {"n_in", task->n_in()},
                      {"n_out", task->n_out()}, {"n_steps", task->n_steps()}, {"params", p}});
  }, nb::arg("name"), nb::arg("params") = std::map<std::string, double>{});
  m.def("task_trials", [](const std::string& name, const std::map<std::string, double>& params, int trials,
                          std::uint64_t seed) {
    // The evaluation trials `neurofab eval` runs for (task, seed): [T, B, C] arrays.
    if (trials < 1) throw InputError(fmt::format("trials {}: at least 1 trial", trials));
    auto batch = std::make_shared<models::Batch>();
    {
      nb::gil_scoped_release release;
      const auto task = models::make_task(name, params);
      models::RateRnnConfig config;
      config.n_in = task->n_in();
      config.n_out = task->n_out();
      *batch = models::evaluation_trials(*task, config, trials, seed).batch;
    }
    models::NamedArrays arrays;
    models::add_trial_arrays(arrays, batch, std::vector<bool>(static_cast<std::size_t>(trials), false));
    return named_arrays(arrays, {"success"});
  }, nb::arg("name"), nb::arg("params"), nb::arg("trials"), nb::arg("seed"));
  m.def("is_quantized", [](const std::string& dir) { return quantize::is_quantized_artifact(dir); });
}

}  // namespace nf::python
