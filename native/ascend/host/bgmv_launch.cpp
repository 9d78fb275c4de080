// Host launchers of BGMV shrink/expand and matmul (its optional bias included): re-check sizes
// (and every adapter index, read on the host), choose the dot-product tiling, launch.
#include <algorithm>
#include <vector>

#include "../kernels/tiling.h"
#include "contract_checks.h"
#include "convert.h"
#include "kernels.h"
#include "runtime.h"

using namespace npukit::ascend;

namespace {

// Per-core cycle estimates the tilers compare candidate tilings with, from the public rates of
// the README's cost model: MTE2 reads 32 bytes a cycle, the vector unit 128 bytes (one 256-byte
// repeat in 2 cycles); a work item also pays a fixed cost of synchronisation and scalar reads.
double Repeats(int64_t f32_elements) { return double((f32_elements + 63) / 64); }
double Waves(int64_t items) { return double((items + Device::VectorCores() - 1) / Device::VectorCores()); }
constexpr double kItemCycles = 200;

// Groups of up to max_rows rows that share a weight matrix (mats[b] for row b, -1: none), in the
// table layout of tiling.h (DotGroupWords); rows without a matrix form the first groups (the
// rows are sorted by matrix). Returns the number of groups with a matrix.
int BuildGroups(const int32_t* mats, int batch, int max_rows, std::vector<int32_t>& table, int32_t& num_groups) {
  std::vector<int32_t> order(batch);
  for (int b = 0; b < batch; b++) order[b] = b;
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return mats[x] < mats[y]; });
  std::vector<int32_t> starts, group_mats;
  int active = 0;
  for (int i = 0; i < batch; i++) {
    const int32_t m = mats[order[i]];
    if (starts.empty() || group_mats.back() != m || i - starts.back() == max_rows) {
      starts.push_back(i);
      group_mats.push_back(m);
      if (m >= 0) active++;
    }
  }
  num_groups = static_cast<int32_t>(starts.size());
  starts.push_back(batch);
  table.clear();
  table.insert(table.end(), starts.begin(), starts.end());
  table.insert(table.end(), group_mats.begin(), group_mats.end());
  table.insert(table.end(), order.begin(), order.end());
  return active;
}

// Output tiles of up to 16 elements, the size that spreads the active groups' work best over the
// vector cores, and the longest reduction tile (a multiple of 16, at most the whole dimension)
// whose buffers fit the unified buffer.
void ChooseDotTiles(DotTiling& t, int active_groups, int x_size, int w_size) {
  double best = -1;
  for (int nt = std::max(1, std::min(t.out_dim, 16)); nt >= 1; nt--) {
    const int64_t tiles = (t.out_dim + nt - 1) / nt;
    const double mte2 = double(int64_t{nt} * t.in_dim * w_size + int64_t{kMaxGroupRows} * t.in_dim * x_size) / 32;
    const double vec = 2 * (Repeats(int64_t{nt} * t.in_dim) * (1 + 2 * kMaxGroupRows) + Repeats(t.in_dim) * kMaxGroupRows);
    const double cycles = Waves(int64_t{active_groups} * tiles) * (std::max(mte2, vec) + kItemCycles);
    if (best < 0 || cycles < best) {
      best = cycles;
      t.n_tile = nt;
    }
  }
  t.n_tiles = (t.out_dim + t.n_tile - 1) / t.n_tile;
  int32_t k = std::max(1, std::min(t.in_dim, 16384));
  while (k > 16 && DotUbBytes(t.n_tile, k) > kUbBytes) k = (k / 2 + 15) / 16 * 16;
  t.k_tile = k;
}

