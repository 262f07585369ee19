include(${CMAKE_CURRENT_LIST_DIR}/tasks/tests.cmake)  # defines NF_TASK_TEST_SOURCES

nf_add_test_suite(nf_models_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/test_adam.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_artifact.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_gradients.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_init.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_lif_gradients.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_lif_rnn.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_products.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_rate_rnn.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_spike_encoding.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_train_spec.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_training.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_trajectories.cpp
    ${NF_TASK_TEST_SOURCES}
  LIBS nf_models)
# test_products.cpp checks the private product kernels.
target_include_directories(nf_models_tests PRIVATE ${PROJECT_SOURCE_DIR}/models/src)
# Weight hashes checked in: the same on every x86-64 CPU in the portable build only.
if(NOT NEUROFAB_NATIVE)
  target_sources(nf_models_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/test_reproducibility.cpp)
  # The same hashes with the AVX2 product kernels where the CPU would take AVX-512.
  add_test(NAME nf_models_tests:reproducibility_with_avx2_products
    COMMAND nf_models_tests "[reproducibility]")
  set_tests_properties(nf_models_tests:reproducibility_with_avx2_products PROPERTIES
    ENVIRONMENT NEUROFAB_PRODUCT_ISA=avx2 LABELS unit TIMEOUT 600)
endif()

# Training to the issue's success targets: minutes, not seconds.
nf_add_test_suite(nf_models_long_tests
  LABEL long
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/test_training_targets.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_lif_training_targets.cpp
  LIBS nf_models)
include(${CMAKE_CURRENT_LIST_DIR}/elise/core_tests.cmake)  # nf_elise_core_tests
include(${CMAKE_CURRENT_LIST_DIR}/elise/pattern_tests.cmake)  # nf_elise_tests
