# Finds the CANN toolkit (Ascend's compiler and runtime) for NPUKIT_ASCEND=npu.
#
# Looks in, first match wins: the cache/command-line variable ASCEND_CANN_PACKAGE_PATH, the
# environment variables ASCEND_CANN_PACKAGE_PATH, ASCEND_HOME_PATH and ASCEND_TOOLKIT_HOME (set
# by CANN's set_env.sh), then CANN_DEFAULT_ROOT (/usr/local/Ascend/ascend-toolkit/latest). In each it looks for the
# AscendC kernel CMake support, ascendc.cmake (which defines ascendc_library), in the three
# directories CANN releases have installed it in, the same three vllm-ascend's CMakeLists.txt
# checks:
#   compiler/tikcpp/ascendc_kernel_cmake    (CANN 8.x toolkit)
#   tools/tikcpp/ascendc_kernel_cmake       (older toolkits)
#   ascendc_devkit/tikcpp/samples/cmake     (packages with the AscendC devkit as its own directory)
#
# Sets:
#   CANN_FOUND               TRUE when ascendc.cmake exists in one of them
#   CANN_ROOT                the toolkit directory
#   CANN_ASCENDC_CMAKE_DIR   the directory holding ascendc.cmake (ascendc_library)
#   CANN_LAYOUT              which of the three it was (the relative directory above)
#   CANN_SEARCHED            every root looked in, in order (for the build log when none matched)
#   CANN_VERSION             the toolkit version, when the package says
#   CANN_INCLUDE_DIR, CANN_LIBRARY_DIR   acl/acl.h and libascendcl.so

set(_cann_candidates)
if(DEFINED ASCEND_CANN_PACKAGE_PATH AND NOT "${ASCEND_CANN_PACKAGE_PATH}" STREQUAL "")
  list(APPEND _cann_candidates "${ASCEND_CANN_PACKAGE_PATH}")
endif()
foreach(_e ASCEND_CANN_PACKAGE_PATH ASCEND_HOME_PATH ASCEND_TOOLKIT_HOME)
  if(DEFINED ENV{${_e}} AND NOT "$ENV{${_e}}" STREQUAL "")
    list(APPEND _cann_candidates "$ENV{${_e}}")
  endif()
endforeach()
# CANN_DEFAULT_ROOT: where CANN installs by default; a variable so the finder's test can point it
# at an empty directory on a host that has CANN there.
if(NOT DEFINED CANN_DEFAULT_ROOT)
  set(CANN_DEFAULT_ROOT /usr/local/Ascend/ascend-toolkit/latest)
endif()
list(APPEND _cann_candidates "${CANN_DEFAULT_ROOT}")
list(REMOVE_DUPLICATES _cann_candidates)
set(CANN_SEARCHED "${_cann_candidates}")

set(CANN_FOUND FALSE)
set(CANN_LAYOUT "")
foreach(_root IN LISTS _cann_candidates)
  foreach(_sub compiler/tikcpp/ascendc_kernel_cmake tools/tikcpp/ascendc_kernel_cmake
               ascendc_devkit/tikcpp/samples/cmake)
    if(NOT CANN_FOUND AND EXISTS "${_root}/${_sub}/ascendc.cmake")
      set(CANN_FOUND TRUE)
      set(CANN_ROOT "${_root}")
      set(CANN_ASCENDC_CMAKE_DIR "${_root}/${_sub}")
      set(CANN_LAYOUT "${_sub}")
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
  if(NOT CANN_FIND_QUIETLY)
    message(STATUS "CANN: ${CANN_ROOT}, layout ${CANN_LAYOUT} (ascendc.cmake in ${CANN_ASCENDC_CMAKE_DIR})")
  endif()
endif()

list(JOIN CANN_SEARCHED ", " _cann_searched_text)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CANN REQUIRED_VARS CANN_ROOT CANN_ASCENDC_CMAKE_DIR VERSION_VAR CANN_VERSION
  REASON_FAILURE_MESSAGE "no ascendc.cmake under compiler/tikcpp/ascendc_kernel_cmake, tools/tikcpp/ascendc_kernel_cmake or ascendc_devkit/tikcpp/samples/cmake of: ${_cann_searched_text}")
