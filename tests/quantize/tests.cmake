# quantize/: fixed-point primitives against exact rational arithmetic (GMP's
# mpq_class, Debian's libgmp-dev), the integer golden models, the quantizer.
find_library(NF_GMPXX gmpxx REQUIRED)
find_library(NF_GMP gmp REQUIRED)
nf_add_test_suite(nf_quantize_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/test_fine_tuning.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_fixed_point.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_integer_models.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_integer_lif_step.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_quantized_artifact.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_bit_width_sweep.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_integer_trajectories.cpp
  LIBS nf_quantize ${NF_GMPXX} ${NF_GMP})

# The integer model must not depend on the optimisation level: the replay tool
# is built from the quantize sources at -O0 and against the optimised library,
# and a test compares their hashes of every state and output code.
set(NF_QUANTIZE_STEP_SOURCES
  ${PROJECT_SOURCE_DIR}/quantize/src/fixed_point.cpp
  ${PROJECT_SOURCE_DIR}/quantize/src/integer_evaluation.cpp
  ${PROJECT_SOURCE_DIR}/quantize/src/integer_lif_rnn.cpp
  ${PROJECT_SOURCE_DIR}/quantize/src/integer_rate_rnn.cpp
  ${PROJECT_SOURCE_DIR}/quantize/src/quantized_artifact.cpp
  ${PROJECT_SOURCE_DIR}/quantize/src/quantizer.cpp
  ${PROJECT_SOURCE_DIR}/quantize/src/trial_run.cpp)
add_executable(nf_integer_replay_O0 ${CMAKE_CURRENT_LIST_DIR}/integer_replay_main.cpp ${NF_QUANTIZE_STEP_SOURCES})
target_include_directories(nf_integer_replay_O0 PRIVATE ${PROJECT_SOURCE_DIR}/quantize/include)
target_link_libraries(nf_integer_replay_O0 PRIVATE nf_models nf_golden_trace)
# Appended after the build type's -O3, so it wins.
target_compile_options(nf_integer_replay_O0 PRIVATE -O0)
add_executable(nf_integer_replay_O3 ${CMAKE_CURRENT_LIST_DIR}/integer_replay_main.cpp)
target_link_libraries(nf_integer_replay_O3 PRIVATE nf_quantize)
target_compile_options(nf_integer_replay_O3 PRIVATE -O3)

nf_add_test_suite(nf_quantize_levels_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_optimisation_levels.cpp
  LIBS nf_quantize)
target_compile_definitions(nf_quantize_levels_tests PRIVATE
  NF_REPLAY_O0="$<TARGET_FILE:nf_integer_replay_O0>"
  NF_REPLAY_O3="$<TARGET_FILE:nf_integer_replay_O3>")
add_dependencies(nf_quantize_levels_tests nf_integer_replay_O0 nf_integer_replay_O3)

# Issue #4's accuracy targets on trained networks: minutes, not seconds.
nf_add_test_suite(nf_quantize_long_tests
  LABEL long
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_quantization_targets.cpp
  LIBS nf_quantize)
