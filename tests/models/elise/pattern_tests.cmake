# ELiSe patterns, replay metrics and the training schedule (issue #10), and a
# short pattern learned in CI time. The whole suite runs in seconds.
nf_add_test_suite(nf_elise_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/test_pattern.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_metrics.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_schedule.cpp
  LIBS nf_models)
