// The stand-in ap_types (hls/kernels/standins/): hand-computed cases, then
// the differential test against Xilinx's headers (ap_types_probe.cpp, built
// once with each; tests/hls/tests.cmake). Without Xilinx's headers the
// differential test fails, unless NEUROFAB_ALLOW_NO_AP_TYPES=1.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <csignal>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "ap_types_required.hpp"
#include "nf_hls_types.h"
#include "run_command.hpp"

namespace {

// x on the grid of 1/4 (ap_fixed<6, 4, Q>), converted from an exact
// ap_fixed<8, 4> (grid 1/16); NaN (failing any comparison) if x is not exact
// there or the conversion from the double x itself disagrees.
template <ap_q_mode Q>
double quarter(double x) {
  const ap_fixed<8, 4> exact = x;
  const ap_fixed<6, 4, Q> converted = exact;
  const ap_fixed<6, 4, Q> from_double = x;
  if (exact.to_double() != x || from_double != converted) return std::nan("");
  return converted.to_double();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The probe's output, checked for its frame: exit code 0, "types: <name>"
// first, "operations: <n>" last with n >= 100 000.
std::vector<std::string> run_probe(const std::string& path, const std::string& types_name) {
  const nf::test::CommandResult run = nf::test::run_command("'" + path + "'");
  INFO("probe: " << path);
  REQUIRE(run.exit_code == 0);
  std::vector<std::string> lines = lines_of(run.output);
  REQUIRE(lines.size() > 3);
  CHECK(lines.front() == "types: " + types_name);
  CHECK(lines[1].rfind("seed: ", 0) == 0);
  const std::string last = lines.back();
  REQUIRE(last.rfind("operations: ", 0) == 0);
  CHECK(std::stoll(last.substr(12)) >= 100000);
  return lines;
}

}  // namespace

TEST_CASE("stand-in ap_fixed rounds ties and non-ties with each of the seven quantization modes",
          "[hls][ap_types]") {
  // -0.625 = -2.5 quarters, -0.375 = -1.5, 0.375 = 1.5, 0.625 = 2.5 (ties);
  // -0.3125 = -1.25 and 0.4375 = 1.75 quarters (not ties).
  CHECK(quarter<AP_TRN>(-0.625) == -0.75);
  CHECK(quarter<AP_TRN>(-0.375) == -0.5);
  CHECK(quarter<AP_TRN>(0.375) == 0.25);
  CHECK(quarter<AP_TRN>(-0.3125) == -0.5);
  CHECK(quarter<AP_TRN>(0.4375) == 0.25);

  CHECK(quarter<AP_TRN_ZERO>(-0.625) == -0.5);
  CHECK(quarter<AP_TRN_ZERO>(-0.3125) == -0.25);
  CHECK(quarter<AP_TRN_ZERO>(0.4375) == 0.25);

  CHECK(quarter<AP_RND>(-0.625) == -0.5);  // ties toward +inf
  CHECK(quarter<AP_RND>(-0.375) == -0.25);
  CHECK(quarter<AP_RND>(0.375) == 0.5);
  CHECK(quarter<AP_RND>(-0.3125) == -0.25);
  CHECK(quarter<AP_RND>(0.4375) == 0.5);

  CHECK(quarter<AP_RND_CONV>(-0.625) == -0.5);  // ties to even: -2.5 -> -2
  CHECK(quarter<AP_RND_CONV>(-0.375) == -0.5);  // -1.5 -> -2
  CHECK(quarter<AP_RND_CONV>(0.375) == 0.5);    // 1.5 -> 2
  CHECK(quarter<AP_RND_CONV>(0.625) == 0.5);    // 2.5 -> 2
  CHECK(quarter<AP_RND_CONV>(-0.3125) == -0.25);

  CHECK(quarter<AP_RND_ZERO>(-0.625) == -0.5);
  CHECK(quarter<AP_RND_ZERO>(0.625) == 0.5);
  CHECK(quarter<AP_RND_ZERO>(0.4375) == 0.5);

  CHECK(quarter<AP_RND_MIN_INF>(-0.625) == -0.75);
  CHECK(quarter<AP_RND_MIN_INF>(0.625) == 0.5);
  CHECK(quarter<AP_RND_MIN_INF>(-0.3125) == -0.25);

  CHECK(quarter<AP_RND_INF>(-0.625) == -0.75);
  CHECK(quarter<AP_RND_INF>(0.625) == 0.75);
  CHECK(quarter<AP_RND_INF>(0.4375) == 0.5);
}

TEST_CASE("stand-in ap_fixed saturates or wraps on overflow, also after rounding up",
          "[hls][ap_types]") {
  CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT>(9).to_int() == 7);
  CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP>(9).to_int() == -7);
  CHECK(ap_fixed<4, 4, AP_TRN, AP_SAT>(-9).to_int() == -8);
  CHECK(ap_fixed<4, 4, AP_TRN, AP_WRAP>(-9).to_int() == 7);
  CHECK(ap_ufixed<4, 4, AP_TRN, AP_SAT>(-3).to_int() == 0);
  CHECK(ap_ufixed<4, 4, AP_TRN, AP_WRAP>(-3).to_int() == 13);
  CHECK(ap_ufixed<4, 4, AP_TRN, AP_SAT>(20).to_int() == 15);
  CHECK(ap_ufixed<4, 4, AP_TRN, AP_WRAP>(20).to_int() == 4);
  // 1.9 · 4 = 7.6 rounds to 8, one past the largest code 7.
  CHECK(ap_fixed<4, 2, AP_RND, AP_SAT>(1.9).to_double() == 1.75);
  CHECK(ap_fixed<4, 2, AP_RND, AP_WRAP>(1.9).to_double() == -2.0);
  CHECK(ap_fixed<8, 4, AP_TRN, AP_SAT>(1e300).to_double() == 7.9375);
  CHECK(ap_fixed<8, 4, AP_TRN, AP_SAT>(-std::numeric_limits<double>::infinity()).to_double() ==
        -8.0);
  // Compound assignment goes through the left operand's modes.
  ap_fixed<6, 3, AP_RND_CONV, AP_SAT> acc = 3.5;
  acc += ap_fixed<8, 4>(2.0);
  CHECK(acc.to_double() == 3.875);
  acc *= ap_fixed<8, 4>(-2.0);
  CHECK(acc.to_double() == -4.0);
  ap_fixed<6, 3, AP_TRN, AP_WRAP> wrapped = 3.5;
  wrapped += ap_fixed<8, 4>(1.0);
  CHECK(wrapped.to_double() == -3.5);
}

