// tests/hls/hls_static_check.py (the stand-in for Vitis HLS's own checks,
// issue #31) on small kernels and testbenches written here: a correct kernel
// passes, and each rule fails on the smallest change that breaks it, naming
// the file, line, array and dimension (or top).

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "run_command.hpp"
#include "temp_dir.hpp"

namespace {

// A kernel as the real ones are written: a CONFIG_T template, bank-major
// weights read by lane, a struct state, lane accumulators, labelled loops.
const std::string kKernel = R"(#ifndef NF_TOY_H_
#define NF_TOY_H_
template <class CONFIG_T>
struct toy_state {
  typename CONFIG_T::state_t h[CONFIG_T::n_rec];
};

template <class CONFIG_T>
void toy_step(const typename CONFIG_T::input_t x[CONFIG_T::n_in], toy_state<CONFIG_T>& state,
              const typename CONFIG_T::w_t w_rec[CONFIG_T::lanes][CONFIG_T::groups][CONFIG_T::n_rec]) {
  typedef typename CONFIG_T::accum_t accum_t;
  const unsigned lanes = CONFIG_T::lanes;
#pragma HLS ARRAY_PARTITION variable = w_rec complete dim = 1
#pragma HLS ARRAY_PARTITION variable=state.h cyclic factor=lanes dim=1
Groups:
  for (unsigned g = 0; g < CONFIG_T::groups; ++g) {
    accum_t acc[CONFIG_T::lanes];
#pragma HLS ARRAY_PARTITION variable = acc complete
  Recurrent:
    for (unsigned j = 0; j < CONFIG_T::n_rec; ++j) {
#pragma HLS PIPELINE II = 1
    Lanes:
      for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
        acc[l] += w_rec[l][g][j] * state.h[j] * x[j % CONFIG_T::n_in];
      }
    }
  Update:
    for (unsigned l = 0; l < lanes; ++l) {
#pragma HLS UNROLL
      const unsigned i = g * lanes + l;
      if (i < CONFIG_T::n_rec) state.h[i] = acc[l] + CONFIG_T::table[l];
    }
  }
}
#endif
)";

const std::string kTop = R"(#include "nf_toy.h"
void nf_top(const int x[4], int y[4]) {
#pragma HLS INTERFACE s_axilite port = return
  for (unsigned k = 0; k < 4; ++k) y[k] = x[k];
}
void nf_step_top(const int x[4], int y[4]);
)";

// Testbenches may print, allocate and use the std library.
const std::string kTestbench = R"(#include <cstdio>
#include <vector>
void nf_top(const int x[4], int y[4]);
int main() {
  std::vector<int> log;
  int x[4] = {0, 1, 2, 3}, y[4];
  nf_top(x, y);
  std::printf("nf_top: new throw std::vector done\n");
  return y[0];
}
)";

std::string replaced(const std::string& text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);  // the fixture edit must apply
  return text.substr(0, at) + to + text.substr(at + from.size());
}

// 1-based line of the first occurrence of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  int line = 1;
  for (std::size_t k = 0; k < at; ++k) line += text[k] == '\n';
  return line;
}

struct Check {
  nf::test::CommandResult result;
  nf::test::TempDir dir;
  // "path:line: " of a finding in `file` at the line of `needle` in `text`.
  std::string at(const std::string& file, const std::string& text, const std::string& needle) const {
    return (dir / file).string() + ":" + std::to_string(line_of(text, needle)) + ": ";
  }
  int findings() const {
    std::istringstream lines(result.output);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) n += line.find(dir.path().string()) == 0;
    return n;
  }
};

// Runs the checker, as ctest does, on the three files (kernel, top and
// testbench in kernels/ and testbench/ folders).
void run_check(Check& check, const std::string& kernel, const std::string& testbench = kTestbench,
               const std::string& top = kTop) {
  std::filesystem::create_directories(check.dir / "kernels");
  std::filesystem::create_directories(check.dir / "testbench");
  const std::map<std::string, std::string> files = {
      {"kernels/nf_toy.h", kernel}, {"kernels/nf_toy_top.cpp", top}, {"testbench/nf_toy_tb.cpp", testbench}};
  std::string command = std::string(NF_PYTHON) + " " + NF_HLS_STATIC_CHECK + " --tops nf_top,nf_step_top";
  for (const auto& [name, text] : files) {
    std::ofstream(check.dir / name) << text;
    command += " '" + (check.dir / name).string() + "'";
  }
  check.result = nf::test::run_command(command + " 2>&1");
}

