nf_add_test_suite(nf_cli_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cli.cpp
  LIBS nf_models)
add_dependencies(nf_cli_tests neurofab)

nf_add_test_suite(nf_cli_raster_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_raster.cpp
  LIBS nf_models)
add_dependencies(nf_cli_raster_tests neurofab)

nf_add_test_suite(nf_cli_elise_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_elise_cli.cpp
  LIBS nf_models)
add_dependencies(nf_cli_elise_tests neurofab)

nf_add_test_suite(nf_cli_min_success_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_min_success.cpp
  LIBS nf_common)
add_dependencies(nf_cli_min_success_tests neurofab)
