set(NF_TASK_TEST_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/test_tasks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_task_specs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_data_task.cpp
)
