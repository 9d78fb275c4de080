// The emulator's runtime: AI-core state, unified-buffer size, device-memory registry, kernel
// runner, and the ACL calls of acl/acl.h.
#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "acl/acl.h"
#include "ascendc_emu/core.h"
#include "ascendc_emu/cross_core.h"
#include "ascendc_emu/pipes.h"

namespace AscendC {
namespace emu {
namespace {

size_t EnvBytes(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v, &end, 10);
  return (end != v && *end == '\0' && n > 0) ? static_cast<size_t>(n) : fallback;
}

std::mutex g_mutex;                         // guards the fields below
std::map<uintptr_t, size_t> g_allocations;  // start -> size of live device allocations
size_t g_allocated = 0;
size_t g_ub_bytes = 0;  // 0: not configured yet
std::atomic<bool> g_saturating{false};  // Atlas A2 starts in Inf/NaN mode

thread_local Core t_core;
thread_local std::string t_recent_error;

// Global-memory accesses of the launch running on this thread. In a mixed launch also the core
// (group, role), the pipe and instruction counter of the access and what that pipe knew of the
// group's other cores (an index into t_views; 0: nothing), for the cross-core ordering check.
struct Access {
  uintptr_t begin;
  uintptr_t end;
  int64_t block;  // block index; in a mixed launch the group
  bool write;
  bool scalar;
  const char* what;
  int role = -1;
  int pipe = 0;
  uint64_t tick = 0;
  uint64_t epoch = 0;  // cross-core sets of the core before the access
  uint32_t view = 0;
};
thread_local std::vector<Access> t_accesses;
thread_local std::vector<PeerView> t_views(1);
thread_local uint64_t t_cross_sets = 0;
thread_local BlockCounters t_counters;                   // the running block's
thread_local std::vector<BlockCounters> t_last_counters;  // the last launch's, by block
thread_local std::vector<GmRange> t_next_workspaces;      // SetNextLaunchWorkspaces, for the next launch
thread_local uint64_t t_last_workspace_bytes = 0;         // the last launch's declared workspace bytes

size_t HbmBytes() {
  static const size_t bytes = EnvBytes("NPUKIT_EMU_HBM_BYTES", size_t{16} << 30);
  return bytes;
}

}  // namespace

void Violation(const char* rule, const char* fmt, ...) {
  char detail[400];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(detail, sizeof detail, fmt, args);
  va_end(args);
  throw RuleError(rule, detail);
}

size_t UbBytes() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_ub_bytes == 0) g_ub_bytes = EnvBytes("NPUKIT_EMU_UB_BYTES", 192 * 1024);
  return g_ub_bytes;
}

void SetUbBytes(size_t bytes) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_ub_bytes = bytes;
}

size_t VectorCores() {
  static const size_t cores = EnvBytes("NPUKIT_EMU_VECTOR_CORES", 48);
  return cores;
}

void* DeviceAlloc(size_t bytes) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (bytes == 0 || bytes > HbmBytes() - g_allocated) return nullptr;
  // 512-byte alignment like the device allocator's, so 32-byte rules are never met by luck.
  const size_t rounded = (bytes + 511) / 512 * 512;
  void* p = std::aligned_alloc(512, rounded);
  if (p == nullptr) return nullptr;
  g_allocations[reinterpret_cast<uintptr_t>(p)] = bytes;
  g_allocated += bytes;
  return p;
}

bool DeviceFree(void* p) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_allocations.find(reinterpret_cast<uintptr_t>(p));
  if (it == g_allocations.end()) return false;
  g_allocated -= it->second;
  g_allocations.erase(it);
  std::free(p);
  return true;
}

bool DeviceRangeValid(const void* p, size_t bytes) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_allocations.upper_bound(a);
  if (it == g_allocations.begin()) return false;
  --it;
  const uintptr_t start = it->first;
  const size_t size = it->second;
  return a >= start && a - start <= size && bytes <= size - (a - start);
}

