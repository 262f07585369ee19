#pragma once
// Builds an exported HLS project's C-simulation testbench with g++, the way
// its README says, and runs it: with neurofab's stand-in types, or with
// Xilinx's ap_types headers (fetched into the build tree by cmake/ApTypes.cmake)
// first on the include path. Without those headers the Xilinx half fails,
// unless NEUROFAB_ALLOW_NO_AP_TYPES=1 (ap_types_required.hpp).
// The kernels are compiled on their own, as HLS code (no exceptions, no
// variable-length arrays), and their object is checked for what a synthesised
// kernel cannot have: heap, exceptions, I/O (check_kernel_object).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ap_types_required.hpp"
#include "run_command.hpp"

namespace nf::test {

enum class HlsTypes { kStandins, kXilinx };

// The Xilinx headers' folder, or "" when the configure step could not fetch them.
inline std::string xilinx_ap_types_dir() { return NF_AP_TYPES_DIR; }

struct CsimRun {
  int build_exit = -1;
  std::string build_log;
  int exit_code = -1;
  std::string output;
};

// Build time is dominated by the static initialisers of the weight ROMs
// (65 536 ap_fixed constructions at N = 256): -O0 builds the N = 256 project
// with Xilinx's headers in 15 s instead of 70 s at -O1 (the short C-simulation
// runs slower, by far less), and GCC 12's access-warning pass, which also runs
// on those initialisers, is switched off by disabling the warnings it serves.
// None of this changes what is computed.
inline const char* kFastBuildFlags =
    "-Wno-stringop-overflow -Wno-stringop-overread -Wno-free-nonheap-object -Wno-mismatched-new-delete "
    "-Wno-mismatched-dealloc -Wno-dangling-pointer -Wno-use-after-free -Wno-array-bounds -Wno-vla-parameter "
    "-Wno-alloc-size-larger-than -Wno-nonnull";

// The kernel object of a type set: firmware/nf_<family>_top.cpp compiled alone.
inline std::string kernel_object_name(HlsTypes types) {
  return types == HlsTypes::kXilinx ? "kernel-xilinx.o" : "kernel-standins.o";
}

// The flags of a type set, for the kernels and the testbench alike. The
// stand-in build must be warning-free; Xilinx's headers are not, so only the
// kernels' own build is held to -Werror. Loop labels name loops for Vitis HLS
// (reports, pragmas), so unused labels are expected.
inline std::string csim_type_flags(HlsTypes types) {
  return types == HlsTypes::kXilinx ? fmt::format("-I'{}'", xilinx_ap_types_dir())
                                    : "-DNF_HLS_STANDIN_TYPES -Wall -Wextra -pedantic -Werror -Wno-unused-label";
}

// Compiles firmware/nf_<family>_top.cpp alone into kernel_object_name(types),
// as HLS C++: C++14 (the Vitis HLS front end), -fno-exceptions, -Werror=vla;
// -ffunction-sections -fdata-sections give every function and ROM its own
// section, so that check_kernel_object can follow the calls of the tops.
// -O0 as the C-simulation (this object is the one it links): the N = 256
// rate kernel with Xilinx's headers compiles in 11 s at -O0, 26 s at -O1, and
// without inlining every helper the kernels call stays visible to the check.
// -fno-exceptions also halves that build (22 s before): the static
// initialisers of the weight ROMs no longer carry an unwinding path per entry.
inline CommandResult compile_kernel_object(const std::filesystem::path& project, const std::string& family,
                                           HlsTypes types) {
  return run_command(fmt::format(
      "cd '{}' && g++ -std=c++14 -O0 -fno-exceptions -Werror=vla -ffunction-sections -fdata-sections "
      "-Wno-unknown-pragmas {} {} -Ifirmware -c firmware/nf_{}_top.cpp -o {} 2>&1",
      project.string(), kFastBuildFlags, csim_type_flags(types), family, kernel_object_name(types)));
}

inline CsimRun build_and_run_csim(const std::filesystem::path& project, const std::string& family, HlsTypes types) {
  const std::string binary = types == HlsTypes::kXilinx ? "csim-xilinx" : "csim-standins";
  CsimRun run;
  const CommandResult kernel = compile_kernel_object(project, family, types);
  run.build_exit = kernel.exit_code;
  run.build_log = kernel.output;
  if (kernel.exit_code != 0) return run;
  // The testbench is host code (std library, exceptions), linked with the kernel object.
  const CommandResult built = run_command(fmt::format(
      "cd '{}' && g++ -std=c++14 -O0 -Wno-unknown-pragmas {} {} -Ifirmware -Itb tb/nf_{}_tb.cpp {} -o {} 2>&1",
      project.string(), kFastBuildFlags, csim_type_flags(types), family, kernel_object_name(types), binary));
  run.build_exit = built.exit_code;
  run.build_log += built.output;
  if (built.exit_code != 0) return run;
  const CommandResult ran = run_command(fmt::format("cd '{}' && ./{} 2>&1", project.string(), binary));
  run.exit_code = ran.exit_code;
  run.output = ran.output;
  return run;
}

// The run built, passed, used the types asked for and compared every one of
// `timesteps` steps.
inline void check_csim_pass(const CsimRun& run, HlsTypes types, long long timesteps) {
  INFO(run.build_log);
  REQUIRE(run.build_exit == 0);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Catch::Contains("PASS: all"));
  CHECK_THAT(run.output, Catch::Contains(types == HlsTypes::kXilinx ? "types xilinx-ap_types"
                                                                    : "types neurofab-standins"));
  std::smatch m;
  REQUIRE(std::regex_search(run.output, m, std::regex("values \\([^)]*\\) at (\\d+) timesteps")));
  CHECK(std::stoll(m[1].str()) == timesteps);
}

