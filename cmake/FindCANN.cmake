# Finds the CANN toolkit (Ascend's compiler and runtime) for NPUKIT_ASCEND=npu.
#
# Looks in, first match wins: the cache/command-line variable ASCEND_CANN_PACKAGE_PATH, the
# environment variables ASCEND_CANN_PACKAGE_PATH, ASCEND_HOME_PATH and ASCEND_TOOLKIT_HOME (set
# by CANN's set_env.sh), then /usr/local/Ascend/ascend-toolkit/latest.
#
# Sets:
#   CANN_FOUND               TRUE when the AscendC kernel CMake support (ascendc.cmake) exists
#   CANN_ROOT                the toolkit directory
#   CANN_ASCENDC_CMAKE_DIR   the directory holding ascendc.cmake (ascendc_library)
#   CANN_VERSION             the toolkit version, when the package says
#   CANN_INCLUDE_DIR, CANN_LIBRARY_DIR   acl/acl.h and libascendcl.so

set(_cann_candidates)
foreach(_v ASCEND_CANN_PACKAGE_PATH)
  if(DEFINED ${_v} AND NOT "${${_v}}" STREQUAL "")
    list(APPEND _cann_candidates "${${_v}}")
  endif()
endforeach()
foreach(_e ASCEND_CANN_PACKAGE_PATH ASCEND_HOME_PATH ASCEND_TOOLKIT_HOME)
  if(DEFINED ENV{${_e}} AND NOT "$ENV{${_e}}" STREQUAL "")
    list(APPEND _cann_candidates "$ENV{${_e}}")
  endif()
endforeach()
list(APPEND _cann_candidates /usr/local/Ascend/ascend-toolkit/latest)

set(CANN_FOUND FALSE)
foreach(_root IN LISTS _cann_candidates)
  # The kernel CMake support moved between CANN releases.
  foreach(_sub compiler/tikcpp/ascendc_kernel_cmake tools/tikcpp/ascendc_kernel_cmake)
    if(NOT CANN_FOUND AND EXISTS "${_root}/${_sub}/ascendc.cmake")
      set(CANN_FOUND TRUE)
      set(CANN_ROOT "${_root}")
      set(CANN_ASCENDC_CMAKE_DIR "${_root}/${_sub}")
    endif()
  endforeach()
endforeach()

if(CANN_FOUND)
  set(CANN_INCLUDE_DIR "${CANN_ROOT}/include")
  set(CANN_LIBRARY_DIR "${CANN_ROOT}/lib64")
  set(CANN_VERSION "")
  file(GLOB _cann_version_files "${CANN_ROOT}/*version.info" "${CANN_ROOT}/version.cfg")
  foreach(_f IN LISTS _cann_version_files)
    file(STRINGS "${_f}" _line REGEX "^[Vv]ersion=")
    if(_line AND CANN_VERSION STREQUAL "")
      string(REGEX REPLACE "^[Vv]ersion=" "" CANN_VERSION "${_line}")
    endif()
  endforeach()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CANN REQUIRED_VARS CANN_ROOT CANN_ASCENDC_CMAKE_DIR VERSION_VAR CANN_VERSION)
