#pragma once
// The .npy format's header, shared by the .npy codec (npy.cpp) and the .npz
// codec (npz.cpp, whose members are .npy files). Internal to nf_common.
//
// Format: "\x93NUMPY", major, minor, header length (u16 for v1, u32 for v2/3),
// an ASCII Python dict {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded to a multiple of 64 bytes, then the raw data.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nf::npy_format {

struct Header {
  std::string descr;  // e.g. "<f8"; a structured dtype's list is kept as its raw text "[...]"
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
  std::size_t data_offset = 0;  // bytes from the start of the file to the data
};

// The bytes before the data of a version 1.0 file (C order), padded so the
// data starts at a multiple of 64 bytes. `where` prefixes the error.
std::string format_header(const std::string& descr, const std::vector<std::int64_t>& shape,
                          const std::string& where);

// Parses magic, version and dict of `bytes` (the whole file or member).
// Throws nf::InputError "<where>: ..." for bad magic, an unsupported version,
// a truncated or malformed header.
Header parse_header(std::string_view bytes, const std::string& where);

// The number of elements; throws nf::InputError "<where>: ..." if it overflows.
std::int64_t element_count(const std::vector<std::int64_t>& shape, const std::string& where);

// Fortran-order data (first index fastest) to C order (last index fastest).
template <typename T>
std::vector<T> to_c_order(const std::vector<T>& f, const std::vector<std::int64_t>& shape) {
  std::vector<T> c(f.size());
  const std::size_t rank = shape.size();
  std::vector<std::int64_t> index(rank, 0);
  for (std::size_t fi = 0; fi < f.size(); ++fi) {
    std::int64_t ci = 0;
    for (std::size_t d = 0; d < rank; ++d) ci = ci * shape[d] + index[d];
    c[static_cast<std::size_t>(ci)] = f[fi];
    for (std::size_t d = 0; d < rank; ++d) {  // advance the Fortran index
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return c;
}

}  // namespace nf::npy_format
