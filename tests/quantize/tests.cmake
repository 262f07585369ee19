# quantize/: fixed-point primitives against exact rational arithmetic (GMP's
# mpq_class, Debian's libgmp-dev), the integer golden models, the quantizer.
find_library(NF_GMPXX gmpxx REQUIRED)
find_library(NF_GMP gmp REQUIRED)
nf_add_test_suite(nf_quantize_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/test_fixed_point.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_integer_models.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_quantized_artifact.cpp
  LIBS nf_quantize ${NF_GMPXX} ${NF_GMP})
