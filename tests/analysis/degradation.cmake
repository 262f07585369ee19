# Degradation analysis (analysis/src/degradation.cmake): pruning, fault
# injection, the axes and `neurofab analyze degradation` on the CLI.
nf_add_test_suite(nf_analysis_degradation_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_pruning.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_fault_injection.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_degradation.cpp
  LIBS nf_analysis_degradation)
add_dependencies(nf_analysis_degradation_tests neurofab)
