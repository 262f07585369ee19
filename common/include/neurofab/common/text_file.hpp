#pragma once
// Reading a whole file as bytes (logs, generated sources, JSON summaries).
#include <filesystem>
#include <string>

namespace nf {

// The file's content; throws nf::IoError naming the path when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace nf
