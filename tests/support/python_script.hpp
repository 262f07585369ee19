#pragma once
// Runs a Python script for a test with Debian's python3 and numpy (NF_PYTHON;
// the pyenv python3 on PATH is deliberately not used). The script is written
// to `dir`/script.py after a prelude that imports numpy as np, zipfile,
// struct and sys and sets `d` to `dir`; the test stops unless it exits 0.
// Returns what it printed (stdout and stderr).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "run_command.hpp"

namespace nf::test {

inline std::string run_python_script(const std::filesystem::path& dir, const std::string& code) {
  const std::filesystem::path script = dir / "script.py";
  std::ofstream(script, std::ios::trunc) << "import numpy as np, zipfile, struct, sys\nd = sys.argv[1]\n"
                                         << code << "\n";
  const CommandResult result =
      run_command(fmt::format("{} {} {} 2>&1", NF_PYTHON, script.string(), dir.string()));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  return result.output;
}

}  // namespace nf::test
