// Mixed AIC+AIV kernels in the emulator: the kernel of mixed_kernels.h (cube product handed to
// the vector cores through a global-memory workspace, both directions flagged) against a plain
// product over several groups and tiles; the block indices, sub-blocks and counters of the
// group's cores; the cost model of a mixed launch by hand; and each wrong variant failing with
// its rule named while the corrected twin passes. CTest runs it.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "cost_model.h"
#include "expect.h"
#include "mixed_kernels.h"

namespace {

using namespace npukit_emu_mixed;

struct Buffers {
  void* x = nullptr;
  void* w = nullptr;
  void* ws = nullptr;
  void* out = nullptr;
  std::vector<float> xf, wf;
};

void* Device(size_t bytes) {
  void* p = nullptr;
  aclrtMalloc(&p, bytes, ACL_MEM_MALLOC_HUGE_FIRST);
  return p;
}

Buffers Make(int64_t groups, int64_t tiles, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  Buffers b;
  const size_t xn = size_t(groups * tiles * kRows * kDepth), wn = size_t(kCols * kDepth);
  std::vector<uint16_t> xh(xn), wh(wn);
  b.xf.resize(xn);
  b.wf.resize(wn);
  for (size_t i = 0; i < xn; i++) {
    xh[i] = npukit::float_to_f16(normal(rng));
    b.xf[i] = npukit::f16_to_float(xh[i]);
  }
  for (size_t i = 0; i < wn; i++) {
    wh[i] = npukit::float_to_f16(normal(rng));
    b.wf[i] = npukit::f16_to_float(wh[i]);
  }
  b.x = Device(xn * 2);
  b.w = Device(wn * 2);
  b.ws = Device(size_t(groups * kRows * kCols) * 4);
  b.out = Device(size_t(groups * tiles * kRows * kCols) * 4);
  aclrtMemcpy(b.x, xn * 2, xh.data(), xn * 2, ACL_MEMCPY_HOST_TO_DEVICE);
  aclrtMemcpy(b.w, wn * 2, wh.data(), wn * 2, ACL_MEMCPY_HOST_TO_DEVICE);
  return b;
}

void Free(Buffers& b) {
  aclrtFree(b.x);
  aclrtFree(b.w);
  aclrtFree(b.ws);
  aclrtFree(b.out);
}

int Launch(const Buffers& b, uint32_t groups, int64_t tiles, int64_t wrong) {
  return ACLRT_LAUNCH_KERNEL(mixed_kernel)(groups, nullptr, static_cast<uint8_t*>(b.x), static_cast<uint8_t*>(b.w),
                                          static_cast<uint8_t*>(b.ws), static_cast<uint8_t*>(b.out), tiles, wrong);
}

void Correct(uint32_t groups, int64_t tiles, std::mt19937& rng) {
  Buffers b = Make(groups, tiles, rng);
  const int status = Launch(b, groups, tiles, kOk);
  std::string what = "groups=" + std::to_string(groups) + " tiles=" + std::to_string(tiles);
  Expect(status == ACL_SUCCESS, what + " runs" + (status == ACL_SUCCESS ? "" : std::string(": ") + aclGetRecentErrMsg()));
  if (status == ACL_SUCCESS) {
    const size_t rows = size_t(groups * tiles * kRows);
    std::vector<float> out(rows * kCols);
    aclrtMemcpy(out.data(), out.size() * 4, b.out, out.size() * 4, ACL_MEMCPY_DEVICE_TO_HOST);
    double worst = 0;
    for (size_t r = 0; r < rows; r++) {
      for (int64_t c = 0; c < kCols; c++) {
        double ref = 0;
        for (int64_t k = 0; k < kDepth; k++) ref += double(b.xf[r * kDepth + k]) * b.wf[c * kDepth + k];
        worst = std::max(worst, std::fabs(out[r * kCols + c] - 2 * ref));
      }
    }
    Expect(worst < 1e-3, what + ": out = 2 x . w^T (largest error " + std::to_string(worst) + ")");
    const auto& counters = AscendC::emu::LastLaunchCounters();
    bool roles = counters.size() == size_t(groups) * 3;
    for (size_t i = 0; roles && i < counters.size(); i++) {
      roles = counters[i].group == int64_t(i / 3) && counters[i].role == int(i % 3) &&
              counters[i].cube_core == (i % 3 == 0);
    }
    Expect(roles, what + ": counters of every group's cube core and two vector cores, in order");
  }
  Free(b);
}

// The counters of one group and the mixed cost model over them, by hand.
void CostByHand(std::mt19937& rng) {
  Buffers b = Make(1, 2, rng);
  const int status = Launch(b, 1, 2, kOk);
  Expect(status == ACL_SUCCESS, "one group of two tiles runs");
  const auto& c = AscendC::emu::LastLaunchCounters();
  if (status == ACL_SUCCESS && c.size() == 3) {
    // Cube: per tile x (16 x 32 half, 1 KiB) and w (1 KiB) in, S (1 KiB) out by FIX; two steps of
    // 16 x 16 x 16; on FIX the CO1 queue's event per tile and the cross-core wait of tile 2.
    Expect(c[0].mte2_bytes == 4096 && c[0].fix_bytes == 2048 && c[0].cube_steps == 4 && c[0].waits[6] == 3,
           "cube core: 4096 MTE2 bytes, 2048 FIX bytes, 4 fractal steps, three waits on FIX (" +
               std::to_string(c[0].mte2_bytes) + ", " + std::to_string(c[0].fix_bytes) + ", " +
               std::to_string(c[0].cube_steps) + ", " + std::to_string(c[0].waits[6]) + ")");
    // Each vector core: 8 rows of S in (512 bytes) and out per tile; one Muls of 128 floats
    // (2 repeats) per tile; its two cross-core waits on the scalar pipe.
    for (int v = 1; v <= 2; v++) {
      Expect(c[v].mte2_bytes == 1024 && c[v].mte3_bytes == 1024 && c[v].vector_repeats == 4 && c[v].waits[0] == 2,
             "vector core " + std::to_string(v - 1) + ": 1024 bytes each way, 4 repeats, two flag waits on S");
    }
    namespace cost = npukit::ascend::cost;
    auto work = [](const AscendC::emu::BlockCounters& k) {
      uint64_t waits = 0;
      for (uint64_t w : k.waits) waits += w;
      return cost::BlockWork{k.mte2_bytes, k.mte3_bytes, k.vector_repeats, k.scalar_gm, k.scalar_ub, k.barriers,
                             waits, k.mte1_l0a_bytes, k.mte1_l0b_bytes, k.cube_steps, k.fix_bytes};
    };
    const double group = cost::GroupCycles(work(c[0]), work(c[1]), work(c[2]));
    const double cube = cost::BlockCycles(work(c[0]));
    const double vec = std::max(cost::BlockCycles(work(c[1])), cost::BlockCycles(work(c[2])));
    Expect(group == std::max(cube, vec), "a group takes the slower of its cube side and its vector side");
    // 25 groups: two waves over 24 cube cores.
    const double us = cost::ModelledUs(group, 25, 0, true);
    Expect(std::fabs(us - 2 * group / 1850.0) < 1e-9, "25 groups take two waves of the slowest group");
  }
  Free(b);
}

void Wrong(const char* name, int64_t wrong, const char* rule, const char* detail) {
  std::mt19937 rng(7);
  Buffers b = Make(2, 3, rng);
  const int status = Launch(b, 2, 3, wrong);
  const std::string msg = aclGetRecentErrMsg();
  Expect(status == ACL_ERROR_RT_AICORE_EXCEPTION && msg.find(std::string("(rule: ") + rule + ")") != std::string::npos &&
             msg.find(detail) != std::string::npos,
         std::string(name) + " fails naming rule '" + rule + "': " + msg);
  Free(b);
}

}  // namespace

