#include "neurofab/common/text_file.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "neurofab/common/error.hpp"

namespace nf {

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("{}: cannot read", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace nf
