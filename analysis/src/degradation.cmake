# Degradation analysis: pruning, fault injection and the degradation axes
# (`neurofab analyze degradation`, docs/analysis-degradation.md).
add_library(nf_analysis_degradation
  ${CMAKE_CURRENT_SOURCE_DIR}/src/pruning.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/fault_injection.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/degradation.cpp)
target_link_libraries(nf_analysis_degradation PUBLIC nf_analysis_core PRIVATE neurofab_warnings)
list(APPEND NF_ANALYSIS_LIBS nf_analysis_degradation)