// Expand: the group size (rows sharing an adapter that one work item serves) and the output tile
// (a multiple of 16, its buffers within the unified buffer) that spread the items best over the
// vector cores. counts[m]: the rows of adapter m. An item reads its W tile once and then, per
// row, v and the y tile, and runs rank Muls/Axpy of n_tile elements and a few adds; larger groups
// read W fewer times but make fewer, longer items.
// Returns the estimate of the chosen tiling's cycles.
double ChooseExpandTiles(ExpandTiling& t, const std::vector<int32_t>& counts, int v_size, int w_size, int y_size,
                         int32_t& group_rows) {
  int32_t max_tile = 16;
  while (max_tile < t.h_out && ExpandUbBytes(max_tile + 16, t.rank, w_size) <= kUbBytes) max_tile += 16;
  const int32_t max_count = *std::max_element(counts.begin(), counts.end());
  double best = -1;
  for (int32_t g = 1;; g = std::min(2 * g, max_count)) {
    int64_t groups = 0;
    for (int32_t c : counts) groups += (c + g - 1) / g;
    for (int64_t tiles = (t.h_out + max_tile - 1) / max_tile; tiles <= t.h_out; tiles++) {
      const int32_t nt = static_cast<int32_t>((t.h_out + tiles - 1) / tiles + 15) / 16 * 16;
      const int64_t real_tiles = (t.h_out + nt - 1) / nt;
      const double mte2 = double(int64_t{nt} * t.rank * w_size + int64_t{g} * (t.rank * v_size + nt * y_size)) / 32;
      const double vec = 2 * (Repeats(int64_t{nt} * t.rank) * 2 + g * (Repeats(nt) * (t.rank + 5) + Repeats(t.rank)));
      const double fixed = kItemCycles + g * (16.0 * (t.rank / 4 + 6) + t.rank);
      const double cycles = Waves(groups * real_tiles) * (std::max(mte2, vec) + fixed);
      if (best < 0 || cycles < best) {
        best = cycles;
        t.n_tile = nt;
        group_rows = g;
      }
      if (nt <= 16) break;
    }
    if (g == max_count) break;
  }
  t.n_tiles = (t.h_out + t.n_tile - 1) / t.n_tile;
  return best;
}

// The cube kernels' groups (shrink, expand): up to max_rows_cap rows with one adapter (rows with
// index -1 get none), in the table layout of tiling.h (ShrinkGroupWords). Returns the rows of the
// largest group.
int BuildCubeGroups(const int32_t* mats, int batch, int max_rows_cap, std::vector<int32_t>& table,
                    int32_t& num_groups) {
  std::vector<int32_t> order;
  for (int b = 0; b < batch; b++) {
    if (mats[b] >= 0) order.push_back(b);
  }
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return mats[x] < mats[y]; });
  std::vector<int32_t> groups;
  int max_rows = 0;
  for (size_t i = 0; i < order.size(); i++) {
    const size_t g = groups.size() / 3;
    if (g == 0 || groups[3 * (g - 1) + 2] != mats[order[i]] || groups[3 * (g - 1) + 1] == max_rows_cap) {
      groups.insert(groups.end(), {static_cast<int32_t>(i), 0, mats[order[i]]});
    }
    max_rows = std::max(max_rows, ++groups[groups.size() - 2]);
  }
  num_groups = static_cast<int32_t>(groups.size() / 3);
  table = groups;
  table.insert(table.end(), order.begin(), order.end());
  table.resize(ShrinkGroupWords(num_groups, batch), 0);
  return max_rows;
}

