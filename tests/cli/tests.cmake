nf_add_test_suite(nf_cli_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cli.cpp
  LIBS nf_models)
add_dependencies(nf_cli_tests neurofab)

nf_add_test_suite(nf_cli_raster_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_raster.cpp
  LIBS nf_models)
add_dependencies(nf_cli_raster_tests neurofab)

# eval --dump/--data: the archives checked from numpy's side by check_dump.py.
nf_add_test_suite(nf_cli_dump_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_eval_dump.cpp
  LIBS nf_models)
add_dependencies(nf_cli_dump_tests neurofab)
target_compile_definitions(nf_cli_dump_tests PRIVATE NF_CHECK_DUMP_SCRIPT="${CMAKE_CURRENT_LIST_DIR}/check_dump.py")

nf_add_test_suite(nf_cli_elise_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_elise_cli.cpp
  LIBS nf_models)
add_dependencies(nf_cli_elise_tests neurofab)

nf_add_test_suite(nf_cli_min_success_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_min_success.cpp
  LIBS nf_common)
add_dependencies(nf_cli_min_success_tests neurofab)

# `cmake --install` gives a neurofab that works outside the source tree
# (test_install.sh): quick (quantize, rtl, hls, compare, the board list) and
# hardware (verify with the Verilator harness built afresh, an iCE40 bitstream).
foreach(mode quick hardware)
  add_test(NAME nf_install:${mode}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_install.sh ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR} ${PROJECT_VERSION} ${mode})
endforeach()
set_tests_properties(nf_install:quick PROPERTIES LABELS unit TIMEOUT 600)
set_tests_properties(nf_install:hardware PROPERTIES LABELS rtl TIMEOUT 1800)

# neurofab data and train --data (issue #21, deliverable 6).
nf_add_test_suite(nf_cli_data_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_data_cli.cpp
  LIBS nf_models)
add_dependencies(nf_cli_data_tests neurofab)
