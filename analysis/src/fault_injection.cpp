#include "neurofab/analysis/fault_injection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <unordered_map>

#include "neurofab/common/error.hpp"
#include "neurofab/common/rng.hpp"

namespace nf::analysis {

namespace {

constexpr std::uint64_t kFlipStream = 0x73657566;  // "seuf": the bit-flip draws of a seed

template <typename Tensors>
quantize::IntMatrix& tensor(Tensors& t, WeightMemory memory) {
  switch (memory) {
    case WeightMemory::kWIn: return t.w_in;
    case WeightMemory::kWRec: return t.w_rec;
    case WeightMemory::kWOut: return t.w_out;
  }
  return t.w_rec;
}

template <typename Spec>
int width(const Spec& s, WeightMemory memory) {
  switch (memory) {
    case WeightMemory::kWIn: return s.w_in.total_bits;
    case WeightMemory::kWRec: return s.w_rec.total_bits;
    case WeightMemory::kWOut: return s.w_out.total_bits;
  }
  return s.w_rec.total_bits;
}

template <typename Network>
MemoryLayout layout_of(const Network& network, const std::vector<WeightMemory>& memories) {
  if (memories.empty()) throw InputError("no weight memory chosen for bit flips (memories: W_in, W_rec, W_out)");
  MemoryLayout layout;
  auto tensors = network.tensors();  // a copy: tensor() hands out non-const references
  for (const WeightMemory memory : memories) {
    for (const auto& region : layout.regions)
      if (region.memory == memory) throw InputError(fmt::format("weight memory {} named twice", to_string(memory)));
    const quantize::IntMatrix& codes = tensor(tensors, memory);
    MemoryRegion region{memory, codes.rows(), codes.cols(), width(network.spec(), memory), layout.total_bits};
    layout.total_bits += region.bits();
    layout.regions.push_back(region);
  }
  return layout;
}

template <typename Network>
Network flipped(const Network& network, const std::vector<BitFlip>& flips) {
  auto tensors = network.tensors();
  for (const BitFlip& f : flips) {
    quantize::IntMatrix& codes = tensor(tensors, f.memory);
    if (f.row < 0 || f.row >= codes.rows() || f.col < 0 || f.col >= codes.cols())
      throw InputError(fmt::format("bit flip at {}[{}, {}] is outside the tensor's [{}, {}]", to_string(f.memory),
                                   f.row, f.col, codes.rows(), codes.cols()));
    codes(f.row, f.col) = flip_bit(codes(f.row, f.col), f.bit, width(network.spec(), f.memory));
  }
  return Network(network.config(), network.spec(), std::move(tensors));
}

}  // namespace

std::string to_string(WeightMemory memory) {
  switch (memory) {
    case WeightMemory::kWIn: return "W_in";
    case WeightMemory::kWRec: return "W_rec";
    case WeightMemory::kWOut: return "W_out";
  }
  return "?";
}

WeightMemory weight_memory_from_string(const std::string& name) {
  for (const WeightMemory m : {WeightMemory::kWIn, WeightMemory::kWRec, WeightMemory::kWOut})
    if (to_string(m) == name) return m;
  throw InputError(fmt::format("unknown weight memory '{}' (memories: W_in, W_rec, W_out)", name));
}

MemoryLayout memory_layout(const quantize::IntegerRateRnn& network, const std::vector<WeightMemory>& memories) {
  return layout_of(network, memories);
}
MemoryLayout memory_layout(const quantize::IntegerLifRnn& network, const std::vector<WeightMemory>& memories) {
  return layout_of(network, memories);
}

std::vector<BitFlip> choose_bit_flips(const MemoryLayout& layout, std::int64_t k, std::uint64_t seed) {
  if (k < 0 || k > layout.total_bits)
    throw InputError(fmt::format("{} bit flips asked for, the chosen weight memories hold {} bits", k,
                                 layout.total_bits));
  // Sparse partial Fisher–Yates over the addresses 0 .. total-1: `moved` holds
  // only the positions a swap has touched, so memory is O(k), not O(total).
  Rng rng = Rng::derive(seed, {kFlipStream});
  std::unordered_map<std::int64_t, std::int64_t> moved;
  const auto at = [&](std::int64_t position) {
    const auto it = moved.find(position);
    return it == moved.end() ? position : it->second;
  };
  std::vector<BitFlip> flips;
  flips.reserve(static_cast<std::size_t>(k));
  for (std::int64_t a = 0; a < k; ++a) {
    const std::int64_t b = a + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(layout.total_bits - a)));
    const std::int64_t address = at(b);
    moved[b] = at(a);
    moved[a] = address;
    const auto region = std::find_if(layout.regions.begin(), layout.regions.end(), [&](const MemoryRegion& r) {
      return address >= r.offset && address < r.offset + r.bits();
    });
    const std::int64_t local = address - region->offset;
    const std::int64_t element = local / region->width;
    flips.push_back({region->memory, static_cast<Eigen::Index>(element / region->cols),
                     static_cast<Eigen::Index>(element % region->cols), static_cast<int>(local % region->width)});
  }
  return flips;
}

std::int64_t flips_for_rate(double bit_error_rate, std::int64_t total_bits) {
  if (!(bit_error_rate >= 0.0 && bit_error_rate <= 1.0))
    throw InputError(fmt::format("bit-error rate {} is outside [0, 1]", bit_error_rate));
  return std::llround(bit_error_rate * static_cast<double>(total_bits));
}

std::int32_t flip_bit(std::int32_t code, int bit, int width) {
  if (width < 1 || width > 32 || bit < 0 || bit >= width)
    throw InputError(fmt::format("bit {} of a {}-bit word does not exist", bit, width));
  const std::uint64_t modulus = std::uint64_t{1} << width;
  const std::uint64_t word = (static_cast<std::uint64_t>(static_cast<std::int64_t>(code)) & (modulus - 1)) ^
                             (std::uint64_t{1} << bit);
  const auto value = static_cast<std::int64_t>(word);
  return static_cast<std::int32_t>(word >= (modulus >> 1) ? value - static_cast<std::int64_t>(modulus) : value);
}

std::int64_t hamming_distance(const quantize::IntMatrix& a, const quantize::IntMatrix& b, int width) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw InputError(fmt::format("code tensors of shapes [{}, {}] and [{}, {}] cannot be compared", a.rows(),
                                 a.cols(), b.rows(), b.cols()));
  const std::uint64_t word_mask = width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
  std::int64_t distance = 0;
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      distance += std::popcount((static_cast<std::uint64_t>(static_cast<std::int64_t>(a(i, j))) ^
                                 static_cast<std::uint64_t>(static_cast<std::int64_t>(b(i, j)))) &
                                word_mask);
  return distance;
}

quantize::IntegerRateRnn with_bit_flips(const quantize::IntegerRateRnn& network, const std::vector<BitFlip>& flips) {
  return flipped(network, flips);
}
quantize::IntegerLifRnn with_bit_flips(const quantize::IntegerLifRnn& network, const std::vector<BitFlip>& flips) {
  return flipped(network, flips);
}

}  // namespace nf::analysis