// The cube tiling: rank tiles of up to 256 (L0C holds two [64, 256] F32 results); as many pieces
// of the reduction dimension as keep the cube cores busy (pieces of at least 256 elements, few
// enough that the merge's UB holds a row's pieces); k tiles as long as two buffers of L0A and of
// L0B allow (and LoadData's 255 fractals a repeat), evened out over the piece.
bool ChooseCubeTiles(ShrinkCubeTiling& t, int max_rows, int esz) {
  t.m_pad = (max_rows + 15) / 16 * 16;
  t.n_tile = std::min((t.rank + 15) / 16 * 16, 256);
  t.n_tiles = (t.rank + t.n_tile - 1) / t.n_tile;
  const int32_t rank_pad = (t.rank + 7) / 8 * 8;
  if (ShrinkMergeUbBytes(1, 1, rank_pad) > kUbBytes) return false;
  if (t.num_groups == 0) {
    // No row has an adapter (or the reduction is empty): the merge alone writes the zeros.
    t.splits = 1;
    t.split_len = t.k_tile = 16;
    return true;
  }
  const int64_t base = int64_t{t.num_groups} * t.n_tiles;
  int64_t splits = std::max<int64_t>(1, Device::CubeCores() / base);
  splits = std::min<int64_t>(splits, (t.in_dim + 255) / 256);
  while (splits > 1 && ShrinkMergeUbBytes(static_cast<int32_t>(splits), 1, rank_pad) > kUbBytes) splits--;
  t.split_len = static_cast<int32_t>(((t.in_dim + splits - 1) / splits + 15) / 16 * 16);
  t.splits = (t.in_dim + t.split_len - 1) / t.split_len;
  const int64_t k0 = 32 / esz;
  int64_t kt = std::min<int64_t>(32768 / (int64_t{t.m_pad} * esz), 32768 / (int64_t{t.n_tile} * esz));
  kt = std::min<int64_t>(kt, 255 * k0) / 16 * 16;
  const int64_t tiles = (t.split_len + kt - 1) / kt;
  t.k_tile = static_cast<int32_t>(((t.split_len + tiles - 1) / tiles + 15) / 16 * 16);
  return true;
}

// HBM bytes a cycle of the whole chip (1.6 TB/s at 1850 MHz): a call's floor in the tilers' cycles.
constexpr double kHbmBytesPerCycle = 1.6e12 / 1850e6;