const char* kMissing = "(complete, or cyclic/block with a factor) dim = 1 in function 'toy_step'";

}  // namespace


TEST_CASE("HLS static check: a correct kernel and testbench pass", "[hls][static]") {
  Check check;
  run_check(check, kKernel);
  INFO(check.result.output);
  CHECK(check.result.exit_code == 0);
  // Two unrolled loops; Lanes: acc[l], w_rec[l][g][j] (state.h[j] and x[...] do
  // not use l); Update: state.h[i] and acc[l] (CONFIG_T::table is no array).
  CHECK_THAT(check.result.output,
             Catch::Contains("OK: 3 files, 2 unrolled loops, 6 array accesses in them (4 indexed by a lane variable"));
  CHECK(check.findings() == 0);
}

TEST_CASE("HLS static check: an unrolled access needs a partition of its dimension", "[hls][static]") {
  const std::string access = "acc[l] += w_rec[l][g][j]";
  const std::string pragma = "#pragma HLS ARRAY_PARTITION variable = w_rec complete dim = 1";
  Check check;
  std::string kernel;
  const std::string partition = "#pragma HLS ARRAY_PARTITION variable = ";
  SECTION("no pragma") { kernel = replaced(kKernel, pragma, ""); }
  SECTION("the wrong dimension") { kernel = replaced(kKernel, pragma, partition + "w_rec complete dim = 2"); }
  SECTION("cyclic without a factor") { kernel = replaced(kKernel, pragma, partition + "w_rec cyclic dim = 1"); }
  SECTION("another array's pragma") { kernel = replaced(kKernel, pragma, partition + "w_in complete dim = 1"); }
  SECTION("commented out with //") { kernel = replaced(kKernel, pragma, "// " + pragma); }
  SECTION("commented out with /* */") { kernel = replaced(kKernel, pragma, "/*\n" + pragma + "\n*/"); }
  SECTION("disabled with off=true") { kernel = replaced(kKernel, pragma, pragma + " off=true"); }
  run_check(check, kernel);
  INFO(check.result.output);
  CHECK(check.result.exit_code == 1);
  CHECK_THAT(check.result.output,
             Catch::Contains(check.at("kernels/nf_toy.h", kernel, access) +
                             "array 'w_rec' is indexed by unrolled loop variable 'l' in dimension 1 (loop 'Lanes') "
                             "but has no ARRAY_PARTITION variable = w_rec " + kMissing));
  CHECK(check.findings() == 1);
}

TEST_CASE("HLS static check: partitions that match pass", "[hls][static]") {
  const std::string pragma = "#pragma HLS ARRAY_PARTITION variable = w_rec complete dim = 1";
  Check check;
  std::string kernel;
  SECTION("every dimension (dim = 0)") {
    kernel = replaced(kKernel, pragma, "#pragma HLS ARRAY_PARTITION variable = w_rec complete dim = 0");
  }
  SECTION("block with a factor, Vitis 2023 type=") {
    kernel = replaced(kKernel, pragma, "#pragma HLS array_partition variable=w_rec type=block factor=4 dim=1");
  }
  SECTION("the lane index in dimension 3, partitioned there") {
    kernel = replaced(replaced(kKernel, pragma, "#pragma HLS ARRAY_PARTITION variable = w_rec complete dim = 3"),
                      "w_rec[l][g][j]", "w_rec[j][g][l]");
  }
  run_check(check, kernel);
  INFO(check.result.output);
  CHECK(check.result.exit_code == 0);
  CHECK(check.findings() == 0);
}

