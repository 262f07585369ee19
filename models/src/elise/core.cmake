# ELiSe network model core (issue #10): parameters, scaffold, network, artifact.
set(NF_ELISE_CORE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/parameters.cpp
  ${CMAKE_CURRENT_LIST_DIR}/scaffold.cpp
  ${CMAKE_CURRENT_LIST_DIR}/network.cpp
  ${CMAKE_CURRENT_LIST_DIR}/elise_artifact.cpp
)
