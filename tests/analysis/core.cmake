# What every analysis shares: which networks a command line names (run_set).
nf_add_test_suite(nf_analysis_core_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_run_set.cpp
  LIBS nf_analysis_core)
