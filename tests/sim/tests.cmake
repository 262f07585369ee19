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

# The host link driver without a board (unit); one case runs `neurofab hil`
# against a pseudo-terminal that sends garbage.
nf_add_test_suite(nf_host_link_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_host_link.cpp
  LIBS nf_sim nf_models)
add_dependencies(nf_host_link_tests neurofab)

# The routed iCE40 netlist unpacked into cells_sim.v primitives, rule by rule,
# and the Xilinx synth netlist's preparation (block RAM models, power-on
# values, a known Yosys mapping bug refused) (unit).
nf_add_test_suite(nf_netlist_unpack_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ice40_unpack.cpp ${CMAKE_CURRENT_LIST_DIR}/test_xc7_netlist.cpp
  LIBS nf_sim)
target_include_directories(nf_netlist_unpack_tests PRIVATE ${PROJECT_SOURCE_DIR}/sim/src)

# The netlist levels: real iCEBreaker builds of the demo networks, their
# synthesized and routed netlists in lock step with the golden model under
# Yosys's iCE40 models, Arty A7-35 builds' synth_xilinx netlists under Yosys's
# Xilinx models, and injected netlist faults (Yosys, nextpnr, Verilator).
nf_add_test_suite(nf_netlist_tests
  LABEL rtl
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_netlist_board.cpp
  LIBS nf_sim nf_boards nf_models)
target_compile_definitions(nf_netlist_tests PRIVATE NF_TEST_CACHE_DIR="${CMAKE_BINARY_DIR}/verilator-cache")
add_dependencies(nf_netlist_tests neurofab)
