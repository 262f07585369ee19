# golden/: the golden trace and its file form (golden vectors), the operation
# counts of a step, the cores' cycle model.
nf_add_test_suite(nf_golden_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/test_cycle_model.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_golden_trace.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_golden_vectors.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_step_operations.cpp
  LIBS nf_golden)
