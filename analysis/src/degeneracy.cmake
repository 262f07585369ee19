# Solution degeneracy (docs/analysis.md): behaviour (σ_OOD), dynamics (DSA),
# weights (permutation-invariant distance), the linear assignment solver the
# last one needs, and the analysis grouped by a factor (which reads a sweep
# run's grid values, hence nf_analysis_training_sweep).
add_library(nf_analysis_degeneracy
  ${CMAKE_CURRENT_SOURCE_DIR}/src/linear_assignment.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/permutation_distance.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dsa.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/degeneracy.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/degeneracy_factor.cpp)
target_link_libraries(nf_analysis_degeneracy PUBLIC nf_analysis_core nf_analysis_training_sweep PRIVATE neurofab_warnings)
list(APPEND NF_ANALYSIS_LIBS nf_analysis_degeneracy)
