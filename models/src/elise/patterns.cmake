# ELiSe patterns, replay metrics and the training / replay schedule (issue #10).
set(NF_ELISE_PATTERN_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/pattern.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metrics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule.cpp
)
