# Issue #21: NIR and snnTorch interoperability, checked against the real
# packages (nir, nirtorch, snntorch pinned in tests/interop/requirements.txt)
# in a venv over Debian's /usr/bin/python3 with its torch, numpy and h5py.
# The venv is a CTest fixture: scripts/interop_env.sh builds it once (needs
# PyPI or a wheel cache the first time) and is quick afterwards. Each test is
# a plain Python script that exits non-zero on its first failed check; `ctest
# -L interop` runs them (about 1 min on 2 cores, most of it snnTorch training
# and the iCEBreaker build).
set(NF_INTEROP_DIR ${CMAKE_CURRENT_LIST_DIR})
set(NF_INTEROP_VENV ${CMAKE_BINARY_DIR}/interop-venv)
set(NF_INTEROP_WORK ${CMAKE_BINARY_DIR}/tests/interop)

add_test(NAME nf_interop:env
  COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/interop_env.sh ${NF_INTEROP_VENV})
set_tests_properties(nf_interop:env PROPERTIES
  LABELS interop TIMEOUT 900 FIXTURES_SETUP nf_interop_env)

# nf_interop_test(NAME SCRIPT [TIMEOUT s] [FIXTURES_SETUP f] [FIXTURES_REQUIRED f...] [ARGS ...])
function(nf_interop_test name script)
  cmake_parse_arguments(ARG "" "TIMEOUT;FIXTURES_SETUP" "FIXTURES_REQUIRED;ARGS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  add_test(NAME nf_interop:${name}
    COMMAND ${NF_INTEROP_VENV}/bin/python ${NF_INTEROP_DIR}/${script}
      --neurofab $<TARGET_FILE:neurofab> --workdir ${NF_INTEROP_WORK}/${name} ${ARG_ARGS})
  set_tests_properties(nf_interop:${name} PROPERTIES LABELS interop TIMEOUT ${ARG_TIMEOUT}
    FIXTURES_REQUIRED "nf_interop_env;${ARG_FIXTURES_REQUIRED}")
  if(ARG_FIXTURES_SETUP)
    set_tests_properties(nf_interop:${name} PROPERTIES FIXTURES_SETUP ${ARG_FIXTURES_SETUP})
  endif()
endfunction()

# Deliverable 3: snnTorch trains, neurofab imports and runs it (≥ 99.9 % equal
# spikes), then quantizes, verifies and builds it for the iCEBreaker.
nf_interop_test(snntorch_to_neurofab test_snntorch_to_neurofab.py FIXTURES_SETUP nf_interop_snntorch)
nf_interop_test(snntorch_fpga test_snntorch_fpga.py FIXTURES_REQUIRED nf_interop_snntorch
  ARGS --source ${NF_INTEROP_WORK}/snntorch_to_neurofab)
# Deliverable 4: neurofab's networks in snnTorch, spike for spike.
nf_interop_test(neurofab_to_snntorch test_neurofab_to_snntorch.py)
# nir reads neurofab's files (float, integer); neurofab reads nir's, refuses what it cannot run.
nf_interop_test(nir_files test_nir_files.py)

# The C++ side: NIR files, export and import, without Python.
nf_add_test_suite(nf_interop_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_nir.cpp LIBS nf_interop nf_golden)