// The cube expand's tiling, or false when it does not fit (v's W-dtype parts of a 16-row group
// must fit L0A whole) or the dtypes do not allow it: the cube multiplies like dtypes, so v takes
// one part in W's dtype when it is W's dtype or W is F32 (exact), two (hi + lo) when W is BF16 (a
// BF16 part keeps F32's exponent range; hi + lo carries 16 bits, v to 2^-18); an F16 W with
// another v would lose v's range. `est` gets the estimate of its cycles (the rates of the other
// tilers: MTE2 32 bytes a cycle from HBM, 110 from the L2, vector 128, a fixed cost per item and
// 16 cycles a wait), the write-back of the workspaces counted in its HBM floor.
bool ChooseExpandCubeTiles(ExpandCubeTiling& t, const int32_t* idx, uint64_t essential, std::vector<int32_t>& table,
                           double& est) {
  if (t.w_dtype == t.v_dtype || t.w_dtype == NPUKIT_F32) {
    t.parts = 1;
  } else if (t.w_dtype == NPUKIT_BF16) {
    t.parts = 2;
  } else {
    return false;
  }
  const int esz = npukit::dtype_size(t.w_dtype), y_size = npukit::dtype_size(t.y_dtype);
  const int64_t kp = (t.rank + 32 / esz - 1) / (32 / esz) * (32 / esz);
  int cap = kCubeGroupRows;
  while (cap > 16 && int64_t{t.parts} * ((cap + 15) / 16 * 16) * kp * esz > 65536) cap /= 2;
  if (int64_t{t.parts} * 16 * kp * esz > 65536 || t.rank > 4095) return false;
  const int max_rows = BuildCubeGroups(idx, t.batch, cap, table, t.num_groups);
  t.ws_rows = max_rows;
  t.m_pad = (max_rows + 15) / 16 * 16;
  // Tiles: two buffers each of L0B and L0C, Mmad's and Fixpipe's n below 4096, the vector cores' UB.
  int64_t max_tile = std::min<int64_t>({32768 / (kp * esz), 16384 / t.m_pad, 4080}) / 16 * 16;
  const auto half_pad = [](int64_t tile) { return static_cast<int32_t>(((tile + 1) / 2 + 15) / 16 * 16); };
  while (max_tile >= 16 && ExpandCubeUbBytes(t.ws_rows, half_pad(max_tile), t.rank) > kUbBytes) max_tile -= 16;
  if (max_tile < 16) return false;
  const int64_t cores = Device::CubeCores();
  const int64_t wv_bytes = (int64_t{t.parts} * t.ws_rows * t.rank * esz + 511) / 512 * 512;
  est = -1;
  const int64_t max_pieces = std::min<int64_t>((t.h_out + 15) / 16, 4 * cores);
  for (int64_t p = 1; p <= max_pieces; p++) {
    const int64_t n_piece = ((t.h_out + p - 1) / p + 15) / 16 * 16;
    const int64_t pieces = (t.h_out + n_piece - 1) / n_piece;
    if (pieces != p) continue;
    const int64_t items = int64_t{t.num_groups} * pieces;
    const int64_t groups = std::min(items, cores);
    const double waves = double((items + cores - 1) / cores);
    for (int64_t tiles = (n_piece + max_tile - 1) / max_tile; tiles <= 16; tiles++) {
      const int64_t nt = ((n_piece + tiles - 1) / tiles + 15) / 16 * 16;
      if (nt > max_tile) continue;
      const int64_t real_tiles = (n_piece + nt - 1) / nt;
      const double rows = max_rows;
      const double cube = double(n_piece * t.rank * esz) / 32 + rows * t.parts * t.rank * esz / 110 +
                          kItemCycles + real_tiles * 7 * 16;
      const double vec_bytes = rows * n_piece / 2;
      const double vector = std::max(vec_bytes * y_size / 32 + vec_bytes * 4 / 110,
                                     2 * 3 * Repeats(static_cast<int64_t>(rows) * half_pad(nt)) * real_tiles) +
                            kItemCycles + real_tiles * 8 * 16;
      const int64_t group_bytes = wv_bytes + (2 * int64_t{t.ws_rows} * nt * 4 + 511) / 512 * 512;
      const double hbm = double(essential + uint64_t(groups * group_bytes)) / kHbmBytesPerCycle;
      const double cycles = std::max(waves * std::max(cube, vector), hbm);
      if (est < 0 || cycles < est) {
        est = cycles;
        t.n_piece = static_cast<int32_t>(n_piece);
        t.pieces = static_cast<int32_t>(pieces);
        t.n_tile = static_cast<int32_t>(nt);
      }
      if (real_tiles < tiles) break;
    }
  }
  if (est < 0) return false;
  t.half_pad = half_pad(t.n_tile);
  t.ws_sums = static_cast<int32_t>(wv_bytes);
  t.group_bytes = static_cast<int32_t>(wv_bytes + (2 * int64_t{t.ws_rows} * t.n_tile * 4 + 511) / 512 * 512);
  return true;
}

// Launches the cube expand (ChooseExpandCubeTiles succeeded).
int ExpandOnCube(const npukit_bgmv_expand_args& a, const ExpandCubeTiling& t, const std::vector<int32_t>& table,
                 uint64_t essential) {
  DeviceBuffer tiling_dev, table_dev, ws_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  NPUKIT_TRY(table_dev.Create(table.size() * sizeof(int32_t), table.data()));
  const uint32_t groups = Device::CubeBlockDim(int64_t{t.num_groups} * t.pieces);
  NPUKIT_TRY(ws_dev.Create(size_t(groups) * size_t(t.group_bytes)));
  SetEssentialBytes(essential);
  // Each group's v parts and tile sums, written and read back within the launch.
  SetWorkspaces({&ws_dev});
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_bgmv_expand_cube_kernel)(
      groups, Device::Stream(), Gm(a.v.data), Gm(a.w.data), table_dev.get(), ws_dev.get(), Gm(a.y.data),
      tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_bgmv_expand_cube_kernel"));
  return Ok();
}

const auto fail_here = [](int code, const char* fmt, auto... args) { return Fail(code, fmt, args...); };

int CheckIndices(const char* what, const npukit_tensor& indices, int batch, int num_loras,
                 std::vector<int32_t>& storage, const int32_t*& idx) {
  NPUKIT_TRY(HostIndices(indices, storage, idx));
  return npukit::contract::bgmv_indices(what, idx, batch, num_loras, fail_here);
}

