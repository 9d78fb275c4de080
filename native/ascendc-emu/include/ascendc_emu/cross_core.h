// Mixed AIC+AIV kernels of the AscendC emulator (Atlas A2, dav_c220): a launch of blockDim
// groups, each one cube core and two vector cores, synchronised by cross-core flags
// (CrossCoreSetFlag / CrossCoreWaitFlag, the "CrossCoreSetFlag(ISASI)" page of the AscendC API
// reference):
//   - a flag id is in [0, 10] on Atlas A2, each id a counter on the receiving core; a counter is
//     set at most 15 times before it is waited for;
//   - mode 2 (cube <-> vector in a group): the cube core's set raises the counter of both vector
//     cores; the vector cores' sets raise the cube core's counter once both have set;
//   - mode 1 (vector <-> vector in a group): once both vector cores have set, both counters rise;
//   - mode 0 (every core of one type in the launch) needs every group running at once: the
//     emulator runs groups one after another and fails it as not emulated;
//   - CrossCoreWaitFlag blocks its pipe until the counter is non-zero, then lowers it.
// The three cores of a group run on three threads, so a wait really waits for its set. A wait
// that nothing can satisfy (every other core of the group waits too or has ended) fails with
// rule "cross-core flag" instead of hanging, and so does a set never waited for when the group
// ends. Global memory one core writes and another reads is checked at the end of the launch:
// the two accesses must be ordered by a chain of cross-core flags (and the in-core
// synchronisation that ties the accessing pipes to the flags' pipes), else rule
// "cross-core access".
#ifndef NPUKIT_ASCENDC_EMU_CROSS_CORE_H
#define NPUKIT_ASCENDC_EMU_CROSS_CORE_H

#include <condition_variable>
#include <deque>
#include <mutex>

#include "ascendc_emu/pipes.h"

namespace AscendC {
namespace emu {

inline constexpr int kCrossFlagIds = 11;     // flag ids 0..10 on Atlas A2
inline constexpr int kCrossFlagMaxSets = 15;  // "同一flagId的计数器最多设置15次"

struct MixedGroup {
  std::mutex mutex;
  std::condition_variable changed;
  int live = kGroupCores;   // cores whose kernel has not returned
  int blocked = 0;          // cores inside CrossCoreWaitFlag
  int waiting_id[kGroupCores] = {-1, -1, -1};
  bool hung = false;        // every live core waits for a flag no live core can set
  // Counters of each core by flag id, with the signals of the sets not yet waited for.
  std::deque<PeerView> counter[kGroupCores][kCrossFlagIds];
  // Sets of one vector core that wait for the other's (mode 2 towards the cube, mode 1).
  std::deque<PeerView> half[2][kGroupCores][kCrossFlagIds];  // [mode 1 or 2 => 0/1][vector role][id]
};

void CrossCoreSet(int mode, Pipe p, int flag_id);
void CrossCoreWait(Pipe p, int flag_id);
// A core of the group has returned or failed; wakes the waiters so that a hang is seen.
void CrossCoreEnded(MixedGroup& g);
// Fails (rule "cross-core flag") if a set of the group was never waited for.
void CrossCoreBalanced(MixedGroup& g, int64_t group);

}  // namespace emu
}  // namespace AscendC

#endif
