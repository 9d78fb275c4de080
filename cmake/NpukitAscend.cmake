# The Ascend path (native/ascend/README.md): builds the static library npukit_ascend that the JNI bridge
# dev.npukit.bridge.AscendKernels links, in one of three modes (NPUKIT_ASCEND):
#   npu   AscendC kernels compiled for SOC_VERSION with CANN's ascendc_library, host launchers
#         linked against the ACL runtime (needs CANN, see FindCANN.cmake)
#   emu   the same kernel and launcher sources compiled for the CPU against native/ascendc-emu,
#         the AscendC/ACL emulator; its rule tests are registered with CTest
#   off   entry points that report "built without the Ascend path"
#   auto  (default) npu when CANN is found, else emu
# Expects NPUKIT_BASELINE_FLAGS (NpukitCompilerFlags.cmake).

set(_ascend_dir "${CMAKE_CURRENT_SOURCE_DIR}/ascend")
set(_emu_dir "${CMAKE_CURRENT_SOURCE_DIR}/ascendc-emu")
set(NPUKIT_ASCEND_KERNELS
  ${_ascend_dir}/kernels/paged_attention.cpp
  ${_ascend_dir}/kernels/paged_attention_cube.cpp
  ${_ascend_dir}/kernels/write_kv.cpp
  ${_ascend_dir}/kernels/rope.cpp
  ${_ascend_dir}/kernels/contrastive.cpp
  ${_ascend_dir}/kernels/bgmv.cpp
  ${_ascend_dir}/kernels/bgmv_shrink.cpp
  ${_ascend_dir}/kernels/bgmv_expand_cube.cpp
  ${_ascend_dir}/kernels/matmul.cpp
  ${_ascend_dir}/kernels/rms_norm.cpp
  ${_ascend_dir}/kernels/silu_mul.cpp
  ${_ascend_dir}/kernels/embedding.cpp)
set(NPUKIT_ASCEND_HOST
  ${_ascend_dir}/host/runtime.cpp
  ${_ascend_dir}/host/attention_launch.cpp
  ${_ascend_dir}/host/cache_launch.cpp
  ${_ascend_dir}/host/contrastive_launch.cpp
  ${_ascend_dir}/host/bgmv_launch.cpp
  ${_ascend_dir}/host/elementwise_launch.cpp)

# Test-only library of builds without the emulator: the Java rule test links it in every mode and
# expects an npu build to refuse the demonstration.
function(npukit_add_emu_test_stub)
  add_library(npukit_ascend_emu_test STATIC ${_emu_dir}/tests/break_rule_stub.cpp)
  target_include_directories(npukit_ascend_emu_test PRIVATE ${_emu_dir}/tests)
  target_compile_options(npukit_ascend_emu_test PRIVATE ${NPUKIT_BASELINE_FLAGS})
endfunction()

if(NPUKIT_ASCEND STREQUAL "auto")
  find_package(CANN QUIET)
  if(CANN_FOUND)
    set(NPUKIT_ASCEND_MODE npu)
  else()
    # Said in the build log: an NPU host whose CANN is not where the finder looks must not get
    # an emulator build without a word.
    list(JOIN CANN_SEARCHED ", " _searched)
    message(STATUS "npukit: no CANN found (looked in ${_searched}): building the AscendC emulator")
    set(NPUKIT_ASCEND_MODE emu)
  endif()
elseif(NPUKIT_ASCEND MATCHES "^(off|emu|npu)$")
  set(NPUKIT_ASCEND_MODE ${NPUKIT_ASCEND})
else()
  message(FATAL_ERROR "NPUKIT_ASCEND must be auto, off, emu or npu, not '${NPUKIT_ASCEND}'")
endif()
message(STATUS "npukit: Ascend path: ${NPUKIT_ASCEND_MODE} (NPUKIT_ASCEND=${NPUKIT_ASCEND})")

if(NPUKIT_ASCEND_MODE STREQUAL "off")
  add_library(npukit_ascend STATIC ${_ascend_dir}/host/off.cpp)
  target_include_directories(npukit_ascend PRIVATE include)
  target_compile_options(npukit_ascend PRIVATE ${NPUKIT_BASELINE_FLAGS})
  npukit_add_emu_test_stub()