size_t CubeCores() {
  static const size_t cores = EnvBytes("NPUKIT_EMU_CUBE_CORES", 24);
  return cores;
}

size_t ArenaBytes(size_t ub_bytes) {
  return (ub_bytes + 511) / 512 * 512 + kL1Bytes + kL0aBytes + kL0bBytes + kL0cBytes;
}

void FillCubeMemories() {
  Core& c = t_core;
  if (c.cube_filled) return;
  std::memset(c.ub + c.mem_base[kMemL1], 0xA5, c.mem_size[kMemL1] + c.mem_size[kMemL0a] + c.mem_size[kMemL0b] +
                                                   c.mem_size[kMemL0c]);
  c.cube_filled = true;
}

Core& CurrentCore() { return t_core; }
BlockCounters& Counters() { return t_counters; }
const std::vector<BlockCounters>& LastLaunchCounters() { return t_last_counters; }

void SetNextLaunchWorkspaces(const std::vector<GmRange>& ranges) { t_next_workspaces = ranges; }
uint64_t LastLaunchWorkspaceBytes() { return t_last_workspace_bytes; }

bool Saturating() { return g_saturating.load(std::memory_order_relaxed); }
void SetSaturating(bool on) { g_saturating.store(on, std::memory_order_relaxed); }

namespace {
void LogGmAccess(const void* p, size_t bytes, bool write, const char* what, bool scalar, Pipe pipe) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  if (t_core.mixed == nullptr) {
    if (!t_accesses.empty()) {
      // A row copied piece by piece is one access: keeps the log short.
      Access& last = t_accesses.back();
      if (last.block == t_core.block_idx && last.write == write && last.scalar == scalar && last.end == a) {
        last.end = a + bytes;
        return;
      }
    }
    t_accesses.push_back({a, a + bytes, t_core.block_idx, write, scalar, what});
    return;
  }
  const uint64_t tick = PipeIssue(pipe);
  const PeerView& known = PipePeers(pipe);
  if (std::memcmp(&known, &t_views.back(), sizeof known) != 0) t_views.push_back(known);
  const uint32_t view = static_cast<uint32_t>(t_views.size() - 1);
  if (!t_accesses.empty()) {
    // Contiguous pieces of one pipe with no cross-core flag between them are one access (the
    // later counter stands for both: a flag that covers it covers the earlier piece).
    Access& last = t_accesses.back();
    if (last.write == write && last.scalar == scalar && last.end == a && last.pipe == pipe &&
        last.epoch == t_cross_sets && last.view == view) {
      last.end = a + bytes;
      last.tick = tick;
      return;
    }
  }
  Access x{a, a + bytes, t_core.group, write, scalar, what};
  x.role = t_core.role;
  x.pipe = pipe;
  x.tick = tick;
  x.epoch = t_cross_sets;
  x.view = view;
  t_accesses.push_back(x);
}
}  // namespace

void NoteCrossCoreSet() { t_cross_sets++; }

namespace {
// Bytes of [p, p + bytes) inside the running launch's declared workspaces.
uint64_t WorkspaceBytes(const void* p, size_t bytes) {
  if (t_core.workspaces == nullptr) return 0;
  const uintptr_t a = reinterpret_cast<uintptr_t>(p), b = a + bytes;
  uint64_t inside = 0;
  for (const GmRange& r : *t_core.workspaces) {
    const uintptr_t ra = reinterpret_cast<uintptr_t>(r.begin), rb = ra + r.bytes;
    if (a < rb && ra < b) inside += std::min(b, rb) - std::max(a, ra);
  }
  return inside;
}
}  // namespace

bool BlockUntouched() {
  return t_core.buffers == 0 && t_accesses.empty() && t_counters.scalar_ub == 0 && t_counters.barriers == 0;
}

