# rtl/: the parameter/image generator, and lint + synthesis of what it configures.
nf_add_test_suite(nf_rtl_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_rtl_generator.cpp
  LIBS nf_rtl)

# The system tops from power-on (nf_power_on_tb.sv, built with verilator
# --binary per test run): the resets hold long enough for the iCE40's BRAM.
nf_add_test_suite(nf_rtl_power_on_tests
  LABEL rtl
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_power_on.cpp
  LIBS nf_rtl nf_quantize nf_models)
target_compile_definitions(nf_rtl_power_on_tests PRIVATE NF_POWER_ON_TB="${CMAKE_CURRENT_LIST_DIR}/nf_power_on_tb.sv")
