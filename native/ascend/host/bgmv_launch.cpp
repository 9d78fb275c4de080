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

// Groups of up to kMaxGroupRows rows that share a weight matrix (mats[b] for row b, -1: none),
// in the table layout of tiling.h (DotGroupWords). Returns the number of groups with a matrix.
int BuildGroups(const int32_t* mats, int batch, std::vector<int32_t>& table, int32_t& num_groups) {
  std::vector<int32_t> order(batch);
  for (int b = 0; b < batch; b++) order[b] = b;
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return mats[x] < mats[y]; });
  std::vector<int32_t> starts, group_mats;
  int active = 0;
  for (int i = 0; i < batch; i++) {
    const int32_t m = mats[order[i]];
    if (starts.empty() || group_mats.back() != m || i - starts.back() == kMaxGroupRows) {
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

// Expand: the output tile (a multiple of 16, its buffers within the unified buffer) that spreads
// rows x tiles best over the vector cores.
void ChooseExpandTiles(ExpandTiling& t, int w_size, int y_size) {
  int32_t max_tile = 16;
  while (max_tile < t.h_out && ExpandUbBytes(max_tile + 16, t.rank) <= kUbBytes) max_tile += 16;
  double best = -1;
  for (int64_t tiles = (t.h_out + max_tile - 1) / max_tile; tiles <= t.h_out; tiles++) {
    const int32_t nt = static_cast<int32_t>((t.h_out + tiles - 1) / tiles + 15) / 16 * 16;
    const int64_t real_tiles = (t.h_out + nt - 1) / nt;
    const double mte2 = double(int64_t{nt} * (t.rank * w_size + y_size)) / 32;
    const double vec = 2 * (Repeats(int64_t{nt} * t.rank) * 3 + Repeats(nt) * 4);
    const double cycles = Waves(int64_t{t.rows} * real_tiles) * (std::max(mte2, vec) + kItemCycles + 16.0 * t.rank);
    if (best < 0 || cycles < best) {
      best = cycles;
      t.n_tile = nt;
    }
    if (nt <= 16) break;
  }
  t.n_tiles = (t.h_out + t.n_tile - 1) / t.n_tile;
}

const auto fail_here = [](int code, const char* fmt, auto... args) { return Fail(code, fmt, args...); };

int CheckIndices(const char* what, const npukit_tensor& indices, int batch, int num_loras,
                 std::vector<int32_t>& storage, const int32_t*& idx) {
  NPUKIT_TRY(HostIndices(indices, storage, idx));
  return npukit::contract::bgmv_indices(what, idx, batch, num_loras, fail_here);
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
  DotTiling t{};
  t.batch = d.batch;
  t.in_dim = d.h_in;
  t.out_dim = d.rank;
  t.num_mats = d.num_loras;
  t.x_dtype = a.x.dtype;
  t.w_dtype = a.a.dtype;
  t.scale = a.scale;
  const int active = BuildGroups(idx, d.batch, table, t.num_groups);
  ChooseDotTiles(t, active, npukit::dtype_size(a.x.dtype), npukit::dtype_size(a.a.dtype));
  DeviceBuffer tiling_dev, table_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  NPUKIT_TRY(table_dev.Create(table.size() * sizeof(int32_t), table.data()));
  const uint32_t block_dim = Device::BlockDim(int64_t{t.num_groups} * t.n_tiles);
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
  // Rows with an adapter, with it; rows with index -1 stay untouched and get no work item.
  std::vector<int32_t> table;
  for (int b = 0; b < d.batch; b++) {
    if (idx[b] >= 0) table.insert(table.end(), {b, idx[b]});
  }
  if (table.empty() || d.h_out == 0 || d.rank == 0) return Ok();
  ExpandTiling t{};
  t.rows = static_cast<int32_t>(table.size() / 2);
  t.rank = d.rank;
  t.h_out = d.h_out;
  t.num_mats = d.num_loras;
  t.v_dtype = a.v.dtype;
  t.w_dtype = a.w.dtype;
  t.y_dtype = a.y.dtype;
  t.y_row = d.y_row;
  t.y_offset = a.offset;
  t.batch = d.batch;
  ChooseExpandTiles(t, npukit::dtype_size(a.w.dtype), npukit::dtype_size(a.y.dtype));
  NPUKIT_CHECK(ExpandUbBytes(t.n_tile, t.rank) <= kUbBytes, NPUKIT_ERR_ARGUMENT,
               "bgmv_expand: rank %d leaves no output tile that fits the unified buffer", d.rank);
  DeviceBuffer tiling_dev, table_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  NPUKIT_TRY(table_dev.Create(table.size() * sizeof(int32_t), table.data()));
  const uint32_t block_dim = Device::BlockDim(int64_t{t.rows} * t.n_tiles);
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
  const int groups = BuildGroups(mats.data(), m, table, t.num_groups);
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