void RecordGmAccess(const void* p, size_t bytes, bool write, const char* what, bool scalar) {
  if (!t_core.running || bytes == 0) return;
  if (scalar) {
    t_counters.scalar_gm++;
  } else {
    (write ? t_counters.mte3_bytes : t_counters.mte2_bytes) += bytes;
    (write ? t_counters.ws_mte3_bytes : t_counters.ws_mte2_bytes) += WorkspaceBytes(p, bytes);
  }
  LogGmAccess(p, bytes, write, what, scalar, scalar ? kPipeS : write ? kPipeMte3 : kPipeMte2);
}

void RecordFixpipeWrite(const void* p, size_t bytes) {
  if (!t_core.running || bytes == 0) return;
  t_counters.fix_bytes += bytes;
  t_counters.ws_fix_bytes += WorkspaceBytes(p, bytes);
  LogGmAccess(p, bytes, true, "Fixpipe", false, kPipeFix);
}

namespace {

// "block 3", or in a mixed launch "vector sub-block 1 of group 3" / "the cube core of group 3".
std::string Who(const Access& x) {
  if (x.role < 0) return "block " + std::to_string(x.block);
  static const char* const roles[kGroupCores] = {"the cube core", "vector sub-block 0", "vector sub-block 1"};
  return std::string(roles[x.role]) + " of group " + std::to_string(x.block);
}

// Byte offset of address a inside its device allocation (a is known to be inside one).
size_t AllocationOffset(uintptr_t a) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_allocations.upper_bound(a);
  return it == g_allocations.begin() ? 0 : a - std::prev(it)->first;
}

// The first pair of accesses by different blocks of which at least one writes and that share a
// byte, as a message; empty if there is none. The writes are merged into disjoint intervals,
// each owned by one block, and every access (reads only if check_reads) is then looked up among
// them. line_rule: the log holds writes widened to cache lines, and the message says so.
// The cores of a mixed launch's group count as one owner here (GroupConflict orders them),
// except for scalar lines: a cross-core flag does not write back the setter's data cache.
std::string FirstConflict(const std::vector<Access>& log, bool check_reads, bool line_rule) {
  const auto key = [line_rule](const Access& x) {
    return line_rule && x.role >= 0 ? x.block * kGroupCores + x.role : x.block;
  };
  struct Owned {
    uintptr_t end;
    const Access* by;
  };
  std::map<uintptr_t, Owned> written;
  const auto describe = [line_rule](const Access& x, const Access& y) -> std::string {
    const uintptr_t begin = std::max(x.begin, y.begin);
    const uintptr_t end = std::min(x.end, y.end);
    char detail[400];
    if (line_rule) {
      const Access& s = y.scalar ? y : x;
      const Access& o = y.scalar ? x : y;
      std::snprintf(detail, sizeof detail,
                    "%s writes (%s) and %s writes (%s) in the same 64-byte line at offset %zu of one "
                    "device allocation in the same launch; a scalar write goes through the core's data cache, which "
                    "writes back whole lines",
                    Who(s).c_str(), s.what, Who(o).c_str(), o.what,
                    AllocationOffset(begin) / kCacheLineBytes * kCacheLineBytes);
      return RuleError(kRuleCacheLine, detail).what();
    }
    std::snprintf(detail, sizeof detail,
                  "%s %s (%s) and %s %s (%s) %zu bytes at offset %zu of one device allocation in "
                  "the same launch; on the device its blocks run at the same time",
                  Who(y).c_str(), y.write ? "writes" : "reads", y.what,
                  Who(x).c_str(), x.write ? "writes" : "reads", x.what, end - begin,
                  AllocationOffset(begin));
    return RuleError(kRuleCrossCore, detail).what();
  };
  // Intervals of `written` that overlap [x.begin, x.end), in address order.
  const auto overlapping = [&written](const Access& x) {
    auto it = written.upper_bound(x.begin);
    if (it != written.begin() && std::prev(it)->second.end > x.begin) --it;
    auto last = it;
    while (last != written.end() && last->first < x.end) ++last;
    return std::make_pair(it, last);
  };
  for (const Access& x : log) {
    if (!x.write) continue;
    auto [first, last] = overlapping(x);
    uintptr_t begin = x.begin;
    uintptr_t end = x.end;
    for (auto it = first; it != last; ++it) {
      const Access& y = *it->second.by;
      if (key(y) != key(x) && (!line_rule || x.scalar || y.scalar)) return describe(x, y);
      begin = std::min(begin, it->first);
      end = std::max(end, it->second.end);
    }
    written.erase(first, last);
    written[begin] = Owned{end, &x};
  }
  if (!check_reads) return std::string();
  for (const Access& x : log) {
    if (x.write) continue;
    auto [first, last] = overlapping(x);
    for (auto it = first; it != last; ++it) {
      if (key(*it->second.by) != key(x)) return describe(x, *it->second.by);
    }
  }
  return std::string();
}

