// Host launchers of RMS norm, SiLU-and-multiply and the embedding lookup: re-check the call
// (and every id, read on the host), choose the tile, launch.
#include <algorithm>
#include <vector>

#include "../kernels/tiling.h"
#include "contract_checks.h"
#include "kernels.h"
#include "runtime.h"

using namespace npukit::ascend;

namespace {

const auto fail_here = [](int code, const char* fmt, auto... args) { return Fail(code, fmt, args...); };

int32_t Align16(int64_t n) { return static_cast<int32_t>((n + 15) / 16 * 16); }

// Tiles of a row of `len` elements (a multiple of 16, at most `cap`) and their count per row;
// refuses a launch whose work items (rows x tiles) exceed 32 bits.
int RowTiles(const char* fn, int rows, int len, int32_t cap, int32_t& tile, int32_t& tiles) {
  tile = std::min(Align16(std::max(len, 1)), cap);
  tiles = (len + tile - 1) / tile;
  NPUKIT_CHECK(int64_t{rows} * tiles <= INT32_MAX, NPUKIT_ERR_ARGUMENT, "%s: %d rows of %d tiles exceed 32 bits", fn,
               rows, tiles);
  return Ok();
}

}  // namespace

extern "C" int npukit_ascend_rms_norm(const npukit_rms_norm_args* args) {
  NPUKIT_CHECK(args != nullptr, NPUKIT_ERR_ARGUMENT, "rms_norm: args is null");
  const npukit_rms_norm_args& a = *args;
  npukit::contract::RowsDims d{};
  NPUKIT_TRY(npukit::contract::rms_norm_sizes(a, NPUKIT_DEVICE, d, fail_here));
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  if (d.rows == 0) return Ok();
  RmsNormTiling t{};
  t.rows = d.rows;
  t.hidden = d.hidden;
  t.has_residual = npukit::contract::present(a.residual) ? 1 : 0;
  t.eps = a.eps;
  // The longest tile up to 4,096 elements whose buffers fit the unified buffer.
  t.tile = std::min(Align16(d.hidden), 4096);
  while (t.tile > 16 && RmsNormUbBytes(t.tile) > kUbBytes) t.tile -= 16;
  DeviceBuffer tiling_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = Device::BlockDim(d.rows);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_rms_norm_kernel)(
      block_dim, Device::Stream(), Gm(a.x.data), Gm(a.residual.data), Gm(a.weight.data), Gm(a.out.data),
      tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_rms_norm_kernel"));
  return Ok();
}

extern "C" int npukit_ascend_silu_mul(const npukit_silu_mul_args* args) {
  NPUKIT_CHECK(args != nullptr, NPUKIT_ERR_ARGUMENT, "silu_mul: args is null");
  const npukit_silu_mul_args& a = *args;
  npukit::contract::RowsDims d{};
  NPUKIT_TRY(npukit::contract::silu_mul_sizes(a, NPUKIT_DEVICE, d, fail_here));
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  if (d.rows == 0) return Ok();
  SiluMulTiling t{};
  t.rows = d.rows;
  t.inter = d.hidden;
  // 8 tiles (2 in, 2 out, gate, up, exp, the -FLT_MAX floor) of 4,096 elements: 128 KB.
  NPUKIT_TRY(RowTiles("silu_mul", d.rows, d.hidden, 4096, t.tile, t.tiles));
  DeviceBuffer tiling_dev;
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = Device::BlockDim(int64_t{d.rows} * t.tiles);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_silu_mul_kernel)(block_dim, Device::Stream(),
                                                                       Gm(a.gate_up.data), Gm(a.out.data),
                                                                       tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_silu_mul_kernel"));
  return Ok();
}

extern "C" int npukit_ascend_embedding(const npukit_embedding_args* args) {
  NPUKIT_CHECK(args != nullptr, NPUKIT_ERR_ARGUMENT, "embedding: args is null");
  const npukit_embedding_args& a = *args;
  npukit::contract::EmbeddingDims d{};
  NPUKIT_TRY(npukit::contract::embedding_sizes(a, NPUKIT_DEVICE, d, fail_here));
  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  std::vector<int32_t> ids_copy;
  const int32_t* ids;
  NPUKIT_TRY(HostIndices(a.ids, ids_copy, ids));
  NPUKIT_TRY(npukit::contract::embedding_ids(d, ids, fail_here));
  if (d.rows == 0 || d.hidden == 0) return Ok();
  EmbeddingTiling t{};
  t.rows = d.rows;
  t.vocab = d.vocab;
  t.hidden = d.hidden;
  t.dtype = a.table.dtype;
  // 5 tiles (2 in, 2 out, 1 F32) of 8,192 elements: 160 KB.
  NPUKIT_TRY(RowTiles("embedding", d.rows, d.hidden, 8192, t.tile, t.tiles));
  // The kernel reads the checked ids, not the caller's tensor, which may differ from its host copy.
  DeviceBuffer ids_dev, tiling_dev;
  NPUKIT_TRY(ids_dev.Create(sizeof(int32_t) * d.rows, ids));
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = Device::BlockDim(int64_t{d.rows} * t.tiles);
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_embedding_kernel)(
      block_dim, Device::Stream(), Gm(a.table.data), ids_dev.get(), Gm(a.out.data), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_embedding_kernel"));
  return Ok();
}
