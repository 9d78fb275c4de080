// Cross-core flags of mixed AIC+AIV kernels: see ascendc_emu/cross_core.h.
#include "ascendc_emu/cross_core.h"

#include "ascendc_emu/core.h"

namespace AscendC {
namespace emu {
namespace {

const char* RoleName(int role) {
  static const char* const names[kGroupCores] = {"the cube core", "vector sub-block 0", "vector sub-block 1"};
  return names[role];
}

MixedGroup& GroupOf(const char* call) {
  Core& c = CurrentCore();
  if (c.mixed == nullptr) {
    Violation(kRuleCrossCoreFlag, "%s in a kernel of one core type: cross-core flags between cube and vector cores "
              "need a mixed kernel (KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2))", call);
  }
  return *c.mixed;
}

void CheckId(const char* call, int flag_id) {
  if (flag_id < 0 || flag_id >= kCrossFlagIds) {
    Violation(kRuleCrossCoreFlag, "%s with flag id %d outside [0, %d] (Atlas A2)", call, flag_id, kCrossFlagIds - 1);
  }
}

// Raises the counter of `role` by one set carrying signal v.
void Raise(MixedGroup& g, int role, int flag_id, const PeerView& v, const char* by) {
  auto& q = g.counter[role][flag_id];
  if (q.size() >= size_t(kCrossFlagMaxSets)) {
    Violation(kRuleCrossCoreFlag, "CrossCoreSetFlag(%d) by %s: the counter of %s is already set %d times without a "
              "wait (at most %d)", flag_id, by, RoleName(role), kCrossFlagMaxSets, kCrossFlagMaxSets);
  }
  q.push_back(v);
}

// A vector core's half of a two-sided set (mode 1, or mode 2 towards the cube): once both vector
// cores have set, the combined signal raises the counters of `targets`.
void HalfSet(MixedGroup& g, int mode_slot, int role, int flag_id, const PeerView& v, const int* targets, int n) {
  const int other = role == 1 ? 2 : 1;
  auto& mine = g.half[mode_slot][role][flag_id];
  auto& theirs = g.half[mode_slot][other][flag_id];
  if (theirs.empty()) {
    if (mine.size() >= size_t(kCrossFlagMaxSets)) {
      Violation(kRuleCrossCoreFlag, "CrossCoreSetFlag(%d) by %s: set %d times without the other vector core's set "
                "(at most %d)", flag_id, RoleName(role), kCrossFlagMaxSets, kCrossFlagMaxSets);
    }
    mine.push_back(v);
    return;
  }
  PeerView both = theirs.front();
  theirs.pop_front();
  MergePeers(both, v);
  for (int i = 0; i < n; i++) Raise(g, targets[i], flag_id, both, RoleName(role));
}

// True when some live waiter's counter is non-zero (it only has not woken yet).
bool SomeoneCanGo(const MixedGroup& g) {
  for (int r = 0; r < kGroupCores; r++) {
    if (g.waiting_id[r] >= 0 && !g.counter[r][g.waiting_id[r]].empty()) return true;
  }
  return false;
}

}  // namespace

void CrossCoreSet(int mode, Pipe p, int flag_id) {
  MixedGroup& g = GroupOf("CrossCoreSetFlag");
  CheckId("CrossCoreSetFlag", flag_id);
  const Core& c = CurrentCore();
  const int role = c.role;
  if (mode == 0) {
    Violation(kRuleCrossCoreFlag, "CrossCoreSetFlag<0>(%d): mode 0 synchronises every core of one type in the launch, "
              "which needs all groups running at once: not emulated (groups run one after another)", flag_id);
  }
  if (mode != 1 && mode != 2) Violation(kRuleCrossCoreFlag, "CrossCoreSetFlag mode %d: modes are 0, 1 and 2", mode);
  if (mode == 1 && role == 0) {
    Violation(kRuleCrossCoreFlag, "CrossCoreSetFlag<1>(%d) on the cube core: mode 1 synchronises the two vector cores "
              "of a group", flag_id);
  }
  const PeerView v = CrossSignal(p, role);
  std::lock_guard<std::mutex> lock(g.mutex);
  if (mode == 2 && role == 0) {
    Raise(g, 1, flag_id, v, RoleName(role));
    Raise(g, 2, flag_id, v, RoleName(role));
  } else if (mode == 2) {
    const int cube[] = {0};
    HalfSet(g, 1, role, flag_id, v, cube, 1);
  } else {
    const int vectors[] = {1, 2};
    HalfSet(g, 0, role, flag_id, v, vectors, 2);
  }
  g.changed.notify_all();
}

void CrossCoreWait(Pipe p, int flag_id) {
  MixedGroup& g = GroupOf("CrossCoreWaitFlag");
  CheckId("CrossCoreWaitFlag", flag_id);
  const int role = CurrentCore().role;
  const int64_t group = CurrentCore().group;
  std::unique_lock<std::mutex> lock(g.mutex);
  auto& q = g.counter[role][flag_id];
  g.blocked++;
  g.waiting_id[role] = flag_id;
  while (q.empty()) {
    if (!g.hung && g.blocked == g.live && !SomeoneCanGo(g)) {
      g.hung = true;
      g.changed.notify_all();
    }
    if (g.hung) {
      g.blocked--;
      g.waiting_id[role] = -1;
      lock.unlock();
      Violation(kRuleCrossCoreFlag, "CrossCoreWaitFlag(%d) on %s of group %lld with no CrossCoreSetFlag to match: "
                "every other core of the group waits too or has ended (a hang on the device)", flag_id,
                RoleName(role), static_cast<long long>(group));
    }
    g.changed.wait(lock);
  }
  const PeerView v = q.front();
  q.pop_front();
  g.blocked--;
  g.waiting_id[role] = -1;
  lock.unlock();
  CrossWait(p, v, role);
}

void CrossCoreEnded(MixedGroup& g) {
  std::lock_guard<std::mutex> lock(g.mutex);
  g.live--;
  if (g.blocked > 0 && g.blocked == g.live && !SomeoneCanGo(g)) g.hung = true;
  g.changed.notify_all();
}

void CrossCoreBalanced(MixedGroup& g, int64_t group) {
  for (int r = 0; r < kGroupCores; r++) {
    for (int id = 0; id < kCrossFlagIds; id++) {
      if (!g.counter[r][id].empty()) {
        Violation(kRuleCrossCoreFlag, "CrossCoreSetFlag(%d) towards %s of group %lld never waited for when the kernel "
                  "ends: every set is waited for", id, RoleName(r), static_cast<long long>(group));
      }
      for (int m = 0; m < 2; m++) {
        if (r > 0 && !g.half[m][r][id].empty()) {
          Violation(kRuleCrossCoreFlag, "CrossCoreSetFlag<%d>(%d) by %s of group %lld without the other vector core's "
                    "set: it needs both", m + 1, id, RoleName(r), static_cast<long long>(group));
        }
      }
    }
  }
}

}  // namespace emu
}  // namespace AscendC