// In a mixed launch, accesses of two cores of one group that share a byte, one of them a write,
// must be ordered by cross-core flags: x before y when what y's pipe knew of x's core covers x's
// instruction. The first unordered pair as a message; empty if there is none.
std::string GroupConflict(const std::vector<Access>& log) {
  const auto before = [](const Access& x, const Access& y) {
    return t_views[y.view].done[x.role][x.pipe] >= x.tick;
  };
  std::map<int64_t, std::vector<const Access*>> groups;
  for (const Access& x : log) {
    if (x.role >= 0) groups[x.block].push_back(&x);
  }
  for (auto& [group, list] : groups) {
    std::stable_sort(list.begin(), list.end(), [](const Access* a, const Access* b) { return a->begin < b->begin; });
    std::vector<const Access*> active;
    for (const Access* x : list) {
      active.erase(std::remove_if(active.begin(), active.end(), [x](const Access* y) { return y->end <= x->begin; }),
                   active.end());
      for (const Access* y : active) {
        if (y->role == x->role || !(x->write || y->write) || before(*x, *y) || before(*y, *x)) continue;
        const Access& w = y->write ? *y : *x;
        const Access& o = y->write ? *x : *y;
        char detail[500];
        std::snprintf(detail, sizeof detail,
                      "%s writes (%s) and %s %s (%s) global memory at offset %zu of one device allocation with no "
                      "cross-core flag ordering them (CrossCoreSetFlag on a pipe that has seen the first access, "
                      "CrossCoreWaitFlag before the second on a pipe it orders)",
                      Who(w).c_str(), w.what, Who(o).c_str(), o.write ? "writes" : "reads", o.what,
                      AllocationOffset(std::max(x->begin, y->begin)));
        return RuleError(kRuleCrossCore, detail).what();
      }
      active.push_back(x);
    }
  }
  return std::string();
}

// Byte-exact races first; then the writes again with each scalar write widened to its 64-byte
// lines (device allocations are 512-byte aligned, so address lines are allocation lines).
std::string CrossCoreConflict(const std::vector<Access>& log) {
  std::string conflict = FirstConflict(log, true, false);
  if (!conflict.empty()) return conflict;
  std::vector<Access> lines;
  for (const Access& x : log) {
    if (!x.write) continue;
    Access w = x;
    if (w.scalar) {
      w.begin = w.begin / kCacheLineBytes * kCacheLineBytes;
      w.end = (w.end + kCacheLineBytes - 1) / kCacheLineBytes * kCacheLineBytes;
    }
    lines.push_back(w);
  }
  conflict = FirstConflict(lines, false, true);
  if (!conflict.empty()) return conflict;
  return GroupConflict(log);
}

}  // namespace

void SetRecentError(const std::string& message) { t_recent_error = message; }
const char* RecentError() { return t_recent_error.c_str(); }

