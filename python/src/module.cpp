// neurofab._core: the module, the exceptions, and the helpers every binding
// file shares (bindings.hpp).

#include <Python.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "bindings.hpp"
#include "neurofab/models/tasks/task_data.hpp"
#include "neurofab/models/trajectories.hpp"
#include "neurofab/boards/build_flow.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/common/version.hpp"

namespace nf::python {

namespace {

// neurofab.errors' classes, looked up once when the module loads (never freed:
// the module lives as long as the interpreter).
struct ErrorTypes {
  PyObject* base = nullptr;          // NeurofabError
  PyObject* input = nullptr;         // InputError(NeurofabError, ValueError)
  PyObject* io = nullptr;            // IoError(NeurofabError, OSError)
  PyObject* verification = nullptr;  // VerificationError
  PyObject* target_missed = nullptr; // TargetMissedError
  PyObject* tool = nullptr;          // ToolError: Yosys, nextpnr, icepack failed or timing missed
};
ErrorTypes errors;

// The error's one line; a message that already has several keeps them.
void raise(PyObject* type, const char* message) { PyErr_SetString(type, message); }

}  // namespace

void Progress::operator()(long done, long total, const nlohmann::json& info) const {
  if (!active()) return;
  nb::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw nb::python_error();
  callback_(done, total, to_python(info));
}

nb::object to_python(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return nb::none();
    case nlohmann::json::value_t::boolean:
      return nb::bool_(value.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return nb::int_(value.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return nb::int_(value.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
      return nb::float_(value.get<double>());
    case nlohmann::json::value_t::string:
      return nb::str(value.get_ref<const std::string&>().c_str());
    case nlohmann::json::value_t::array: {
      nb::list list;
      for (const auto& item : value) list.append(to_python(item));
      return list;
    }
    case nlohmann::json::value_t::object: {
      nb::dict dict;
      for (const auto& [key, item] : value.items()) dict[nb::str(key.c_str())] = to_python(item);
      return dict;
    }
    default:
      return nb::none();
  }
}

nb::object named_arrays(const models::NamedArrays& arrays, const std::vector<std::string>& drop) {
  models::NamedArrays kept;
  kept.keep(std::make_shared<const models::NamedArrays>(arrays));  // shares the data's owners
  for (const models::NamedArray& a : arrays.arrays()) {
    if (std::find(drop.begin(), drop.end(), a.name) != drop.end()) continue;
    std::visit([&](const auto* data) { kept.add_view(a.name, a.shape, data); }, a.data);
  }
  return nb::cast(std::move(kept));
}

void bind_named_arrays(nb::module_& m) {
  nb::class_<models::NamedArrays>(m, "NamedArrays", "A run's arrays by name (wrapped by neurofab.Trajectories).")
      .def("names", [](const models::NamedArrays& self) {
        std::vector<std::string> names;
        for (const auto& a : self.arrays()) names.push_back(a.name);
        return names;
      }, "The array names, in the order of eval --dump.")
      .def("array", [](nb::handle self, const std::string& name) -> nb::object {
        const auto& arrays = nb::cast<const models::NamedArrays&>(self);
        if (!arrays.has(name)) throw nb::key_error(name.c_str());
        const models::NamedArray& a = arrays.at(name);
        std::vector<std::size_t> shape(a.shape.begin(), a.shape.end());
        return std::visit([&](const auto* data) -> nb::object {
          using T = std::remove_const_t<std::remove_pointer_t<decltype(data)>>;
          return nb::cast(nb::ndarray<nb::numpy, const T>(data, shape.size(), shape.data(), self));
        }, a.data);
      }, nb::arg("name"), "A read-only numpy view of the array (no copy); it keeps this object alive.");
}

namespace {

// [T, B, C] of `array` (an ndarray or None) into `out` (C x T·B): the layouts are the same.
void read_channels(nb::handle array, const char* name, int channels, int steps, int trials, Eigen::MatrixXd& out) {
  const InputArray a = nb::cast<InputArray>(array);
  if (a.shape(0) != static_cast<std::size_t>(steps) || a.shape(1) != static_cast<std::size_t>(trials) ||
      a.shape(2) != static_cast<std::size_t>(channels)) {
    throw InputError(fmt::format("{}: shape [{}, {}, {}], expected [T, B, C] = [{}, {}, {}] (the inputs' T and B, the "
                                 "network's {})",
                                 name, a.shape(0), a.shape(1), a.shape(2), steps, trials, channels,
                                 std::string(name) == "inputs" ? "n_in" : "n_out"));
  }
  out.resize(channels, Eigen::Index{steps} * trials);
  std::copy(a.data(), a.data() + a.size(), out.data());
  for (Eigen::Index i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out.data()[i])) {
      const Eigen::Index column = i / channels;
      throw InputError(fmt::format("{}: value {} at [t={}, b={}, c={}] is not finite", name, out.data()[i],
                                   column / trials, column % trials, i % channels));
    }
  }
}

}  // namespace

models::Batch batch_from_arrays(const InputArray& inputs, nb::handle targets, nb::handle mask, int n_in, int n_out) {
  const int steps = static_cast<int>(inputs.shape(0));
  const int trials = static_cast<int>(inputs.shape(1));
  if (steps < 1 || trials < 1) {
    throw InputError(fmt::format("inputs: shape [{}, {}, {}] holds no step or no trial", inputs.shape(0),
                                 inputs.shape(1), inputs.shape(2)));
  }
  if (inputs.shape(2) != static_cast<std::size_t>(n_in)) {
    throw InputError(fmt::format("inputs: shape [{}, {}, {}], expected [T, B, {}] (the network's n_in is {})",
                                 inputs.shape(0), inputs.shape(1), inputs.shape(2), n_in, n_in));
  }
  models::Batch batch;
  batch.n_steps = steps;
  batch.batch_size = trials;
  read_channels(nb::cast(inputs), "inputs", n_in, steps, trials, batch.inputs);
  const Eigen::Index columns = Eigen::Index{steps} * trials;
  if (targets.is_none()) {
    batch.targets = Eigen::MatrixXd::Zero(n_out, columns);
  } else {
    read_channels(targets, "targets", n_out, steps, trials, batch.targets);
  }
  if (mask.is_none()) {
    batch.mask = Eigen::MatrixXd::Ones(n_out, columns);
  } else {
    read_channels(mask, "mask", n_out, steps, trials, batch.mask);
    for (Eigen::Index i = 0; i < batch.mask.size(); ++i) {
      const double v = batch.mask.data()[i];
      if (v != 0 && v != 1) throw InputError(fmt::format("mask: value {} is not 0 or 1", v));
    }
  }
  return batch;
}

std::unique_ptr<models::Task> no_criterion_task(int n_in, int n_out, int n_steps) {
  return models::unscored_task(n_in, n_out, n_steps);
}

std::map<std::string, double> data_task_params(const std::string& data, double success_mse, double file_success_mse,
                                               const std::string& task_name,
                                               const std::map<std::string, double>& task_params) {
  std::map<std::string, double> params = models::register_task_data(data);
  if (success_mse > 0) {
    params["success_mse"] = success_mse;
  } else if (std::isnan(file_success_mse) && task_name == models::kDataTaskName && task_params.count("success_mse") > 0) {
    params["success_mse"] = task_params.at("success_mse");  // the network's own criterion
  }
  return params;
}

void check_out_folder(const std::string& out, bool force) {
  if (out.empty()) throw InputError("out: give a folder to write");
  if (std::filesystem::exists(out) && !force) {
    throw InputError(fmt::format("{}: already exists (use force=True to replace it)", out));
  }
}

}  // namespace nf::python

