#include "neurofab/common/atomic_write.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>  // renameat2
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <system_error>

#include "neurofab/common/error.hpp"

namespace nf {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void throw_errno(const std::string& what, const fs::path& path) {
  throw IoError(fmt::format("{}: {}: {}", path.string(), what, std::strerror(errno)));
}

void write_all(int fd, std::string_view content, const fs::path& path) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot write", path);
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
}

void fsync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return;  // best effort: durability, not correctness, depends on it
  ::fsync(fd);
  ::close(fd);
}

std::string unique_suffix() {
  std::random_device device;
  return fmt::format("{}-{:08x}", ::getpid(), device());
}

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view content) {
  write_file_atomically(path, std::span<const std::string_view>(&content, 1));
}

void write_file_atomically(const fs::path& path, std::span<const std::string_view> parts) {
  const fs::path temp = fs::path(path).concat(".tmp-" + unique_suffix());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno("cannot create", temp);
  try {
    for (const std::string_view part : parts) write_all(fd, part, temp);
    if (::fsync(fd) != 0) throw_errno("cannot sync", temp);
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    throw_errno("cannot rename temporary file into place", path);
  }
}

StagingDir::StagingDir(fs::path target) : target_(std::move(target)) {
  if (target_.filename().empty()) target_ = target_.parent_path();  // "out/" -> "out"
  const fs::path parent = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create folder: {}", parent.string(), ec.message()));
  staging_ = parent / fmt::format(".{}.tmp-{}", target_.filename().string(), unique_suffix());
  fs::create_directory(staging_, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create folder: {}", staging_.string(), ec.message()));
}

StagingDir::~StagingDir() {
  if (!committed_) {
    std::error_code ignored;
    fs::remove_all(staging_, ignored);
  }
}

void StagingDir::commit() {
  std::error_code ec;
  if (fs::exists(target_, ec) && !fs::is_directory(target_, ec)) {
    throw IoError(fmt::format("{}: exists and is not a folder", target_.string()));
  }
  fsync_path(staging_, O_RDONLY | O_DIRECTORY);
  if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) == 0) {
    committed_ = true;
  } else if (errno == EEXIST) {
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
      throw_errno("cannot swap the new folder into place", target_);
    }
    committed_ = true;
    fs::remove_all(staging_, ec);  // now holds the previous content
  } else {
    throw_errno("cannot rename the new folder into place", target_);
  }
  const fs::path parent = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  fsync_path(parent, O_RDONLY | O_DIRECTORY);
}

}  // namespace nf