TEST_CASE("HLS static check: an access through a variable derived from the lane is caught", "[hls][static]") {
  const std::string pragma = "#pragma HLS ARRAY_PARTITION variable=state.h cyclic factor=lanes dim=1";
  Check check;
  std::string kernel, through;
  SECTION("i = g * lanes + l") {
    kernel = replaced(kKernel, pragma, "");
    through = "i";
  }
  SECTION("r from i from l") {
    kernel = replaced(replaced(kKernel, pragma, ""), "if (i < CONFIG_T::n_rec) state.h[i]",
                      "const unsigned r(i + 1);\n      if (i < CONFIG_T::n_rec) state.h[r - 1]");
    through = "r";
  }
  SECTION("a partition of the whole struct does not name its member") {
    kernel = replaced(kKernel, pragma, "#pragma HLS ARRAY_PARTITION variable = state complete dim = 1");
    through = "i";
  }
  run_check(check, kernel);
  INFO(check.result.output);
  CHECK(check.result.exit_code == 1);
  CHECK_THAT(check.result.output,
             Catch::Contains(check.at("kernels/nf_toy.h", kernel, "state.h[" + through) +
                             "array 'state.h' is indexed by unrolled loop variable 'l' (through '" + through +
                             "') in dimension 1 (loop 'Update') but has no ARRAY_PARTITION variable = state.h " +
                             kMissing));
  // state.h[j] in the Lanes loop does not depend on the lane: not a finding.
  CHECK(check.findings() == 1);
}

TEST_CASE("HLS static check: declarations and template members are not accesses", "[hls][static]") {
  Check check;
  // An array declared inside the unrolled loop, and an access of a
  // non-unrolled loop's variable: neither needs a partition.
  const std::string kernel =
      replaced(kKernel, "      const unsigned i = g * lanes + l;",
               "      const unsigned i = g * lanes + l;\n      accum_t scratch[CONFIG_T::lanes];\n"
               "      scratch[0] = CONFIG_T::table[i];\n      for (unsigned k = 0; k < 2; ++k) scratch[k] = 0;");
  run_check(check, kernel);
  INFO(check.result.output);
  CHECK(check.result.exit_code == 0);
  CHECK(check.findings() == 0);
  // The 6 accesses of the correct kernel, scratch[0] and scratch[k]; not the
  // declaration of scratch, nor CONFIG_T::table.
  CHECK_THAT(check.result.output, Catch::Contains("2 unrolled loops, 8 array accesses in them (4 indexed"));
}

TEST_CASE("HLS static check: a top is called directly, never through a pointer", "[hls][static]") {
  const std::string call = "  nf_top(x, y);\n";
  Check check;
  std::string testbench, needle, message, also;
  SECTION("its address taken") {
    testbench = replaced(kTestbench, call, "  void (*f)(const int*, int*) = &nf_top;\n  f(x, y);\n");
    needle = "&nf_top";
    message = "top 'nf_top' must be called directly, but its address is taken (&nf_top)";
  }
  SECTION("assigned to a pointer") {
    testbench = replaced(kTestbench, call, "  void (*f)(const int*, int*) = nf_top;\n  f(x, y);\n");
    needle = "= nf_top";
    message = "top 'nf_top' must be called directly, but it is assigned";
  }
  SECTION("passed as a function pointer, and called through it") {
    testbench = replaced(replaced(kTestbench, "int main() {",
                                  "void run(const int* x, int* y, void (*top)(const int*, int*)) {\n"
                                  "  top(x, y);\n}\nint main() {"),
                         call, "  run(x, y, nf_top);\n");
    needle = "run(x, y, nf_top)";
    message = "top 'nf_top' must be called directly, but it is passed as an argument";
    also = check.at("testbench/nf_toy_tb.cpp", testbench, "  top(x, y);") +
           "'top' (a parameter of 'run', a function pointer) is called";
  }
  SECTION("passed as a template argument") {
    testbench = replaced(replaced(kTestbench, "int main() {",
                                  "template <void (*F)(const int*, int*)>\nvoid run(const int* x, int* y) {\n"
                                  "  F(x, y);\n}\nint main() {"),
                         call, "  run<nf_top>(x, y);\n");
    needle = "run<nf_top>";
    message = "top 'nf_top' must be called directly, but it is a template argument";
  }
  run_check(check, kKernel, testbench);
  INFO(check.result.output);
  CHECK(check.result.exit_code == 1);
  CHECK_THAT(check.result.output, Catch::Contains(check.at("testbench/nf_toy_tb.cpp", testbench, needle) + message));
  CHECK_THAT(check.result.output, Catch::Contains(also));
}

