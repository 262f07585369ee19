# Issue #22: the Python package's tests (pytest) and the executed notebook
# docs/examples/chain.ipynb (nbclient), label `python`. They run in the venv of
# scripts/python_env.sh (build/python-venv: Debian's python3 with its numpy,
# matplotlib, pytest, nbclient and ipykernel, plus the pinned nir), a CTest
# fixture like the interop tests' venv, and import the package as built:
# PYTHONPATH=build/python (python/CMakeLists.txt). Each test file is one CTest
# test, so `ctest -j2` spreads them; every test compares the package with the
# neurofab binary on the same artifact (tests/python/conftest.py). The
# `hardware` subset (verify, hls, build, compare: Verilator, Yosys, nextpnr on
# one small network) is its own CTest test. Together about 3 min on 2 cores.
set(NF_PYTHON_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
set(NF_PYTHON_VENV ${CMAKE_BINARY_DIR}/python-venv)
set(NF_PYTHON_TEST_WORK ${CMAKE_BINARY_DIR}/tests/python)
file(MAKE_DIRECTORY ${NF_PYTHON_TEST_WORK})  # pytest's --basetemp makes only its last folder

add_test(NAME nf_python:env COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/python_env.sh ${NF_PYTHON_VENV})
set_tests_properties(nf_python:env PROPERTIES LABELS python TIMEOUT 900 FIXTURES_SETUP nf_python_env)

# MPLBACKEND=Agg for pytest only: the notebook's kernel draws inline.
set(NF_PYTHON_TEST_ENV
  "PYTHONPATH=${CMAKE_BINARY_DIR}/python"
  "NEUROFAB_CLI=$<TARGET_FILE:neurofab>"
  "PYTHONDONTWRITEBYTECODE=1")

# nf_python_pytest(NAME FILE [TIMEOUT s] [MARK expr])
function(nf_python_pytest name file)
  cmake_parse_arguments(ARG "" "TIMEOUT;MARK" "" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  if(NOT ARG_MARK)
    set(ARG_MARK "not hardware")
  endif()
  add_test(NAME nf_python:${name}
    COMMAND ${NF_PYTHON_VENV}/bin/python -m pytest ${NF_PYTHON_TEST_DIR}/${file} -m ${ARG_MARK}
      --neurofab $<TARGET_FILE:neurofab> --basetemp ${NF_PYTHON_TEST_WORK}/${name}
      -p no:cacheprovider -rs -q)
  set_tests_properties(nf_python:${name} PROPERTIES LABELS python TIMEOUT ${ARG_TIMEOUT}
    FIXTURES_REQUIRED nf_python_env ENVIRONMENT "${NF_PYTHON_TEST_ENV};MPLBACKEND=Agg")
endfunction()

nf_python_pytest(artifact test_artifact.py)
nf_python_pytest(run_evaluate test_run_evaluate.py)
nf_python_pytest(quantize test_quantize.py)
nf_python_pytest(train test_train.py)
nf_python_pytest(nir test_nir.py)
nf_python_pytest(plots test_plots.py)
nf_python_pytest(hardware test_hardware.py MARK hardware TIMEOUT 1200)

# The notebook, run top to bottom by nbclient in a kernel of the venv's python:
# train, evaluate, plot, quantize, q.run, verify, an iCEBreaker bitstream, compare.
add_test(NAME nf_python:notebook
  COMMAND ${NF_PYTHON_VENV}/bin/python ${NF_PYTHON_TEST_DIR}/run_notebook.py
    ${PROJECT_SOURCE_DIR}/docs/examples/chain.ipynb --workdir ${NF_PYTHON_TEST_WORK}/notebook --timeout 900)
set_tests_properties(nf_python:notebook PROPERTIES LABELS python TIMEOUT 1200
  FIXTURES_REQUIRED nf_python_env ENVIRONMENT "${NF_PYTHON_TEST_ENV}")
