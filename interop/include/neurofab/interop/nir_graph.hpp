#pragma once
// A NIR graph (Neuromorphic Intermediate Representation, neuroir.org) as the
// `nir` Python package reads and writes it, and its HDF5 file form.
//
// File layout (nir 1.0.8, nir/serialization.py): a dataset "version" (string)
// and a group "node" holding the root NIRGraph. Every node is a group with a
// string dataset "type" ("Affine", "CubaLIF", "NIRGraph", ...), one dataset per
// parameter (numeric arrays; Input/Output: "shape"), an optional group
// "metadata" (nested groups of scalars, strings and 1-D arrays), and for a
// NIRGraph a group "nodes" (one group per node, named by the node) and a
// dataset "edges": an E x 2 array of strings (source, target).
//
// This is the file model only: what a graph means for neurofab is
// nir_export.hpp / nir_import.hpp.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace nf::interop {

// The version of the `nir` package whose file layout this reader and writer follow.
inline constexpr const char* kNirFileVersion = "1.0.8";

enum class NirDtype { kFloat32, kFloat64, kInt32, kInt64 };

// One numeric parameter. Values are held as double: float32 and float64 are
// exact in it, and integers up to 2^53 (the reader refuses larger ones).
struct NirArray {
  NirDtype dtype = NirDtype::kFloat64;
  std::vector<std::int64_t> shape;  // empty: a scalar
  std::vector<double> values;       // C order

  std::int64_t size() const;
  static NirArray vector(std::vector<double> values, NirDtype dtype = NirDtype::kFloat64);
  static NirArray matrix(std::int64_t rows, std::int64_t cols, std::vector<double> values,
                         NirDtype dtype = NirDtype::kFloat64);
};

struct NirNode {
  std::string type;
  std::map<std::string, NirArray> params;      // numeric datasets ("weight", "tau_mem", "shape", ...)
  std::vector<std::string> other_fields;       // fields that are neither (read only, for messages)
  nlohmann::json metadata = nlohmann::json::object();
  // NIRGraph only.
  std::map<std::string, NirNode> nodes;
  std::vector<std::pair<std::string, std::string>> edges;

  bool has(const std::string& param) const { return params.count(param) > 0; }
  // The parameter; throws nf::InputError "<where>: node '<name>' (<type>) has no '<param>'".
  const NirArray& param(const std::string& param, const std::string& where, const std::string& name) const;
};

// Reads a NIR file. Throws nf::InputError naming the file (and node) when it
// is not HDF5, has no root graph, or a node lacks its "type".
NirNode read_nir(const std::filesystem::path& path);

// Writes `graph` (a NIRGraph) atomically: to a temporary name beside `path`,
// then renamed over it. Metadata values: objects become groups, strings,
// booleans (as h5py's bool enum), integers and floats become scalars, and
// arrays of numbers or strings become 1-D datasets.
void write_nir(const std::filesystem::path& path, const NirNode& graph);

}  // namespace nf::interop