namespace {

struct FreeArena {
  void operator()(uint8_t* p) const { std::free(p); }
};
using Arena = std::unique_ptr<uint8_t, FreeArena>;

// A fresh core on this thread: its arena (UB filled with garbage: a kernel that reads UB it
// never wrote must not pass by luck; the cube memories are filled when a block first asks for a
// cube buffer, FillCubeMemories), pipe tracking and counters.
void StartCore(uint8_t* arena_base, size_t ub_size, int64_t block, int64_t block_num,
               const std::vector<GmRange>* workspaces) {
  std::memset(arena_base, 0xA5, ub_size);
  t_core = Core{block, block_num, arena_base, ub_size, 0, true};
  t_core.workspaces = workspaces;
  const size_t sizes[kMemCount] = {ub_size, kL1Bytes, kL0aBytes, kL0bBytes, kL0cBytes};
  size_t base = 0;
  for (int m = 0; m < kMemCount; m++) {
    t_core.mem_base[m] = base;
    t_core.mem_size[m] = sizes[m];
    base += m == kMemUb ? (ub_size + 511) / 512 * 512 : sizes[m];
  }
  PipesReset(ArenaBytes(ub_size));
  t_counters = BlockCounters();
}

// The launch's global-memory accesses, checked when every block has run.
int CheckLaunch(const char* kernel_name) {
  int status = ACL_SUCCESS;
  try {
    const std::string conflict = CrossCoreConflict(t_accesses);
    if (!conflict.empty()) {
      SetRecentError(std::string(kernel_name) + ": " + conflict);
      status = ACL_ERROR_RT_AICORE_EXCEPTION;
    }
  } catch (const std::bad_alloc&) {
    // The check's interval map, like the kernel body, must not throw through the C API.
    SetRecentError(std::string(kernel_name) + ": out of host memory for the cross-core check");
    status = ACL_ERROR_RT_AICORE_EXCEPTION;
  }
  std::vector<Access>().swap(t_accesses);
  t_views.assign(1, PeerView());
  return status;
}

// What one core of a mixed group left behind when its thread ended.
struct CoreResult {
  std::string error;
  bool hang = false;  // its error is a wait left without a set (perhaps because another core failed)
  BlockCounters counters;
  std::vector<Access> accesses;
  std::vector<PeerView> views;
};

void RunGroupCore(MixedGroup& group, int64_t g, int role, uint32_t block_dim, const char* kernel_name,
                  void (*body)(void*), void* ctx, const std::vector<GmRange>* workspaces, CoreResult& out) {
  const size_t ub_size = UbBytes();
  Arena arena(static_cast<uint8_t*>(std::aligned_alloc(512, ArenaBytes(ub_size))));
  const std::string who = std::string(kernel_name) + " group " + std::to_string(g) +
                          (role == 0 ? " cube core" : role == 1 ? " vector sub-block 0" : " vector sub-block 1") + ": ";
  if (!arena) {
    out.error = who + "no host memory for the core's local memories";
    CrossCoreEnded(group);
    return;
  }
  // AIC: block index g; AIV: 2g + sub-block (GetBlockIdx of a mixed kernel's vector core).
  StartCore(arena.get(), ub_size, role == 0 ? g : 2 * g + (role - 1), block_dim, workspaces);
  t_core.group = g;
  t_core.role = role;
  t_core.mixed = &group;
  t_core.kind = role == 0 ? CoreKind::kCube : CoreKind::kVector;
  t_accesses.clear();
  t_views.assign(1, PeerView());
  t_cross_sets = 0;
  try {
    body(ctx);
    FlagsBalanced();
  } catch (const RuleError& e) {
    out.error = who + e.what();
    out.hang = e.rule() == kRuleCrossCoreFlag && std::strstr(e.what(), "with no CrossCoreSetFlag to match") != nullptr;
  } catch (const MixedRestart&) {
    out.error = who + "AscendC emulator: the kernel type declared after the kernel began (rule: core type)";
  } catch (const std::bad_alloc&) {
    out.error = who + "out of host memory";
  }
  CrossCoreEnded(group);
  t_counters.cube_core = role == 0;
  t_counters.group = g;
  t_counters.role = role;
  out.counters = t_counters;
  out.accesses.swap(t_accesses);
  out.views.swap(t_views);
  t_core = Core();
}

// A mixed AIC+AIV launch: block_dim groups one after another, the three cores of a group at the
// same time on three threads (cross_core.h).
int RunMixed(uint32_t block_dim, const char* kernel_name, void (*body)(void*), void* ctx,
             const std::vector<GmRange>* workspaces) {
  t_accesses.clear();
  t_views.assign(1, PeerView());
  t_last_counters.assign(size_t{block_dim} * kGroupCores, BlockCounters());
  for (uint32_t g = 0; g < block_dim; g++) {
    MixedGroup group;
    CoreResult results[kGroupCores];
    {
      std::vector<std::thread> threads;
      for (int role = 0; role < kGroupCores; role++) {
        threads.emplace_back(RunGroupCore, std::ref(group), int64_t{g}, role, block_dim, kernel_name, body, ctx,
                             workspaces, std::ref(results[role]));
      }
      for (std::thread& th : threads) th.join();
    }
    // A core's own failure first; the waits it left hanging in the others after it.
    for (int pass = 0; pass < 2; pass++) {
      for (const CoreResult& r : results) {
        if (!r.error.empty() && r.hang == (pass == 1)) {
          SetRecentError(r.error);
          t_accesses.clear();
          t_views.assign(1, PeerView());
          return ACL_ERROR_RT_AICORE_EXCEPTION;
        }
      }
    }
    try {
      CrossCoreBalanced(group, g);
    } catch (const RuleError& e) {
      SetRecentError(std::string(kernel_name) + " group " + std::to_string(g) + ": " + e.what());
      t_accesses.clear();
      t_views.assign(1, PeerView());
      return ACL_ERROR_RT_AICORE_EXCEPTION;
    }
    for (int role = 0; role < kGroupCores; role++) {
      CoreResult& r = results[role];
      const uint32_t offset = static_cast<uint32_t>(t_views.size());
      t_views.insert(t_views.end(), r.views.begin(), r.views.end());
      for (Access& x : r.accesses) {
        x.view += offset;
        t_accesses.push_back(x);
      }
      t_last_counters[size_t{g} * kGroupCores + role] = r.counters;
    }
  }
  return CheckLaunch(kernel_name);
}

}  // namespace