TEST_CASE("stand-in ap_fixed handles grids coarser than 1 (I > W) and finer than the range (I < 0)",
          "[hls][ap_types]") {
  // ap_fixed<4, 6>: grid 4, range [-32, 28].
  CHECK(ap_fixed<4, 6>(10).to_int() == 8);
  CHECK(ap_fixed<4, 6, AP_RND>(10).to_int() == 12);
  CHECK(ap_fixed<4, 6, AP_RND_CONV>(10).to_int() == 8);
  CHECK(ap_fixed<4, 6, AP_TRN, AP_SAT>(30).to_int() == 28);
  CHECK(ap_fixed<4, 6, AP_TRN, AP_WRAP>(33).to_int() == -32);
  CHECK(ap_fixed<4, 6>(-12).to_int() == -12);
  // ap_fixed<4, -2>: grid 2^-6, range [-1/8, 7/64].
  CHECK(ap_fixed<4, -2>(0.05).to_double() == 3.0 / 64);
  CHECK(ap_fixed<4, -2, AP_TRN, AP_SAT>(0.2).to_double() == 7.0 / 64);
  CHECK(ap_fixed<4, -2, AP_TRN, AP_SAT>(-1.0).to_double() == -0.125);
  CHECK(ap_fixed<4, -2, AP_TRN, AP_WRAP>(1.0 / 8).to_double() == -0.125);
  // ap_ufixed<3, -1>: grid 2^-4, range [0, 7/16].
  CHECK(ap_ufixed<3, -1, AP_RND>(0.09375).to_double() == 0.125);  // 1.5 sixteenths, a tie
  // The product of the two keeps every bit: grid 2^-10.
  const auto p = ap_fixed<4, -2>(3.0 / 64) * ap_ufixed<3, -1>(5.0 / 16);
  CHECK(p.to_double() == 15.0 / 1024);
}

