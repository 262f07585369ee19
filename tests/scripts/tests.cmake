# scripts/same_outputs.py (the demo's outputs before and after a refactoring):
# it masks wall-clock values and nothing else.
add_test(NAME nf_scripts:same_outputs
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_same_outputs.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(nf_scripts:same_outputs PROPERTIES LABELS unit TIMEOUT 60)