NB_MODULE(_core, m) {
  namespace nb = nanobind;
  using namespace nf::python;
  m.doc() = "neurofab's C++ core: the stage libraries the `neurofab` command runs (use the `neurofab` package).";
  m.attr("version") = nf::kVersionString;
  bind_named_arrays(m);

  const nb::module_ module_errors = nb::module_::import_("neurofab.errors");
  errors.base = module_errors.attr("NeurofabError").inc_ref().ptr();
  errors.input = module_errors.attr("InputError").inc_ref().ptr();
  errors.io = module_errors.attr("IoError").inc_ref().ptr();
  errors.verification = module_errors.attr("VerificationError").inc_ref().ptr();
  errors.target_missed = module_errors.attr("TargetMissedError").inc_ref().ptr();
  errors.tool = module_errors.attr("ToolError").inc_ref().ptr();
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const nf::InputError& e) {  // boards::FitError too
      raise(errors.input, e.what());
    } catch (const nf::IoError& e) {
      raise(errors.io, e.what());
    } catch (const nf::VerificationError& e) {
      raise(errors.verification, e.what());
    } catch (const nf::TargetMissedError& e) {
      raise(errors.target_missed, e.what());
    } catch (const nf::boards::ToolError& e) {
      raise(errors.tool, e.what());
    }
  });

  bind_models(m);
  bind_quantize(m);
  bind_hardware(m);
  bind_interop(m);
}
