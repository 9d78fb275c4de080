// A cost model of one kernel launch on an Atlas A2 (Ascend 910B1) device, from the counters the
// AscendC emulator keeps per block (ascendc_emu/core.h, BlockCounters). A MODEL, not a
// measurement: the constants below are public figures of the 910B1 (sources in
// native/ascend/README.md, "Cost model") or, where none is public, stated assumptions.
//
// Per block (one vector core): the MTE2 (GM -> UB), MTE3 (UB -> GM) and vector pipes run
// concurrently, so the block takes the longest of the three, plus its scalar accesses and its
// synchronisation waits and barriers, which stall the scalar unit that issues everything:
//   cycles = max(mte2_bytes / 32, mte3_bytes / 32, vector_repeats * 256 / 128)
//            + scalar_gm * 10 + scalar_ub * 1 + (barriers + waits) * 16
// A block on a cube core has the pipes MTE2 (GM -> L1), MTE1 (L1 -> L0A at 512 bytes a cycle,
// L1 -> L0B at 256, one after the other on the one pipe), M (one 16x16x16 fractal step a cycle)
// and FIX (L0C -> GM), also concurrent:
//   cycles = max(mte2_bytes / 32, l0a_bytes / 512 + l0b_bytes / 256, cube_steps, fix_bytes / 32)
//            + the same scalar and synchronisation terms
// Blocks run in parallel on the vector cores, or the cube cores for a cube kernel (more blocks
// than cores: in waves, ceil(blocks / cores) times the slowest block - the launchers never ask
// for more), and the whole launch can go no faster than its bytes that reach HBM (hbm_bytes:
// every global-memory byte but the L2's, below) over the HBM bandwidth:
//   modelled_us = max(waves * max_block_cycles / 1850 MHz, hbm_bytes / 1.6 TB/s)
// A mixed AIC+AIV launch runs blockDim groups of one cube core and two vector cores: the cube core
// and the vector cores work at the same time, handing data over through global memory with
// cross-core flags, so a group takes the slower of its cube side and its vector side, each with
// its own flag waits counted as stalls (a flag wait is one of its synchronisation waits); the
// groups run in waves over the 24 cube cores (each with its two vector cores):
//   group_cycles = max(cycles(cube core), cycles(vector core 0), cycles(vector core 1))
//   modelled_us  = max(ceil(groups / 24) * max_group_cycles / 1850 MHz, hbm_bytes / 1.6 TB/s)
// The L2 (l2_size = 192 MiB, shared by all cores) serves one kind of traffic: a launch's declared
// workspaces (runtime.h SetWorkspaces: intermediates its cores write and read back within the
// launch, reused tile after tile) when together they fit in it. Their bytes then move at the
// L2's rates in the pipe terms above, l2_read_rate = 110 bytes a cycle for MTE2 and
// l2_write_rate = 86 for MTE3 and FIX (l2_*_bytes of a block, part of mte2/mte3/fix_bytes):
//   mte2 term = (mte2_bytes - l2_mte2_bytes) / 32 + l2_mte2_bytes / 110   (MTE3, FIX: / 32, / 86)
// and reach HBM once, as the write-back of their dirty lines (at most the workspaces' size):
//   hbm_bytes   = gm_bytes - l2_bytes + min(workspace_bytes, l2 bytes written)
// Workspaces larger than the L2 move at the GM rates and count in hbm_bytes whole. gm_bytes
// stays every global-memory byte moved. L2 hits of anything else (inputs read twice, a launch's
// outputs read by the next launch), launch overhead, HBM and L2 contention between cores and UB
// bank conflicts are not modelled.
#ifndef NPUKIT_ASCEND_HOST_COST_MODEL_H
#define NPUKIT_ASCEND_HOST_COST_MODEL_H

#include <cstdint>
#include <initializer_list>

