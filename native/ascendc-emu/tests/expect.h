// The checks of the emulator's test programs (one per executable, each its own main): every
// check prints ok or FAIL, and main returns failures != 0. ExpectRule checks that a deliberately
// wrong kernel's launch failed naming its rule.
#ifndef NPUKIT_ASCENDC_EMU_TESTS_EXPECT_H
#define NPUKIT_ASCENDC_EMU_TESTS_EXPECT_H

#include <cstdio>
#include <string>

#include "acl/acl.h"

namespace {

int failures = 0;

void Expect(bool ok, const std::string& what) {
  std::fprintf(ok ? stdout : stderr, "%s: %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) failures++;
}

// The launch failed with the emulator's device exception naming `rule` and, if given, with
// `detail` in its message.
[[maybe_unused]] void ExpectRule(const char* name, int status, const char* rule, const char* detail = nullptr) {
  const std::string msg = aclGetRecentErrMsg();
  Expect(status == ACL_ERROR_RT_AICORE_EXCEPTION && msg.find("AscendC emulator: ") != std::string::npos &&
             msg.find(std::string("(rule: ") + rule + ")") != std::string::npos &&
             (detail == nullptr || msg.find(detail) != std::string::npos),
         std::string(name) + " fails naming rule '" + rule + "': " + msg);
}

[[maybe_unused]] void ExpectPass(const char* name, int status) {
  Expect(status == ACL_SUCCESS, std::string(name) + " passes" + (status == ACL_SUCCESS ? "" : ": ") +
                                    (status == ACL_SUCCESS ? "" : aclGetRecentErrMsg()));
}

}  // namespace

#endif
