// Host launchers of BGMV shrink/expand and matmul: re-check sizes (and every adapter index,
// copied to the host), choose the dot-product tiling, launch.
#include <algorithm>
#include <vector>

#include "../kernels/tiling.h"
#include "contract_checks.h"
#include "kernels.h"
#include "npukit/ascend.h"
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

int CheckIndices(const char* what, const int32_t* indices, int batch, int num_loras) {
  std::vector<int32_t> idx;
  NPUKIT_TRY(CopyToHost(idx, indices, batch));
  return npukit::contract::bgmv_indices(what, idx.data(), batch, num_loras, fail_here);
}

}  // namespace

extern "C" int npukit_ascend_bgmv_shrink(
    const void* x, int x_dtype, int64_t x_numel,
    const void* a, int a_dtype, int64_t a_numel,
    const int32_t* indices, int64_t indices_numel,
    float* y, int64_t y_numel,
    int batch, int h_in, int rank, int num_loras, float scale) {
  const npukit::contract::BgmvShrinkCall call{x, x_dtype, x_numel, a, a_dtype, a_numel, indices, indices_numel,
                                               y, y_numel, batch, h_in, rank, num_loras};
  NPUKIT_TRY(npukit::contract::bgmv_shrink_sizes(call, fail_here));
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  NPUKIT_TRY(CheckIndices("bgmv_shrink", indices, batch, num_loras));
  if (batch == 0 || rank == 0) return Ok();
  DotTiling t{};
  t.batch = batch;
  t.in_dim = h_in;
  t.out_dim = rank;
  t.num_mats = num_loras;
  t.x_dtype = x_dtype;
  t.w_dtype = a_dtype;
  t.y_dtype = NPUKIT_F32;
  t.scale = scale;
  ChooseDotTiles(t);
  DeviceBuffer tiling_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = static_cast<uint32_t>(std::min<int64_t>(int64_t{batch} * t.n_tiles, kMaxBlockDim));
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_bgmv_shrink_kernel)(block_dim, Device::Stream(), Gm(x), Gm(a),
                                                                          Gm(indices), Gm(y), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_bgmv_shrink_kernel"));
  return Ok();
}

extern "C" int npukit_ascend_bgmv_expand(
    const void* v, int v_dtype, int64_t v_numel,
    const void* w, int w_dtype, int64_t w_numel,
    const int32_t* indices, int64_t indices_numel,
    void* y, int y_dtype, int64_t y_numel, int y_row, int offset,
    int batch, int rank, int h_out, int num_loras) {
  const npukit::contract::BgmvExpandCall call{v, v_dtype, v_numel, w, w_dtype, w_numel, indices, indices_numel,
                                               y, y_dtype, y_numel, y_row, offset, batch, rank, h_out, num_loras};
  NPUKIT_TRY(npukit::contract::bgmv_expand_sizes(call, fail_here));
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  NPUKIT_TRY(CheckIndices("bgmv_expand", indices, batch, num_loras));
  if (batch == 0 || h_out == 0) return Ok();
  DotTiling t{};
  t.batch = batch;
  t.in_dim = rank;
  t.out_dim = h_out;
  t.num_mats = num_loras;
  t.x_dtype = v_dtype;
  t.w_dtype = w_dtype;
  t.y_dtype = y_dtype;
  t.y_row = y_row;
  t.y_offset = offset;
  t.scale = 1.0f;
  ChooseDotTiles(t);
  DeviceBuffer tiling_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = static_cast<uint32_t>(std::min<int64_t>(int64_t{batch} * t.n_tiles, kMaxBlockDim));
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_bgmv_expand_kernel)(block_dim, Device::Stream(), Gm(v), Gm(w),
                                                                          Gm(indices), Gm(y), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_bgmv_expand_kernel"));
  return Ok();
}

extern "C" int npukit_ascend_matmul(
    const void* x, int x_dtype, int64_t x_numel,
    const void* weight, int weight_dtype, int64_t weight_numel,
    float* out, int64_t out_numel, int m, int n, int k) {
  NPUKIT_TRY(npukit::contract::matmul_sizes(x, x_dtype, x_numel, weight, weight_dtype, weight_numel, out, out_numel,
                                            m, k, n, fail_here));
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  if (m == 0 || n == 0) return Ok();
  DotTiling t{};
  t.batch = m;
  t.in_dim = k;
  t.out_dim = n;
  t.num_mats = 1;
  t.x_dtype = x_dtype;
  t.w_dtype = weight_dtype;
  t.y_dtype = NPUKIT_F32;
  t.scale = 1.0f;
  ChooseDotTiles(t);
  DeviceBuffer tiling_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = static_cast<uint32_t>(std::min<int64_t>(int64_t{m} * t.n_tiles, kMaxBlockDim));
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_matmul_kernel)(block_dim, Device::Stream(), Gm(x), Gm(weight),
                                                                     Gm(out), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_matmul_kernel"));
  return Ok();
}