int RunBlocks(uint32_t block_dim, const char* kernel_name, void (*body)(void*), void* ctx) {
  // The declaration is this launch's alone, whatever becomes of it.
  std::vector<GmRange> workspaces;
  workspaces.swap(t_next_workspaces);
  t_last_workspace_bytes = 0;
  for (const GmRange& r : workspaces) t_last_workspace_bytes += r.bytes;
  if (block_dim == 0 || block_dim > 65535) {
    SetRecentError(std::string("launch of ") + kernel_name + ": blockDim " + std::to_string(block_dim) +
                   " outside [1, 65535]");
    return ACL_ERROR_RT_PARAM_INVALID;
  }
  const size_t ub_size = UbBytes();
  // One arena per launch: the unified buffer, then L1, L0A, L0B, L0C (core.h).
  Arena arena(static_cast<uint8_t*>(std::aligned_alloc(512, ArenaBytes(ub_size))));
  if (!arena) {
    SetRecentError(std::string("launch of ") + kernel_name + ": no host memory for the unified buffer");
    return ACL_ERROR_RT_MEMORY_ALLOCATION;
  }
  Core saved = t_core;
  int status = ACL_SUCCESS;
  bool mixed = false;
  t_accesses.clear();
  t_views.assign(1, PeerView());
  t_last_counters.assign(block_dim, BlockCounters());
  for (uint32_t b = 0; b < block_dim && status == ACL_SUCCESS && !mixed; b++) {
    StartCore(arena.get(), ub_size, b, block_dim, &workspaces);
    try {
      body(ctx);
      FlagsBalanced();
      t_counters.cube_core = t_core.kind == CoreKind::kCube;
      t_last_counters[b] = t_counters;
    } catch (const MixedRestart&) {
      mixed = true;
    } catch (const RuleError& e) {
      SetRecentError(std::string(kernel_name) + " block " + std::to_string(b) + ": " + e.what());
      status = ACL_ERROR_RT_AICORE_EXCEPTION;
    } catch (const std::bad_alloc&) {
      SetRecentError(std::string(kernel_name) + " block " + std::to_string(b) + ": out of host memory");
      status = ACL_ERROR_RT_AICORE_EXCEPTION;
    }
  }
  t_core = saved;
  if (mixed) {
    arena.reset();
    status = RunMixed(block_dim, kernel_name, body, ctx, &workspaces);
    t_core = saved;
    return status;
  }
  if (status != ACL_SUCCESS) {
    std::vector<Access>().swap(t_accesses);
    return status;
  }
  return CheckLaunch(kernel_name);
}

}  // namespace emu
}  // namespace AscendC

