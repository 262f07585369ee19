# Dynamics: eigen-spectra and fixed/slow points (analysis/src/dynamics.cmake).
nf_add_test_suite(nf_analysis_dynamics_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_spectrum.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_fixed_points.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_analyze_dynamics_cli.cpp
  LIBS nf_analysis_dynamics)
add_dependencies(nf_analysis_dynamics_tests neurofab)

# A trained 1-bit flip-flop: its stable fixed points at the two output levels.
nf_add_test_suite(nf_analysis_dynamics_long_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_flipflop_fixed_points.cpp
  LIBS nf_analysis_dynamics
  LABEL long)
