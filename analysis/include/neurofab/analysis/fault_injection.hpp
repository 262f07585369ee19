#pragma once
// SEU-style fault injection: random bit flips in the weight memories of the
// integer golden model.
//
// The weight memory is what the RTL's memory images hold (rtl/src/rtl_generator.cpp):
// every code of a stored tensor as a W-bit two's-complement word, W the
// tensor's format width (Q(W, F)). Absent synapses are stored too (as 0), so a
// flip may hit them. Bit addresses run over the chosen memories in the order
// given, each tensor row-major [post, pre], bit 0 the least significant:
//
//   address = offset(memory) + (i·cols + j)·W + bit,   offset = Σ of the earlier memories' sizes
//
// A flip of bit b of code c: u = (c mod 2^W) XOR 2^b, read back as a W-bit
// two's-complement number (u − 2^W when u ≥ 2^(W−1)). So the code stays within
// the format's range [−2^(W−1), 2^(W−1) − 1] and the integer model runs
// unchanged (its int64 accumulators hold any such code; the accumulator width
// the quantizer sized for the unflipped codes is not re-checked — see
// docs/analysis-degradation.md).
//
// k distinct addresses are drawn by a partial Fisher–Yates shuffle of all
// addresses (sparse, on nf::Rng): the first k of a uniform permutation, so for
// one seed the flips at a smaller k are a prefix of those at a larger k.
// A bit-error rate p means k = round(p · total_bits).

#include <cstdint>
#include <string>
#include <vector>

#include "neurofab/quantize/integer_lif_rnn.hpp"
#include "neurofab/quantize/integer_rate_rnn.hpp"

namespace nf::analysis {

enum class WeightMemory { kWIn, kWRec, kWOut };

std::string to_string(WeightMemory memory);                    // "W_in", "W_rec", "W_out"
WeightMemory weight_memory_from_string(const std::string& name);  // throws nf::InputError

struct MemoryRegion {
  WeightMemory memory = WeightMemory::kWRec;
  Eigen::Index rows = 0, cols = 0;
  int width = 0;            // W of the tensor's format
  std::int64_t offset = 0;  // first bit address
  std::int64_t bits() const { return static_cast<std::int64_t>(rows * cols) * width; }
};

struct MemoryLayout {
  std::vector<MemoryRegion> regions;
  std::int64_t total_bits = 0;
};

// The layout of `memories` (non-empty, no repeats; else nf::InputError) of a network.
MemoryLayout memory_layout(const quantize::IntegerRateRnn& network, const std::vector<WeightMemory>& memories);
MemoryLayout memory_layout(const quantize::IntegerLifRnn& network, const std::vector<WeightMemory>& memories);

struct BitFlip {
  WeightMemory memory = WeightMemory::kWRec;
  Eigen::Index row = 0, col = 0;
  int bit = 0;
  bool operator==(const BitFlip&) const = default;
};

// k distinct flips for `seed` (nested in k, see above). Throws nf::InputError
// when k is negative or exceeds the layout's bits.
std::vector<BitFlip> choose_bit_flips(const MemoryLayout& layout, std::int64_t k, std::uint64_t seed);

// k for a bit-error rate p ∈ [0, 1]: round(p · total_bits).
std::int64_t flips_for_rate(double bit_error_rate, std::int64_t total_bits);

// Code c with bit `bit` of its W-bit two's-complement word inverted.
std::int32_t flip_bit(std::int32_t code, int bit, int width);

// Number of bits in which the W-bit words of two code tensors differ.
std::int64_t hamming_distance(const quantize::IntMatrix& a, const quantize::IntMatrix& b, int width);

// The network with `flips` applied to its stored codes (everything else as is).
quantize::IntegerRateRnn with_bit_flips(const quantize::IntegerRateRnn& network, const std::vector<BitFlip>& flips);
quantize::IntegerLifRnn with_bit_flips(const quantize::IntegerLifRnn& network, const std::vector<BitFlip>& flips);

}  // namespace nf::analysis