elseif(NPUKIT_ASCEND_MODE STREQUAL "emu")
  # Kernels, launchers and the emulator runtime in one archive: the JNI library links only it.
  add_library(npukit_ascend STATIC ${NPUKIT_ASCEND_KERNELS} ${NPUKIT_ASCEND_HOST} ${_emu_dir}/src/runtime.cpp
              ${_emu_dir}/src/pipes.cpp ${_emu_dir}/src/cross_core.cpp)
  target_include_directories(npukit_ascend PUBLIC include common ${_emu_dir}/include PRIVATE ${_ascend_dir}/kernels)
  target_compile_definitions(npukit_ascend PUBLIC NPUKIT_ASCEND_EMU=1)
  target_compile_options(npukit_ascend PRIVATE ${NPUKIT_BASELINE_FLAGS} -Wno-unused-parameter)

  add_executable(ascendc_emu_rules_test ${_emu_dir}/tests/rules_test.cpp)
  target_link_libraries(ascendc_emu_rules_test PRIVATE npukit_ascend)
  target_compile_options(ascendc_emu_rules_test PRIVATE ${NPUKIT_BASELINE_FLAGS} -Wno-unused-parameter)
  add_test(NAME ascendc_emu_rules COMMAND ascendc_emu_rules_test)

  add_executable(ascendc_emu_strict_rules_test ${_emu_dir}/tests/strict_rules_test.cpp)
  target_link_libraries(ascendc_emu_strict_rules_test PRIVATE npukit_ascend)
  target_compile_options(ascendc_emu_strict_rules_test PRIVATE ${NPUKIT_BASELINE_FLAGS} -Wno-unused-parameter)
  add_test(NAME ascendc_emu_strict_rules COMMAND ascendc_emu_strict_rules_test)

  add_executable(ascendc_emu_cube_test ${_emu_dir}/tests/cube_test.cpp)
  target_link_libraries(ascendc_emu_cube_test PRIVATE npukit_ascend)
  target_include_directories(ascendc_emu_cube_test PRIVATE ${_ascend_dir}/host)
  target_compile_options(ascendc_emu_cube_test PRIVATE ${NPUKIT_BASELINE_FLAGS} -Wno-unused-parameter)
  add_test(NAME ascendc_emu_cube COMMAND ascendc_emu_cube_test)

  add_executable(ascendc_emu_mixed_test ${_emu_dir}/tests/mixed_test.cpp)
  target_link_libraries(ascendc_emu_mixed_test PRIVATE npukit_ascend)
  target_include_directories(ascendc_emu_mixed_test PRIVATE ${_ascend_dir}/host)
  target_compile_options(ascendc_emu_mixed_test PRIVATE ${NPUKIT_BASELINE_FLAGS} -Wno-unused-parameter)
  add_test(NAME ascendc_emu_mixed COMMAND ascendc_emu_mixed_test)

  # A test of the Ascend path through the C API: ascend_NAME_test from tests/NAME_test.cpp, run as
  # ascend_NAME.
  function(npukit_ascend_api_test name)
    add_executable(ascend_${name}_test ${_ascend_dir}/tests/${name}_test.cpp)
    target_link_libraries(ascend_${name}_test PRIVATE npukit_ascend)
    target_include_directories(ascend_${name}_test PRIVATE ${_ascend_dir}/host)
    target_compile_options(ascend_${name}_test PRIVATE ${NPUKIT_BASELINE_FLAGS})
    add_test(NAME ascend_${name} COMMAND ascend_${name}_test)
  endfunction()
  npukit_ascend_api_test(matmul)
  npukit_ascend_api_test(bgmv_shrink)
  # A device with fewer cube cores than the shrink's work items.
  add_test(NAME ascend_bgmv_shrink_5_cube_cores COMMAND ascend_bgmv_shrink_test)
  set_tests_properties(ascend_bgmv_shrink_5_cube_cores PROPERTIES ENVIRONMENT NPUKIT_EMU_CUBE_CORES=5)
  npukit_ascend_api_test(bgmv_expand)
  # Fewer cube cores than the expand's work items: several items and tiles per group of cores.
  add_test(NAME ascend_bgmv_expand_5_cube_cores COMMAND ascend_bgmv_expand_test)
  set_tests_properties(ascend_bgmv_expand_5_cube_cores PROPERTIES ENVIRONMENT NPUKIT_EMU_CUBE_CORES=5)
  # A device with fewer vector cores than work items (a smaller A2 SoC, a virtualised NPU).
  add_test(NAME ascend_matmul_5_vector_cores COMMAND ascend_matmul_test)
  set_tests_properties(ascend_matmul_5_vector_cores PROPERTIES ENVIRONMENT NPUKIT_EMU_VECTOR_CORES=5)

  # Test-only (never in the jar): the deliberately wrong kernels behind a C entry point, for the
  # Java test that sees a rule violation arrive as an exception (tests/.../EmuRuleKernels.java).
  add_library(npukit_ascend_emu_test STATIC ${_emu_dir}/tests/break_rule.cpp)
  target_link_libraries(npukit_ascend_emu_test PRIVATE npukit_ascend)
  target_include_directories(npukit_ascend_emu_test PRIVATE ${_emu_dir}/tests)
  target_compile_options(npukit_ascend_emu_test PRIVATE ${NPUKIT_BASELINE_FLAGS} -Wno-unused-parameter)

