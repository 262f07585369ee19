#pragma once
// A private folder under the system temp dir (TMPDIR), removed with its
// contents on destruction.
#include <filesystem>
#include <string>

namespace nf {

class TempFolder {
 public:
  explicit TempFolder(const std::string& prefix = "neurofab");
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace nf
