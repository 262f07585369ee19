#pragma once
// A deliberately broken core for the tests that must catch one: rtl/sv copied
// to a folder with one fault injected, handed to `verify`
// (VerifyOptions::rtl_sources) or to the virtual board (`hil --rtl-sources`).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "neurofab/common/text_file.hpp"
#include "neurofab/rtl/rtl_generator.hpp"

namespace nf::test {

struct Mutation {
  std::string file;      // in rtl/sv
  std::string original;  // must occur exactly once
  std::string mutant;
};

// rtl/sv copied to `dir` with the mutation applied.
inline void write_mutant(const Mutation& m, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(rtl::rtl_source_dir())) {
    fs::copy_file(entry.path(), dir / entry.path().filename());
  }
  std::string text = read_text_file(dir / m.file);
  const auto at = text.find(m.original);
  REQUIRE(at != std::string::npos);                             // the fault is really injected
  REQUIRE(text.find(m.original, at + 1) == std::string::npos);  // exactly there
  text.replace(at, m.original.size(), m.mutant);
  std::ofstream(dir / m.file) << text;
}

}  // namespace nf::test
