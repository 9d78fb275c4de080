# npukit_write_link_file(<static target> <file>): writes a linker response file (gcc's @file) that
# links <static target> whole-archive together with every library it declares in its
# INTERFACE_LINK_LIBRARIES and the directories of its INTERFACE_LINK_DIRECTORIES.
#
# Why: the JNI library is linked by JavaCPP (pom.xml, profile ascend-npu), not by CMake, so the
# link interface that CANN's ascendc_library gives the kernel archive (ascendcl, runtime,
# tiling_api, register, platform, ... - the list differs between CANN releases, see
# asc-devkit cmake/asc/legacy_modules/function.cmake) would otherwise have to be copied into the
# pom by hand. Whole-archive: the archive's objects register the kernel binaries from static
# constructors that nothing references.
#
# The list is evaluated at generate time in the target's context ($<TARGET_GENEX_EVAL>), so conditional entries
# ($<BUILD_INTERFACE:...>, $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,...>:...>) resolve as CMake
# itself would resolve them. Plain names become -l<name>; entries that name CMake targets are
# replaced by the target's file, or dropped for INTERFACE targets (compile flags only);
# absolute paths and flags pass unchanged.
function(npukit_write_link_file target file)
  get_target_property(_raw ${target} INTERFACE_LINK_LIBRARIES)
  if(NOT _raw)
    set(_raw "")
  endif()
  set(_all "$<REMOVE_DUPLICATES:$<TARGET_GENEX_EVAL:${target},$<TARGET_PROPERTY:${target},INTERFACE_LINK_LIBRARIES>>>")
  set(_list "${_all}")

  # Names in the raw list that are CMake targets.
  set(_targets)
  string(REGEX MATCHALL "[A-Za-z0-9_.+-]+" _tokens "${_raw}")
  foreach(_t IN LISTS _tokens)
    if(TARGET ${_t})
      list(APPEND _targets ${_t})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _targets)

  set(_target_files "")
  if(_targets)
    list(JOIN _targets "|" _alt)
    set(_list "$<FILTER:${_list},EXCLUDE,^(${_alt})$>")
    foreach(_t IN LISTS _targets)
      get_target_property(_type ${_t} TYPE)
      if(NOT _type STREQUAL "INTERFACE_LIBRARY")
        string(APPEND _target_files "$<$<IN_LIST:${_t},${_all}>:$<TARGET_LINKER_FILE:${_t}>\n>")
      endif()
    endforeach()
  endif()

  set(_names "$<FILTER:${_list},INCLUDE,^[A-Za-z0-9_+.][A-Za-z0-9_+.-]*$>")
  set(_verbatim "$<FILTER:${_list},INCLUDE,^[-/]>")
  set(_dirs "$<REMOVE_DUPLICATES:$<TARGET_GENEX_EVAL:${target},$<TARGET_PROPERTY:${target},INTERFACE_LINK_DIRECTORIES>>>")
  file(GENERATE OUTPUT "${file}" CONTENT
"$<$<BOOL:${_dirs}>:-L$<JOIN:${_dirs},\n-L>\n>\
-Wl,--whole-archive\n$<TARGET_FILE:${target}>\n-Wl,--no-whole-archive\n\
${_target_files}\
$<$<BOOL:${_verbatim}>:$<JOIN:${_verbatim},\n>\n>\
$<$<BOOL:${_names}>:-l$<JOIN:${_names},\n-l>\n>")
endfunction()
