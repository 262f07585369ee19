#include "pack.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace nf::boards {

std::uintmax_t pack_bitstream(const BuildContext& c, ToolRunner& tools) {
  const ProcessResult pack = tools.run("pack", {"icepack", c.top + ".asc", c.top + ".bin"}, "", "logs/icepack.log");
  if (!pack.ok()) {
    throw ToolError(fmt::format("icepack failed ({}):{}", pack.describe(), last_lines(c.root / "logs/icepack.log", 10)));
  }
  const std::uintmax_t bytes = std::filesystem::file_size(c.root / (c.top + ".bin"));
  if (bytes == 0) throw ToolError("icepack wrote an empty bitstream");
  return bytes;
}

std::string icestorm_version() {
  // icepack has no version option; Debian's package version says which icestorm it is.
  const std::string v = tool_version({"dpkg-query", "-W", "-f=${Version}\n", "fpga-icestorm"});
  return v == "unknown" ? "icestorm (version unknown)" : "fpga-icestorm " + v;
}

}  // namespace nf::boards
