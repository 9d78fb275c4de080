// Pipe tracking of the AscendC emulator (strict mode: no automatic synchronisation assumed).
//
// An AI vector core issues instructions to independent pipes that run concurrently: the scalar
// unit (S: LocalTensor GetValue/SetValue), the vector unit (V: vector instructions and UB-to-UB
// DataCopy), MTE2 (GM -> UB copies) and MTE3 (UB -> GM copies). A cube core has the scalar unit,
// MTE2 (GM -> L1, InitConstValue on L1), MTE1 (L1 -> L0A/L0B: LoadData, InitConstValue on L0),
// M (the cube: Mmad) and FIX (Fixpipe L0C -> GM). An instruction of one pipe sees what another
// pipe wrote only after a synchronisation in between:
//   - SetFlag<HardEvent::X_Y>(id) on pipe X and WaitFlag<HardEvent::X_Y>(id) on pipe Y: Y waits
//     until X finished every instruction issued before the SetFlag;
//   - the events of the queues: EnQue/DeQue of a VECIN queue are MTE2 -> V, of a VECOUT queue
//     V -> MTE3; FreeTensor/AllocTensor of a buffer are V -> MTE2 (VECIN) and MTE3 -> V (VECOUT);
//     A1/B1 queues carry MTE2 -> MTE1, A2/B2 MTE1 -> M, CO1 M -> FIX (and back on FreeTensor);
//   - PipeBarrier<PIPE_ALL>: every pipe waits for every other;
//   - PipeBarrier<PIPE_V>: a vector instruction that reads what an earlier vector instruction
//     wrote needs it ("blocks the same pipe; needed between instructions of one pipe with a data
//     dependency": the PipeBarrier page of the AscendC API reference, example Add then Mul).
// Scalar instructions are ordered among themselves by the hardware (PipeBarrier<PIPE_S> is a
// hardware error, same page); MTE2 and MTE3 copies of one pipe run in order, and so do MTE1
// loads, Mmads (one accumulating into another's L0C result needs no barrier) and Fixpipes.
//
// The tracker keeps, per 32-byte block of the unified buffer, the last writing pipe and instruction,
// and the last read of each pipe, and for each pair of pipes (consumer, producer) the last
// producer instruction the consumer is known to be ordered after. An access that meets a write
// (or, for a write, a read) of another pipe that is not ordered before it fails with rule
// "pipe synchronisation", naming both instructions and the missing synchronisation.
#ifndef NPUKIT_ASCENDC_EMU_PIPES_H
#define NPUKIT_ASCENDC_EMU_PIPES_H

#include <cstddef>
#include <cstdint>

namespace AscendC {
namespace emu {

enum Pipe : int {
  kPipeS = 0, kPipeV = 1, kPipeMte2 = 2, kPipeMte3 = 3, kPipeMte1 = 4, kPipeM = 5, kPipeFix = 6, kPipeCount = 7
};

// The cores of a mixed AIC+AIV group (Atlas A2, KERNEL_TYPE_MIX_AIC_1_2): the cube core
// (role 0) and its two vector cores (roles 1 and 2, sub-blocks 0 and 1).
inline constexpr int kGroupCores = 3;

// What one pipe knows of the other cores of its group through cross-core flags: for every core
// and pipe, the last instruction known to have completed (instruction counters are per core).
struct PeerView {
  uint64_t done[kGroupCores][kPipeCount] = {};
};

// What a consumer learns from a synchronisation with a producer: for every pipe, the last
// instruction known to have completed, and what the producer knew of the group's other cores
// (synchronisation is transitive across cores too).
struct SyncPoint {
  uint64_t done[kPipeCount] = {};
  PeerView peer;
};

// Starts tracking for a fresh core with local memories of arena_bytes (everything before is done).
void PipesReset(size_t arena_bytes);

// Checks and records an access by pipe p (instruction `what`) of arena bytes [offset, offset +
// bytes) (core.h: the unified buffer, then L1, L0A, L0B, L0C).
void PipeRead(Pipe p, const char* what, size_t offset, size_t bytes);
void PipeWrite(Pipe p, const char* what, size_t offset, size_t bytes);

// The completion of every instruction pipe p issued so far (what a SetFlag on p signals).
SyncPoint PipeSignal(Pipe p);
// Pipe p waits for a signal: later instructions of p are ordered after it.
void PipeWait(Pipe p, const SyncPoint& s);
// PipeBarrier<pipe> for one pipe; PipeBarrier<PIPE_ALL>.
void PipeBarrierOne(Pipe p);
void PipeBarrierAll();

// SetFlag/WaitFlag of hardware event (src -> dst) with an event id in [0, 8).
void FlagSet(Pipe src, Pipe dst, int id);
void FlagWait(Pipe src, Pipe dst, int id);
// Fails if a SetFlag of the block was never waited for (called when a block's kernel returns).
void FlagsBalanced();

// Cross-core ordering (mixed kernels). PipeIssue: the counter of a new instruction of pipe p
// (a global-memory access, logged with it). PipePeers: what pipe p knows of the group's other
// cores. CrossSignal: what a CrossCoreSetFlag on pipe p of the core with group role `self`
// publishes (its own completed instructions as row `self`, and its knowledge of the others).
// CrossWait: a CrossCoreWaitFlag on pipe p receives a signal; a wait on the scalar pipe stops
// the issue of every later instruction, so every pipe of the core learns it.
uint64_t PipeIssue(Pipe p);
const PeerView& PipePeers(Pipe p);
PeerView CrossSignal(Pipe p, int self);
void CrossWait(Pipe p, const PeerView& v, int self);
// Merges b into a (element-wise maximum).
void MergePeers(PeerView& a, const PeerView& b);

}  // namespace emu
}  // namespace AscendC

#endif
