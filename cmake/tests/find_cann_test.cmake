# CTest cmake_find_cann (cmake -P): configures native/ against fake CANN installations and checks
# what the build log and the generated files say. No CANN is needed: each fake root holds an
# ascendc.cmake whose ascendc_library makes a static library with the link interface CANN's own
# gives it in npu mode (asc-devkit cmake/asc/legacy_modules/function.cmake: ascendcl, runtime,
# tiling_api, register, platform, ... as INTERFACE, the INTERFACE target host_intf_pub as
# PRIVATE, a SHARED-only entry behind $<TARGET_PROPERTY:TYPE>, lib64 as link directory).
#
# Inputs: NPUKIT_NATIVE_DIR (native/), WORK_DIR (scratch, wiped), CXX_COMPILER.
cmake_minimum_required(VERSION 3.20)

set(failures 0)
# expect(<if() condition as one string> <message>)
macro(expect cond what)
  cmake_language(EVAL CODE "if(${cond})\n set(_ok TRUE)\nelse()\n set(_ok FALSE)\nendif()")
  if(NOT _ok)
    message(SEND_ERROR "FAIL: ${what}")
    math(EXPR failures "${failures} + 1")
  endif()
endmacro()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(fake_ascendc [=[
function(ascendc_library name type)
  add_library(host_intf_pub INTERFACE)
  file(WRITE ${CMAKE_BINARY_DIR}/${name}_stub.cpp "int ${name}_stub = 0;\n")
  add_library(${name} ${type} ${CMAKE_BINARY_DIR}/${name}_stub.cpp)
  target_link_directories(${name} PUBLIC ${ASCEND_CANN_PACKAGE_PATH}/lib64)
  target_link_libraries(${name}
    PRIVATE $<BUILD_INTERFACE:host_intf_pub>
            $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,SHARED_LIBRARY>:only_when_shared>
    INTERFACE ascendcl $<BUILD_INTERFACE:$<$<STREQUAL:${RUN_MODE},npu>:runtime>> tiling_api register platform
              unified_dlog mmpa dl
    PUBLIC c_sec)
endfunction()
function(ascendc_include_directories)
endfunction()
function(ascendc_compile_options)
endfunction()
]=])

# Clears what could point the finder at a real CANN on this host.
foreach(e ASCEND_CANN_PACKAGE_PATH ASCEND_HOME_PATH ASCEND_TOOLKIT_HOME)
  unset(ENV{${e}})
endforeach()
set(empty_default "${WORK_DIR}/no-default-cann")

# configure(<name> <out var log> <out var result> args...)
function(configure name log_var rc_var)
  execute_process(COMMAND ${CMAKE_COMMAND} -S "${NPUKIT_NATIVE_DIR}" -B "${WORK_DIR}/build-${name}"
                          -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCANN_DEFAULT_ROOT=${empty_default}
                          -DNPUKIT_OUTPUT_DIR=${WORK_DIR}/build-${name}/lib ${ARGN}
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  set(${log_var} "${out}${err}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()

# 1. auto with no CANN anywhere: the log says so and names where it looked.
configure(none log rc -DNPUKIT_ASCEND=auto)
expect("rc EQUAL 0" "auto without CANN configures (${log})")
string(FIND "${log}" "npukit: no CANN found (looked in ${empty_default}): building the AscendC emulator" at)
expect("NOT at EQUAL -1" "auto without CANN says so in the build log:\n${log}")
string(FIND "${log}" "npukit: Ascend path: emu (NPUKIT_ASCEND=auto)" at)
expect("NOT at EQUAL -1" "auto without CANN builds the emulator")

# 2. npu without CANN: a configure error naming the places looked in.
configure(npu-none log rc -DNPUKIT_ASCEND=npu)
expect("NOT rc EQUAL 0" "npu without CANN fails")
string(FIND "${log}" "ascendc_devkit/tikcpp/samples/cmake of: ${empty_default}" at)
expect("NOT at EQUAL -1" "npu without CANN names the layouts and roots:\n${log}")

# 3. each layout, found through ASCEND_HOME_PATH (auto) and through ASCEND_CANN_PACKAGE_PATH (npu).
set(i 0)
foreach(layout compiler/tikcpp/ascendc_kernel_cmake tools/tikcpp/ascendc_kernel_cmake
               ascendc_devkit/tikcpp/samples/cmake)
  math(EXPR i "${i} + 1")
  set(root "${WORK_DIR}/cann${i}")
  file(WRITE "${root}/${layout}/ascendc.cmake" "${fake_ascendc}")
  file(MAKE_DIRECTORY "${root}/lib64" "${root}/include")

  set(ENV{ASCEND_HOME_PATH} "${root}")
  configure(auto${i} log rc -DNPUKIT_ASCEND=auto)
  unset(ENV{ASCEND_HOME_PATH})
  expect("rc EQUAL 0" "auto with layout ${layout} configures:\n${log}")
  string(FIND "${log}" "npukit: Ascend path: npu (NPUKIT_ASCEND=auto)" at)
  expect("NOT at EQUAL -1" "auto with layout ${layout} picks npu:\n${log}")
  string(FIND "${log}" "at ${root}, layout ${layout}, SOC_VERSION=Ascend910B1" at)
  expect("NOT at EQUAL -1" "the log names layout ${layout}:\n${log}")

  configure(npu${i} log rc -DNPUKIT_ASCEND=npu -DASCEND_CANN_PACKAGE_PATH=${root})
  expect("rc EQUAL 0" "npu with layout ${layout} configures:\n${log}")
  set(rsp "${WORK_DIR}/build-npu${i}/lib/npukit_ascend_link.rsp")
  expect("EXISTS \"${rsp}\"" "npu mode writes ${rsp}")
  if(EXISTS "${rsp}")
    file(STRINGS "${rsp}" lines)
    foreach(want "-L${root}/lib64" "-Wl,--whole-archive" "-Wl,--no-whole-archive" -lascendcl -lruntime
                 -ltiling_api -lregister -lplatform -lunified_dlog -lmmpa -ldl -lc_sec)
      expect("\"${want}\" IN_LIST lines" "${rsp} holds ${want}: ${lines}")
    endforeach()
    list(FIND lines "-Wl,--whole-archive" w)
    math(EXPR w "${w} + 1")
    list(GET lines ${w} archive)
    expect("archive MATCHES \"libnpukit_ascend_kernels\\\\.a$\"" "the kernel archive follows --whole-archive: ${archive}")
    foreach(unwanted host_intf_pub -lhost_intf_pub only_when_shared -lonly_when_shared -l)
      expect("NOT \"${unwanted}\" IN_LIST lines" "${rsp} holds no '${unwanted}': ${lines}")
    endforeach()
    string(FIND "${lines}" ";;" empty)
    expect("empty EQUAL -1" "${rsp} holds no empty line: ${lines}")
  endif()
endforeach()

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} check(s) failed")
endif()
message(STATUS "find_cann_test: all checks passed")
