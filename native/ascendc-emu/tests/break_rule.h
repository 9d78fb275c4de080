// Test-only entry point of the emulator build (library npukit_ascend_emu_test, never shipped):
// launches one of the emulator's deliberately wrong kernels (wrong_kernels.h) through the
// launchers' path (device lock, launch, FinishLaunch), so a test can see a rule violation arrive
// as an error naming the rule.
#ifndef NPUKIT_ASCENDC_EMU_TESTS_BREAK_RULE_H
#define NPUKIT_ASCENDC_EMU_TESTS_BREAK_RULE_H

#ifdef __cplusplus
extern "C" {
#endif

// Initializes the device (npukit_ascend_init(0)) and launches the kernel breaking rule: 0 DataCopy
// length alignment, 1 unified-buffer capacity, 2 global-memory bounds, 3 DeQue of an empty queue,
// 4 FreeTensor twice, 5 local-tensor address alignment, 6 local-tensor bounds, 7 two blocks
// writing the same global memory. Returns the launch's status (NPUKIT_ERR_DEVICE for a
// violation, NPUKIT_ERR_ARGUMENT for an unknown rule) with the message in
// npukit_emu_test_last_error().
int npukit_emu_test_break_rule(int rule);

// npukit_ascend_last_error() of the copy of the ascend library this test library links.
const char* npukit_emu_test_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
