// npukit_ascend_emu_break_rule: launches one of the emulator's deliberately wrong kernels
// through the normal launch path, so a test can see a rule violation arrive in Java as an
// exception naming the rule. Emulator builds only.
#include "npukit/ascend.h"
#include "runtime.h"

#ifdef NPUKIT_ASCEND_EMU
#include "../../ascendc-emu/tests/wrong_kernels.h"
#endif

using namespace npukit::ascend;

extern "C" int npukit_ascend_emu_break_rule(int rule) {
#ifdef NPUKIT_ASCEND_EMU
  using namespace npukit_emu_wrong;
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  DeviceBuffer buf;
  NPUKIT_TRY(buf.Create(128));
  uint32_t status;
  switch (rule) {
    case 0: status = ACLRT_LAUNCH_KERNEL(wrong_alignment_kernel)(1, Device::Stream(), buf.get()); break;
    case 1: status = ACLRT_LAUNCH_KERNEL(wrong_capacity_kernel)(1, Device::Stream(), buf.get()); break;
    case 2: status = ACLRT_LAUNCH_KERNEL(wrong_bounds_kernel)(2, Device::Stream(), buf.get()); break;
    case 3: status = ACLRT_LAUNCH_KERNEL(wrong_dequeue_kernel)(1, Device::Stream(), buf.get()); break;
    case 4: status = ACLRT_LAUNCH_KERNEL(wrong_double_free_kernel)(1, Device::Stream(), buf.get()); break;
    case 5: status = ACLRT_LAUNCH_KERNEL(wrong_local_alignment_kernel)(1, Device::Stream(), buf.get()); break;
    case 6: status = ACLRT_LAUNCH_KERNEL(wrong_local_bounds_kernel)(1, Device::Stream(), buf.get()); break;
    case 7: status = ACLRT_LAUNCH_KERNEL(wrong_shared_write_kernel)(2, Device::Stream(), buf.get()); break;
    default: return Fail(NPUKIT_ERR_ARGUMENT, "emu_break_rule: unknown rule %d", rule);
  }
  NPUKIT_TRY(FinishLaunch(status, "wrong kernel"));
  return Ok();
#else
  (void)rule;
  return Fail(NPUKIT_ERR_ARGUMENT, "emu_break_rule: this is an npu build, not the emulator");
#endif
}
