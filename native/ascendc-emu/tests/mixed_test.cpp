// Mixed AIC+AIV kernels in the emulator: the kernel of mixed_kernels.h (cube product handed to
// the vector cores through a global-memory workspace, both directions flagged) against a plain
// product over several groups and tiles; the block indices, sub-blocks and counters of the
// group's cores; the cost model of a mixed launch by hand, its workspace bytes counted apart and
// served by the L2 when the declared workspaces fit in it; and each wrong variant failing with its
// rule named while the corrected twin passes. CTest runs it.
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
#include "npukit/ascend.h"
#include "runtime.h"

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

// Workspace bytes: counted apart when the launch declares its workspace, and priced at the L2's
// rates (l2_read_rate 110, l2_write_rate 86 bytes a cycle) with the workspace's dirty lines
// written back once, when the declared workspaces fit in the 192 MiB L2; at HBM rates when they
// do not. Through the host runtime's cost record (FinishLaunch), which the launchers use.
void WorkspacesInL2(std::mt19937& rng) {
  namespace cost = npukit::ascend::cost;
  namespace emu = AscendC::emu;
  // By hand: MTE2 3200 GM bytes (100 cycles) + 1100 L2 bytes (10), MTE3 640 + 860 (20 + 10), FIX
  // 320 + 1720 (10 + 20): the MTE2 pipe's 110 cycles, plus 16 for one wait. Without the L2: 4300 / 32.
  cost::BlockWork w{4300, 1500, 0, 0, 0, 0, 1, 0, 0, 0, 2040};
  Expect(cost::BlockCycles(w) == 4300.0 / 32 + 16, "without L2 bytes: MTE2 4300 / 32 cycles + 16");
  w.l2_mte2_bytes = 1100;
  w.l2_mte3_bytes = 860;
  w.l2_fix_bytes = 1720;
  Expect(cost::BlockCycles(w) == 126, "3200 / 32 + 1100 / 110 = 110 cycles on MTE2, + 16: 126");
  w.mte2_bytes = w.l2_mte2_bytes = 0;
  Expect(cost::BlockCycles(w) == 46, "MTE3 and FIX: 640 / 32 + 860 / 86 = 320 / 32 + 1720 / 86 = 30, + 16: 46");
  // HBM bytes: 10000 moved, 3000 of them in the L2 (1000 written): the write-back of a 600-byte
  // workspace once (7600), or at most of its 1000 bytes written (8000).
  Expect(cost::HbmBytes(10000, 3000, 1000, 600) == 7600, "HBM bytes: 10000 - 3000 + 600 written back");
  Expect(cost::HbmBytes(10000, 3000, 1000, 5000) == 8000, "HBM bytes: the write-back is at most the bytes written");
  Expect(cost::WorkspacesFitL2(201326592) && !cost::WorkspacesFitL2(201326593) && !cost::WorkspacesFitL2(0),
         "workspaces fit the L2 up to l2_size = 201326592 bytes");

  // One group of two tiles, its 1 KiB workspace and the first tile's half of out (1 KiB, 512
  // bytes from each vector core) declared: the cube's S (2 x 1 KiB by FIX), the vector cores'
  // reads of S (1 KiB each) and their writes into tile 0 (512 each) are workspace bytes.
  Buffers b = Make(1, 2, rng);
  void* big = Device(size_t{201326592});  // never touched: only its size is declared
  const auto run = [&](const std::vector<emu::GmRange>& ranges, const char* what, double* c) {
    emu::SetNextLaunchWorkspaces(ranges);
    const int status = Launch(b, 1, 2, kOk);
    Expect(npukit::ascend::FinishLaunch(status, "mixed_kernel") == NPUKIT_OK, std::string(what) + ": runs");
    Expect(npukit_ascend_last_launch_cost(c) == NPUKIT_OK, std::string(what) + ": cost recorded");
  };
  double fit[NPUKIT_ASCEND_COST_FIELDS] = {}, over[NPUKIT_ASCEND_COST_FIELDS] = {}, none[NPUKIT_ASCEND_COST_FIELDS] = {};
  run({{b.ws, 1024}, {b.out, 1024}}, "declared workspaces", fit);
  const auto& k = emu::LastLaunchCounters();
  if (k.size() == 3) {
    Expect(emu::LastLaunchWorkspaceBytes() == 2048, "the launch's declared workspace bytes: 2048");
    Expect(k[0].ws_fix_bytes == 2048 && k[0].ws_mte2_bytes == 0 && k[0].mte2_bytes == 4096,
           "cube core: its 2048 FIX bytes in the workspace, none of its 4096 MTE2 bytes");
    for (int v = 1; v <= 2; v++) {
      Expect(k[v].ws_mte2_bytes == 1024 && k[v].ws_mte3_bytes == 512 && k[v].mte3_bytes == 1024,
             "vector core " + std::to_string(v - 1) + ": 1024 workspace bytes read, 512 of its 1024 written");
    }
    // The group's cycles with those bytes at the L2's rates; the HBM floor without them but for
    // the 2048 bytes written back.
    auto work = [](const emu::BlockCounters& x) {
      uint64_t waits = 0;
      for (uint64_t v : x.waits) waits += v;
      cost::BlockWork r{x.mte2_bytes, x.mte3_bytes, x.vector_repeats, x.scalar_gm, x.scalar_ub, x.barriers,
                        waits, x.mte1_l0a_bytes, x.mte1_l0b_bytes, x.cube_steps, x.fix_bytes};
      r.l2_mte2_bytes = x.ws_mte2_bytes;
      r.l2_mte3_bytes = x.ws_mte3_bytes;
      r.l2_fix_bytes = x.ws_fix_bytes;
      return r;
    };
    const double group = cost::GroupCycles(work(k[0]), work(k[1]), work(k[2]));
    const uint64_t gm = 4096 + 2048 + 2 * (1024 + 1024);
    const double floor_us = double(gm - 5120 + 2048) / 1.6e6;
    Expect(fit[1] == gm && fit[11] == 2048 + 2 * (1024 + 512), "gmBytes all 10240 bytes, l2Bytes 5120");
    Expect(std::fabs(fit[9] - std::max(group / 1850.0, floor_us)) < 1e-12, "modelled: the group's cycles at L2 rates");
    Expect(std::fabs(fit[10] - floor_us) < 1e-12, "bound without essential bytes: the bytes that reach HBM");
  }
  // The same workspaces with 192 MiB more declared: past the L2, every byte at HBM rates.
  run({{b.ws, 1024}, {b.out, 1024}, {big, 201326592}}, "workspaces past the L2", over);
  run({}, "no workspace declared", none);
  Expect(emu::LastLaunchWorkspaceBytes() == 0 && emu::LastLaunchCounters()[0].ws_fix_bytes == 0,
         "a declaration holds for one launch");
  Expect(over[11] == 0 && over[1] == fit[1] && std::fabs(over[10] - over[1] / 1.6e6) < 1e-12,
         "past the L2: no L2 bytes, the bound every byte moved");
  bool same = true;
  for (int i = 0; i < NPUKIT_ASCEND_COST_FIELDS; i++) same = same && over[i] == none[i];
  Expect(same, "past the L2 the cost is that of a launch with no workspace declared");
  aclrtFree(big);
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
  WorkspacesInL2(rng);
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
