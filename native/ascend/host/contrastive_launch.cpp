// Host launcher of contrastive scoring: re-checks the call, launches the kernel into a device
// workspace (row results, top-k), and copies the workspace to the outputs only when no row
// failed, so a call that reports a NaN row writes nothing.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "../kernels/tiling.h"
#include "contract_checks.h"
#include "kernels.h"
#include "runtime.h"

using namespace npukit::ascend;

extern "C" int npukit_ascend_contrastive(const npukit_contrastive_args* args) {
  const auto fail = [](int code, const char* fmt, auto... v) { return Fail(code, fmt, v...); };
  NPUKIT_CHECK(args != nullptr, NPUKIT_ERR_ARGUMENT, "contrastive: args is null");
  const npukit_contrastive_args& a = *args;
  npukit::contract::ContrastiveDims d{};
  NPUKIT_TRY(npukit::contract::contrastive_arguments(a, NPUKIT_DEVICE, d, fail));
  NPUKIT_CHECK(a.expert_row_stride <= INT32_MAX && a.base_row_stride <= INT32_MAX, NPUKIT_ERR_ARGUMENT,
               "contrastive: row strides exceed 32 bits");
  const int batch = d.batch, top_k = a.top_k;
  const int64_t* seeds = a.seeds;
  if (batch == 0) return Ok();

  auto lock = Device::Lock();
  NPUKIT_TRY(Device::Bind());
  ContrastiveTiling t{};
  t.batch = batch;
  t.vocab = d.vocab;
  t.dtype = a.expert.dtype;
  t.top_k = top_k;
  t.sampling = seeds != nullptr;
  t.expert_rows = d.expert_rows;
  t.base_rows = d.base_rows;
  t.expert_first = static_cast<int32_t>(a.expert_first_row);
  t.expert_stride = static_cast<int32_t>(a.expert_row_stride);
  t.base_first = static_cast<int32_t>(a.base_first_row);
  t.base_stride = static_cast<int32_t>(a.base_row_stride);
  t.tile = std::min(d.vocab, 4096);  // 8 tiles of 16 KB: queues (2 x 2) and 4 F32 work tiles
  t.ln_alpha = a.ln_alpha;
  t.beta = a.beta;
  t.temperature = a.temperature;

  const size_t k_elems = static_cast<size_t>(int64_t{batch} * top_k);
  DeviceBuffer seeds_dev, results_dev, topk_index_dev, topk_score_dev, tiling_dev;
  NPUKIT_TRY(seeds_dev.Create(seeds ? size_t(batch) * sizeof(int64_t) : 32, seeds));
  NPUKIT_TRY(results_dev.Create(size_t(batch) * 4 * sizeof(int32_t)));
  NPUKIT_TRY(topk_index_dev.Create(k_elems * sizeof(int32_t)));
  NPUKIT_TRY(topk_score_dev.Create(k_elems * sizeof(float)));
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = static_cast<uint32_t>(std::min(batch, kMaxBlockDim));
  const uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_contrastive_kernel)(
      block_dim, Device::Stream(), Gm(a.expert.data), Gm(a.base.data), seeds_dev.get(), results_dev.get(),
      topk_index_dev.get(), topk_score_dev.get(), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_contrastive_kernel"));

  std::vector<int32_t> results;
  NPUKIT_TRY(CopyToHost(results, results_dev.get(), int64_t{batch} * 4));
  for (int b = 0; b < batch; b++) {
    NPUKIT_CHECK(results[4 * b + 3] != kRowExpertNaN, NPUKIT_ERR_DATA, "expert: row %d contains NaN", b);
    NPUKIT_CHECK(results[4 * b + 3] != kRowBaseNaN, NPUKIT_ERR_DATA, "base: row %d contains NaN", b);
  }
  std::vector<int32_t> tok(batch), count(batch);
  std::vector<float> sc(batch);
  for (int b = 0; b < batch; b++) {
    tok[b] = results[4 * b];
    const uint32_t bits = static_cast<uint32_t>(results[4 * b + 1]);
    std::memcpy(&sc[b], &bits, sizeof bits);
    count[b] = results[4 * b + 2];
  }
  void* token = a.token.data;
  void* score = a.score.data;
  void* valid_count = a.valid_count.data;
  NPUKIT_ACL(aclrtMemcpy(token, batch * sizeof(int32_t), tok.data(), batch * sizeof(int32_t),
                         ACL_MEMCPY_HOST_TO_DEVICE));
  NPUKIT_ACL(aclrtMemcpy(score, batch * sizeof(float), sc.data(), batch * sizeof(float), ACL_MEMCPY_HOST_TO_DEVICE));
  NPUKIT_ACL(aclrtMemcpy(valid_count, batch * sizeof(int32_t), count.data(), batch * sizeof(int32_t),
                         ACL_MEMCPY_HOST_TO_DEVICE));
  if (top_k > 0) {
    void* topk_index = a.topk_index.data;
    void* topk_score = a.topk_score.data;
    NPUKIT_ACL(aclrtMemcpy(topk_index, k_elems * sizeof(int32_t), topk_index_dev.get(), k_elems * sizeof(int32_t),
                           ACL_MEMCPY_DEVICE_TO_DEVICE));
    NPUKIT_ACL(aclrtMemcpy(topk_score, k_elems * sizeof(float), topk_score_dev.get(), k_elems * sizeof(float),
                           ACL_MEMCPY_DEVICE_TO_DEVICE));
  }
  return Ok();
}
