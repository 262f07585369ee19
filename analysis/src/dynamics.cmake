# Dynamics: eigen-spectra of W_rec and of the linearised update (spectrum.hpp),
# fixed and slow points of rate networks (fixed_points.hpp).
add_library(nf_analysis_dynamics
  ${CMAKE_CURRENT_SOURCE_DIR}/src/spectrum.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/fixed_points.cpp)
target_link_libraries(nf_analysis_dynamics PUBLIC nf_analysis_core PRIVATE neurofab_warnings)
list(APPEND NF_ANALYSIS_LIBS nf_analysis_dynamics)
