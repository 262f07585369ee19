# The Python package (python/, issue #22): the module neurofab._core links the
# stage libraries into a shared object.
#
# NEUROFAB_PYTHON builds it; its default is ON when nanobind is found:
#   - under scikit-build-core (`pip install .`), from the interpreter pip runs;
#   - otherwise from NEUROFAB_PYTHON_EXECUTABLE, by default the venv that
#     scripts/python_env.sh makes (build/python-venv: Debian's /usr/bin/python3
#     with the pinned nanobind), through `python -m nanobind --cmake_dir`.
#
# nf_position_independent_libraries(<dir>...) compiles every static library
# of the given source folders as position-independent code (a shared object
# can only hold such code). It is applied whether or not the module is built,
# so the CLI, the tests and the module always link the same library code.
# -fno-semantic-interposition keeps the compiler's inlining what it is for the
# executables' default -fPIE (a shared library's exported functions could be
# replaced at load time; these never are).

if(SKBUILD)
  set(_nf_python_default ${Python_EXECUTABLE})
  if(NOT _nf_python_default)
    find_package(Python 3.8 COMPONENTS Interpreter REQUIRED)
    set(_nf_python_default ${Python_EXECUTABLE})
  endif()
else()
  set(_nf_python_default ${CMAKE_BINARY_DIR}/python-venv/bin/python)
endif()
set(NEUROFAB_PYTHON_EXECUTABLE "${_nf_python_default}" CACHE FILEPATH
  "Python interpreter whose nanobind builds the module (default: build/python-venv, scripts/python_env.sh)")

set(NF_NANOBIND_DIR "")
if(EXISTS "${NEUROFAB_PYTHON_EXECUTABLE}" AND NOT SKBUILD)
  execute_process(COMMAND "${NEUROFAB_PYTHON_EXECUTABLE}" -m nanobind --cmake_dir
    OUTPUT_VARIABLE _nf_nanobind_dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _nf_result)
  if(_nf_result EQUAL 0 AND EXISTS "${_nf_nanobind_dir}")
    set(NF_NANOBIND_DIR "${_nf_nanobind_dir}")
  endif()
endif()
if(NF_NANOBIND_DIR OR SKBUILD)  # scikit-build-core points find_package at its own nanobind
  option(NEUROFAB_PYTHON "Build the Python module neurofab._core (python/)" ON)
else()
  option(NEUROFAB_PYTHON "Build the Python module neurofab._core (python/)" OFF)
  if(NEUROFAB_PYTHON)
    message(FATAL_ERROR "NEUROFAB_PYTHON: '${NEUROFAB_PYTHON_EXECUTABLE} -m nanobind --cmake_dir' found no "
      "nanobind (run `bash scripts/python_env.sh`, or set NEUROFAB_PYTHON_EXECUTABLE)")
  endif()
  message(STATUS "Python module: off (no nanobind for ${NEUROFAB_PYTHON_EXECUTABLE}; bash scripts/python_env.sh)")
endif()

function(nf_position_independent_libraries)
  foreach(dir IN LISTS ARGN)
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
      get_target_property(type ${target} TYPE)
      if(type STREQUAL "STATIC_LIBRARY" OR type STREQUAL "OBJECT_LIBRARY")
        set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
        target_compile_options(${target} PRIVATE -fno-semantic-interposition)
      endif()
    endforeach()
    get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    if(subdirs)
      nf_position_independent_libraries(${subdirs})
    endif()
  endforeach()
endfunction()
