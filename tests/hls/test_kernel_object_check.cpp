// The kernel object check of csim_project.hpp (inspect_kernel_object) on
// small hand-written "projects": what the tops reach through calls is found,
// what they cannot reach (static initialisers, unused functions, hls::stream's
// C model) is not, and the compile itself refuses variable-length arrays and
// exceptions. Stand-in types: no Xilinx headers needed.

#include <catch2/catch.hpp>
#include <fstream>

#include "csim_project.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using nf::test::HlsTypes;

// A project folder whose firmware/nf_rate_top.cpp is `source`, compiled as the
// C-simulation compiles it, then inspected.
nf::test::KernelObjectReport inspect(const nf::test::TempDir& dir, const std::string& source) {
  fs::create_directories(dir / "p" / "firmware");
  std::ofstream(dir / "p" / "firmware" / "nf_rate_top.cpp") << source;
  const nf::test::CommandResult built = nf::test::compile_kernel_object(dir / "p", "rate", HlsTypes::kStandins);
  INFO(built.output);
  REQUIRE(built.exit_code == 0);
  return nf::test::inspect_kernel_object(dir / "p" / nf::test::kernel_object_name(HlsTypes::kStandins),
                                         {"nf_rate_step_top", "nf_rate_top"}, HlsTypes::kStandins);
}

// hls::stream's C model as the real ones: a queue on the heap.
const char* kStreamModel = R"(#include <cstddef>
namespace hls {
template <class T>
class stream {
 public:
  void write(const T& v) { T* cell = new T(v); last_ = *cell; delete cell; }
  T read() { return last_; }
 private:
  T last_;
};
}  // namespace hls
)";

}  // namespace

TEST_CASE("kernel object check: a clean kernel reaches no forbidden import", "[hls][static]") {
  const nf::test::TempDir dir;
  const auto report = inspect(dir, std::string(kStreamModel) + R"(
static const int nf_w[4] = {1, 2, 3, 4};
struct state { int h[64]; };
static int dot(const int* x) { int s = 0; for (int k = 0; k < 4; ++k) s += nf_w[k] * x[k]; return s; }
void nf_rate_step_top(const int x[4], state& s) { state next = {}; next.h[0] = dot(x); s = next; }
void nf_rate_top(hls::stream<int>& in, hls::stream<int>& out) { out.write(in.read() + 1); }
// Not reached from a top: its heap use is no finding.
int* unused_helper() { return new int[8]; }
)");
  INFO("reached: " << fmt::format("{}", fmt::join(report.reached, " ")));
  REQUIRE(report.error.empty());
  CHECK(report.roots.size() == 2);
  CHECK(report.reached_sections >= 3);  // both tops and dot
  // The object imports operator new (the stream model, the unused helper)...
  CHECK((report.imports.count("_Znwm") + report.imports.count("_Znam")) >= 1);
  // ...but the tops reach none of it.
  CHECK(report.forbidden.empty());
  CHECK(report.reached.count("_Znwm") == 0);
  CHECK(report.reached.count("_Znam") == 0);
}

TEST_CASE("kernel object check: heap, exceptions and I/O reached through calls are findings", "[hls][static]") {
  const nf::test::TempDir dir;
  std::string body, symbol, kind;
  SECTION("operator new[] two calls down") {
    body = "static int* scratch() { return new int[4]; }\n"
           "static int level1() { int* p = scratch(); int v = p[0]; delete[] p; return v; }\n"
           "void nf_rate_step_top(int* y) { y[0] = level1(); }\n";
    symbol = "_Znam (heap)";
  }
  SECTION("malloc") {
    body = "#include <cstdlib>\n"
           "void nf_rate_step_top(int* y) { y[0] = static_cast<int*>(std::malloc(4)) != nullptr; }\n";
    symbol = "malloc (heap)";
  }
  SECTION("printf") {
    body = "#include <cstdio>\nvoid nf_rate_step_top(int* y) { std::printf(\"%d\", y[0]); }\n";
    symbol = "printf (libc/libstdc++)";
  }
  SECTION("assert") {
    body = "#include <cassert>\nvoid nf_rate_step_top(int* y) { assert(y[0] >= 0); }\n";
    symbol = "__assert_fail (libc/libstdc++)";
  }
  SECTION("a std container's throw") {
    body = "#include <vector>\nvoid nf_rate_step_top(int* y) { std::vector<int> v(4); y[0] = v.at(3); }\n";
    symbol = "_ZSt24__throw_out_of_range_fmtPKcz (exception)";
  }
  SECTION("in the sequence top") {
    body = "#include <cstdio>\nvoid nf_rate_step_top(int* y) { y[0] = 0; }\n";
    body += "void nf_rate_top(hls::stream<int>& in) { std::puts(\"x\"); (void)in.read(); }\n";
    symbol = "puts (libc/libstdc++)";
  }
  if (body.find("void nf_rate_top") == std::string::npos) body += "void nf_rate_top(int* y) { y[0] = 1; }\n";
  const auto report = inspect(dir, std::string(kStreamModel) + body);
  INFO("reached: " << fmt::format("{}", fmt::join(report.reached, " ")));
  REQUIRE(report.error.empty());
  CHECK(report.roots.size() == 2);
  CHECK(std::find(report.forbidden.begin(), report.forbidden.end(), symbol) != report.forbidden.end());
}

TEST_CASE("kernel object check: the kernels compile without VLAs and exceptions", "[hls][static]") {
  const nf::test::TempDir dir;
  fs::create_directories(dir / "p" / "firmware");
  std::string source, message;
  SECTION("a variable-length array") {
    source = "void nf_rate_step_top(int* y, unsigned n) { int a[n]; a[0] = 1; y[0] = a[0]; }\n";
    message = "variable length array";
  }
  SECTION("a throw") {
    source = "void nf_rate_step_top(int* y) { if (y[0] < 0) throw 1; }\n";
    message = "exception handling disabled";
  }
  std::ofstream(dir / "p" / "firmware" / "nf_rate_top.cpp") << source;
  const auto built = nf::test::compile_kernel_object(dir / "p", "rate", HlsTypes::kStandins);
  INFO(built.output);
  CHECK(built.exit_code != 0);
  CHECK_THAT(built.output, Catch::Contains(message));
}
