// The emulator's strict rules (64-byte cache lines, pipe synchronisation, tensor positions, API
// limits, the cast table) and its A2 arithmetic: each wrong kernel of strict_rule_kernels.h must
// fail its launch with the AI-core exception code and a message naming the rule, and its
// corrected twin must pass. Registered with CTest; Maven runs CTest in the test phase.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "acl/acl.h"
#include "expect.h"
#include "strict_rule_kernels.h"

int main() {
  using namespace npukit_emu_strict;
  void* buf = nullptr;
  Expect(aclrtMalloc(&buf, 4096 * 4, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS, "aclrtMalloc");
  uint8_t* gm = static_cast<uint8_t*>(buf);
  aclrtMemset(buf, 4096 * 4, 0, 4096 * 4);

  // Cache lines: 16-byte rows of 4 blocks share a line; 64-byte rows do not.
  ExpectRule("SetValue rows of 16 bytes on 4 blocks", ACLRT_LAUNCH_KERNEL(cache_line_kernel)(4, nullptr, gm, int64_t{4}),
             "64-byte cache line", "in the same 64-byte line at offset 0");
  ExpectPass("SetValue rows padded to 64 bytes", ACLRT_LAUNCH_KERNEL(cache_line_kernel)(4, nullptr, gm, int64_t{16}));

  // Pipes.
  ExpectRule("Muls reading Duplicate's result", ACLRT_LAUNCH_KERNEL(vector_dependency_kernel)(1, nullptr, gm, int64_t{0}),
             "pipe synchronisation", "with no PipeBarrier<PIPE_V> in between");
  ExpectPass("... after PipeBarrier<PIPE_V>", ACLRT_LAUNCH_KERNEL(vector_dependency_kernel)(1, nullptr, gm, int64_t{1}));
  ExpectRule("GetValue of a vector result", ACLRT_LAUNCH_KERNEL(vector_to_scalar_kernel)(1, nullptr, gm, int64_t{0}),
             "pipe synchronisation", "GetValue (scalar) reads UB bytes at offset 0 that Duplicate (vector) wrote");
  ExpectPass("... after V_S", ACLRT_LAUNCH_KERNEL(vector_to_scalar_kernel)(1, nullptr, gm, int64_t{1}));
  ExpectRule("DataCopyPad of scalar writes through a VECOUT queue",
             ACLRT_LAUNCH_KERNEL(scalar_to_mte3_kernel)(1, nullptr, gm, int64_t{0}), "pipe synchronisation",
             "HardEvent::S_MTE3");
  ExpectPass("... after S_MTE3", ACLRT_LAUNCH_KERNEL(scalar_to_mte3_kernel)(1, nullptr, gm, int64_t{1}));
  ExpectRule("Muls of a DataCopy with no queue event",
             ACLRT_LAUNCH_KERNEL(mte2_to_vector_kernel)(1, nullptr, gm, int64_t{0}), "pipe synchronisation",
             "HardEvent::MTE2_V");
  ExpectPass("... after MTE2_V", ACLRT_LAUNCH_KERNEL(mte2_to_vector_kernel)(1, nullptr, gm, int64_t{1}));
  ExpectRule("Duplicate over what the scalar unit read",
             ACLRT_LAUNCH_KERNEL(scalar_read_then_vector_write_kernel)(1, nullptr, gm, int64_t{0}),
             "pipe synchronisation", "that the scalar pipe reads");
  ExpectPass("... after S_V", ACLRT_LAUNCH_KERNEL(scalar_read_then_vector_write_kernel)(1, nullptr, gm, int64_t{1}));
  ExpectRule("WaitFlag without SetFlag", ACLRT_LAUNCH_KERNEL(wait_without_set_kernel)(1, nullptr, gm),
             "pipe synchronisation", "would wait forever");
  ExpectRule("PipeBarrier<PIPE_S>", ACLRT_LAUNCH_KERNEL(scalar_barrier_kernel)(1, nullptr, gm), "pipe synchronisation");

  // Positions.
  ExpectRule("DataCopy GM -> VECCALC", ACLRT_LAUNCH_KERNEL(gm_to_veccalc_kernel)(1, nullptr, gm), "tensor position",
             "DataCopy from GM to VECCALC");
  ExpectRule("DataCopy VECOUT -> VECIN", ACLRT_LAUNCH_KERNEL(vecout_to_vecin_kernel)(1, nullptr, gm),
             "tensor position", "DataCopy from VECOUT to VECIN");

  // Limits.
  ExpectRule("DataCopyPad of 4096 blocks", ACLRT_LAUNCH_KERNEL(pad_block_count_kernel)(1, nullptr, gm, int64_t{4096}),
             "API limit", "blockCount 4096 exceeds 4095");
  ExpectPass("DataCopyPad of 4095 blocks", ACLRT_LAUNCH_KERNEL(pad_block_count_kernel)(1, nullptr, gm, int64_t{4095}));
  ExpectRule("66 buffers from one TPipe", ACLRT_LAUNCH_KERNEL(too_many_buffers_kernel)(1, nullptr, gm), "API limit",
             "a TPipe has at most 64");
  ExpectRule("ReduceSum of 640 floats with 8 work elements",
             ACLRT_LAUNCH_KERNEL(reduce_work_kernel)(1, nullptr, gm, int64_t{8}), "API limit", "it needs 16");
  ExpectPass("... with 16", ACLRT_LAUNCH_KERNEL(reduce_work_kernel)(1, nullptr, gm, int64_t{16}));
  ExpectRule("Cast half -> float with CAST_RINT", ACLRT_LAUNCH_KERNEL(cast_mode_kernel)(1, nullptr, gm), "cast table");

  // A2 ReduceSum order: a binary tree within each 64-float repeat, repeats added in order.
  // [1e8, 1, -1e8, 1, 0...]: the tree gives (1e8 + 1) + (-1e8 + 1) = 1e8 - 1e8 = 0 (1 is below
  // half the float spacing at 1e8); left to right gives 1. A second repeat of [1, 0...] then
  // adds 1 in order.
  float in[256] = {};
  in[0] = 1e8f;
  in[1] = 1.0f;
  in[2] = -1e8f;
  in[3] = 1.0f;
  in[64] = 1.0f;
  void* src = nullptr;
  void* dst = nullptr;
  aclrtMalloc(&src, sizeof in, ACL_MEM_MALLOC_HUGE_FIRST);
  aclrtMalloc(&dst, 32, ACL_MEM_MALLOC_HUGE_FIRST);
  aclrtMemcpy(src, sizeof in, in, sizeof in, ACL_MEMCPY_HOST_TO_DEVICE);
  float out[8] = {};
  ExpectPass("ReduceSum of one repeat", ACLRT_LAUNCH_KERNEL(reduce_sum_kernel)(1, nullptr, static_cast<uint8_t*>(src),
                                                                                static_cast<uint8_t*>(dst), int64_t{64}));
  aclrtMemcpy(out, sizeof out, dst, sizeof out, ACL_MEMCPY_DEVICE_TO_HOST);
  Expect(out[0] == 0.0f, "one repeat sums as a tree: 0, got " + std::to_string(out[0]));
  ExpectPass("ReduceSum of two repeats", ACLRT_LAUNCH_KERNEL(reduce_sum_kernel)(1, nullptr, static_cast<uint8_t*>(src),
                                                                                 static_cast<uint8_t*>(dst), int64_t{65}));
  aclrtMemcpy(out, sizeof out, dst, sizeof out, ACL_MEMCPY_DEVICE_TO_HOST);
  Expect(out[0] == 1.0f, "the second repeat is added after: 1, got " + std::to_string(out[0]));

  // Compare / CompareScalar bits, And of masks, Select with a scalar: NaN compares false.
  float cmp_in[64], cmp_out[64];
  for (int i = 0; i < 64; i++) cmp_in[i] = static_cast<float>(i % 5);
  cmp_in[7] = NAN;
  cmp_in[9] = -INFINITY;
  cmp_in[63] = INFINITY;
  void* cmp_src = nullptr;
  void* cmp_dst = nullptr;
  aclrtMalloc(&cmp_src, sizeof cmp_in, ACL_MEM_MALLOC_HUGE_FIRST);
  aclrtMalloc(&cmp_dst, sizeof cmp_out, ACL_MEM_MALLOC_HUGE_FIRST);
  aclrtMemcpy(cmp_src, sizeof cmp_in, cmp_in, sizeof cmp_in, ACL_MEMCPY_HOST_TO_DEVICE);
  ExpectPass("Compare, And, Select", ACLRT_LAUNCH_KERNEL(compare_select_kernel)(
                                         1, nullptr, static_cast<uint8_t*>(cmp_src), static_cast<uint8_t*>(cmp_dst),
                                         int64_t{64}));
  aclrtMemcpy(cmp_out, sizeof cmp_out, cmp_dst, sizeof cmp_out, ACL_MEMCPY_DEVICE_TO_HOST);
  bool selected = true;
  for (int i = 0; i < 64; i++) {
    const float want = cmp_in[i] == cmp_in[i] && cmp_in[i] >= 2.0f ? cmp_in[i] : -7.0f;
    selected = selected && cmp_out[i] == want;
  }
  Expect(selected && cmp_out[63] == INFINITY && cmp_out[7] == -7.0f && cmp_out[9] == -7.0f,
         "Select takes src0 where the and of the compare bits is set, the scalar elsewhere");
  ExpectRule("Compare of 32 floats", ACLRT_LAUNCH_KERNEL(compare_select_kernel)(
                                         1, nullptr, static_cast<uint8_t*>(cmp_src), static_cast<uint8_t*>(cmp_dst),
                                         int64_t{32}),
             "API limit", "whole 256-byte repeats");
  aclrtFree(cmp_src);
  aclrtFree(cmp_dst);

  // Overflow mode. [3e38, NaN, 1e5, -3e38, 1, ...]: in Inf/NaN mode (the A2 default, what the
  // host sets) x * 2 overflows to +-inf, NaN stays NaN, and 1e5 rounds to half as +inf; in
  // saturation mode the infinities become +-FLT_MAX (65504 for half) and the NaN becomes 0:
  // contrastive's -inf masks and NaN checks would silently change meaning.
  const float ov[8] = {3e38f, NAN, 1e5f, -3e38f, 1.0f, 0.0f, 0.0f, 0.0f};
  float res[16] = {};
  aclrtMemcpy(src, sizeof ov, ov, sizeof ov, ACL_MEMCPY_HOST_TO_DEVICE);
  void* dst16 = nullptr;
  aclrtMalloc(&dst16, sizeof res, ACL_MEM_MALLOC_HUGE_FIRST);
  aclrtFloatOverflowMode mode = ACL_RT_OVERFLOW_MODE_UNDEF;
  Expect(aclrtGetDeviceSatMode(&mode) == ACL_SUCCESS && mode == ACL_RT_OVERFLOW_MODE_INFNAN,
         "the emulated device starts in Inf/NaN mode");
  ExpectPass("overflow kernel, Inf/NaN mode", ACLRT_LAUNCH_KERNEL(overflow_kernel)(1, nullptr, static_cast<uint8_t*>(src),
                                                                                  static_cast<uint8_t*>(dst16)));
  aclrtMemcpy(res, sizeof res, dst16, sizeof res, ACL_MEMCPY_DEVICE_TO_HOST);
  Expect(std::isinf(res[0]) && res[0] > 0 && std::isnan(res[1]) && std::isinf(res[3]) && res[3] < 0 &&
             std::isinf(res[10]) && res[12] == 1.0f,
         "Inf/NaN mode: 3e38 * 2 = inf, NaN * 2 = NaN, half(1e5) = inf");
  Expect(aclrtSetDeviceSatMode(ACL_RT_OVERFLOW_MODE_SATURATION) == ACL_SUCCESS, "set saturation mode");
  ExpectPass("overflow kernel, saturation mode", ACLRT_LAUNCH_KERNEL(overflow_kernel)(
                                                     1, nullptr, static_cast<uint8_t*>(src), static_cast<uint8_t*>(dst16)));
  aclrtMemcpy(res, sizeof res, dst16, sizeof res, ACL_MEMCPY_DEVICE_TO_HOST);
  Expect(res[0] == FLT_MAX && res[1] == 0.0f && res[3] == -FLT_MAX && res[10] == 65504.0f && res[9] == 0.0f &&
             res[12] == 1.0f,
         "saturation mode: 3e38 * 2 = FLT_MAX, NaN * 2 = 0, half(1e5) = 65504, half(NaN) = 0");
  Expect(aclrtSetDeviceSatMode(ACL_RT_OVERFLOW_MODE_INFNAN) == ACL_SUCCESS, "back to Inf/NaN mode");

  // Per-block counters of the last launch (the overflow kernel, one block): 32 bytes in by MTE2,
  // 64 out by MTE3, Muls and two Casts of one 256-byte repeat each, one vector barrier, and the
  // queue events: MTE2 waits once (AllocTensor, VECIN), V twice (DeQue of VECIN, AllocTensor of
  // VECOUT), MTE3 once (DeQue of VECOUT).
  const auto& c = AscendC::emu::LastLaunchCounters();
  Expect(c.size() == 1 && c[0].mte2_bytes == 32 && c[0].mte3_bytes == 64 && c[0].scalar_gm == 0 &&
             c[0].scalar_ub == 0 && c[0].vector_instructions == 3 && c[0].vector_repeats == 3 && c[0].barriers == 1 &&
             c[0].waits[AscendC::emu::kPipeS] == 0 && c[0].waits[AscendC::emu::kPipeV] == 2 &&
             c[0].waits[AscendC::emu::kPipeMte2] == 1 && c[0].waits[AscendC::emu::kPipeMte3] == 1,
         "counters of the overflow kernel");
  ExpectPass("SetValue rows on 4 blocks", ACLRT_LAUNCH_KERNEL(cache_line_kernel)(4, nullptr, gm, int64_t{16}));
  const auto& rows = AscendC::emu::LastLaunchCounters();
  Expect(rows.size() == 4 && rows[3].scalar_gm == 4 && rows[3].mte3_bytes == 0 && rows[3].vector_instructions == 0,
         "counters per block: 4 scalar global stores each");
  aclrtFree(dst16);

  aclrtFree(src);
  aclrtFree(dst);
  aclrtFree(buf);
  std::printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
