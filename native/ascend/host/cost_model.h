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
// for more), and the whole launch can go no faster than its global-memory bytes over the HBM
// bandwidth:
//   modelled_us = max(waves * max_block_cycles / 1850 MHz, gm_bytes / 1.6 TB/s)
// A mixed AIC+AIV launch runs blockDim groups of one cube core and two vector cores: the cube core
// and the vector cores work at the same time, handing data over through global memory with
// cross-core flags, so a group takes the slower of its cube side and its vector side, each with
// its own flag waits counted as stalls (a flag wait is one of its synchronisation waits); the
// groups run in waves over the 24 cube cores (each with its two vector cores):
//   group_cycles = max(cycles(cube core), cycles(vector core 0), cycles(vector core 1))
//   modelled_us  = max(ceil(groups / 24) * max_group_cycles / 1850 MHz, gm_bytes / 1.6 TB/s)
// Launch overhead, L2 hits, HBM contention between cores and UB bank conflicts are not modelled.
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
constexpr double kRepeatBytes = 256;           // one vector repeat (AscendC API reference)
// Assumptions (no public figure): a scalar global access that goes through the data cache, a
// scalar UB access, one barrier or flag wait (a pipe drain).
constexpr double kScalarGmCycles = 10;
constexpr double kScalarUbCycles = 1;
constexpr double kSyncCycles = 16;

struct BlockWork {
  uint64_t mte2_bytes, mte3_bytes, vector_repeats, scalar_gm, scalar_ub, barriers, waits;
  uint64_t l0a_bytes = 0, l0b_bytes = 0, cube_steps = 0, fix_bytes = 0;  // cube cores only
};

inline double BlockCycles(const BlockWork& b) {
  double pipes = double(b.mte2_bytes) / kGmReadBytesPerCycle;
  const double out = double(b.mte3_bytes) / kGmWriteBytesPerCycle;
  const double vec = double(b.vector_repeats) * kRepeatBytes / kVectorBytesPerCycle;
  const double mte1 = double(b.l0a_bytes) / kL0aBytesPerCycle + double(b.l0b_bytes) / kL0bBytesPerCycle;
  const double cube = double(b.cube_steps) / kCubeStepsPerCycle;
  const double fix = double(b.fix_bytes) / kFixBytesPerCycle;
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

// The launch's modelled time in microseconds from its slowest block, its block count, its total
// global-memory bytes and whether it ran on the cube cores (a mixed launch: its slowest group,
// its group count and cube = true, groups being dealt over the cube cores).
inline double ModelledUs(double max_block_cycles, int64_t blocks, uint64_t gm_bytes, bool cube = false) {
  const int64_t cores = cube ? kCubeCores : kVectorCores;
  const int64_t waves = blocks <= 0 ? 0 : (blocks + cores - 1) / cores;
  const double core_us = double(waves) * max_block_cycles / kClockHz * 1e6;
  const double hbm_us = HbmBoundUs(gm_bytes);
  return core_us > hbm_us ? core_us : hbm_us;
}

}  // namespace cost
}  // namespace ascend
}  // namespace npukit

#endif
