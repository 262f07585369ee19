#pragma once
// Eigen matrices as .npy tensors listed in a model.json "tensors" index: shared
// by the artifact writers of every model family (artifact.cpp, elise/).
//
// Eigen is column-major and .npy files are written in C order, so W[i, j]
// stays W[i, j]. An index entry is {"file", "dtype", "shape"}.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "neurofab/common/error.hpp"
#include "neurofab/common/json_fields.hpp"
#include "neurofab/common/npy.hpp"

namespace nf::models {

template <typename T>
const char* npy_dtype_name() {
  if constexpr (std::is_same_v<T, float>) return "float32";
  if constexpr (std::is_same_v<T, double>) return "float64";
  if constexpr (std::is_same_v<T, std::int32_t>) return "int32";
  if constexpr (std::is_same_v<T, std::uint8_t>) return "uint8";
}

// Writes `m` as element type T to dir/file (a vector of m.rows() entries if
// `vector`) and returns its index entry.
template <typename T, typename Matrix>
nlohmann::json write_matrix(const std::filesystem::path& dir, const std::string& file, const Matrix& m, bool vector) {
  const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = m.template cast<T>();
  std::vector<std::int64_t> shape = {m.rows()};
  if (!vector) shape.push_back(m.cols());
  write_npy<T>(dir / file, shape, row_major.data());
  return {{"file", file}, {"dtype", npy_dtype_name<T>()}, {"shape", shape}};
}

// Reads tensor `name` listed in `index` (the "tensors" object of model.json)
// as element type T and checks its shape, and that it is finite (floating
// point) or 0/1 (uint8 masks). Returns it as a matrix of Scalar.
template <typename T, typename Scalar = float>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> read_matrix(const std::filesystem::path& dir,
                                                                  const JsonFields& index, const std::string& name,
                                                                  Eigen::Index rows, Eigen::Index cols, bool vector) {
  const JsonFields entry = index.object(name);
  const std::string file = entry.string("file");
  if (file.empty() || file.find("..") != std::string::npos || std::filesystem::path(file).is_absolute()) {
    entry.fail("file", fmt::format("'{}' is not a file name inside the artifact folder", file));
  }
  const std::filesystem::path path = dir / file;
  const NpyArray<T> array = read_npy<T>(path);
  const std::vector<std::int64_t> want =
      vector ? std::vector<std::int64_t>{rows} : std::vector<std::int64_t>{rows, cols};
  if (array.shape != want) {
    throw InputError(fmt::format("{}: tensor '{}' has shape ({}), the model needs ({})", path.string(), name,
                                 fmt::join(array.shape, ", "), fmt::join(want, ", ")));
  }
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      const T value = array.data[static_cast<std::size_t>(i * cols + j)];
      if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(value)) {
          throw InputError(fmt::format("{}: tensor '{}' has a non-finite value ({}) at [{}, {}]", path.string(),
                                       name, value, i, j));
        }
      } else if constexpr (std::is_same_v<T, std::uint8_t>) {
        if (value > 1) {
          throw InputError(fmt::format("{}: mask '{}' must be 0 or 1, has {} at [{}, {}]", path.string(), name,
                                       int{value}, i, j));
        }
      }
      m(i, j) = static_cast<Scalar>(value);
    }
  }
  return m;
}

}  // namespace nf::models
