#pragma once
// The command line and the mismatch report shared by the lock-step harnesses
// (sim/verilator/nf_core_tb.cpp, sim/systemc/nf_core_sc_tb.cpp), so both
// take the same arguments and print the same lines:
//
//   <harness> --vectors <vdir> --seed S [--max-stall K] [--fst <file>] [--activity <json>]
//   MISMATCH trial T timestep t: <what> [i] expected E, actual A
//   PASS: <n> timesteps checked (...), <c> compute cycles per step, ...
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace nf::sim {

struct HarnessOptions {
  std::string vectors;
  std::uint64_t seed = 1;
  int max_stall = 3;
  std::string fst = "mismatch.fst";
  std::string activity;  // non-empty: the measured operation totals are written there (core_activity.hpp)
};

struct Mismatch {
  int trial = 0, step = 0, index = 0;
  std::string what;
  std::int64_t expected = 0, actual = 0;
};

// Throws std::runtime_error naming the argument; Verilator's +verilator+ arguments pass.
inline HarnessOptions parse_harness_options(int argc, char** argv) {
  HarnessOptions o;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    const auto next = [&]() -> std::string {
      if (k + 1 >= argc) throw std::runtime_error(a + ": missing value");
      return argv[++k];
    };
    if (a == "--vectors") o.vectors = next();
    else if (a == "--seed") o.seed = std::stoull(next());
    else if (a == "--max-stall") o.max_stall = std::stoi(next());
    else if (a == "--fst") o.fst = next();
    else if (a == "--activity") o.activity = next();
    else if (a.rfind("+verilator", 0) == 0) continue;
    else throw std::runtime_error("unknown argument " + a);
  }
  if (o.vectors.empty()) throw std::runtime_error("--vectors <dir> is required");
  return o;
}

inline void print_mismatch(const Mismatch& m) {
  std::printf("MISMATCH trial %d timestep %d: %s [%d] expected %lld, actual %lld\n", m.trial, m.step, m.what.c_str(),
              m.index, static_cast<long long>(m.expected), static_cast<long long>(m.actual));
}

inline void print_pass(std::uint64_t checked_steps, std::uint64_t compute_cycles, std::uint64_t cycles, double seconds) {
  std::printf("PASS: %llu timesteps checked (every state, output, overflow count, cycle count and "
              "operation count), "
              "%.1f compute cycles per step, %llu cycles simulated in %.3f s\n",
              static_cast<unsigned long long>(checked_steps),
              static_cast<double>(compute_cycles) / static_cast<double>(checked_steps),
              static_cast<unsigned long long>(cycles), seconds);
}

}  // namespace nf::sim
