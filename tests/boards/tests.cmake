# boards/: board files, pin constraints, the fit check and the build flow
# (unit: Yosys runs, no place and route), the ABC and DSP timing checks on
# stored log and SDF excerpts; the long suite places, routes and
# packs real iCEBreaker bitstreams.
nf_add_test_suite(nf_boards_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_board_file.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_build_flow.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_timing_checks.cpp
  LIBS nf_boards nf_models nf_golden)
add_dependencies(nf_boards_tests neurofab)

nf_add_test_suite(nf_boards_bitstream_tests
  LABEL long
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_bitstream.cpp
  LIBS nf_boards nf_models)
add_dependencies(nf_boards_bitstream_tests neurofab)
