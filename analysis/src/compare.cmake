# Energy and latency comparison (issue #9): the energy model and `neurofab compare`.
add_library(nf_analysis_compare
  ${CMAKE_CURRENT_SOURCE_DIR}/src/energy_model.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/compare.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/compare_report.cpp)
target_link_libraries(nf_analysis_compare PUBLIC nf_analysis_core nf_sim nf_boards PRIVATE neurofab_warnings)
# The shipped energy tables (the CLI's default --energy-table), in share/neurofab/energy.
nf_add_resources(energy DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/data/energy)
list(APPEND NF_ANALYSIS_LIBS nf_analysis_compare)
