# Energy and latency comparison (issue #9).
nf_add_test_suite(nf_analysis_compare_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_energy_model.cpp
  LIBS nf_analysis_compare)

# `neurofab compare` end to end: Verilator lock-step runs and one iCE40 build.
nf_add_test_suite(nf_analysis_compare_cli_tests
  LABEL rtl
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_compare_cli.cpp
  LIBS nf_analysis_compare nf_models)
add_dependencies(nf_analysis_compare_cli_tests neurofab)
target_compile_definitions(nf_analysis_compare_cli_tests PRIVATE NF_TEST_CACHE_DIR="${CMAKE_BINARY_DIR}/verilator-cache")
