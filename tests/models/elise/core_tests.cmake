# ELiSe network model core (issue #10): closed forms, plasticity, delays,
# scaffold statistics, masks, artifact. The whole suite runs in seconds.
nf_add_test_suite(nf_elise_core_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/test_elise_neuron.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_elise_structure.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_elise_artifact.cpp
  LIBS nf_models)
target_include_directories(nf_elise_core_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR})

# Learning thresholds: trained over seeds 1-3, each seed's figure printed.
nf_add_test_suite(nf_elise_long_tests
  LABEL long
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_elise_learning.cpp
  LIBS nf_models)
