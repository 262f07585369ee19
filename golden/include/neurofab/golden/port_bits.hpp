#pragma once
// Bit fields of Verilator ports of any width: CData/SData/IData/QData
// (integers) or VlWide<N> (arrays of 32-bit words). Fields are two's
// complement; get_field sign-extends.
#include <cstdint>
#include <type_traits>

namespace nf::golden {

template <typename Port>
void set_field(Port& port, int offset, int width, std::int64_t value) {
  for (int b = 0; b < width; ++b) {
    const bool bit = (static_cast<std::uint64_t>(value) >> b) & 1U;
    const int at = offset + b;
    if constexpr (std::is_integral_v<Port>) {
      using U = std::make_unsigned_t<Port>;
      const U mask = static_cast<U>(U{1} << at);
      port = static_cast<Port>(bit ? (static_cast<U>(port) | mask) : (static_cast<U>(port) & ~mask));
    } else {
      const std::uint32_t mask = 1U << (at % 32);
      auto& word = port[at / 32];
      word = bit ? (word | mask) : (word & ~mask);
    }
  }
}

template <typename Port>
std::int64_t get_field(const Port& port, int offset, int width) {
  std::uint64_t raw = 0;
  for (int b = 0; b < width; ++b) {
    const int at = offset + b;
    bool bit = false;
    if constexpr (std::is_integral_v<Port>) {
      bit = (static_cast<std::uint64_t>(port) >> at) & 1U;
    } else {
      bit = (port[at / 32] >> (at % 32)) & 1U;
    }
    raw |= static_cast<std::uint64_t>(bit) << b;
  }
  if (width < 64 && ((raw >> (width - 1)) & 1U)) raw |= ~std::uint64_t{0} << width;  // sign-extend
  return static_cast<std::int64_t>(raw);
}

}  // namespace nf::golden
