// npukit_emu_test_break_rule (break_rule.h): the emulator's deliberately wrong kernels launched
// through the launchers' own runtime (native/ascend/host/runtime.h).
#include "break_rule.h"

#include "../../ascend/host/runtime.h"
#include "npukit/ascend.h"
#include "wrong_kernels.h"

using namespace npukit::ascend;

extern "C" int npukit_emu_test_break_rule(int rule) {
  using namespace npukit_emu_wrong;
  NPUKIT_TRY(npukit_ascend_init(0));
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
}

extern "C" const char* npukit_emu_test_last_error(void) { return npukit_ascend_last_error(); }
