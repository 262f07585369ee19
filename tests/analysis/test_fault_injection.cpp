// Bit flips in the weight memories of the integer golden model
// (analysis/fault_injection.hpp): the two's-complement flip on hand values,
// exactly k distinct bits changed (Hamming distance of the codes), flips
// confined to the chosen memories, 0 flips = the unmodified model bit for bit,
// same seed → same flips, every bit flipped = the bitwise complement.
#include <catch2/catch.hpp>

#include <set>
#include <tuple>

#include "neurofab/analysis/degradation.hpp"
#include "neurofab/analysis/fault_injection.hpp"
#include "neurofab/quantize/integer_evaluation.hpp"
#include "neurofab/common/error.hpp"
#include "neurofab/quantize/quantizer.hpp"
#include "stress_networks.hpp"

using nf::analysis::BitFlip;
using nf::analysis::choose_bit_flips;
using nf::analysis::flip_bit;
using nf::analysis::hamming_distance;
using nf::analysis::memory_layout;
using nf::analysis::WeightMemory;
using nf::analysis::with_bit_flips;
using nf::quantize::IntMatrix;

namespace {

nf::quantize::IntegerRateRnn rate_network(int weight_bits) {
  nf::models::RateRnnConfig config;
  const auto artifact = nf::test::random_rate_network("flipflop", 20, config, 1.2, 3);
  nf::quantize::QuantizeOptions q;
  q.weight_bits = weight_bits;
  q.calibration_trials = 4;
  return nf::quantize::quantize_rate(artifact, q).network;
}

nf::quantize::IntegerLifRnn lif_network(int weight_bits) {
  nf::models::LifRnnConfig config;
  const auto artifact = nf::test::random_lif_network("flipflop", 20, config, 1.5, 0.06, 3);
  nf::quantize::QuantizeOptions q;
  q.weight_bits = weight_bits;
  q.calibration_trials = 4;
  return nf::quantize::quantize_lif(artifact, q).network;
}

template <typename Network>
std::int64_t total_hamming(const Network& a, const Network& b, WeightMemory memory) {
  const auto& s = a.spec();
  switch (memory) {
    case WeightMemory::kWIn: return hamming_distance(a.tensors().w_in, b.tensors().w_in, s.w_in.total_bits);
    case WeightMemory::kWRec: return hamming_distance(a.tensors().w_rec, b.tensors().w_rec, s.w_rec.total_bits);
    case WeightMemory::kWOut: return hamming_distance(a.tensors().w_out, b.tensors().w_out, s.w_out.total_bits);
  }
  return -1;
}

}  // namespace

TEST_CASE("flip_bit inverts one bit of the W-bit two's-complement word", "[fault]") {
  CHECK(flip_bit(0, 7, 8) == -128);    // sign bit
  CHECK(flip_bit(-128, 7, 8) == 0);
  CHECK(flip_bit(127, 7, 8) == -1);    // 0111 1111 → 1111 1111
  CHECK(flip_bit(-1, 0, 8) == -2);     // 1111 1111 → 1111 1110
  CHECK(flip_bit(5, 1, 4) == 7);       // 0101 → 0111
  CHECK(flip_bit(5, 3, 4) == -3);      // 0101 → 1101
  CHECK(flip_bit(-2147483647 - 1, 31, 32) == 0);
  CHECK(flip_bit(0, 31, 32) == -2147483647 - 1);
  for (int code = -8; code < 8; ++code)
    for (int bit = 0; bit < 4; ++bit) {
      const int f = flip_bit(code, bit, 4);
      CHECK(f >= -8);
      CHECK(f < 8);
      CHECK(flip_bit(f, bit, 4) == code);  // an involution
      IntMatrix a(1, 1), b(1, 1);
      a(0, 0) = code;
      b(0, 0) = f;
      CHECK(hamming_distance(a, b, 4) == 1);
    }
  CHECK_THROWS_AS(flip_bit(0, 8, 8), nf::InputError);
}

TEST_CASE("k flips change exactly k distinct bits, in the chosen memories only", "[fault]") {
  const auto network = rate_network(8);
  const std::vector<WeightMemory> all = {WeightMemory::kWIn, WeightMemory::kWRec, WeightMemory::kWOut};
  const auto layout = memory_layout(network, all);
  CHECK(layout.total_bits == 8 * (20 * 2 + 20 * 20 + 1 * 20));  // flip-flop: 2 inputs, 1 output
  for (const std::uint64_t seed : {1u, 2u, 99u}) {
    for (const std::int64_t k : {std::int64_t{1}, std::int64_t{2}, std::int64_t{17}, std::int64_t{300}, layout.total_bits}) {
      INFO("seed " << seed << ", k " << k);
      const auto flips = choose_bit_flips(layout, k, seed);
      REQUIRE(flips.size() == static_cast<std::size_t>(k));
      std::set<std::tuple<int, Eigen::Index, Eigen::Index, int>> distinct;
      for (const auto& f : flips) distinct.insert({static_cast<int>(f.memory), f.row, f.col, f.bit});
      CHECK(distinct.size() == flips.size());
      const auto flipped = with_bit_flips(network, flips);
      std::int64_t differ = 0;
      for (const auto m : all) differ += total_hamming(network, flipped, m);
      CHECK(differ == k);
      CHECK(flipped.tensors().b_rec == network.tensors().b_rec);  // biases are not in the chosen memories
      CHECK(flipped.tensors().b_out == network.tensors().b_out);
    }
  }
  // Only W_rec: W_in and W_out are untouched whatever k.
  const auto rec = memory_layout(network, {WeightMemory::kWRec});
  CHECK(rec.total_bits == 8 * 400);
  const auto flipped = with_bit_flips(network, choose_bit_flips(rec, 500, 4));
  CHECK(total_hamming(network, flipped, WeightMemory::kWRec) == 500);
  CHECK(flipped.tensors().w_in == network.tensors().w_in);
  CHECK(flipped.tensors().w_out == network.tensors().w_out);
  // Only the readout and input memories: W_rec untouched.
  const auto io = memory_layout(network, {WeightMemory::kWOut, WeightMemory::kWIn});
  const auto flipped_io = with_bit_flips(network, choose_bit_flips(io, 200, 4));
  CHECK(flipped_io.tensors().w_rec == network.tensors().w_rec);
  CHECK(total_hamming(network, flipped_io, WeightMemory::kWIn) + total_hamming(network, flipped_io, WeightMemory::kWOut) ==
        200);
}

