# Energy and latency comparison (issue #9).
nf_add_test_suite(nf_analysis_compare_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_energy_model.cpp
  LIBS nf_analysis_compare)
