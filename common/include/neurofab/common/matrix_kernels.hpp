#pragma once
// Which matrix-product kernels this process runs, chosen by the build rather
// than by run-time CPU detection, so that the same seed trains the same
// network on every x86-64 CPU (docs/determinism.md).
//
// The portable build (the default) compiles the project for x86-64-v3 (AVX2,
// FMA) and pins Debian's BLIS to its `haswell` sub-configuration before the
// first product: BLIS's own detection picks other kernels on other CPUs
// (skx, zen3, …), each summing in another order, and falls back to its slow
// reference kernels on CPUs it does not know. A CPU below x86-64-v3, or a BLIS
// that cannot be pinned, stops the program with one line instead of running
// other kernels. The native build (-DNEUROFAB_NATIVE=ON) compiles for the host
// CPU and lets BLIS detect its kernels: faster on some CPUs, but its networks
// differ from CPU to CPU.

#include <string>

namespace nf {

struct MatrixKernels {
  std::string library;  // "BLIS 0.9.0", or "Eigen" when the build does not use BLIS
  std::string kernels;  // the BLIS sub-configuration running, e.g. "haswell"
  std::string isa;      // the instruction set the project was compiled for: "x86-64-v3" or "native"
  bool pinned = false;  // chosen by the build (the same on every CPU), not detected at run time

  std::string describe() const;  // e.g. "BLIS 0.9.0 haswell kernels (pinned), x86-64-v3"
};

// The kernels of this process. They are selected before main() runs (a static
// constructor of this library, linked into every program that links Eigen);
// the first call checks the selection. Throws std::runtime_error when the CPU
// or BLIS cannot give what the build asks for.
const MatrixKernels& matrix_kernels();

}  // namespace nf