int main() {
  std::mt19937 rng(20261205);
  Correct(1, 1, rng);
  Correct(3, 4, rng);
  Correct(25, 2, rng);
  CostByHand(rng);
  Wrong("read with no flag", kNoWait, "cross-core access", "with no cross-core flag ordering them");
  Wrong("flag set on a pipe that has not seen the write", kSetOnMte2, "cross-core access",
        "the cube core of group 0 writes (Fixpipe)");
  Wrong("overwrite with no flag back", kNoFree, "cross-core access", "with no cross-core flag ordering them");
  Wrong("flag id 11", kFlagId11, "cross-core flag", "outside [0, 10]");
  Wrong("set never waited for", kUnwaited, "cross-core flag", "never waited for");
  Wrong("wait with no set", kHang, "cross-core flag", "with no CrossCoreSetFlag to match");
  Wrong("mode 2 set by one vector core", kHalfSet, "cross-core flag", "with no CrossCoreSetFlag to match");
  Wrong("16 sets before a wait", kTooManySets, "cross-core flag", "at most 15");
  Wrong("mode 0", kMode0, "cross-core flag", "not emulated");
  Wrong("a VECIN buffer on the cube core", kCubeUsesUb, "core type", "InitBuffer in VECIN on a cube core");
  Wrong("mixed type declared late", kDeclaredLate, "core type", "declared after the kernel began");
  if (failures > 0) {
    std::fprintf(stderr, "%d mixed-kernel checks failed\n", failures);
    return 1;
  }
  std::printf("all mixed-kernel checks passed\n");
  return 0;
}