TEST_CASE("flipping every bit gives the bitwise complement -c - 1 of every code", "[fault]") {
  const auto network = rate_network(6);
  const auto layout = memory_layout(network, {WeightMemory::kWRec});
  const auto flipped = with_bit_flips(network, choose_bit_flips(layout, layout.total_bits, 11));
  const IntMatrix expected = (-network.tensors().w_rec.array() - 1).matrix();
  CHECK(flipped.tensors().w_rec == expected);
  CHECK_THROWS_AS(choose_bit_flips(layout, layout.total_bits + 1, 11), nf::InputError);
  CHECK_THROWS_AS(choose_bit_flips(layout, -1, 11), nf::InputError);
}

TEST_CASE("same seed gives the same flips, another seed others — flips are nested in k", "[fault]") {
  const auto network = rate_network(8);
  const auto layout = memory_layout(network, {WeightMemory::kWRec, WeightMemory::kWOut});
  const auto a = choose_bit_flips(layout, 40, 5);
  CHECK(a == choose_bit_flips(layout, 40, 5));
  CHECK(a != choose_bit_flips(layout, 40, 6));
  const auto prefix = choose_bit_flips(layout, 10, 5);
  CHECK(std::equal(prefix.begin(), prefix.end(), a.begin()));
  CHECK(nf::analysis::flips_for_rate(1e-3, 3200) == 3);
  CHECK(nf::analysis::flips_for_rate(0.0, 3200) == 0);
  CHECK_THROWS_AS(nf::analysis::flips_for_rate(1.5, 3200), nf::InputError);
  CHECK_THROWS_AS(memory_layout(network, {WeightMemory::kWRec, WeightMemory::kWRec}), nf::InputError);
  CHECK_THROWS_AS(memory_layout(network, {}), nf::InputError);
  CHECK_THROWS_AS(nf::analysis::weight_memory_from_string("b_rec"), nf::InputError);
}

TEST_CASE("0 flips is the unmodified integer model bit for bit — flips change it", "[fault]") {
  const auto task = nf::models::make_task("flipflop", {{"trial_length", 200}});
  const auto rate = rate_network(8);
  const auto rate_layout = memory_layout(rate, {WeightMemory::kWIn, WeightMemory::kWRec, WeightMemory::kWOut});
  const auto rate0 = with_bit_flips(rate, choose_bit_flips(rate_layout, 0, 3));
  CHECK(rate0.tensors().w_rec == rate.tensors().w_rec);
  const auto a = nf::quantize::integer_outputs(rate, *task, 6, 2);
  const auto b = nf::quantize::integer_outputs(rate0, *task, 6, 2);
  CHECK(a.outputs == b.outputs);
  CHECK(a.overflow_events == b.overflow_events);
  // Sign bits of many weights: the outputs must move (so the equality above can fail).
  std::vector<BitFlip> signs;
  for (Eigen::Index i = 0; i < 20; ++i) signs.push_back({WeightMemory::kWOut, 0, i, 7});
  CHECK(nf::quantize::integer_outputs(with_bit_flips(rate, signs), *task, 6, 2).outputs != a.outputs);

  const auto lif = lif_network(8);
  const auto lif_layout = memory_layout(lif, {WeightMemory::kWRec});
  CHECK(lif_layout.total_bits == 8 * 400);
  const auto lif0 = with_bit_flips(lif, choose_bit_flips(lif_layout, 0, 3));
  CHECK(nf::quantize::integer_outputs(lif, *task, 6, 2).outputs ==
        nf::quantize::integer_outputs(lif0, *task, 6, 2).outputs);
  const auto lif_flipped = with_bit_flips(lif, choose_bit_flips(lif_layout, 64, 3));
  CHECK(total_hamming(lif, lif_flipped, WeightMemory::kWRec) == 64);
  CHECK(lif_flipped.tensors().w_in == lif.tensors().w_in);
  CHECK(lif_flipped.tensors().w_out == lif.tensors().w_out);
  CHECK(lif_flipped.tensors().beta == lif.tensors().beta);
}
