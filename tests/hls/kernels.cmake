# hls/: the export (unit) and the C-simulation matrix of the kernels against
# the golden model (long), both type sets. NF_AP_TYPES_DIR (cmake/ApTypes.cmake)
# is the folder of Xilinx's headers, or empty when pip could not fetch them.
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
