#pragma once
// Writes that never leave a half-written file or folder behind: content goes
// to a temporary name beside the target and is renamed over it once complete.

#include <filesystem>
#include <span>
#include <string_view>

namespace nf {

// Writes `content` to `path` through `path`.tmp-<pid> + fsync + rename.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);
// The same for content given in parts, written one after the other (no copy into one string).
void write_file_atomically(const std::filesystem::path& path, std::span<const std::string_view> parts);

// A folder assembled under a temporary name and swapped into place by commit().
// If the target exists it is exchanged atomically (renameat2 RENAME_EXCHANGE)
// and the old content removed, so readers see either the old or the new folder,
// never a mix. Dropped without commit(), the temporary folder is deleted.
class StagingDir {
 public:
  explicit StagingDir(std::filesystem::path target);
  ~StagingDir();
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;

  const std::filesystem::path& path() const { return staging_; }  // write files here
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path staging_;
  bool committed_ = false;
};

}  // namespace nf
