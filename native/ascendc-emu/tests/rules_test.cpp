// The emulator's rule tests: each deliberately wrong kernel must fail its launch with the ACL
// AI-core exception code and a message naming the broken rule; a correct kernel must pass.
// Registered with CTest; Maven runs CTest in the test phase.
#include <cstdio>
#include <cstring>
#include <string>

#include "acl/acl.h"
#include "expect.h"
#include "wrong_kernels.h"

namespace {

// A correct kernel: y = x * 2 over 64 floats per block, CopyIn -> Compute -> CopyOut.
__global__ __aicore__ void good_kernel(GM_ADDR x, GM_ADDR y) {
  using namespace AscendC;
  TPipe pipe;
  TQue<TPosition::VECIN, 2> in;
  TQue<TPosition::VECOUT, 2> out;
  pipe.InitBuffer(in, 2, 256);
  pipe.InitBuffer(out, 2, 256);
  GlobalTensor<float> gx, gy;
  gx.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x) + GetBlockIdx() * 64, 64);
  gy.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(y) + GetBlockIdx() * 64, 64);
  LocalTensor<float> a = in.AllocTensor<float>();
  DataCopy(a, gx, 64);
  in.EnQue(a);
  a = in.DeQue<float>();
  LocalTensor<float> b = out.AllocTensor<float>();
  Muls(b, a, 2.0f, 64);
  in.FreeTensor(a);
  out.EnQue(b);
  b = out.DeQue<float>();
  DataCopy(gy, b, 64);
  out.FreeTensor(b);
}

// Allowed across blocks: every block reads the first 8 floats (like a tiling struct), then
// writes and reads back 8 floats of its own.
__global__ __aicore__ void shared_read_kernel(GM_ADDR buf) {
  using namespace AscendC;
  TPipe pipe;
  TBuf<TPosition::VECIN> in;
  TBuf<TPosition::VECOUT> out;
  pipe.InitBuffer(in, 32);
  pipe.InitBuffer(out, 32);
  GlobalTensor<float> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(buf), 24);
  DataCopy(in.Get<float>(), g, 8);
  Duplicate(out.Get<float>(), static_cast<float>(GetBlockIdx()), 8);
  SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
  WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
  DataCopy(g[8 * (GetBlockIdx() + 1)], out.Get<float>(), 8);
  SetFlag<HardEvent::MTE3_MTE2>(EVENT_ID0);
  WaitFlag<HardEvent::MTE3_MTE2>(EVENT_ID0);
  DataCopy(in.Get<float>(), g[8 * (GetBlockIdx() + 1)], 8);
}

}  // namespace