// Launches the cube shrink and its merge (ChooseCubeTiles succeeded).
int ShrinkOnCube(const npukit_bgmv_shrink_args& a, const ShrinkCubeTiling& ct, const std::vector<int32_t>& table,
                 const int32_t* idx, uint64_t essential) {
  ShrinkMergeTiling mt{};
  mt.batch = ct.batch;
  mt.rank = ct.rank;
  mt.splits = ct.splits;
  mt.rank_pad = (ct.rank + 7) / 8 * 8;
  mt.scale = a.scale;
  mt.merge_rows = std::min<int32_t>((ct.batch + Device::VectorCores() - 1) / Device::VectorCores(), 64);
  while (mt.merge_rows > 1 && ShrinkMergeUbBytes(mt.splits, mt.merge_rows, mt.rank_pad) > kUbBytes) mt.merge_rows--;
  std::vector<int32_t> active(static_cast<size_t>(ct.batch), 0);
  for (int b = 0; b < ct.batch && ct.num_groups > 0; b++) active[b] = idx[b] >= 0 ? 1 : 0;
  DeviceBuffer tiling_dev, table_dev, ws_dev, merge_dev, active_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, ct));
  NPUKIT_TRY(UploadTiling(merge_dev, mt));
  NPUKIT_TRY(table_dev.Create(table.size() * sizeof(int32_t), table.data()));
  NPUKIT_TRY(active_dev.Create(active.size() * sizeof(int32_t), active.data()));
  NPUKIT_TRY(ws_dev.Create(size_t(ct.splits) * ct.batch * ct.rank * sizeof(float)));
  const int64_t items = int64_t{ct.num_groups} * ct.n_tiles * ct.splits;
  SetEssentialBytes(essential);  // for the call's first launch
  if (items > 0) {
    const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_bgmv_shrink_cube_kernel)(
        Device::CubeBlockDim(items), Device::Stream(), Gm(a.x.data), Gm(a.a.data), table_dev.get(), ws_dev.get(),
        tiling_dev.get());
    NPUKIT_TRY(FinishLaunch(status, "npukit_bgmv_shrink_cube_kernel"));
  }
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_bgmv_shrink_merge_kernel)(
      Device::BlockDim((ct.batch + mt.merge_rows - 1) / mt.merge_rows), Device::Stream(), ws_dev.get(),
      active_dev.get(), Gm(a.y.data), merge_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_bgmv_shrink_merge_kernel", items > 0));
  return Ok();
}

// The call's shape, as both expand tilings (vector and cube) hold it.
template <class Tiling>
void SetExpandShape(Tiling& t, const npukit::contract::BgmvExpandDims& d, const npukit_bgmv_expand_args& a) {
  t.batch = d.batch;
  t.rank = d.rank;
  t.h_out = d.h_out;
  t.num_mats = d.num_loras;
  t.v_dtype = a.v.dtype;
  t.w_dtype = a.w.dtype;
  t.y_dtype = a.y.dtype;
  t.y_row = d.y_row;
  t.y_offset = a.offset;
}

}  // namespace

