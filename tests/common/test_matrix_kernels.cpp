// The matrix kernels are chosen by the build, not by the CPU (common/matrix_kernels):
// this build pins BLIS's haswell kernels, whatever BLIS_ARCH_TYPE says, so every
// sub-configuration BLIS could pick on some CPU trains the same network here.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "neurofab/common/matrix_kernels.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"

namespace {

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

TEST_CASE("this build pins BLIS's haswell kernels and the x86-64-v3 floor", "[matrix_kernels]") {
  const nf::MatrixKernels& k = nf::matrix_kernels();
  CHECK(k.pinned);
  CHECK(k.kernels == "haswell");
  CHECK(k.isa == "x86-64-v3");
  CHECK_THAT(k.library, Catch::StartsWith("BLIS "));
  CHECK(k.describe() == k.library + " haswell kernels (pinned), x86-64-v3");
}

TEST_CASE("every BLIS sub-configuration asked for trains the same network: the choice is pinned",
          "[matrix_kernels]") {
  nf::test::TempDir tmp;
  // BLIS 0.9's arch_t ids: skx 0, haswell 3, sandybridge 4, zen3 6, zen2 7, zen 8; "" leaves the
  // variable unset (BLIS would detect the CPU); "generic" parses as 0.
  const std::vector<std::string> requests = {"", "0", "3", "4", "6", "7", "8", "generic"};
  const std::vector<std::string> tensors = {"W_in", "W_rec", "b_rec", "W_out", "b_out"};
  std::vector<std::string> reference;
  for (const auto& request : requests) {
    INFO("BLIS_ARCH_TYPE='" << request << "'");
    const auto dir = tmp / ("run-" + (request.empty() ? std::string("unset") : request));
    const std::string env = request.empty() ? "env -u BLIS_ARCH_TYPE" : "env BLIS_ARCH_TYPE=" + request;
    const auto r = nf::test::run_command(env + " BLIS_ARCH_DEBUG=1 " + NF_CLI_PATH +
                                         " train --task xor --n 24 --epochs 3 --seed 7 --noise 0.05 -q -o " +
                                         dir.string() + " 2>&1");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("selecting sub-configuration 'haswell'"));
    CHECK_THAT(file_bytes(dir / "model.json"), Catch::Contains("haswell kernels (pinned)"));
    std::vector<std::string> weights;
    for (const auto& name : tensors) weights.push_back(file_bytes(dir / (name + ".npy")));
    if (reference.empty()) reference = weights;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      INFO(tensors[i]);
      CHECK(weights[i] == reference[i]);
    }
  }
}

TEST_CASE("the thread count and the product kernels' instruction set do not change the trained network",
          "[matrix_kernels][threads]") {
  nf::test::TempDir tmp;
  // 48 trials: three parts of 16, so 2 threads share them unevenly.
  const std::vector<std::string> runs = {"--threads 1", "--threads 2", "--threads 3", "--threads 0",
                                         "--threads 2 --avx2"};
  for (const std::string model : {"rate", "lif"}) {
    std::vector<std::string> reference;
    for (std::size_t k = 0; k < runs.size(); ++k) {
      std::string options = runs[k];
      std::string env;
      if (const auto at = options.find(" --avx2"); at != std::string::npos) {
        options.erase(at);
        env = "env NEUROFAB_PRODUCT_ISA=avx2 ";
      }
      INFO(model << ", " << runs[k]);
      const auto dir = tmp / (model + "-" + std::to_string(k));
      const auto r = nf::test::run_command(env + NF_CLI_PATH + " train --model " + model +
                                           " --task xor --n 24 --epochs 3 --batch 48 --seed 7 -q " + options +
                                           " -o " + dir.string() + " 2>&1");
      INFO(r.output);
      REQUIRE(r.exit_code == 0);
      std::vector<std::string> weights;
      for (const auto& name : {"W_in", "W_rec", "b_rec", "W_out", "b_out"}) {
        weights.push_back(file_bytes(dir / (std::string(name) + ".npy")));
      }
      if (reference.empty()) reference = weights;
      CHECK(weights == reference);
    }
  }
}

TEST_CASE("a negative thread count is refused in one line", "[matrix_kernels][threads]") {
  nf::test::TempDir tmp;
  const auto r = nf::test::run_command(std::string(NF_CLI_PATH) + " train --task xor --n 8 --epochs 1 --threads -1 -o " +
                                       (tmp / "run").string() + " 2>&1");
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.output, Catch::Contains("--threads"));
  CHECK_FALSE(std::filesystem::exists(tmp / "run"));
}
