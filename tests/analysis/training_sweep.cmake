# The training sweep: its file and grid (library), and `neurofab sweep` end to end: threads,
# resume after a kill, and 2 MPI ranks over loopback giving the same table.
nf_add_test_suite(nf_analysis_training_sweep_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_training_sweep_spec.cpp ${CMAKE_CURRENT_LIST_DIR}/test_training_sweep.cpp
          ${CMAKE_CURRENT_LIST_DIR}/test_mpi_world.cpp
  LIBS nf_analysis_training_sweep)
add_dependencies(nf_analysis_training_sweep_tests neurofab)