extern "C" int npukit_ascend_bgmv_shrink(const npukit_bgmv_shrink_args* args) {
  NPUKIT_CHECK(args != nullptr, NPUKIT_ERR_ARGUMENT, "bgmv_shrink: args is null");
  const npukit_bgmv_shrink_args& a = *args;
  npukit::contract::BgmvShrinkDims d{};
  NPUKIT_TRY(npukit::contract::bgmv_shrink_sizes(a, NPUKIT_DEVICE, d, fail_here));
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  std::vector<int32_t> idx_copy, table;
  const int32_t* idx = nullptr;
  NPUKIT_TRY(CheckIndices("bgmv_shrink", a.indices, d.batch, d.num_loras, idx_copy, idx));
  if (d.batch == 0 || d.rank == 0) return Ok();
  // The bound: x of the rows with an adapter, each used adapter's A once, every row of y (rows
  // without an adapter get zeros), the indices.
  std::vector<bool> used(static_cast<size_t>(d.num_loras), false);
  const uint64_t y_row_bytes = uint64_t(d.rank) * npukit::dtype_size(a.y.dtype);
  uint64_t essential = uint64_t(d.batch) * (npukit::dtype_size(a.indices.dtype) + y_row_bytes);
  for (int b = 0; b < d.batch; b++) {
    if (idx[b] < 0) continue;
    essential += uint64_t(d.h_in) * npukit::dtype_size(a.x.dtype);
    if (!used[idx[b]]) essential += uint64_t(d.rank) * d.h_in * npukit::dtype_size(a.a.dtype);
    used[idx[b]] = true;
  }
  if (a.x.dtype == a.a.dtype) {
    ShrinkCubeTiling ct{};
    ct.batch = d.batch;
    ct.in_dim = d.h_in;
    ct.rank = d.rank;
    ct.num_mats = d.num_loras;
    ct.dtype = a.x.dtype;
    const int max_rows = d.h_in > 0 ? BuildCubeGroups(idx, d.batch, kCubeGroupRows, table, ct.num_groups) : 0;
    if (d.h_in == 0) {
      ct.num_groups = 0;
      table.assign(ShrinkGroupWords(0, d.batch), 0);
    }
    if (ChooseCubeTiles(ct, max_rows, npukit::dtype_size(a.x.dtype))) return ShrinkOnCube(a, ct, table, idx, essential);
  }
  DotTiling t{};
  t.batch = d.batch;
  t.in_dim = d.h_in;
  t.out_dim = d.rank;
  t.num_mats = d.num_loras;
  t.x_dtype = a.x.dtype;
  t.w_dtype = a.a.dtype;
  t.scale = a.scale;
  const int active = BuildGroups(idx, d.batch, kMaxGroupRows, table, t.num_groups);
  ChooseDotTiles(t, active, npukit::dtype_size(a.x.dtype), npukit::dtype_size(a.a.dtype));
  DeviceBuffer tiling_dev, table_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  NPUKIT_TRY(table_dev.Create(table.size() * sizeof(int32_t), table.data()));
  const uint32_t block_dim = Device::BlockDim(int64_t{t.num_groups} * t.n_tiles);
  SetEssentialBytes(essential);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_bgmv_shrink_kernel)(
      block_dim, Device::Stream(), Gm(a.x.data), Gm(a.a.data), table_dev.get(), Gm(a.y.data), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_bgmv_shrink_kernel"));
  return Ok();
}

