#pragma once
// Xilinx's ap_types headers are a required half of the HLS checks (the
// differential probe of the stand-ins, the C-simulation matrix): when
// cmake/ApTypes.cmake could not fetch them, those checks FAIL. The one way to
// run without them is an explicit opt-out at test time,
//
//   NEUROFAB_ALLOW_NO_AP_TYPES=1 ctest ...
//
// which skips the Xilinx half and says so on stdout and in Catch's report,
// so a log never shows a pass that lacked its reference.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <string>

namespace nf::test {

inline constexpr const char* kAllowNoApTypesVariable = "NEUROFAB_ALLOW_NO_AP_TYPES";

// The opt-out is set to exactly "1" in the environment of the test run.
inline bool no_ap_types_allowed() {
  const char* value = std::getenv(kAllowNoApTypesVariable);
  return value != nullptr && std::string(value) == "1";
}

// Called where the Xilinx headers are missing and `what` (the Xilinx half of
// a check) therefore cannot run: fails the test, unless the opt-out is set;
// then prints that `what` was skipped, loudly.
inline void xilinx_half_missing(const std::string& what) {
  if (!no_ap_types_allowed()) {
    FAIL("Xilinx's ap_types headers are missing (cmake/ApTypes.cmake could not fetch the pinned hls4ml 1.3.0 "
         "wheel, or -DNEUROFAB_FETCH_AP_TYPES=OFF): "
         << what << " cannot run. Fetch them (network and /usr/bin/python3 -m pip, then re-run cmake) or point "
         << "-DNEUROFAB_AP_TYPES_DIR at a folder holding ap_fixed.h; or set " << kAllowNoApTypesVariable
         << "=1 to skip the Xilinx half knowingly.");
  }
  std::cout << "\n*** XILINX CHECK SKIPPED by " << kAllowNoApTypesVariable << "=1: " << what
            << " did NOT run (no Xilinx ap_types headers at configure time); only the stand-in half was "
               "checked. ***\n"
            << std::flush;
  WARN("Xilinx check skipped by " << kAllowNoApTypesVariable << "=1: " << what << " did not run");
}

}  // namespace nf::test
