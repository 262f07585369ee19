#include "neurofab/common/matrix_kernels.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>

#ifdef NF_USE_BLIS
extern "C" {
#include <blis.h>
}
#endif

namespace nf {
namespace {

#ifdef NF_USE_BLIS
// BLIS 0.9 reads BLIS_ARCH_TYPE once, when it initialises, and takes the
// numeric id of its arch_t enum (a name such as "haswell" parses as 0, skx).
void pin_blis_kernels(arch_t wanted) {
  if (setenv("BLIS_ARCH_TYPE", std::to_string(static_cast<int>(wanted)).c_str(), 1) != 0) {
    throw std::runtime_error("cannot set BLIS_ARCH_TYPE to pin the matrix kernels");
  }
  bli_init();
}
#endif

MatrixKernels select_matrix_kernels() {
  MatrixKernels k;
  k.isa = NF_BUILD_ISA;
#ifdef NF_PIN_KERNELS
  // The project's own code is compiled for x86-64-v3; on an older CPU it would
  // stop at the first AVX2 instruction with SIGILL, so say why first.
  __builtin_cpu_init();  // this may run before libgcc's own constructor detects the CPU
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    throw std::runtime_error(
        "this build of neurofab needs an x86-64-v3 CPU (AVX2 and FMA), which this one is not; rebuild with "
        "-DNEUROFAB_NATIVE=ON (its trained networks then differ from those of other CPUs)");
  }
  k.pinned = true;
#endif
#ifdef NF_USE_BLIS
#ifdef NF_PIN_KERNELS
  pin_blis_kernels(BLIS_ARCH_HASWELL);
#else
  bli_init();
#endif
  k.library = fmt::format("BLIS {}", bli_info_get_version_str());
  const arch_t running = bli_arch_query_id();
  k.kernels = bli_arch_string(running);
#ifdef NF_PIN_KERNELS
  if (running != BLIS_ARCH_HASWELL) {
    throw std::runtime_error(fmt::format("BLIS runs its '{}' kernels where this build pins 'haswell'; the trained "
                                         "networks would differ from other machines'",
                                         k.kernels));
  }
#endif
#else
  k.library = "Eigen";
  k.kernels = "eigen";
#endif
  return k;
}

}  // namespace

std::string MatrixKernels::describe() const {
  return fmt::format("{} {} kernels ({}), {}", library, kernels, pinned ? "pinned" : "detected at run time", isa);
}

const MatrixKernels& matrix_kernels() {
  static const MatrixKernels kernels = select_matrix_kernels();
  return kernels;
}

namespace {
// Before main() and before any product: BLIS selects its kernels once, at its
// first use. Priority 101 runs this ahead of ordinary static constructors.
__attribute__((constructor(101))) void select_before_main() {
  try {
    matrix_kernels();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "neurofab: error: %s\n", e.what());
    std::_Exit(1);
  }
}
}  // namespace

}  // namespace nf