TEST_CASE("HLS static check: the testbench calls no top callback", "[hls][static]") {
  Check check;
  std::string testbench, kind;
  SECTION("a template parameter") {
    testbench = replaced(kTestbench, "int main() {",
                         "template <class C, class Top>\nvoid check_top(const int* x, int* y, Top top) {\n"
                         "  top(x, y);\n}\nint main() {");
    kind = "of template parameter type 'Top'";
  }
  SECTION("a function pointer") {
    testbench = replaced(kTestbench, "int main() {",
                         "void check_top(const int* x, int* y, void (*top)(const int*, int*)) {\n"
                         "  top(x, y);\n}\nint main() {");
    kind = "a function pointer";
  }
  SECTION("a function pointer typedef") {
    testbench = replaced(kTestbench, "int main() {",
                         "typedef void (*TopFn)(const int*, int*);\n"
                         "void check_top(const int* x, int* y, TopFn top) {\n  top(x, y);\n}\nint main() {");
    kind = "a function pointer ('TopFn')";
  }
  run_check(check, kKernel, testbench);
  INFO(check.result.output);
  CHECK(check.result.exit_code == 1);
  CHECK_THAT(check.result.output,
             Catch::Contains(check.at("testbench/nf_toy_tb.cpp", testbench, "  top(x, y);") +
                             "'top' (a parameter of 'check_top', " + kind + ") is called"));
  CHECK(check.findings() == 1);
}

TEST_CASE("HLS static check: no heap, exceptions, std containers or printing in a kernel", "[hls][static]") {
  const std::string anchor = "  const unsigned lanes = CONFIG_T::lanes;\n";
  Check check;
  std::string code, message;
  SECTION("new") {
    code = "  accum_t* scratch = new accum_t[lanes];\n";
    message = "'new': no heap in a kernel";
  }
  SECTION("delete") {
    code = "  delete state.p;\n";
    message = "'delete': no heap in a kernel";
  }
  SECTION("malloc") {
    code = "  void* p = malloc(16);\n";
    message = "'malloc': no heap in a kernel";
  }
  SECTION("throw") {
    code = "  if (lanes == 0) throw 1;\n";
    message = "'throw': no exceptions in a kernel";
  }
  SECTION("try") {
    code = "  try { state.h[0] = 0; } catch (...) {}\n";
    message = "'try': no exceptions in a kernel";
  }
  SECTION("std::vector") {
    code = "  std::vector<accum_t> scratch(lanes);\n";
    message = "'std::vector': no std containers, strings, streams or heap in a kernel";
  }
  SECTION("printf") {
    code = "  std::printf(\"%u\\n\", lanes);\n";
    message = "'printf': no printing in a kernel";
  }
  SECTION("#include <vector>") {
    code = "#include <vector>\n";
    message = "includes <vector>";
  }
  const std::string kernel = replaced(kKernel, anchor, anchor + code);
  run_check(check, kernel);
  INFO(check.result.output);
  CHECK(check.result.exit_code == 1);
  CHECK_THAT(check.result.output, Catch::Contains(check.at("kernels/nf_toy.h", kernel, code) + message));
}

TEST_CASE("HLS static check: comments and string literals never count", "[hls][static]") {
  Check check;
  const std::string anchor = "  const unsigned lanes = CONFIG_T::lanes;\n";
  const std::string kernel = replaced(kKernel, anchor,
                                      anchor + "  // new, delete, throw, std::vector, printf(), &nf_top\n"
                                               "  /* malloc(1); nf_top; */ const char* s = \"throw new nf_top\";\n"
                                               "  (void)s;\n");
  run_check(check, kernel);
  INFO(check.result.output);
  CHECK(check.result.exit_code == 0);
  CHECK(check.findings() == 0);
}