int main() {
  using namespace npukit_emu_wrong;
  void* buf = nullptr;
  Expect(aclrtMalloc(&buf, 128, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS, "aclrtMalloc 128 bytes");
  uint8_t* gm = static_cast<uint8_t*>(buf);

  ExpectRule("DataCopy of 30 bytes", ACLRT_LAUNCH_KERNEL(wrong_alignment_kernel)(1, nullptr, gm), "alignment");
  Expect(std::strstr(aclGetRecentErrMsg(), "DataCopy length 30 bytes") != nullptr, "alignment message gives the length");
  ExpectRule("200 KB of buffers", ACLRT_LAUNCH_KERNEL(wrong_capacity_kernel)(1, nullptr, gm), "unified-buffer capacity");
  ExpectRule("read past the allocation", ACLRT_LAUNCH_KERNEL(wrong_bounds_kernel)(2, nullptr, gm),
             "global-memory bounds");
  Expect(std::strstr(aclGetRecentErrMsg(), "block 1") != nullptr, "bounds message names the block");
  ExpectRule("DeQue of an empty queue", ACLRT_LAUNCH_KERNEL(wrong_dequeue_kernel)(1, nullptr, gm), "queue discipline");
  ExpectRule("FreeTensor twice", ACLRT_LAUNCH_KERNEL(wrong_double_free_kernel)(1, nullptr, gm), "queue discipline");

  ExpectRule("Muls at UB offset 12", ACLRT_LAUNCH_KERNEL(wrong_local_alignment_kernel)(1, nullptr, gm), "alignment");
  Expect(std::strstr(aclGetRecentErrMsg(), "UB offset 12 is not 32-byte aligned") != nullptr,
         "local alignment message gives the offset");
  ExpectRule("Duplicate past a 16-float buffer", ACLRT_LAUNCH_KERNEL(wrong_local_bounds_kernel)(1, nullptr, gm),
             "local-tensor bounds");

  // Blocks of one launch run at the same time on the device: no block may touch bytes another writes.
  ExpectRule("two blocks write the same bytes", ACLRT_LAUNCH_KERNEL(wrong_shared_write_kernel)(2, nullptr, gm),
             "cross-core access");
  Expect(std::strstr(aclGetRecentErrMsg(), "block 0 writes (DataCopy) and block 1 writes (DataCopy) 32 bytes at offset 0") !=
             nullptr,
         "cross-core message names the blocks, the bytes and the offset");
  ExpectRule("block 1 reads what block 0 writes",
             ACLRT_LAUNCH_KERNEL(wrong_cross_read_kernel)(2, nullptr, gm, int64_t{0}), "cross-core access");
  ExpectRule("block 0 reads what block 1 writes later",
             ACLRT_LAUNCH_KERNEL(wrong_cross_read_kernel)(2, nullptr, gm, int64_t{1}), "cross-core access");
  const int shared = ACLRT_LAUNCH_KERNEL(shared_read_kernel)(2, nullptr, gm);
  Expect(shared == ACL_SUCCESS, std::string("blocks sharing reads and writing their own bytes pass") +
                                    (shared == ACL_SUCCESS ? "" : std::string(": ") + aclGetRecentErrMsg()));

  // A pointer that is not device memory at all.
  float host[64] = {};
  ExpectRule("SetGlobalBuffer on host memory",
             ACLRT_LAUNCH_KERNEL(wrong_alignment_kernel)(1, nullptr, reinterpret_cast<uint8_t*>(host)),
             "global-memory bounds");

  // The UB size is configurable: the 200 KB kernel fits a 256 KB unified buffer.
  AscendC::emu::SetUbBytes(256 * 1024);
  Expect(ACLRT_LAUNCH_KERNEL(wrong_capacity_kernel)(1, nullptr, gm) == ACL_SUCCESS, "200 KB fits a 256 KB UB");
  AscendC::emu::SetUbBytes(192 * 1024);

  // A correct kernel runs once per block index.
  void* x = nullptr;
  void* y = nullptr;
  aclrtMalloc(&x, 3 * 64 * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST);
  aclrtMalloc(&y, 3 * 64 * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST);
  float hx[192], hy[192];
  for (int i = 0; i < 192; i++) hx[i] = static_cast<float>(i);
  aclrtMemcpy(x, sizeof hx, hx, sizeof hx, ACL_MEMCPY_HOST_TO_DEVICE);
  const int st = ACLRT_LAUNCH_KERNEL(good_kernel)(3, nullptr, static_cast<uint8_t*>(x), static_cast<uint8_t*>(y));
  Expect(st == ACL_SUCCESS, std::string("good kernel runs: ") + aclGetRecentErrMsg());
  aclrtMemcpy(hy, sizeof hy, y, sizeof hy, ACL_MEMCPY_DEVICE_TO_HOST);
  bool same = true;
  for (int i = 0; i < 192; i++) same &= hy[i] == 2.0f * hx[i];
  Expect(same, "good kernel doubles all 3 blocks");

  // ACL's own checks.
  void* huge = nullptr;
  Expect(aclrtMalloc(&huge, size_t{1} << 50, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_ERROR_RT_MEMORY_ALLOCATION,
         "aclrtMalloc beyond the emulated HBM fails with 207001");
  Expect(aclrtMemcpy(hy, sizeof hy, static_cast<float*>(y) + 100, sizeof hy, ACL_MEMCPY_DEVICE_TO_HOST) ==
             ACL_ERROR_RT_PARAM_INVALID,
         "aclrtMemcpy past a device allocation fails");
  Expect(aclrtFree(host) == ACL_ERROR_RT_PARAM_INVALID, "aclrtFree of host memory fails");
  aclrtFree(x);
  aclrtFree(y);
  aclrtFree(buf);

  std::printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
