nf_add_test_suite(nf_common_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/test_atomic_write.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_json_fields.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_npy.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_npz.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_rng.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_worker_pool.cpp
  LIBS nf_common)

# The pinned kernels (only the portable build pins them; NEUROFAB_NATIVE lets BLIS detect).
if(NEUROFAB_BLIS AND NOT NEUROFAB_NATIVE)
  nf_add_test_suite(nf_matrix_kernels_tests
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_matrix_kernels.cpp
    LIBS nf_matrix_kernels)
  add_dependencies(nf_matrix_kernels_tests neurofab)
endif()