// Both builds. Without the Xilinx headers the case fails after the stand-in
// build, unless NEUROFAB_ALLOW_NO_AP_TYPES=1 (then it says loudly that the
// Xilinx build was skipped).
inline void check_csim_both_types(const std::filesystem::path& project, const std::string& family,
                                  long long timesteps) {
  check_csim_pass(build_and_run_csim(project, family, HlsTypes::kStandins), HlsTypes::kStandins, timesteps);
  if (xilinx_ap_types_dir().empty()) {
    xilinx_half_missing(fmt::format("the C-simulation of {} with Xilinx's headers", project.string()));
    return;
  }
  check_csim_pass(build_and_run_csim(project, family, HlsTypes::kXilinx), HlsTypes::kXilinx, timesteps);
}

// ---- The kernel object: what the tops can reach.
//
// `nm -u` of the object lists every symbol it imports, but the object also
// holds what synthesis never sees: the static initialisers of the weight ROMs
// (and of <iostream>, which Xilinx's headers include) and the C model of
// hls::stream (a std::deque: operator new). So the imports are followed from
// the tops: objdump's symbol table (its *UND* entries are nm -u's list) gives
// each symbol's section, its relocations give what each section refers to,
// and the walk starts at nf_<family>_step_top and nf_<family>_top. It does not
// enter hls::stream's member functions: Vitis maps a stream to a FIFO or AXI4-
// Stream port, not to their C++ bodies.
//
// Allowed among the imports reached:
// - memset, memcpy, memmove: GCC emits them for zeroing and copying plain
//   arrays and structs (here Xilinx's ap_private of more than 64 bits zeroes
//   its words with memset at -O0); no heap, no I/O, and Vitis synthesises
//   them as copies. Everything else is a finding, heap (malloc, operator new,
//   ...), exceptions (__cxa_*, _Unwind_*, std::__throw_*) and libc/stdio alike.
// - only in the Xilinx build, and because the C-simulation is built with
//   assertions on (its checks of the C model are worth having there):
//   __assert_fail (assert) and fprintf, fputc, fwrite, stderr (their
//   _AP_WARNING / _AP_DEBUG messages; GCC turns fprintf(stderr, "\n") into
//   fputc and constant strings into fwrite). Xilinx's ap_common.h compiles all
//   of them out under __SYNTHESIS__ (or NDEBUG), so a synthesised kernel has
//   none. The stand-in build of the same kernels allows none of them, so a
//   printf or assert in kernel code is still a finding.
struct KernelObjectReport {
  std::string error;                   // why the object could not be read; empty when it was
  std::vector<std::string> roots;      // the tops' (mangled) symbols found
  std::size_t reached_sections = 0;    // sections the tops reach, theirs included
  std::set<std::string> imports;       // every undefined symbol of the object (nm -u)
  std::set<std::string> reached;       // the imports the tops reach
  std::vector<std::string> forbidden;  // reached and not allowed, each with its kind
};

// "heap", "exception" or "libc/libstdc++" for a forbidden import.
inline std::string import_kind(const std::string& symbol) {
  static const std::set<std::string> heap = {"malloc", "calloc", "realloc", "free", "aligned_alloc",
                                              "posix_memalign"};
  const auto starts = [&](const char* prefix) { return symbol.rfind(prefix, 0) == 0; };
  if (heap.count(symbol) || starts("_Znw") || starts("_Zna") || starts("_Zdl") || starts("_Zda")) return "heap";
  if (starts("__cxa_") || starts("_Unwind_") || starts("__gxx_personality") ||
      symbol.find("__throw_") != std::string::npos) {
    return "exception";
  }
  return "libc/libstdc++";
}

