# Training sweeps (`neurofab sweep`): the sweep file, the grid, the threaded / MPI runner, the results table.
find_package(tomlplusplus REQUIRED)
# The C API through the CXX component: the project enables C++ only.
find_package(MPI REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)
add_library(nf_analysis_training_sweep
  ${CMAKE_CURRENT_SOURCE_DIR}/src/training_sweep_spec.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/training_sweep.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mpi_world.cpp)
target_link_libraries(nf_analysis_training_sweep PUBLIC nf_analysis_core
  PRIVATE tomlplusplus::tomlplusplus MPI::MPI_CXX Threads::Threads neurofab_warnings)
list(APPEND NF_ANALYSIS_LIBS nf_analysis_training_sweep)
