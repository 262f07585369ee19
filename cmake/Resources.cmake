# The files neurofab reads at run time (common/include/neurofab/common/resources.hpp)
# live in share/neurofab beside bin/: in the build tree ${CMAKE_BINARY_DIR}/share/neurofab,
# installed <prefix>/share/neurofab. The binary finds them from its own place,
# so no absolute path is compiled in and an installed prefix can be moved.
#
#   nf_add_resources(<subdir> DIRECTORY <dir> [EXCLUDE <glob>...])
#   nf_add_resources(<subdir> FILES <file>...)
#
# DIRECTORY: the folder's contents, whatever they are at build and install
# time (no file list to keep in step); EXCLUDE drops matching names on install.
# FILES: single files, put in <subdir> under their own names.
# The build tree gets symbolic links to the sources (an edited source is used at
# once, and resource_path() resolves the link, so paths the binary writes in
# the build tree are the source tree's); `cmake --install` copies the files.
# Every resource is also recorded in the global properties NF_RESOURCE_DIRECTORIES
# ("subdir|source|glob,glob") and NF_RESOURCE_FILES ("subdir|source"), so that the
# Python wheel can carry its own copy (python/CMakeLists.txt).
set(NF_RESOURCE_SUBDIR share/neurofab)
set(NF_RESOURCE_BUILD_DIR ${CMAKE_BINARY_DIR}/${NF_RESOURCE_SUBDIR})

function(nf_add_resources subdir)
  cmake_parse_arguments(ARG "" "DIRECTORY" "FILES;EXCLUDE" ${ARGN})
  if(NOT ARG_DIRECTORY AND NOT ARG_FILES)
    message(FATAL_ERROR "nf_add_resources(${subdir}): give DIRECTORY <dir> or FILES <file>...")
  endif()
  set(staged ${NF_RESOURCE_BUILD_DIR}/${subdir})
  set(destination ${NF_RESOURCE_SUBDIR}/${subdir})
  if(ARG_DIRECTORY)
    cmake_path(ABSOLUTE_PATH ARG_DIRECTORY BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE OUTPUT_VARIABLE source)
    cmake_path(GET staged PARENT_PATH parent)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${source} ${staged} SYMBOLIC)
    set(excludes "")
    foreach(pattern IN LISTS ARG_EXCLUDE)
      list(APPEND excludes PATTERN ${pattern} EXCLUDE)
    endforeach()
    install(DIRECTORY ${source}/ DESTINATION ${destination} ${excludes})
    list(JOIN ARG_EXCLUDE "," exclude_text)
    set_property(GLOBAL APPEND PROPERTY NF_RESOURCE_DIRECTORIES "${subdir}|${source}|${exclude_text}")
  else()
    file(MAKE_DIRECTORY ${staged})
    foreach(file IN LISTS ARG_FILES)
      cmake_path(ABSOLUTE_PATH file BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE OUTPUT_VARIABLE source)
      cmake_path(GET source FILENAME name)
      file(CREATE_LINK ${source} ${staged}/${name} SYMBOLIC)
    endforeach()
    install(FILES ${ARG_FILES} DESTINATION ${destination})
    foreach(file IN LISTS ARG_FILES)
      cmake_path(ABSOLUTE_PATH file BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE OUTPUT_VARIABLE source)
      set_property(GLOBAL APPEND PROPERTY NF_RESOURCE_FILES "${subdir}|${source}")
    endforeach()
  endif()
endfunction()