namespace {

using AscendC::emu::DeviceRangeValid;
using AscendC::emu::SetRecentError;

// Launches complete before they return, so a stream only has to exist.
struct Stream {};

aclError Fail(aclError code, const std::string& message) {
  SetRecentError(message);
  return code;
}

}  // namespace

aclError aclInit(const char*) { return ACL_SUCCESS; }
aclError aclFinalize() { return ACL_SUCCESS; }

aclError aclrtGetDeviceCount(uint32_t* count) {
  if (count == nullptr) return Fail(ACL_ERROR_INVALID_PARAM, "aclrtGetDeviceCount: count is null");
  *count = 1;  // the emulated device
  return ACL_SUCCESS;
}

aclError aclGetDeviceCapability(uint32_t device_id, aclDeviceInfo info, int64_t* value) {
  if (value == nullptr) return Fail(ACL_ERROR_INVALID_PARAM, "aclGetDeviceCapability: value is null");
  if (device_id != 0) return Fail(ACL_ERROR_RT_PARAM_INVALID, "aclGetDeviceCapability: the emulator has only device 0");
  switch (info) {
    case ACL_DEVICE_INFO_VECTOR_CORE_NUM:
      *value = static_cast<int64_t>(AscendC::emu::VectorCores());
      return ACL_SUCCESS;
    case ACL_DEVICE_INFO_AI_CORE_NUM:
      // Atlas A2: the cube (AIC) cores, one per two vector cores.
      *value = static_cast<int64_t>(AscendC::emu::CubeCores());
      return ACL_SUCCESS;
    default:
      return Fail(ACL_ERROR_INVALID_PARAM, "aclGetDeviceCapability: the emulator reports only core counts");
  }
}

aclError aclrtSetDevice(int32_t device) {
  if (device != 0) return Fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtSetDevice: the emulator has only device 0");
  return ACL_SUCCESS;
}

aclError aclrtResetDevice(int32_t) { return ACL_SUCCESS; }

aclError aclrtCreateStream(aclrtStream* stream) {
  if (stream == nullptr) return Fail(ACL_ERROR_INVALID_PARAM, "aclrtCreateStream: stream is null");
  *stream = new (std::nothrow) Stream();
  return *stream ? ACL_SUCCESS : Fail(ACL_ERROR_RT_MEMORY_ALLOCATION, "aclrtCreateStream: out of memory");
}

aclError aclrtDestroyStream(aclrtStream stream) {
  delete static_cast<Stream*>(stream);
  return ACL_SUCCESS;
}

aclError aclrtSynchronizeStream(aclrtStream) {
  // Launches ran to completion already and reported their own status.
  return ACL_SUCCESS;
}

