# sim/: the RTL cores in lock step with the golden model (Verilator; the
# SystemC harness in test_systemc.cpp). The Verilated builds are cached per
# configuration in the build tree.
nf_add_test_suite(nf_sim_tests
  LABEL rtl
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/test_activity.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_hil_mismatch.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_lockstep.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_lockstep_lif.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_mismatch.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_mutation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_systemc.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_virtual_board.cpp
  LIBS nf_sim)
target_compile_definitions(nf_sim_tests PRIVATE NF_TEST_CACHE_DIR="${CMAKE_BINARY_DIR}/verilator-cache")

# The host link driver without a board (unit).
nf_add_test_suite(nf_host_link_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_host_link.cpp
  LIBS nf_sim)
