# Sources of the task suite, relative to models/.
set(NF_TASK_SOURCES
  src/tasks/task.cpp
  src/tasks/registry.cpp
  src/tasks/support.cpp
  src/tasks/logic_tasks.cpp
  src/tasks/flipflop_task.cpp
  src/tasks/oscillator_task.cpp
  src/tasks/time_pulse_task.cpp
  src/tasks/nbit_flipflop_task.cpp
  src/tasks/delayed_discrimination_task.cpp
  src/tasks/sine_wave_task.cpp
  src/tasks/path_integration_task.cpp
  src/tasks/data_task.cpp
)