aclError aclrtMalloc(void** dev_ptr, size_t size, aclrtMemMallocPolicy) {
  if (dev_ptr == nullptr || size == 0) return Fail(ACL_ERROR_INVALID_PARAM, "aclrtMalloc: null pointer or size 0");
  *dev_ptr = AscendC::emu::DeviceAlloc(size);
  if (*dev_ptr == nullptr) {
    return Fail(ACL_ERROR_RT_MEMORY_ALLOCATION,
                "aclrtMalloc: " + std::to_string(size) + " bytes exceed the emulated device memory");
  }
  return ACL_SUCCESS;
}

aclError aclrtFree(void* dev_ptr) {
  if (!AscendC::emu::DeviceFree(dev_ptr)) return Fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtFree: not a device allocation");
  return ACL_SUCCESS;
}

namespace {
std::atomic<uint64_t> g_copies_to_device{0};
std::atomic<uint64_t> g_copies_to_host{0};
}  // namespace

void aclemuGetCopyCounts(uint64_t* host_to_device, uint64_t* device_to_host) {
  if (host_to_device != nullptr) *host_to_device = g_copies_to_device.load();
  if (device_to_host != nullptr) *device_to_host = g_copies_to_host.load();
}

aclError aclrtMemcpy(void* dst, size_t dest_max, const void* src, size_t count, aclrtMemcpyKind kind) {
  if (kind == ACL_MEMCPY_HOST_TO_DEVICE) g_copies_to_device++;
  if (kind == ACL_MEMCPY_DEVICE_TO_HOST) g_copies_to_host++;
  if (count > dest_max) return Fail(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: count exceeds destMax");
  if (count == 0) return ACL_SUCCESS;
  if (dst == nullptr || src == nullptr) return Fail(ACL_ERROR_INVALID_PARAM, "aclrtMemcpy: null pointer");
  const bool dst_dev = kind == ACL_MEMCPY_HOST_TO_DEVICE || kind == ACL_MEMCPY_DEVICE_TO_DEVICE;
  const bool src_dev = kind == ACL_MEMCPY_DEVICE_TO_HOST || kind == ACL_MEMCPY_DEVICE_TO_DEVICE;
  if (dst_dev && !DeviceRangeValid(dst, count)) {
    return Fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemcpy: destination is not inside a device allocation");
  }
  if (src_dev && !DeviceRangeValid(src, count)) {
    return Fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemcpy: source is not inside a device allocation");
  }
  std::memmove(dst, src, count);
  return ACL_SUCCESS;
}

aclError aclrtMemset(void* dev_ptr, size_t max_count, int32_t value, size_t count) {
  if (count > max_count) return Fail(ACL_ERROR_INVALID_PARAM, "aclrtMemset: count exceeds maxCount");
  if (count == 0) return ACL_SUCCESS;
  if (!DeviceRangeValid(dev_ptr, count)) {
    return Fail(ACL_ERROR_RT_PARAM_INVALID, "aclrtMemset: range is not inside a device allocation");
  }
  std::memset(dev_ptr, value, count);
  return ACL_SUCCESS;
}

aclError aclrtSetDeviceSatMode(aclrtFloatOverflowMode mode) {
  if (mode != ACL_RT_OVERFLOW_MODE_SATURATION && mode != ACL_RT_OVERFLOW_MODE_INFNAN) {
    return Fail(ACL_ERROR_INVALID_PARAM, "aclrtSetDeviceSatMode: mode must be SATURATION or INFNAN");
  }
  AscendC::emu::SetSaturating(mode == ACL_RT_OVERFLOW_MODE_SATURATION);
  return ACL_SUCCESS;
}

aclError aclrtGetDeviceSatMode(aclrtFloatOverflowMode* mode) {
  if (mode == nullptr) return Fail(ACL_ERROR_INVALID_PARAM, "aclrtGetDeviceSatMode: mode is null");
  *mode = AscendC::emu::Saturating() ? ACL_RT_OVERFLOW_MODE_SATURATION : ACL_RT_OVERFLOW_MODE_INFNAN;
  return ACL_SUCCESS;
}

const char* aclGetRecentErrMsg() { return AscendC::emu::RecentError(); }
