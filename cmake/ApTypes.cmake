# Xilinx's ap_types headers (ap_int.h, ap_fixed.h, hls_stream.h; Apache-2.0)
# for the HLS C-simulation and for the differential test of our stand-ins
# (hls/kernels/standins/, checked by tests/hls/).
#
# They are not committed: at configure time they are taken from the hls4ml
# wheel on PyPI (folder hls4ml/templates/vivado/ap_types) into the build tree.
# The wheel's version is pinned (hls4ml 1.3.0, _nf_hls4ml_version below), so
# every build compares against the same headers. The system Python is used on
# purpose (Debian's python3-pip); the python3 on PATH may be a pyenv one
# without pip.
#
# Result: NF_AP_TYPES_DIR = the folder holding ap_fixed.h, or empty. Empty is
# a warning here but not a way to pass: the tests that need the headers (the
# differential probe and the C-simulation matrix, tests/hls/) then FAIL,
# unless NEUROFAB_ALLOW_NO_AP_TYPES=1 is set in their environment at test run
# time; with it they skip the Xilinx half and say so loudly in the log.
#
#   -DNEUROFAB_AP_TYPES_DIR=<dir>     use these headers (e.g. Vitis HLS's include/)
#   -DNEUROFAB_FETCH_AP_TYPES=OFF     no download (tests then need the opt-out above)

option(NEUROFAB_FETCH_AP_TYPES "Fetch Xilinx's ap_types headers from the hls4ml wheel" ON)
set(NEUROFAB_AP_TYPES_DIR "" CACHE PATH
  "Folder with Xilinx's ap_fixed.h (empty: fetch it from the hls4ml wheel)")

set(NF_AP_TYPES_DIR "")
set(_nf_hls4ml_version 1.3.0)  # pinned: the reference the stand-ins are checked against

if(NEUROFAB_AP_TYPES_DIR)
  if(EXISTS "${NEUROFAB_AP_TYPES_DIR}/ap_fixed.h")
    set(NF_AP_TYPES_DIR "${NEUROFAB_AP_TYPES_DIR}")
    message(STATUS "ap_types: Xilinx headers in ${NF_AP_TYPES_DIR}")
  else()
    message(WARNING "NEUROFAB_AP_TYPES_DIR=${NEUROFAB_AP_TYPES_DIR} holds no ap_fixed.h; "
      "the tests that need Xilinx's headers will fail unless NEUROFAB_ALLOW_NO_AP_TYPES=1 is set when they run.")
  endif()
elseif(NEUROFAB_FETCH_AP_TYPES)
  set(_nf_wheel_dir "${CMAKE_BINARY_DIR}/_deps/hls4ml-wheel")
  set(_nf_src_dir "${CMAKE_BINARY_DIR}/_deps/ap_types-src")
  set(_nf_headers "${_nf_src_dir}/hls4ml/templates/vivado/ap_types")
  set(_nf_error "")

  if(NOT EXISTS "${_nf_headers}/ap_fixed.h")
    file(GLOB _nf_wheel "${_nf_wheel_dir}/hls4ml-${_nf_hls4ml_version}-*.whl")
    if(NOT _nf_wheel)
      execute_process(
        COMMAND /usr/bin/python3 -m pip download --no-deps --only-binary=:all:
                --disable-pip-version-check --no-input
                hls4ml==${_nf_hls4ml_version} -d "${_nf_wheel_dir}"
        RESULT_VARIABLE _nf_result
        OUTPUT_VARIABLE _nf_output
        ERROR_VARIABLE _nf_output
        TIMEOUT 180)
      file(GLOB _nf_wheel "${_nf_wheel_dir}/hls4ml-${_nf_hls4ml_version}-*.whl")
      if(NOT _nf_result EQUAL 0 OR NOT _nf_wheel)
        # pip's last non-empty line says why (no network, no pip, ...).
        string(STRIP "${_nf_output}" _nf_output)
        string(REGEX REPLACE "^.*\n" "" _nf_error "${_nf_output}")
        if(NOT _nf_error)
          set(_nf_error "${_nf_result}")
        endif()
      endif()
    endif()
    if(_nf_wheel AND NOT _nf_error)
      list(GET _nf_wheel 0 _nf_wheel)
      file(ARCHIVE_EXTRACT INPUT "${_nf_wheel}" DESTINATION "${_nf_src_dir}"
        PATTERNS "hls4ml/templates/vivado/ap_types/*")
      if(NOT EXISTS "${_nf_headers}/ap_fixed.h")
        set(_nf_error "the wheel ${_nf_wheel} has no ap_types/ap_fixed.h")
      endif()
    endif()
  endif()

  if(EXISTS "${_nf_headers}/ap_fixed.h")
    set(NF_AP_TYPES_DIR "${_nf_headers}")
    message(STATUS "ap_types: Xilinx headers from the hls4ml ${_nf_hls4ml_version} wheel in ${NF_AP_TYPES_DIR}")
  else()
    message(WARNING "ap_types: pip could not fetch hls4ml==${_nf_hls4ml_version} "
      "(${_nf_error}); the tests that need Xilinx's headers will fail unless "
      "NEUROFAB_ALLOW_NO_AP_TYPES=1 is set when they run.")
  endif()
endif()
