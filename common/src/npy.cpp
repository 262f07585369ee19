#include "neurofab/common/npy.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>

#include "neurofab/common/atomic_write.hpp"
#include "neurofab/common/error.hpp"
#include "npy_format.hpp"

static_assert(std::endian::native == std::endian::little,
              ".npy files are written little-endian; a big-endian host needs byte swapping");

namespace nf {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw InputError(fmt::format("{}: {}", path.string(), what));
}

}  // namespace

template <typename T>
std::int64_t NpyArray<T>::size() const {
  return npy_format::element_count(shape, "array");
}

template <> std::string npy_descr<float>() { return "<f4"; }
template <> std::string npy_descr<double>() { return "<f8"; }
template <> std::string npy_descr<std::int8_t>() { return "|i1"; }
template <> std::string npy_descr<std::int16_t>() { return "<i2"; }
template <> std::string npy_descr<std::int32_t>() { return "<i4"; }
template <> std::string npy_descr<std::int64_t>() { return "<i8"; }
template <> std::string npy_descr<std::uint8_t>() { return "|u1"; }
template <> std::string npy_descr<std::uint16_t>() { return "<u2"; }
template <> std::string npy_descr<std::uint32_t>() { return "<u4"; }
template <> std::string npy_descr<std::uint64_t>() { return "<u8"; }

template <typename T>
void write_npy(const fs::path& path, const std::vector<std::int64_t>& shape, const T* data) {
  const std::string header = npy_format::format_header(npy_descr<T>(), shape, path.string());
  const std::size_t data_bytes =
      static_cast<std::size_t>(npy_format::element_count(shape, path.string())) * sizeof(T);
  std::string out;
  out.reserve(header.size() + data_bytes);
  out += header;
  out.append(reinterpret_cast<const char*>(data), data_bytes);
  write_file_atomically(path, out);
}

template <typename T>
NpyArray<T> read_npy(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  const npy_format::Header header = npy_format::parse_header(bytes, path.string());
  if (header.descr != npy_descr<T>()) {
    fail(path, fmt::format("dtype is '{}', expected '{}'", header.descr, npy_descr<T>()));
  }
  NpyArray<T> array;
  array.shape = header.shape;
  const auto count = static_cast<std::size_t>(npy_format::element_count(array.shape, path.string()));
  const std::size_t expected = count * sizeof(T);
  const std::size_t actual = bytes.size() - header.data_offset;
  if (actual != expected) {
    fail(path, fmt::format("data section has {} bytes, shape {} needs {}{}", actual,
                           fmt::join(array.shape, "x"), expected, actual < expected ? " (truncated)" : ""));
  }
  array.data.resize(count);
  std::memcpy(array.data.data(), bytes.data() + header.data_offset, expected);
  if (header.fortran_order && array.shape.size() > 1) array.data = npy_format::to_c_order(array.data, array.shape);
  return array;
}

#define NF_INSTANTIATE_NPY(T)                                                               \
  template struct NpyArray<T>;                                                              \
  template void write_npy<T>(const fs::path&, const std::vector<std::int64_t>&, const T*); \
  template NpyArray<T> read_npy<T>(const fs::path&);
NF_INSTANTIATE_NPY(float)
NF_INSTANTIATE_NPY(double)
NF_INSTANTIATE_NPY(std::int8_t)
NF_INSTANTIATE_NPY(std::int16_t)
NF_INSTANTIATE_NPY(std::int32_t)
NF_INSTANTIATE_NPY(std::int64_t)
NF_INSTANTIATE_NPY(std::uint8_t)
NF_INSTANTIATE_NPY(std::uint16_t)
NF_INSTANTIATE_NPY(std::uint32_t)
NF_INSTANTIATE_NPY(std::uint64_t)
#undef NF_INSTANTIATE_NPY

}  // namespace nf