namespace npukit {
namespace ascend {
namespace cost {

// Public figures (README "Cost model").
constexpr double kClockHz = 1850e6;           // cube_freq=1850, CANN platform_config/Ascend910B1.ini
constexpr int kVectorCores = 48;              // vector_core_cnt=48, same file
constexpr int kCubeCores = 24;                // cube_core_cnt=24, same file
constexpr double kL0aBytesPerCycle = 512;     // l1_to_l0_a_rate=512, [AICoreMemoryRates]
constexpr double kL0bBytesPerCycle = 256;     // l1_to_l0_b_rate (assumed 256: README "Cost model")
constexpr double kCubeStepsPerCycle = 1;      // cube_m/n/k_size=16: a 16x16x16 MAC array, [AICoreSpec]
constexpr double kFixBytesPerCycle = 32;      // Fixpipe writes GM: assumed at ddr_write_rate
constexpr double kHbmBytesPerSecond = 1.6e12;  // Atlas 800I A2: HBM bandwidth up to 1.6 TB/s
constexpr double kGmReadBytesPerCycle = 32;    // ddr_read_rate=32, [AICoreMemoryRates] of the .ini
constexpr double kGmWriteBytesPerCycle = 32;   // ddr_write_rate=32, same section
constexpr double kVectorBytesPerCycle = 128;   // vec_calc_size=128, [AICoreSpec] of the .ini
constexpr uint64_t kL2Bytes = 201326592;       // l2_size=201326592 (192 MiB), [SoCInfo] of the .ini
constexpr double kL2ReadBytesPerCycle = 110;   // l2_read_rate=110, [AICoreMemoryRates] of the .ini
constexpr double kL2WriteBytesPerCycle = 86;   // l2_write_rate=86, same section (FIX too: assumed)
constexpr double kRepeatBytes = 256;           // one vector repeat (AscendC API reference)
// Assumptions (no public figure): a scalar global access that goes through the data cache, a
// scalar UB access, one barrier or flag wait (a pipe drain).
constexpr double kScalarGmCycles = 10;
constexpr double kScalarUbCycles = 1;
constexpr double kSyncCycles = 16;

struct BlockWork {
  uint64_t mte2_bytes, mte3_bytes, vector_repeats, scalar_gm, scalar_ub, barriers, waits;
  uint64_t l0a_bytes = 0, l0b_bytes = 0, cube_steps = 0, fix_bytes = 0;  // cube cores only
  // Of mte2_bytes, mte3_bytes and fix_bytes: the bytes the L2 serves (WorkspacesFitL2).
  uint64_t l2_mte2_bytes = 0, l2_mte3_bytes = 0, l2_fix_bytes = 0;
};

// Cycles of a pipe that moves `bytes`, `l2_bytes` of them to or from the L2.
inline double MoveCycles(uint64_t bytes, uint64_t l2_bytes, double gm_rate, double l2_rate) {
  return double(bytes - l2_bytes) / gm_rate + double(l2_bytes) / l2_rate;
}

inline double BlockCycles(const BlockWork& b) {
  double pipes = MoveCycles(b.mte2_bytes, b.l2_mte2_bytes, kGmReadBytesPerCycle, kL2ReadBytesPerCycle);
  const double out = MoveCycles(b.mte3_bytes, b.l2_mte3_bytes, kGmWriteBytesPerCycle, kL2WriteBytesPerCycle);
  const double vec = double(b.vector_repeats) * kRepeatBytes / kVectorBytesPerCycle;
  const double mte1 = double(b.l0a_bytes) / kL0aBytesPerCycle + double(b.l0b_bytes) / kL0bBytesPerCycle;
  const double cube = double(b.cube_steps) / kCubeStepsPerCycle;
  const double fix = MoveCycles(b.fix_bytes, b.l2_fix_bytes, kFixBytesPerCycle, kL2WriteBytesPerCycle);
  for (const double p : {out, vec, mte1, cube, fix}) {
    if (p > pipes) pipes = p;
  }
  return pipes + double(b.scalar_gm) * kScalarGmCycles + double(b.scalar_ub) * kScalarUbCycles +
         double(b.barriers + b.waits) * kSyncCycles;
}

// A mixed group's cycles: its cube and vector sides overlap, so the slowest core of the group.
inline double GroupCycles(const BlockWork& cube, const BlockWork& vector0, const BlockWork& vector1) {
  double c = BlockCycles(cube);
  for (const double v : {BlockCycles(vector0), BlockCycles(vector1)}) {
    if (v > c) c = v;
  }
  return c;
}

// gm_bytes over the HBM bandwidth, in microseconds.
inline double HbmBoundUs(uint64_t gm_bytes) { return double(gm_bytes) / kHbmBytesPerSecond * 1e6; }

// Whether a launch's declared workspaces, workspace_bytes together, stay in the L2: they fit in
// it. Assumed: the rest of the launch's traffic does not evict them. Under LRU replacement a
// workspace line, reused every tile, is lost only if more than l2_size - workspace_bytes of other
// lines pass through the L2 between its write and its read back (README "Cost model").
inline bool WorkspacesFitL2(uint64_t workspace_bytes) { return workspace_bytes > 0 && workspace_bytes <= kL2Bytes; }

// The bytes of a launch that reach HBM: every global-memory byte moved but those the L2 served,
// plus the write-back of the workspaces' dirty lines, each line once (the workspaces' size, or
// the bytes written to them if fewer). Charged to the launch, though the write-back may come
// later, when other traffic evicts the lines.
inline uint64_t HbmBytes(uint64_t gm_bytes, uint64_t l2_bytes, uint64_t l2_written, uint64_t workspace_bytes) {
  return gm_bytes - l2_bytes + (l2_written < workspace_bytes ? l2_written : workspace_bytes);
}

// The launch's modelled time in microseconds from its slowest block, its block count, its bytes
// that reach HBM (HbmBytes; every global-memory byte without workspaces in the L2) and whether it ran on the cube cores (a mixed launch: its slowest group,
// its group count and cube = true, groups being dealt over the cube cores).
inline double ModelledUs(double max_block_cycles, int64_t blocks, uint64_t hbm_bytes, bool cube = false) {
  const int64_t cores = cube ? kCubeCores : kVectorCores;
  const int64_t waves = blocks <= 0 ? 0 : (blocks + cores - 1) / cores;
  const double core_us = double(waves) * max_block_cycles / kClockHz * 1e6;
  const double hbm_us = HbmBoundUs(hbm_bytes);
  return core_us > hbm_us ? core_us : hbm_us;
}

}  // namespace cost
}  // namespace ascend
}  // namespace npukit

#endif