inline KernelObjectReport inspect_kernel_object(const std::filesystem::path& object,
                                                const std::vector<std::string>& tops, HlsTypes types) {
  KernelObjectReport report;
  // Symbol -> section ("*UND*" for imports): "<value> <flags> <section>\t<size> [.hidden] <name>".
  const CommandResult symbols = run_command(fmt::format("objdump -tw '{}' 2>&1", object.string()));
  if (symbols.exit_code != 0) {
    report.error = "objdump -t failed: " + symbols.output;
    return report;
  }
  std::map<std::string, std::string> section_of;
  std::istringstream symbol_lines(symbols.output);
  for (std::string line; std::getline(symbol_lines, line);) {
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::istringstream left(line.substr(0, tab)), right(line.substr(tab + 1));
    std::string word, section, name;
    while (left >> word) section = word;
    while (right >> word) name = word;
    if (section.empty() || name.empty()) continue;
    section_of[name] = section;
    if (section == "*UND*") report.imports.insert(name);
  }
  // Section -> the symbols and sections its relocations refer to (addends stripped).
  const CommandResult relocations = run_command(fmt::format("objdump -rw '{}' 2>&1", object.string()));
  if (relocations.exit_code != 0) {
    report.error = "objdump -r failed: " + relocations.output;
    return report;
  }
  std::map<std::string, std::vector<std::string>> refers_to;
  const std::regex header("^RELOCATION RECORDS FOR \\[(.*)\\]:$");
  const std::regex addend("[+-]0x[0-9a-f]+$");
  std::vector<std::string>* current = nullptr;
  std::istringstream relocation_lines(relocations.output);
  for (std::string line; std::getline(relocation_lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, header)) {
      current = &refers_to[m[1].str()];
      continue;
    }
    std::istringstream fields(line);
    std::string offset, type, value, extra;
    if (current == nullptr || !(fields >> offset >> type >> value) || (fields >> extra) ||
        offset.find_first_not_of("0123456789abcdef") != std::string::npos) {
      continue;
    }
    current->push_back(std::regex_replace(value, addend, ""));
  }
  // The walk from the tops (a C++ top's symbol is _Z<length><name><parameters>).
  std::vector<std::string> todo;
  for (const std::string& top : tops) {
    const std::string mangled = "_Z" + std::to_string(top.size()) + top;
    for (const auto& [name, section] : section_of) {
      if ((name == top || name.rfind(mangled, 0) == 0) && section.rfind(".text", 0) == 0) {
        report.roots.push_back(name);
        todo.push_back(section);
      }
    }
  }
  const auto is_stream_member = [](const std::string& symbol) {
    return symbol.rfind("_ZN3hls6stream", 0) == 0 || symbol.rfind("_ZNK3hls6stream", 0) == 0;
  };
  std::set<std::string> seen;
  while (!todo.empty()) {
    const std::string section = todo.back();
    todo.pop_back();
    if (!seen.insert(section).second) continue;
    for (const std::string& target : refers_to[section]) {
      if (is_stream_member(target)) continue;
      const auto it = section_of.find(target);
      if (it != section_of.end() && it->second == "*UND*") {
        report.reached.insert(target);
      } else if (it != section_of.end()) {
        todo.push_back(it->second);
      } else if (!target.empty() && target[0] == '.') {
        todo.push_back(target);  // a section symbol: .rodata.cst8, .text._ZL...
      }
    }
  }
  report.reached_sections = seen.size();
  std::set<std::string> allowed = {"memset", "memcpy", "memmove"};
  if (types == HlsTypes::kXilinx) allowed.insert({"__assert_fail", "fprintf", "fputc", "fwrite", "stderr"});
  for (const std::string& symbol : report.reached) {
    if (!allowed.count(symbol)) report.forbidden.push_back(symbol + " (" + import_kind(symbol) + ")");
  }
  return report;
}

// The check of one type set: the object (compiled unless build_and_run_csim
// left it) reaches no heap, exception or libc symbol from either top.
inline void check_kernel_object(const std::filesystem::path& project, const std::string& family, HlsTypes types) {
  const std::filesystem::path object = project / kernel_object_name(types);
  if (!std::filesystem::exists(object)) {
    const CommandResult built = compile_kernel_object(project, family, types);
    INFO(built.output);
    REQUIRE(built.exit_code == 0);
  }
  const std::vector<std::string> tops = {"nf_" + family + "_step_top", "nf_" + family + "_top"};
  const KernelObjectReport report = inspect_kernel_object(object, tops, types);
  INFO("kernel object " << object.string());
  INFO("imports (nm -u): " << fmt::format("{}", fmt::join(report.imports, " ")));
  INFO("reached from the tops: " << fmt::format("{}", fmt::join(report.reached, " ")));
  REQUIRE(report.error.empty());
  CHECK(report.roots.size() == tops.size());  // both tops found: the walk started where it should
  CHECK(report.reached_sections > tops.size());
  CHECK(report.forbidden == std::vector<std::string>{});
}

// Both type sets (the Xilinx half as check_csim_both_types: required unless
// NEUROFAB_ALLOW_NO_AP_TYPES=1).
inline void check_kernel_object(const std::filesystem::path& project, const std::string& family) {
  check_kernel_object(project, family, HlsTypes::kStandins);
  if (xilinx_ap_types_dir().empty()) {
    xilinx_half_missing(fmt::format("the kernel object check of {} with Xilinx's headers", project.string()));
    return;
  }
  check_kernel_object(project, family, HlsTypes::kXilinx);
}

}  // namespace nf::test
