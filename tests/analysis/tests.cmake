# Each area of analysis/ lists its tests in a fragment tests/analysis/<area>.cmake
# that calls nf_add_test_suite(nf_analysis_<area>_tests ...) for its own suites.
file(GLOB NF_ANALYSIS_TEST_FRAGMENTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cmake)
list(REMOVE_ITEM NF_ANALYSIS_TEST_FRAGMENTS ${CMAKE_CURRENT_LIST_FILE})
foreach(fragment IN LISTS NF_ANALYSIS_TEST_FRAGMENTS)
  include(${fragment})
endforeach()
