// NIR exchange in Python: `neurofab export-nir` and `neurofab import-nir` on
// NIR files (interop/, nir 1.0.8's HDF5 layout). The package hands
// nir.NIRGraph objects to these through a temporary file written and read by
// the real `nir` package (neurofab/nir.py).

#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <fmt/format.h>

#include "bindings.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/interop/nir_export.hpp"
#include "neurofab/interop/nir_import.hpp"
#include "neurofab/models/tasks/task_data.hpp"

namespace nf::python {

namespace {

// `neurofab export-nir <dir> -o <file>` on a saved folder (float LIF or quantized LIF).
void export_nir(const std::string& dir, const std::string& file, std::optional<double> dt_seconds) {
  interop::NirExportOptions options;
  if (dt_seconds) {
    if (!(*dt_seconds > 0)) throw InputError(fmt::format("--dt {}: must be a positive number of seconds", *dt_seconds));
    options.dt_seconds = dt_seconds;
  }
  nb::gil_scoped_release release;
  interop::export_nir(dir, file, options);
}

// `neurofab import-nir <file> -o <out>`; returns (profile, notes).
nb::tuple import_nir(const std::string& file, const std::string& out, std::optional<double> dt_seconds,
                     const std::string& reset, const std::string& discretisation, const std::string& task,
                     const std::map<std::string, double>& task_params, const std::string& data) {
  interop::NirImportOptions options;
  if (dt_seconds) {
    if (!(*dt_seconds > 0)) throw InputError(fmt::format("--dt {}: must be a positive number of seconds", *dt_seconds));
    options.dt_seconds = dt_seconds;
  }
  if (discretisation != "euler" && discretisation != "exp") {
    throw InputError(fmt::format("--discretisation: {} not in {{euler,exp}}", discretisation));
  }
  options.exponential_decay = discretisation == "exp";
  if (!reset.empty()) {
    if (reset != "zero" && reset != "subtract") throw InputError(fmt::format("--reset: {} not in {{zero,subtract}}", reset));
    options.reset = models::reset_mode_from_string(reset);
  }
  if (!data.empty() && !task.empty()) throw InputError("--data and --task: give one of them");
  if (!data.empty()) {
    options.task_name = models::kDataTaskName;
    options.task_params = models::register_task_data(data);
  } else if (!task.empty()) {
    options.task_name = task;
    options.task_params = task_params;
  } else if (!task_params.empty()) {
    throw InputError("--task-param needs --task");
  }
  std::optional<interop::NirImport> imported;
  {
    nb::gil_scoped_release release;
    const interop::NirNode graph = interop::read_nir(file);
    imported = interop::import_nir(graph, file, options);
    interop::write_import(*imported, file, out);
  }
  return nb::make_tuple(imported->quantized ? "integer" : "float", imported->notes, imported->neurofab_metadata);
}

}  // namespace

void bind_interop(nb::module_& m) {
  m.def("export_nir", &export_nir, nb::arg("dir"), nb::arg("file"), nb::arg("dt") = nb::none());
  m.def("import_nir", &import_nir, nb::arg("file"), nb::arg("out"), nb::arg("dt") = nb::none(), nb::arg("reset") = "",
        nb::arg("discretisation") = "euler", nb::arg("task") = "",
        nb::arg("task_params") = std::map<std::string, double>{}, nb::arg("data") = "");
}

}  // namespace nf::python