else()  # npu
  find_package(CANN REQUIRED)
  set(SOC_VERSION "Ascend910B1" CACHE STRING "Ascend SoC the kernels are compiled for")
  set(ASCEND_CANN_PACKAGE_PATH "${CANN_ROOT}" CACHE PATH "CANN toolkit" FORCE)
  set(RUN_MODE npu)
  message(STATUS "npukit: CANN ${CANN_VERSION} at ${CANN_ROOT}, layout ${CANN_LAYOUT}, SOC_VERSION=${SOC_VERSION}")
  include(${CANN_ASCENDC_CMAKE_DIR}/ascendc.cmake)
  # Device code: one aclrtlaunch_<kernel>.h per kernel for the launchers.
  ascendc_library(npukit_ascend_kernels STATIC ${NPUKIT_ASCEND_KERNELS})
  ascendc_include_directories(npukit_ascend_kernels PRIVATE ${_ascend_dir}/kernels)
  # Gumbel sampling must stay bit-exact with the other backends: no contraction into FMA.
  ascendc_compile_options(npukit_ascend_kernels PRIVATE -ffp-contract=off)
  add_library(npukit_ascend STATIC ${NPUKIT_ASCEND_HOST})
  target_include_directories(npukit_ascend PUBLIC include PRIVATE common ${CANN_INCLUDE_DIR}
                             ${CMAKE_CURRENT_BINARY_DIR}/include/npukit_ascend_kernels ${_ascend_dir}/kernels)
  target_compile_definitions(npukit_ascend PRIVATE NPUKIT_SOC_VERSION="${SOC_VERSION}")
  target_compile_options(npukit_ascend PRIVATE ${NPUKIT_BASELINE_FLAGS})
  target_link_directories(npukit_ascend PUBLIC ${CANN_LIBRARY_DIR})
  target_link_libraries(npukit_ascend PUBLIC npukit_ascend_kernels ascendcl runtime)
  # JavaCPP links the JNI library (pom.xml, profile ascend-npu): it passes this file to the
  # linker, so the JNI library links every library the kernel archive declares.
  include(NpukitLinkFile)
  npukit_write_link_file(npukit_ascend_kernels "${NPUKIT_OUTPUT_DIR}/npukit_ascend_link.rsp")
  message(STATUS "npukit: JNI link flags of the kernel library: ${NPUKIT_OUTPUT_DIR}/npukit_ascend_link.rsp")
  npukit_add_emu_test_stub()
endif()

# The CANN finder and the npu-mode configuration against fake CANN layouts (every mode: it needs
# no CANN, and must pass on hosts that have one).
add_test(NAME cmake_find_cann
         COMMAND ${CMAKE_COMMAND} -DNPUKIT_NATIVE_DIR=${CMAKE_CURRENT_SOURCE_DIR}
                 -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/find_cann_test
                 -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/../cmake/tests/find_cann_test.cmake)
set_tests_properties(cmake_find_cann PROPERTIES TIMEOUT 300)
