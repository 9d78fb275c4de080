// Pipe tracking of the AscendC emulator: see ascendc_emu/pipes.h.
#include "ascendc_emu/pipes.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <vector>

#include "ascendc_emu/core.h"

namespace AscendC {
namespace emu {
namespace {

// Bytes per tracked unit: one 32-byte block, the UB unit every vector operand is aligned to. A
// scalar access marks its whole block, so scalar and vector accesses to different elements of
// one block count as meeting (stricter than the device, never laxer).
constexpr size_t kGranule = 32;
constexpr int kEventIds = 8;    // EVENT_ID0 .. EVENT_ID7

const char* PipeName(int p) {
  static const char* const names[kPipeCount] = {"scalar", "vector", "MTE2", "MTE3", "MTE1", "cube", "FIX"};
  return names[p];
}
const char* EventName(int p) {
  static const char* const names[kPipeCount] = {"S", "V", "MTE2", "MTE3", "MTE1", "M", "FIX"};
  return names[p];
}

struct Tracker {
  // Instruction counter of this thread; never reset, so entries left by an earlier block are
  // older than the fresh core's starting point and never match.
  uint64_t tick = 1;
  // ordered[c][p]: the last instruction of pipe p that pipe c is ordered after.
  uint64_t ordered[kPipeCount][kPipeCount] = {};
  std::vector<uint64_t> write_tick;
  std::vector<uint8_t> write_pipe;
  std::vector<const char*> write_what;
  std::vector<uint64_t> read_tick[kPipeCount];
  std::deque<SyncPoint> flags[kPipeCount][kPipeCount][kEventIds];
  PeerView peer[kPipeCount];  // peer[c]: what pipe c knows of the group's other cores
};
thread_local Tracker t;

// The synchronisation that would have ordered consumer c after producer p.
void Missing(char* out, size_t n, int c, int p) {
  if (c == p) {
    std::snprintf(out, n, "PipeBarrier<PIPE_%s>", EventName(p));
  } else {
    std::snprintf(out, n, "SetFlag/WaitFlag<HardEvent::%s_%s>, a queue event or PipeBarrier<PIPE_ALL>",
                  EventName(p), EventName(c));
  }
}

// "UB bytes at offset N" (or L1, L0A, L0B, L0C) for an arena offset of the running core.
void Where(char* out, size_t n, size_t arena_offset) {
  static const char* const names[kMemCount] = {"UB", "L1", "L0A", "L0B", "L0C"};
  const Core& c = CurrentCore();
  int m = 0;
  for (int i = 1; i < kMemCount; i++) {
    if (c.mem_size[i] > 0 && arena_offset >= c.mem_base[i]) m = i;
  }
  std::snprintf(out, n, "%s bytes at offset %zu", names[m], arena_offset - c.mem_base[m]);
}

}  // namespace

void PipesReset(size_t arena_bytes) {
  const size_t granules = (arena_bytes + kGranule - 1) / kGranule;
  if (t.write_tick.size() < granules) {
    t.write_tick.resize(granules, 0);
    t.write_pipe.resize(granules, 0);
    t.write_what.resize(granules, nullptr);
    for (auto& r : t.read_tick) r.resize(granules, 0);
  }
  for (auto& row : t.ordered) {
    for (uint64_t& o : row) o = t.tick;
  }
  for (auto& a : t.flags) {
    for (auto& b : a) {
      for (auto& q : b) q.clear();
    }
  }
  for (PeerView& v : t.peer) v = PeerView();
  t.tick++;
}

void PipeRead(Pipe p, const char* what, size_t offset, size_t bytes) {
  if (bytes == 0) return;
  Tracker& tr = t;  // one thread-local lookup, not one per granule
  const uint64_t now = tr.tick++;
  const size_t end = std::min((offset + bytes + kGranule - 1) / kGranule, tr.write_tick.size());
  const uint64_t* write_tick = tr.write_tick.data();
  const uint8_t* write_pipe = tr.write_pipe.data();
  uint64_t* read_tick = tr.read_tick[p].data();
  const uint64_t* ordered = tr.ordered[p];
  // Same pipe: only the vector unit needs a barrier between a write and a dependent read.
  const int same = p == kPipeV ? -1 : p;
  for (size_t g = offset / kGranule; g < end; g++) {
    const int w = write_pipe[g];
    if (w != same && write_tick[g] > ordered[w]) {
      char sync[160], where[64];
      Missing(sync, sizeof sync, p, w);
      Where(where, sizeof where, g * kGranule);
      Violation(kRulePipeSync, "%s (%s) reads %s that %s (%s) wrote, with no %s in between", what, PipeName(p), where,
                tr.write_what[g], PipeName(w), sync);
    }
    read_tick[g] = now;
  }
}

void PipeWrite(Pipe p, const char* what, size_t offset, size_t bytes) {
  if (bytes == 0) return;
  Tracker& tr = t;
  const uint64_t now = tr.tick++;
  const size_t end = std::min((offset + bytes + kGranule - 1) / kGranule, tr.write_tick.size());
  uint64_t* write_tick = tr.write_tick.data();
  uint8_t* write_pipe = tr.write_pipe.data();
  const char** write_what = tr.write_what.data();
  const uint64_t* read_tick[kPipeCount];
  for (int r = 0; r < kPipeCount; r++) read_tick[r] = tr.read_tick[r].data();
  const uint64_t* ordered = tr.ordered[p];
  for (size_t g = offset / kGranule; g < end; g++) {
    const int w = write_pipe[g];
    if (w != p && write_tick[g] > ordered[w]) {
      char sync[160], where[64];
      Missing(sync, sizeof sync, p, w);
      Where(where, sizeof where, g * kGranule);
      Violation(kRulePipeSync, "%s (%s) overwrites %s that %s (%s) wrote, with no %s in between", what, PipeName(p),
                where, write_what[g], PipeName(w), sync);
    }
    for (int r = 0; r < kPipeCount; r++) {
      if (r != p && read_tick[r][g] > ordered[r]) {
        char sync[160], where[64];
        Missing(sync, sizeof sync, p, r);
        Where(where, sizeof where, g * kGranule);
        Violation(kRulePipeSync, "%s (%s) overwrites %s that the %s pipe reads, with no %s in between", what,
                  PipeName(p), where, PipeName(r), sync);
      }
    }
    write_tick[g] = now;
    write_pipe[g] = static_cast<uint8_t>(p);
    write_what[g] = what;
  }
}

SyncPoint PipeSignal(Pipe p) {
  SyncPoint s;
  for (int q = 0; q < kPipeCount; q++) s.done[q] = t.ordered[p][q];
  s.done[p] = t.tick++;
  s.peer = t.peer[p];
  return s;
}

void MergePeers(PeerView& a, const PeerView& b) {
  for (int k = 0; k < kGroupCores; k++) {
    for (int q = 0; q < kPipeCount; q++) a.done[k][q] = std::max(a.done[k][q], b.done[k][q]);
  }
}

void PipeWait(Pipe p, const SyncPoint& s) {
  Counters().waits[p]++;
  for (int q = 0; q < kPipeCount; q++) t.ordered[p][q] = std::max(t.ordered[p][q], s.done[q]);
  MergePeers(t.peer[p], s.peer);
}

uint64_t PipeIssue(Pipe p) {
  (void)p;
  return t.tick++;
}

const PeerView& PipePeers(Pipe p) { return t.peer[p]; }

PeerView CrossSignal(Pipe p, int self) {
  PeerView v = t.peer[p];
  for (int q = 0; q < kPipeCount; q++) v.done[self][q] = q == p ? t.tick++ : t.ordered[p][q];
  return v;
}

void CrossWait(Pipe p, const PeerView& v, int self) {
  Counters().waits[p]++;
  PeerView other = v;
  for (uint64_t& d : other.done[self]) d = 0;  // the core's own row is its own business
  if (p == kPipeS) {
    for (PeerView& mine : t.peer) MergePeers(mine, other);
  } else {
    MergePeers(t.peer[p], other);
  }
}

void PipeBarrierOne(Pipe p) {
  if (p == kPipeS) Violation(kRulePipeSync, "PipeBarrier<PIPE_S>: the hardware orders scalar instructions itself, "
                             "and the barrier raises a hardware error");
  t.ordered[p][p] = t.tick++;
  Counters().barriers++;
}

void PipeBarrierAll() {
  Counters().barriers++;
  const uint64_t now = t.tick++;
  for (auto& row : t.ordered) {
    for (uint64_t& o : row) o = now;
  }
  PeerView all;
  for (const PeerView& v : t.peer) MergePeers(all, v);
  for (PeerView& v : t.peer) v = all;
}

void FlagSet(Pipe src, Pipe dst, int id) {
  if (id < 0 || id >= kEventIds) Violation(kRulePipeSync, "SetFlag with event id %d outside [0, %d)", id, kEventIds);
  t.flags[src][dst][id].push_back(PipeSignal(src));
}

void FlagsBalanced() {
  for (int a = 0; a < kPipeCount; a++) {
    for (int b = 0; b < kPipeCount; b++) {
      for (int id = 0; id < kEventIds; id++) {
        if (!t.flags[a][b][id].empty()) {
          Violation(kRulePipeSync, "SetFlag<HardEvent::%s_%s>(%d) never waited for when the kernel ends: SetFlag and "
                    "WaitFlag come in pairs", EventName(a), EventName(b), id);
        }
      }
    }
  }
}

void FlagWait(Pipe src, Pipe dst, int id) {
  if (id < 0 || id >= kEventIds) Violation(kRulePipeSync, "WaitFlag with event id %d outside [0, %d)", id, kEventIds);
  auto& q = t.flags[src][dst][id];
  if (q.empty()) {
    Violation(kRulePipeSync, "WaitFlag<HardEvent::%s_%s>(%d) with no SetFlag before it: the %s pipe would wait forever",
              EventName(src), EventName(dst), id, PipeName(dst));
  }
  PipeWait(dst, q.front());
  q.pop_front();
}

}  // namespace emu
}  // namespace AscendC
