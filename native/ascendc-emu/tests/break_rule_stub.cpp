// npukit_emu_test_break_rule (break_rule.h) of builds without the emulator (npu, off): there are
// no wrong kernels to launch, so every rule is refused.
#include "break_rule.h"

namespace {
constexpr int kErrArgument = 1;  // NPUKIT_ERR_ARGUMENT
}

extern "C" int npukit_emu_test_break_rule(int) { return kErrArgument; }

extern "C" const char* npukit_emu_test_last_error(void) {
  return "emu_break_rule: this is not an emulator build";
}
