# Energy and latency comparison (issue #9): the energy model and `neurofab compare`.
add_library(nf_analysis_compare
  ${CMAKE_CURRENT_SOURCE_DIR}/src/energy_model.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/compare.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/compare_report.cpp)
target_link_libraries(nf_analysis_compare PUBLIC nf_analysis_core nf_sim nf_boards PRIVATE neurofab_warnings)
# The shipped energy tables (the CLI's default --energy-table).
target_compile_definitions(nf_analysis_compare PUBLIC NF_ENERGY_TABLES_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/energy")
list(APPEND NF_ANALYSIS_LIBS nf_analysis_compare)
