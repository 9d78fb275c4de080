// Host launchers of BGMV shrink/expand and matmul (its optional bias included): re-check sizes
// (and every adapter index, read on the host), choose the dot-product tiling, launch.
#include <algorithm>
#include <vector>

#include "../kernels/tiling.h"
#include "contract_checks.h"
#include "kernels.h"
#include "runtime.h"

using namespace npukit::ascend;

namespace {


// Output tiles of up to 16 elements, and the longest reduction tile (a multiple of 16, at most
// the whole dimension) whose buffers fit the unified buffer.
void ChooseDotTiles(DotTiling& t) {
  t.n_tile = std::max(1, std::min(t.out_dim, 16));
  t.n_tiles = (t.out_dim + t.n_tile - 1) / t.n_tile;
  int32_t k = std::max(1, std::min(t.in_dim, 16384));
  while (k > 16 && DotUbBytes(t.n_tile, k) > kUbBytes) k = (k / 2 + 15) / 16 * 16;
  t.k_tile = k;
}

const auto fail_here = [](int code, const char* fmt, auto... args) { return Fail(code, fmt, args...); };

int CheckIndices(const char* what, const npukit_tensor& indices, int batch, int num_loras) {
  std::vector<int32_t> copy;
  const int32_t* idx;
  NPUKIT_TRY(HostIndices(indices, copy, idx));
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
  NPUKIT_TRY(CheckIndices("bgmv_shrink", a.indices, d.batch, d.num_loras));
  if (d.batch == 0 || d.rank == 0) return Ok();
  DotTiling t{};
  t.batch = d.batch;
  t.in_dim = d.h_in;
  t.out_dim = d.rank;
  t.num_mats = d.num_loras;
  t.x_dtype = a.x.dtype;
  t.w_dtype = a.a.dtype;
  t.y_dtype = NPUKIT_F32;
  t.scale = a.scale;
  ChooseDotTiles(t);
  DeviceBuffer tiling_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = Device::BlockDim(int64_t{d.batch} * t.n_tiles);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_bgmv_shrink_kernel)(
      block_dim, Device::Stream(), Gm(a.x.data), Gm(a.a.data), Gm(a.indices.data), Gm(a.y.data), tiling_dev.get());
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
  NPUKIT_TRY(CheckIndices("bgmv_expand", a.indices, d.batch, d.num_loras));
  if (d.batch == 0 || d.h_out == 0) return Ok();
  DotTiling t{};
  t.batch = d.batch;
  t.in_dim = d.rank;
  t.out_dim = d.h_out;
  t.num_mats = d.num_loras;
  t.x_dtype = a.v.dtype;
  t.w_dtype = a.w.dtype;
  t.y_dtype = a.y.dtype;
  t.y_row = d.y_row;
  t.y_offset = a.offset;
  t.scale = 1.0f;
  ChooseDotTiles(t);
  DeviceBuffer tiling_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = Device::BlockDim(int64_t{d.batch} * t.n_tiles);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_bgmv_expand_kernel)(
      block_dim, Device::Stream(), Gm(a.v.data), Gm(a.w.data), Gm(a.indices.data), Gm(a.y.data), tiling_dev.get());
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
  t.y_dtype = NPUKIT_F32;
  t.has_bias = npukit::contract::present(a.bias) ? 1 : 0;
  t.scale = 1.0f;
  ChooseDotTiles(t);
  DeviceBuffer tiling_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = Device::BlockDim(int64_t{m} * t.n_tiles);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_matmul_kernel)(block_dim, Device::Stream(), Gm(a.x.data),
                                                                     Gm(a.weight.data), Gm(a.bias.data),
                                                                     Gm(a.out.data), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_matmul_kernel"));
  return Ok();
}
