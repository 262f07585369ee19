#ifndef NF_HLS_TYPES_H_
#define NF_HLS_TYPES_H_
// The arbitrary-precision types of the HLS kernels: ap_int, ap_fixed and
// hls::stream. Vitis HLS, and a C-simulation compiled with -I<ap_types> (the
// build does that with Xilinx's headers from the hls4ml wheel, see
// cmake/ApTypes.cmake), get Xilinx's real headers; a plain g++ gets the
// stand-ins of standins/, a bit-exact subset of them (tests/hls checks it).
// -DNF_HLS_STANDIN_TYPES forces the stand-ins. NF_HLS_TYPES_NAME says which.

#if !defined(NF_HLS_STANDIN_TYPES) && __has_include(<ap_fixed.h>) && \
    __has_include(<ap_int.h>) && __has_include(<hls_stream.h>)
#include <ap_int.h>
#include <ap_fixed.h>
#include <hls_stream.h>
#define NF_HLS_TYPES_NAME "xilinx-ap_types"
#else
#include "standins/nf_standin_ap_int.h"
#include "standins/nf_standin_ap_fixed.h"
#include "standins/nf_standin_hls_stream.h"
#define NF_HLS_TYPES_NAME "neurofab-standins"
#endif

// One word of an AXI4-Stream: the value (TDATA) and TLAST. Vitis HLS releases
// whose ap_axi_sdata.h defines AXIS_ENABLE_LAST (2022 and later) map
// hls::axis's side channels to ports (here TLAST only: no TKEEP, TSTRB, TUSER,
// TID or TDEST); elsewhere a plain struct with the same members stands in,
// which C-simulation treats alike.
#if !defined(NF_HLS_STANDIN_TYPES) && __has_include(<ap_axi_sdata.h>)
#include <ap_axi_sdata.h>
#endif

namespace nf_hls {
#if defined(AXIS_ENABLE_LAST)
template <class T>
using stream_word = hls::axis<T, 0, 0, 0, AXIS_ENABLE_LAST>;
#define NF_HLS_STREAM_WORD_NAME "hls::axis"
#else
template <class T>
struct stream_word {
  T data;
  ap_uint<1> last;
};
#define NF_HLS_STREAM_WORD_NAME "neurofab stream_word"
#endif
}  // namespace nf_hls

#endif  // NF_HLS_TYPES_H_
