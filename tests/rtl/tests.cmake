# rtl/: the parameter/image generator, and lint + synthesis of what it configures.
nf_add_test_suite(nf_rtl_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_rtl_generator.cpp
  LIBS nf_rtl)