extern "C" int npukit_ascend_bgmv_expand(const npukit_bgmv_expand_args* args) {
  NPUKIT_CHECK(args != nullptr, NPUKIT_ERR_ARGUMENT, "bgmv_expand: args is null");
  const npukit_bgmv_expand_args& a = *args;
  npukit::contract::BgmvExpandDims d{};
  NPUKIT_TRY(npukit::contract::bgmv_expand_sizes(a, NPUKIT_DEVICE, d, fail_here));
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  std::vector<int32_t> idx_copy;
  const int32_t* idx = nullptr;
  NPUKIT_TRY(CheckIndices("bgmv_expand", a.indices, d.batch, d.num_loras, idx_copy, idx));
  // Rows with index -1 stay untouched: their groups come first in the table and get no item.
  std::vector<int32_t> counts(static_cast<size_t>(d.num_loras), 0);
  int64_t rows = 0;
  for (int b = 0; b < d.batch; b++) {
    if (idx[b] >= 0) {
      counts[idx[b]]++;
      rows++;
    }
  }
  if (rows == 0 || d.h_out == 0 || d.rank == 0) return Ok();
  const int v_size = npukit::dtype_size(a.v.dtype), w_size = npukit::dtype_size(a.w.dtype);
  const int y_size = npukit::dtype_size(a.y.dtype);
  // The bound: v and y (read and written) of the rows with an adapter, each used adapter's W once,
  // the indices.
  uint64_t essential = uint64_t(d.batch) * npukit::dtype_size(a.indices.dtype);
  essential += uint64_t(rows) * (uint64_t(d.rank) * v_size + 2 * uint64_t(d.h_out) * y_size);
  for (int32_t c : counts) {
    if (c > 0) essential += uint64_t(d.h_out) * d.rank * w_size;
  }
  ExpandTiling t{};
  SetExpandShape(t, d, a);
  int32_t group_rows = 1;
  const double vector_est = std::max(ChooseExpandTiles(t, counts, v_size, w_size, y_size, group_rows),
                                     double(essential) / kHbmBytesPerCycle);
  const bool vector_fits = ExpandUbBytes(t.n_tile, t.rank, w_size) <= kUbBytes;
  std::vector<int32_t> table;
  // The cube when its estimate is lower (the vector kernel's fixed costs are lower: tiny shapes).
  ExpandCubeTiling ct{};
  SetExpandShape(ct, d, a);
  double cube_est = 0;
  if (ChooseExpandCubeTiles(ct, idx, essential, table, cube_est) && (!vector_fits || cube_est < vector_est)) {
    return ExpandOnCube(a, ct, table, essential);
  }
  NPUKIT_CHECK(vector_fits, NPUKIT_ERR_ARGUMENT,
               "bgmv_expand: rank %d leaves no output tile that fits the unified buffer", d.rank);
  const int active = BuildGroups(idx, d.batch, group_rows, table, t.num_groups);
  t.first_group = t.num_groups - active;
  // The Gather offsets of the kernel (bgmv.cpp) after the group table: output j of a tile is row j
  // of its W tile, j x rank x 4 bytes in.
  for (int32_t j = 0; j < t.n_tile; j++) table.push_back(j * t.rank * 4);
  DeviceBuffer tiling_dev, table_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  NPUKIT_TRY(table_dev.Create(table.size() * sizeof(int32_t), table.data()));
  SetEssentialBytes(essential);
  const uint32_t block_dim = Device::BlockDim(int64_t{active} * t.n_tiles);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_bgmv_expand_kernel)(
      block_dim, Device::Stream(), Gm(a.v.data), Gm(a.w.data), table_dev.get(), Gm(a.y.data), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_bgmv_expand_kernel"));
  return Ok();
}

extern "C" int npukit_ascend_matmul(const npukit_matmul_args* args) {
  NPUKIT_CHECK(args != nullptr, NPUKIT_ERR_ARGUMENT, "matmul: args is null");
  const npukit_matmul_args& a = *args;
  npukit::contract::MatmulDims d{};
  NPUKIT_TRY(npukit::contract::matmul_sizes(a, NPUKIT_DEVICE, d, fail_here));
  const int m = d.m, n = d.n, k = d.k;
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  if (m == 0 || n == 0) return Ok();
  DotTiling t{};
  t.batch = m;
  t.in_dim = k;
  t.out_dim = n;
  t.num_mats = 1;
  t.x_dtype = a.x.dtype;
  t.w_dtype = a.weight.dtype;
  t.has_bias = npukit::contract::present(a.bias) ? 1 : 0;
  t.scale = 1.0f;
  std::vector<int32_t> table;
  const std::vector<int32_t> mats(static_cast<size_t>(m), 0);
  const int groups = BuildGroups(mats.data(), m, kMaxGroupRows, table, t.num_groups);
  ChooseDotTiles(t, groups, npukit::dtype_size(a.x.dtype), npukit::dtype_size(a.weight.dtype));
  DeviceBuffer tiling_dev, table_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  NPUKIT_TRY(table_dev.Create(table.size() * sizeof(int32_t), table.data()));
  const uint32_t block_dim = Device::BlockDim(int64_t{t.num_groups} * t.n_tiles);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_matmul_kernel)(block_dim, Device::Stream(), Gm(a.x.data),
                                                                     Gm(a.weight.data), table_dev.get(), Gm(a.bias.data),
                                                                     Gm(a.out.data), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_matmul_kernel"));
  return Ok();
}
