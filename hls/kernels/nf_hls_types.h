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

#endif  // NF_HLS_TYPES_H_