TEST_CASE("stand-in ap_fixed converts to native types like Xilinx, negatives included",
          "[hls][ap_types]") {
  CHECK(ap_fixed<8, 4>(-7.5).to_int() == -7);  // toward zero, as a C cast
  CHECK(ap_fixed<8, 4>(7.5).to_int() == 7);
  CHECK(ap_fixed<8, 4>(-7.5).to_int64() == -7);
  CHECK(ap_fixed<8, 4>(-7.5).to_uint() == 4294967289U);
  CHECK(ap_fixed<8, 4>(-7.5).to_uint64() == 18446744073709551609ULL);
  CHECK(ap_fixed<8, 0>(-0.25).to_int() == -1);  // Xilinx: +1 in a 1-bit signed word
  CHECK(ap_fixed<8, 0>(0.25).to_int() == 0);
  CHECK(ap_ufixed<8, 0>(0.75).to_int() == 0);
  CHECK(ap_fixed<40, 40>(-3000000000LL).to_int() == 1294967296);  // low 32 bits
  CHECK(ap_fixed<40, 40>(-3000000000LL).to_int64() == -3000000000LL);
  CHECK(ap_fixed<4, 70>(1).to_int64() == 0);  // grid 2^66: 1 floors to 0
  CHECK(ap_fixed<4, 70, AP_RND>(std::ldexp(1.0, 66)).to_uint64() == 0);  // 2^66, low 64 bits
  CHECK(ap_fixed<4, 70, AP_RND>(std::ldexp(1.0, 66)).to_double() == std::ldexp(1.0, 66));
  // to_double rounds to nearest even: 2^60 + 2^7 (a tie) -> 2^60; + 2^7 + 1 -> up.
  CHECK(ap_fixed<64, 64>(static_cast<long long>((1ULL << 60) + 128)).to_double() ==
        std::ldexp(1.0, 60));
  CHECK(ap_fixed<64, 64>(static_cast<long long>((1ULL << 60) + 129)).to_double() ==
        std::ldexp(1.0, 60) + 256.0);
}

TEST_CASE("stand-in ap_fixed result types are Xilinx's", "[hls][ap_types]") {
  typedef ap_fixed<8, 3> A;   // F = 5
  typedef ap_ufixed<6, 2> B;  // F = 4
  typedef decltype(A() * B()) Product;
  typedef decltype(A() + B()) Sum;
  typedef decltype(B() + B()) UnsignedSum;
  typedef decltype(B() - B()) Difference;
  typedef decltype(-B()) Negated;
  static_assert(Product::width == 14 && Product::iwidth == 5, "mult: W + W2, I + I2");
  static_assert(std::is_same<Product, ap_fixed<14, 5>>::value, "mult: signed, AP_TRN, AP_WRAP");
  // max(I + (S2 && !S), I2 + (S && !S2)) + 1 = max(3, 3) + 1 integer bits, max(F, F2) fraction bits
  static_assert(Sum::width == 9 && Sum::iwidth == 4, "plus");
  static_assert(std::is_same<Sum, ap_fixed<9, 4>>::value, "plus: signed if either is");
  static_assert(std::is_same<UnsignedSum, ap_ufixed<7, 3>>::value, "plus of unsigned: unsigned");
  static_assert(std::is_same<Difference, ap_fixed<7, 3>>::value, "minus: always signed");
  static_assert(std::is_same<Negated, ap_fixed_base<7, 3, true>>::value,
                "unary minus: ap_fixed_base<W + 1, I + 1, true>");
  static_assert(Negated::qmode == AP_TRN && Negated::omode == AP_WRAP, "default modes");
  static_assert(ap_ufixed<6, 2, AP_RND, AP_SAT>::qmode == AP_RND, "qmode");
  const A a = -2.5;
  const B b = 3.75;
  CHECK((a * b).to_double() == -9.375);
  CHECK((a + b).to_double() == 1.25);
  CHECK((B(0.5) - b).to_double() == -3.25);
  CHECK((-b).to_double() == -3.75);
  CHECK((-ap_fixed<4, 4>(-8)).to_int() == 8);  // no overflow: one more bit
}

TEST_CASE("stand-in ap_fixed shifts the raw code within the type", "[hls][ap_types]") {
  const ap_fixed<8, 4> x = 3.5;  // code 56
  CHECK((x << 1U).to_double() == 7.0);
  CHECK((x << 2U).to_double() == -2.0);  // code 224 wraps to -32
  CHECK((x << 8U).to_double() == 0.0);
  CHECK((x >> 3U).to_double() == 0.4375);
  CHECK((x >> -1).to_double() == 7.0);
  CHECK((x << -3).to_double() == 0.4375);
  const ap_fixed<8, 4> y = -3.5;
  CHECK((y >> 3).to_double() == -0.4375);
  CHECK((y >> 9U).to_double() == -0.0625);  // all sign bits
  CHECK((ap_ufixed<8, 4>(15.5) >> 9U).to_double() == 0.0);
  CHECK((ap_ufixed<8, 4>(15.5) >> 7U).to_double() == 0.0625);  // logical
}

