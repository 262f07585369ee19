# Solution degeneracy: linear assignment, d_PIF, DSA, the analysis, the
# analysis against a factor, and their CLI.
nf_add_test_suite(nf_analysis_degeneracy_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_linear_assignment.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_permutation_distance.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_dsa.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_degeneracy.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_degeneracy_factor.cpp
  LIBS nf_analysis_degeneracy)
add_dependencies(nf_analysis_degeneracy_tests neurofab)
