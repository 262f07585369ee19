#pragma once
// Reading and writing NumPy .npz archives: a zip file of .npy members, one per
// named array, as np.savez and np.savez_compressed write them. The members'
// .npy format is npy.hpp's.
//
// Zip, as far as .npz needs it (PKWARE APPNOTE 6.3): local headers, the
// central directory and its end record, ZIP64 records (numpy writes a ZIP64
// extra field in every local header; archives over 4 GiB need the rest),
// members stored (method 0) or deflated (method 8, through zlib). Not
// supported, each named in its error: encryption, split archives, other
// compression methods.
//
// Strict like npy.hpp: every defect is one nf::InputError naming the file and,
// where there is one, the array — a file that is not a zip, a truncated one, a
// CRC mismatch, an unsupported compression, a malformed .npy header, a data
// section shorter or longer than its shape. A Fortran-order member
// (fortran_order True, which np.save writes for a transposed array) is read
// and returned in C order, as read_npy does.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "neurofab/common/npy.hpp"

namespace nf {

// Writes a .npz archive (members stored uncompressed, like np.savez) atomically:
// add() keeps the arrays in memory, in any order; commit() writes the file
// through a temporary name and a rename. A writer destroyed without commit()
// leaves nothing behind. ZIP64 records are written where an offset or a size
// reaches zip64_threshold (by default 2^32 - 1, where the zip format needs them).
class NpzWriter {
 public:
  explicit NpzWriter(std::filesystem::path path);
  NpzWriter(std::filesystem::path path, std::uint64_t zip64_threshold);  // for tests: a low threshold

  // `data` in C order. T: float, double, int8..int64, uint8..uint64 (npy_descr<T>).
  // Throws nf::InputError for an empty name or one added twice.
  template <typename T>
  void add(const std::string& name, const std::vector<std::int64_t>& shape, const T* data);

  // Writes the file; nf::IoError if the system refuses. Call once.
  void commit();

 private:
  struct Member {
    std::string name;   // without ".npy"
    std::string bytes;  // the .npy file
    std::uint32_t crc = 0;
  };
  std::filesystem::path path_;
  std::uint64_t zip64_threshold_;
  std::vector<Member> members_;
  bool committed_ = false;
};

// A .npz archive read into memory, every member inflated and checked (CRC,
// .npy header, data length) by read().
class NpzArchive {
 public:
  // Throws nf::InputError naming the file (and the member) for every defect.
  static NpzArchive read(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::vector<std::string> names() const;  // member names without ".npy", in archive order
  bool has(const std::string& name) const;
  std::string dtype(const std::string& name) const;  // the npy descr, e.g. "<f8"
  std::vector<std::int64_t> shape(const std::string& name) const;  // empty for a 0-d array

  // The array converted to T, in C order. Every integer, float (f2, f4, f8)
  // and bool dtype converts, either byte order. Throws nf::InputError
  // "<file>: array '<name>' ..." for a missing array, a non-numeric dtype
  // (strings, objects, complex, structured), and a value T cannot hold
  // exactly when T is an integer type (1.5, NaN, 300 for int8).
  // T: float, double, int8..int64, uint8..uint64.
  template <typename T>
  NpyArray<T> get(const std::string& name) const;

 private:
  struct Member {
    std::string name;
    std::string descr;
    bool fortran_order = false;
    std::vector<std::int64_t> shape;
    std::string bytes;  // the whole .npy member, inflated
    std::size_t data_offset = 0;
  };
  const Member& member(const std::string& name) const;

  std::filesystem::path path_;
  std::vector<Member> members_;
};

}  // namespace nf
