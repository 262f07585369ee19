#pragma once
// What the four binding files of neurofab._core share (issue #22): the
// networks as Python objects, arrays in and out without copies where the
// layout allows, progress callbacks, and JSON as Python objects.
//
// One file per area: models.cpp (float networks, training, runs,
// evaluation), quantize.cpp (the integer golden model), hardware.cpp
// (verify, HLS, board builds, compare), interop.cpp (NIR). module.cpp holds
// the module and maps nf's exceptions to neurofab.errors.
//
// Long calls release the GIL (nb::gil_scoped_release) and take it back only
// to call a progress callback; a callback that raises (KeyboardInterrupt
// included: callbacks check for signals) ends the call with its exception.

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "neurofab/models/artifact.hpp"
#include "neurofab/models/task.hpp"
#include "neurofab/models/trajectories.hpp"
#include "neurofab/quantize/quantized_artifact.hpp"

namespace nf::python {

namespace nb = nanobind;

// A float network (rate or LIF) in memory, and the folder it was loaded from
// or last saved to ("" when it has none).
struct FloatNetwork {
  models::Artifact artifact;
  std::string folder;
};

// A quantized network (the integer golden model) in memory, and its folder.
struct QuantizedNetwork {
  quantize::QuantizedArtifact artifact;
  std::string folder;
};

// Input arrays as the Python layer hands them on: float64, C order, on the CPU.
using InputArray = nb::ndarray<const double, nb::ndim<3>, nb::c_contig, nb::device::cpu>;

// A Python callable(done, total, info: dict) or None, called with the GIL held.
class Progress {
 public:
  explicit Progress(nb::object callback) : callback_(std::move(callback)) {}
  bool active() const { return !callback_.is_none(); }
  // Takes the GIL (the caller released it), checks for signals, calls back.
  void operator()(long done, long total, const nlohmann::json& info = nlohmann::json::object()) const;

 private:
  nb::object callback_;
};

// JSON as Python objects (dict, list, str, int, float, bool, None).
nb::object to_python(const nlohmann::json& value);

// Named arrays as a _core.NamedArrays object (names in `drop` left out) that
// makes each numpy view (no copy) only when it is read: a run's fixed cost is
// then one object, not one numpy array per signal (≈ 2 µs each through
// nanobind), which is what the Python overhead target of issue #22 needs.
// neurofab.network.Trajectories wraps it as a read-only Mapping.
nb::object named_arrays(const models::NamedArrays& arrays, const std::vector<std::string>& drop = {});
void bind_named_arrays(nb::module_& m);

// A read-only numpy view of an Eigen matrix ([rows, cols], or [rows] for a
// column vector when `vector`), owned by `owner` (the Python object holding it).
template <typename Matrix>
nb::object matrix_view(const Matrix& m, nb::handle owner, bool vector) {
  using Scalar = typename Matrix::Scalar;
  constexpr bool row_major = Matrix::IsRowMajor;
  if (vector) {
    const std::size_t shape[1] = {static_cast<std::size_t>(m.rows())};
    return nb::cast(nb::ndarray<nb::numpy, const Scalar>(m.data(), 1, shape, owner));
  }
  const std::size_t shape[2] = {static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())};
  const std::int64_t strides[2] = {row_major ? static_cast<std::int64_t>(m.cols()) : 1,
                                   row_major ? 1 : static_cast<std::int64_t>(m.rows())};
  return nb::cast(nb::ndarray<nb::numpy, const Scalar>(m.data(), 2, shape, owner, strides));
}

// Trials from arrays [T, B, C]: targets and mask may be None (zeros, ones).
// Checks shapes against n_in and n_out and that every value is finite; throws
// nf::InputError in one line naming the array.
models::Batch batch_from_arrays(const InputArray& inputs, nb::handle targets, nb::handle mask, int n_in, int n_out);

// A task that scores nothing (every trial fails): the criterion of trials run
// without targets (net.run). Its shape is the network's.
std::unique_ptr<models::Task> no_criterion_task(int n_in, int n_out, int n_steps);

// The data task's parameters for evaluating on a data file: `success_mse` when
// given (> 0), else the file's, else — when the file has none — the network's
// own criterion if it was trained on a data task.
std::map<std::string, double> data_task_params(const std::string& data, double success_mse, double file_success_mse,
                                               const std::string& task_name,
                                               const std::map<std::string, double>& task_params);

// The folder exists: refuse to overwrite it without force (the CLI's message).
void check_out_folder(const std::string& out, bool force);

void bind_models(nb::module_& m);
void bind_quantize(nb::module_& m);
void bind_hardware(nb::module_& m);
void bind_interop(nb::module_& m);

}  // namespace nf::python
