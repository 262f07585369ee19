#include "neurofab/interop/nir_graph.hpp"

#include <fmt/format.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <system_error>

#include "neurofab/common/error.hpp"

namespace nf::interop {
namespace fs = std::filesystem;
using nlohmann::json;

std::int64_t NirArray::size() const {
  return std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
}

NirArray NirArray::vector(std::vector<double> values, NirDtype dtype) {
  const auto n = static_cast<std::int64_t>(values.size());
  return {dtype, {n}, std::move(values)};
}

NirArray NirArray::matrix(std::int64_t rows, std::int64_t cols, std::vector<double> values, NirDtype dtype) {
  if (static_cast<std::int64_t>(values.size()) != rows * cols) throw std::logic_error("NirArray::matrix: size");
  return {dtype, {rows, cols}, std::move(values)};
}

const NirArray& NirNode::param(const std::string& name, const std::string& where, const std::string& node) const {
  const auto it = params.find(name);
  if (it == params.end()) {
    throw InputError(fmt::format("{}: node '{}' ({}) has no numeric field '{}'", where, node, type, name));
  }
  return it->second;
}

namespace {

// ---------------------------------------------------------------- HDF5 handles

// An HDF5 identifier closed by its own close function when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// HDF5 prints its error stack to stderr by default; we report one line instead.
void silence_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

// Where a message points: the file and the object's path inside it.
struct Place {
  std::string file;
  std::string path;  // e.g. "/node/nodes/lif"
  std::string operator()(const std::string& what) const { return fmt::format("{}: {}: {}", file, path, what); }
  Place child(const std::string& name) const { return {file, path + "/" + name}; }
};

// ---------------------------------------------------------------- reading

std::vector<std::string> link_names(hid_t group, const Place& at) {
  H5G_info_t info;
  if (H5Gget_info(group, &info) < 0) throw InputError(at("cannot list the group"));
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) throw InputError(at("cannot read a link name"));
    std::string name(static_cast<std::size_t>(length), '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    names.push_back(std::move(name));
  }
  return names;
}

bool is_group(hid_t parent, const std::string& name) {
  const Handle object(H5Oopen(parent, name.c_str(), H5P_DEFAULT), H5Oclose);
  return object.ok() && H5Iget_type(object.get()) == H5I_GROUP;
}

std::vector<std::int64_t> dataset_shape(hid_t dataset, const Place& at) {
  const Handle space(H5Dget_space(dataset), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw InputError(at("cannot read the dataset's shape"));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

std::int64_t element_count(const std::vector<std::int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
}

// Every string of a string dataset (any rank), variable- or fixed-length.
std::vector<std::string> read_strings(hid_t dataset, hid_t file_type, const Place& at) {
  const std::int64_t n = element_count(dataset_shape(dataset, at));
  std::vector<std::string> out;
  if (H5Tis_variable_str(file_type) > 0) {
    const Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(file_type));
    std::vector<char*> buffer(static_cast<std::size_t>(n), nullptr);
    if (H5Dread(dataset, memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0) {
      throw InputError(at("cannot read the strings"));
    }
    for (char* s : buffer) out.emplace_back(s ? s : "");
    const Handle space(H5Dget_space(dataset), H5Sclose);
    H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, buffer.data());
    return out;
  }
  const std::size_t width = H5Tget_size(file_type);
  std::vector<char> buffer(static_cast<std::size_t>(n) * width + 1, '\0');
  const Handle memory(H5Tcopy(file_type), H5Tclose);
  if (H5Dread(dataset, memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0) {
    throw InputError(at("cannot read the strings"));
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const char* s = buffer.data() + static_cast<std::size_t>(i) * width;
    out.emplace_back(s, strnlen(s, width));
  }
  return out;
}

// The values of a numeric dataset as double, and its dtype.
NirArray read_numbers(hid_t dataset, hid_t file_type, const Place& at) {
  NirArray array;
  array.shape = dataset_shape(dataset, at);
  array.values.resize(static_cast<std::size_t>(element_count(array.shape)));
  const H5T_class_t type_class = H5Tget_class(file_type);
  const std::size_t bytes = H5Tget_size(file_type);
  if (type_class == H5T_FLOAT) {
    array.dtype = bytes <= 4 ? NirDtype::kFloat32 : NirDtype::kFloat64;
    if (H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.values.data()) < 0) {
      throw InputError(at("cannot read the numbers"));
    }
    return array;
  }
  // Integers, and h5py's booleans: an enum over int8, read as its int8 values.
  std::vector<std::int64_t> integers(array.values.size());
  if (type_class == H5T_ENUM) {
    const Handle native(H5Tget_native_type(file_type, H5T_DIR_ASCEND), H5Tclose);
    if (H5Tget_size(native.get()) != 1) throw InputError(at("an enum wider than one byte is not supported"));
    std::vector<std::int8_t> raw(integers.size());
    if (H5Dread(dataset, native.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0) {
      throw InputError(at("cannot read the enum values"));
    }
    std::copy(raw.begin(), raw.end(), integers.begin());
  } else if (H5Dread(dataset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, integers.data()) < 0) {
    throw InputError(at("cannot read the integers"));
  }
  array.dtype = bytes <= 4 ? NirDtype::kInt32 : NirDtype::kInt64;
  constexpr std::int64_t kExact = std::int64_t{1} << 53;
  for (std::size_t i = 0; i < integers.size(); ++i) {
    if (integers[i] > kExact || integers[i] < -kExact) {
      throw InputError(at(fmt::format("integer {} at [{}] is beyond 2^53 (not exact in this reader)", integers[i], i)));
    }
    array.values[i] = static_cast<double>(integers[i]);
  }
  return array;
}

// Nested arrays of `shape`, from the flat values in C order.
json nest(const std::vector<json>& flat, const std::vector<std::int64_t>& shape, std::size_t dim, std::size_t& at) {
  if (dim == shape.size()) return flat[at++];
  json out = json::array();
  for (std::int64_t i = 0; i < shape[dim]; ++i) out.push_back(nest(flat, shape, dim + 1, at));
  return out;
}

json read_metadata_value(hid_t parent, const std::string& name, const Place& at);

json read_metadata_group(hid_t group, const Place& at) {
  json out = json::object();
  for (const std::string& name : link_names(group, at)) out[name] = read_metadata_value(group, name, at.child(name));
  return out;
}

json read_metadata_value(hid_t parent, const std::string& name, const Place& at) {
  if (is_group(parent, name)) {
    const Handle group(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose);
    return read_metadata_group(group.get(), at);
  }
  const Handle dataset(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dataset.ok()) throw InputError(at("cannot open"));
  const Handle type(H5Dget_type(dataset.get()), H5Tclose);
  const std::vector<std::int64_t> shape = dataset_shape(dataset.get(), at);
  std::vector<json> flat;
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class == H5T_STRING) {
    for (auto& s : read_strings(dataset.get(), type.get(), at)) flat.emplace_back(std::move(s));
  } else if (type_class == H5T_FLOAT || type_class == H5T_INTEGER || type_class == H5T_ENUM) {
    const NirArray numbers = read_numbers(dataset.get(), type.get(), at);
    const bool boolean = type_class == H5T_ENUM;
    const bool integer = numbers.dtype == NirDtype::kInt32 || numbers.dtype == NirDtype::kInt64;
    for (const double v : numbers.values) {
      if (boolean) flat.emplace_back(v != 0);
      else if (integer) flat.emplace_back(static_cast<std::int64_t>(v));
      else flat.emplace_back(v);
    }
  } else {
    throw InputError(at("metadata of an unsupported HDF5 type (neither number, boolean nor string)"));
  }
  std::size_t position = 0;
  return nest(flat, shape, 0, position);
}

NirNode read_node(hid_t group, const Place& at) {
  NirNode node;
  const std::vector<std::string> names = link_names(group, at);
  bool typed = false;
  for (const std::string& name : names) {
    const Place here = at.child(name);
    if (name == "metadata" && is_group(group, name)) {
      const Handle metadata(H5Gopen2(group, name.c_str(), H5P_DEFAULT), H5Gclose);
      node.metadata = read_metadata_group(metadata.get(), here);
      continue;
    }
    if (name == "nodes" && is_group(group, name)) {
      const Handle nodes(H5Gopen2(group, name.c_str(), H5P_DEFAULT), H5Gclose);
      for (const std::string& child : link_names(nodes.get(), here)) {
        if (!is_group(nodes.get(), child)) throw InputError(here.child(child)("a node must be a group"));
        const Handle child_group(H5Gopen2(nodes.get(), child.c_str(), H5P_DEFAULT), H5Gclose);
        node.nodes.emplace(child, read_node(child_group.get(), here.child(child)));
      }
      continue;
    }
    if (is_group(group, name)) {  // e.g. Flatten's input_type: not a parameter neurofab reads
      node.other_fields.push_back(name);
      continue;
    }
    const Handle dataset(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
    const Handle type(H5Dget_type(dataset.get()), H5Tclose);
    const H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class == H5T_STRING) {
      std::vector<std::string> strings = read_strings(dataset.get(), type.get(), here);
      if (name == "type") {
        if (strings.size() != 1) throw InputError(here("expected one string"));
        node.type = strings[0];
        typed = true;
      } else if (name == "edges") {
        if (strings.size() % 2 != 0) throw InputError(here("expected pairs of node names"));
        for (std::size_t i = 0; i < strings.size(); i += 2) node.edges.emplace_back(strings[i], strings[i + 1]);
      } else {
        node.other_fields.push_back(name);
      }
    } else if (type_class == H5T_FLOAT || type_class == H5T_INTEGER) {
      node.params.emplace(name, read_numbers(dataset.get(), type.get(), here));
    } else {
      node.other_fields.push_back(name);
    }
  }
  if (!typed) throw InputError(at("a NIR node needs a string dataset 'type' (is this a NIR file?)"));
  return node;
}

// ---------------------------------------------------------------- writing

Handle string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

// h5py's boolean: an enum over int8 with FALSE = 0 and TRUE = 1.
Handle bool_type() {
  Handle type(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
  const std::int8_t no = 0, yes = 1;
  H5Tenum_insert(type.get(), "FALSE", &no);
  H5Tenum_insert(type.get(), "TRUE", &yes);
  return type;
}

Handle dataspace(const std::vector<std::int64_t>& shape) {
  if (shape.empty()) return Handle(H5Screate(H5S_SCALAR), H5Sclose);
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw IoError(what);
}

void write_dataset(hid_t parent, const std::string& name, hid_t file_type, hid_t memory_type,
                   const std::vector<std::int64_t>& shape, const void* data, const std::string& file) {
  const Handle space = dataspace(shape);
  const Handle dataset(H5Dcreate2(parent, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                       H5Dclose);
  if (!dataset.ok()) throw IoError(fmt::format("{}: cannot create dataset '{}'", file, name));
  if (!shape.empty() && element_count(shape) == 0) return;
  check(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
        fmt::format("{}: cannot write dataset '{}'", file, name));
}

void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& strings,
                   const std::vector<std::int64_t>& shape, const std::string& file) {
  std::vector<const char*> pointers;
  for (const auto& s : strings) pointers.push_back(s.c_str());
  const Handle type = string_type();
  write_dataset(parent, name, type.get(), type.get(), shape, pointers.data(), file);
}

void write_array(hid_t parent, const std::string& name, const NirArray& array, const std::string& file) {
  switch (array.dtype) {
    case NirDtype::kFloat32: {
      const std::vector<float> values(array.values.begin(), array.values.end());
      write_dataset(parent, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, array.shape, values.data(), file);
      return;
    }
    case NirDtype::kFloat64:
      write_dataset(parent, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, array.shape, array.values.data(), file);
      return;
    case NirDtype::kInt32:
    case NirDtype::kInt64: {
      const std::vector<std::int64_t> values(array.values.begin(), array.values.end());
      write_dataset(parent, name, array.dtype == NirDtype::kInt32 ? H5T_STD_I32LE : H5T_STD_I64LE, H5T_NATIVE_INT64,
                    array.shape, values.data(), file);
      return;
    }
  }
}

Handle create_group(hid_t parent, const std::string& name, const std::string& file) {
  Handle group(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  if (!group.ok()) throw IoError(fmt::format("{}: cannot create group '{}'", file, name));
  return group;
}

// The shape and C-order elements of nested JSON arrays; ragged nesting is refused.
template <typename Fail>
void flatten_array(const json& value, std::size_t depth, std::vector<std::int64_t>& shape, std::vector<json>& flat,
                   const Fail& fail) {
  if (!value.is_array()) {
    if (depth != shape.size()) fail("nested arrays must be rectangular");
    flat.push_back(value);
    return;
  }
  const auto size = static_cast<std::int64_t>(value.size());
  if (depth == shape.size()) {
    if (!flat.empty()) fail("nested arrays must be rectangular");
    shape.push_back(size);
  } else if (depth > shape.size() || shape[depth] != size) {
    fail("nested arrays must be rectangular");
  }
  for (const auto& item : value) flatten_array(item, depth + 1, shape, flat, fail);
}

void write_metadata(hid_t parent, const std::string& name, const json& value, const std::string& file) {
  const auto fail = [&](const char* why) {
    throw std::logic_error(fmt::format("NIR metadata '{}': {}", name, why));
  };
  switch (value.type()) {
    case json::value_t::object: {
      const Handle group = create_group(parent, name, file);
      for (const auto& [key, item] : value.items()) write_metadata(group.get(), key, item, file);
      return;
    }
    case json::value_t::string:
      write_strings(parent, name, {value.get<std::string>()}, {}, file);
      return;
    case json::value_t::boolean: {
      const Handle type = bool_type();
      const std::int8_t v = value.get<bool>() ? 1 : 0;
      write_dataset(parent, name, type.get(), type.get(), {}, &v, file);
      return;
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: {
      const std::int64_t v = value.get<std::int64_t>();
      write_dataset(parent, name, H5T_STD_I64LE, H5T_NATIVE_INT64, {}, &v, file);
      return;
    }
    case json::value_t::number_float: {
      const double v = value.get<double>();
      write_dataset(parent, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &v, file);
      return;
    }
    case json::value_t::array: {
      // Nested arrays of one shape become an N-D dataset; integers are int32
      // when every one fits (codes, masks), else int64.
      std::vector<std::int64_t> shape;
      std::vector<json> flat;
      flatten_array(value, 0, shape, flat, fail);
      bool strings = !flat.empty(), integers = true, fits_int32 = true;
      for (const auto& item : flat) {
        strings = strings && item.is_string();
        integers = integers && item.is_number_integer();
        if (!item.is_string() && !item.is_number()) fail("arrays hold numbers or strings only");
        if (item.is_number_integer()) {
          const std::int64_t v = item.get<std::int64_t>();
          fits_int32 = fits_int32 && v >= INT32_MIN && v <= INT32_MAX;
        }
      }
      if (strings) {
        std::vector<std::string> texts;
        for (const auto& item : flat) texts.push_back(item.get<std::string>());
        write_strings(parent, name, texts, shape, file);
        return;
      }
      std::vector<double> numbers;
      for (const auto& item : flat) {
        if (item.is_string()) fail("an array mixes strings and numbers");
        numbers.push_back(item.get<double>());
      }
      const NirDtype dtype = integers && !flat.empty() ? (fits_int32 ? NirDtype::kInt32 : NirDtype::kInt64)
                                                       : NirDtype::kFloat64;
      write_array(parent, name, {dtype, shape, std::move(numbers)}, file);
      return;
    }
    default:
      fail("null and binary values have no NIR form");
  }
}

void write_node(hid_t group, const NirNode& node, const std::string& file) {
  write_strings(group, "type", {node.type}, {}, file);
  for (const auto& [name, array] : node.params) write_array(group, name, array, file);
  if (!node.metadata.empty()) write_metadata(group, "metadata", node.metadata, file);
  if (node.type != "NIRGraph") return;
  const Handle nodes = create_group(group, "nodes", file);
  for (const auto& [name, child] : node.nodes) {
    const Handle child_group = create_group(nodes.get(), name, file);
    write_node(child_group.get(), child, file);
  }
  std::vector<std::string> ends;
  for (const auto& [from, to] : node.edges) {
    ends.push_back(from);
    ends.push_back(to);
  }
  write_strings(group, "edges", ends, {static_cast<std::int64_t>(node.edges.size()), 2}, file);
}

}  // namespace

NirNode read_nir(const fs::path& path) {
  silence_hdf5();
  const std::string file = path.string();
  if (!fs::exists(path)) throw InputError(fmt::format("{}: no such file", file));
  if (H5Fis_hdf5(file.c_str()) <= 0) throw InputError(fmt::format("{}: not a NIR file (not HDF5)", file));
  const Handle h5(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!h5.ok()) throw InputError(fmt::format("{}: cannot open the HDF5 file", file));
  if (H5Lexists(h5.get(), "node", H5P_DEFAULT) <= 0 || !is_group(h5.get(), "node")) {
    throw InputError(fmt::format("{}: not a NIR file (no group 'node' at the root)", file));
  }
  const Handle root(H5Gopen2(h5.get(), "node", H5P_DEFAULT), H5Gclose);
  NirNode graph = read_node(root.get(), Place{file, "/node"});
  if (graph.type != "NIRGraph") {
    throw InputError(fmt::format("{}: /node is a '{}', expected the root 'NIRGraph'", file, graph.type));
  }
  return graph;
}

void write_nir(const fs::path& path, const NirNode& graph) {
  silence_hdf5();
  if (graph.type != "NIRGraph") throw std::logic_error("write_nir: the root must be a NIRGraph");
  const fs::path target = fs::absolute(path);
  if (!fs::is_directory(target.parent_path())) {
    throw InputError(fmt::format("{}: the folder {} does not exist", path.string(), target.parent_path().string()));
  }
  const fs::path temporary = target.parent_path() / fmt::format(".{}.tmp-{}", target.filename().string(), getpid());
  const std::string file = temporary.string();
  try {
    {
      const Handle h5(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
      if (!h5.ok()) throw IoError(fmt::format("{}: cannot create the file", path.string()));
      write_strings(h5.get(), "version", {kNirFileVersion}, {}, path.string());
      const Handle root = create_group(h5.get(), "node", path.string());
      write_node(root.get(), graph, path.string());
      check(H5Fflush(h5.get(), H5F_SCOPE_GLOBAL), fmt::format("{}: cannot flush", path.string()));
    }
    fs::rename(temporary, target);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw;
  }
}

}  // namespace nf::interop