TEST_CASE("stand-in ap_fixed compares exactly across formats and signedness", "[hls][ap_types]") {
  CHECK(ap_fixed<10, 5>(-1) < ap_ufixed<10, 5>(1));
  CHECK(ap_ufixed<10, 5>(1) > ap_fixed<10, 5>(-1));
  CHECK(ap_fixed<8, 4>(0.5) == ap_ufixed<4, 0>(0.5));
  CHECK(ap_fixed<8, 4>(0.5) != ap_ufixed<4, 0>(0.5625));
  CHECK(ap_fixed<8, 4>(0.5) < ap_ufixed<4, 0>(0.5625));
  CHECK(ap_fixed<4, 6>(8) >= ap_fixed<16, 8>(7.99609375));
  CHECK(ap_fixed<4, -2>(-3.0 / 64) <= ap_fixed<4, 6>(0));
  CHECK_FALSE(ap_fixed<4, -2>(3.0 / 64) <= ap_fixed<30, 2>(0.046875 - std::ldexp(1.0, -28)));
  CHECK(ap_fixed<60, -10>(std::ldexp(1.0, -70)) > ap_fixed<8, 70>(0));  // grids 2^132 apart
  CHECK(ap_fixed<60, -10>(-std::ldexp(1.0, -70)) < ap_fixed<8, 70>(0));
}

TEST_CASE("stand-in ap_int and ap_uint wrap to W bits and convert like Xilinx's", "[hls][ap_types]") {
  ap_uint<6> k = 5;
  const unsigned s = static_cast<unsigned>(k);
  CHECK(s == 5U);
  ap_uint<6> c = 0;
  c = c - 1;
  CHECK(static_cast<unsigned long long>(c) == 63ULL);
  CHECK(ap_uint<6>(70).to_uint() == 6U);
  CHECK(ap_int<4>(9).to_int() == -7);
  CHECK(ap_int<4>(-9).to_int64() == 7);
  CHECK(ap_int<1>(1).to_int() == -1);
  CHECK(ap_int<33>(-1).to_uint() == 4294967295U);
  CHECK(ap_uint<64>(-1).to_uint64() == 18446744073709551615ULL);
  CHECK(ap_int<64>(0x8000000000000000ULL).to_int64() == std::numeric_limits<long long>::min());
  k = k + 60;
  CHECK(k.to_uint() == 1U);
  static_assert(std::is_same<decltype(+ap_int<8>()), long long>::value, "converts to long long");
  static_assert(std::is_same<decltype(+ap_uint<8>()), unsigned long long>::value,
                "converts to unsigned long long");
}

TEST_CASE("stand-in hls::stream is a FIFO and aborts with its name on a read while empty",
          "[hls][ap_types]") {
  hls::stream<ap_fixed<8, 4>> s("fifo");
  CHECK(s.empty());
  s.write(ap_fixed<8, 4>(1.5));
  s << ap_fixed<8, 4>(-2.0);
  s.write(ap_fixed<8, 4>(0.25));
  CHECK(s.size() == 3U);
  CHECK(s.read().to_double() == 1.5);
  ap_fixed<8, 4> v;
  s.read(v);
  CHECK(v.to_double() == -2.0);
  s >> v;
  CHECK(v.to_double() == 0.25);
  CHECK(s.empty());
  static_assert(!std::is_copy_constructible<hls::stream<int>>::value, "not copyable");

  // A read while empty, in a child process: stderr names the stream, then SIGABRT.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGABRT, SIG_DFL);  // not Catch's handler, which would report in the child
    close(fds[0]);
    dup2(fds[1], 2);
    hls::stream<int> empty_stream(std::string("kernel_input_stream"));
    empty_stream.read();
    _exit(0);  // not reached if the read aborts
  }
  close(fds[1]);
  std::string err;
  char buffer[256];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) err.append(buffer, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT));
  CHECK(err.find("kernel_input_stream") != std::string::npos);
}

TEST_CASE("stand-in ap_types give the same results as Xilinx's headers on the probe battery",
          "[hls][ap_types]") {
  const std::vector<std::string> standin = run_probe(NF_AP_PROBE_STANDIN, "neurofab-standins");
#ifdef NF_AP_PROBE_XILINX
  const std::vector<std::string> xilinx = run_probe(NF_AP_PROBE_XILINX, "xilinx-ap_types");
  // Line 1 names the types; every later line must be identical.
  std::size_t first_difference = 0;
  for (std::size_t i = 1; i < standin.size() && i < xilinx.size(); ++i) {
    if (standin[i] != xilinx[i]) {
      first_difference = i;
      break;
    }
  }
  if (first_difference != 0) {
    FAIL("first difference at line " << first_difference + 1 << ":\n  stand-ins: "
                                      << standin[first_difference]
                                      << "\n  xilinx:    " << xilinx[first_difference]);
  }
  CHECK(standin.size() == xilinx.size());
#else
  // No reference to compare with: fails, unless NEUROFAB_ALLOW_NO_AP_TYPES=1
  // (then only the stand-in probe's frame above was checked, and the log says so).
  nf::test::xilinx_half_missing("the differential probe of the stand-ins against Xilinx's ap_types");
#endif
}
