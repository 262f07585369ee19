# hls/: the stand-in ap_types (hls/kernels/standins/) against Xilinx's headers;
# below, the export and the C-simulation matrix of the kernels.
# ap_types_probe.cpp is built twice, with the stand-ins and (when
# cmake/ApTypes.cmake found them) with Xilinx's ap_types; the Catch suite
# requires identical outputs, and fails when the Xilinx build is missing
# unless NEUROFAB_ALLOW_NO_AP_TYPES=1 at test time. Both in C++14, the language of the Vitis HLS
# front end.
set(NF_HLS_KERNELS_DIR ${PROJECT_SOURCE_DIR}/hls/kernels)

# -O1: the probe instantiates ~600 type pairs; higher levels only cost build time.
add_executable(nf_ap_types_probe_standin ${CMAKE_CURRENT_LIST_DIR}/ap_types_probe.cpp)
target_include_directories(nf_ap_types_probe_standin PRIVATE ${NF_HLS_KERNELS_DIR})
target_compile_definitions(nf_ap_types_probe_standin PRIVATE NF_HLS_STANDIN_TYPES)
# The stand-ins must compile without a warning.
target_compile_options(nf_ap_types_probe_standin PRIVATE -O1 -Wall -Wextra -pedantic -Werror)
set_target_properties(nf_ap_types_probe_standin PROPERTIES
  CXX_STANDARD 14 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)

nf_add_test_suite(nf_hls_types_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ap_standins.cpp)
target_include_directories(nf_hls_types_tests PRIVATE ${NF_HLS_KERNELS_DIR})
target_compile_definitions(nf_hls_types_tests PRIVATE
  NF_HLS_STANDIN_TYPES
  NF_AP_PROBE_STANDIN="$<TARGET_FILE:nf_ap_types_probe_standin>")
add_dependencies(nf_hls_types_tests nf_ap_types_probe_standin)

if(NF_AP_TYPES_DIR)
  add_executable(nf_ap_types_probe_xilinx ${CMAKE_CURRENT_LIST_DIR}/ap_types_probe.cpp)
  # Xilinx's folder first, so nf_hls_types.h picks its ap_fixed.h.
  target_include_directories(nf_ap_types_probe_xilinx PRIVATE ${NF_AP_TYPES_DIR} ${NF_HLS_KERNELS_DIR})
  # NDEBUG: Xilinx's C model asserts on a bit index beyond the source width
  # when it rounds a value into a grid coarser than the whole source (e.g.
  # bool -> ap_fixed<5, 7, AP_RND_INF>); the index only feeds a value it then
  # discards, so the result is right without the assert, and the probe keeps
  # those conversions.
  target_compile_definitions(nf_ap_types_probe_xilinx PRIVATE NDEBUG)
  target_compile_options(nf_ap_types_probe_xilinx PRIVATE -O1)
  set_target_properties(nf_ap_types_probe_xilinx PROPERTIES
    CXX_STANDARD 14 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_compile_definitions(nf_hls_types_tests PRIVATE
    NF_AP_PROBE_XILINX="$<TARGET_FILE:nf_ap_types_probe_xilinx>")
  add_dependencies(nf_hls_types_tests nf_ap_types_probe_xilinx)
endif()
# hls/: the export (unit) and the C-simulation matrix of the kernels against
# the golden model (long), both type sets. NF_AP_TYPES_DIR (cmake/ApTypes.cmake)
# is the folder of Xilinx's headers, or empty when pip could not fetch them
# (then the Xilinx builds fail, unless NEUROFAB_ALLOW_NO_AP_TYPES=1 at test time).
nf_add_test_suite(nf_hls_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_hls_export.cpp
  LIBS nf_hls nf_models)
target_compile_definitions(nf_hls_tests PRIVATE NF_AP_TYPES_DIR="${NF_AP_TYPES_DIR}")
target_include_directories(nf_hls_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR})

nf_add_test_suite(nf_hls_csim_tests
  LABEL long
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_hls_csim.cpp
  LIBS nf_hls nf_models)
target_compile_definitions(nf_hls_csim_tests PRIVATE NF_AP_TYPES_DIR="${NF_AP_TYPES_DIR}")
target_include_directories(nf_hls_csim_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR})

# The static checks that stand in for Vitis HLS's (issue #31):
# hls_static_check.py (unrolled accesses need a matching ARRAY_PARTITION, tops
# are called directly, no heap/exceptions/containers in kernels). Its own
# test on small fixtures (unit), and its run over the real kernels and
# testbenches (standins/ excluded: not HLS code). Debian's python3, as
# NF_PYTHON in the Catch suites.
set(NF_HLS_STATIC_CHECK ${CMAKE_CURRENT_LIST_DIR}/hls_static_check.py)
# test_kernel_object_check.cpp: the object check of csim_project.hpp that
# every C-simulation row runs (no heap, exceptions or I/O reachable from the
# tops), on small hand-written kernels.
nf_add_test_suite(nf_hls_static_check_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_hls_static_check.cpp ${CMAKE_CURRENT_LIST_DIR}/test_kernel_object_check.cpp
  LIBS fmt::fmt)
target_compile_definitions(nf_hls_static_check_tests PRIVATE
  NF_HLS_STATIC_CHECK="${NF_HLS_STATIC_CHECK}" NF_AP_TYPES_DIR="${NF_AP_TYPES_DIR}")
target_include_directories(nf_hls_static_check_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR})

file(GLOB NF_HLS_STATIC_CHECK_FILES CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/hls/kernels/*.h ${PROJECT_SOURCE_DIR}/hls/kernels/*.cpp
  ${PROJECT_SOURCE_DIR}/hls/testbench/*.h ${PROJECT_SOURCE_DIR}/hls/testbench/*.cpp)
add_test(NAME nf_hls_static_check
  COMMAND /usr/bin/python3 ${NF_HLS_STATIC_CHECK}
          --tops nf_rate_top,nf_rate_step_top,nf_lif_top,nf_lif_step_top ${NF_HLS_STATIC_CHECK_FILES})
set_tests_properties(nf_hls_static_check PROPERTIES LABELS unit TIMEOUT 60)
