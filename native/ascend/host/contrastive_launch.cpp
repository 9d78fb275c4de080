// Host launcher of contrastive scoring: re-checks the call, picks the chunking, launches the max
// kernel and the scoring kernel into device workspaces (statistics, per-chunk results, top-k
// segments), merges each row's chunks, and copies the results to the outputs only when no row
// failed, so a call that reports a NaN row writes nothing. Top-k: the kernel leaves, per row and
// vocabulary tile, the tile's best min(k, tile) candidates sorted best first; the host merges a
// row's segments (a k-way merge, O(k log tiles)) into the k outputs.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <queue>
#include <vector>

#include "../kernels/tiling.h"
#include "contract_checks.h"
#include "kernels.h"
#include "runtime.h"

using namespace npukit::ascend;

namespace {

// Merges the sorted segments of each row (layout of ContrastiveTiling) into top_k (index,
// score) pairs per row, best first: higher score, then lower index. Rows with fewer valid
// tokens than top_k end with (-1, -inf).
void MergeTopK(const ContrastiveTiling& t, const std::vector<int32_t>& seg_index, const std::vector<float>& seg_score,
               std::vector<int32_t>& index, std::vector<float>& score) {
  struct Head {
    float score;
    int32_t index;
    size_t pos;  // element of the workspace
    size_t end;  // end of its segment
  };
  const auto worse = [](const Head& a, const Head& b) {
    return a.score < b.score || (a.score == b.score && a.index > b.index);
  };
  const size_t k = static_cast<size_t>(t.top_k);
  index.assign(size_t(t.batch) * k, -1);
  score.assign(size_t(t.batch) * k, -INFINITY);
  for (int32_t b = 0; b < t.batch; b++) {
    std::priority_queue<Head, std::vector<Head>, decltype(worse)> heads(worse);
    for (int32_t c = 0; c < t.chunks; c++) {
      // The chunk's tiles; the last chunk may have fewer than chunk_tiles.
      const int32_t len = std::min(t.chunk, t.vocab - c * t.chunk);
      for (int32_t tile = 0; tile * t.tile < len; tile++) {
        const size_t first = ((size_t(b) * t.chunks + c) * t.chunk_tiles + tile) * t.topk_seg;
        if (seg_index[first] >= 0) heads.push({seg_score[first], seg_index[first], first, first + t.topk_cap});
      }
    }
    for (size_t j = 0; j < k && !heads.empty(); j++) {
      Head h = heads.top();
      heads.pop();
      index[size_t(b) * k + j] = h.index;
      score[size_t(b) * k + j] = h.score;
      if (++h.pos < h.end && seg_index[h.pos] >= 0) {
        h.score = seg_score[h.pos];
        h.index = seg_index[h.pos];
        heads.push(h);
      }
    }
  }
}

// The chunks per row that spread batch x chunks work items best over the vector cores: the
// fewest waves of items per row's worth of work, the fewer chunks on a tie. At most 48 chunks
// (the kernel reads a row's chunk statistics in one copy), each at least 64 entries.
int32_t ChooseChunks(int32_t batch, int32_t vocab, int64_t cores) {
  const int32_t most = std::max(1, std::min<int32_t>(48, (vocab + 63) / 64));
  int32_t best = 1;
  double best_cost = -1;
  for (int32_t c = 1; c <= most; c++) {
    const int64_t waves = (int64_t{batch} * c + cores - 1) / cores;
    const double cost = double(waves) / c;
    if (best_cost < 0 || cost < best_cost) {
      best_cost = cost;
      best = c;
    }
  }
  return best;
}

}  // namespace

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
  const int32_t want = ChooseChunks(batch, d.vocab, Device::VectorCores());
  t.chunk = ((d.vocab + want - 1) / want + 63) / 64 * 64;
  t.chunks = (d.vocab + t.chunk - 1) / t.chunk;
  // The fewest tiles per chunk whose buffers fit the unified buffer, all of about one size: the
  // fixed work of a tile (synchronisation, reductions, scalar reads) is paid per tile.
  const int32_t in_bytes = t.dtype == NPUKIT_F32 ? 4 : 2;
  for (int32_t n = 1;; n++) {
    t.tile = ((t.chunk + n - 1) / n + 63) / 64 * 64;
    t.topk_cap = std::min(top_k, t.tile);
    t.topk_seg = (t.topk_cap + 15) / 16 * 16;
    if (t.tile == 64 || ContrastiveUbBytes(t.tile, in_bytes, t.chunks, top_k > 0 ? t.topk_seg : 0) <= kUbBytes) break;
  }
  t.chunk_tiles = (t.chunk + t.tile - 1) / t.tile;
  t.ln_alpha = a.ln_alpha;
  t.beta = a.beta;
  t.temperature = a.temperature;

  const size_t items = size_t(batch) * t.chunks;
  const size_t k_elems = static_cast<size_t>(int64_t{batch} * top_k);
  const size_t ws_elems = top_k > 0 ? items * t.chunk_tiles * t.topk_seg : 0;
  DeviceBuffer seeds_dev, stats_dev, results_dev, topk_index_dev, topk_score_dev, tiling_dev;
  NPUKIT_TRY(seeds_dev.Create(seeds ? size_t(batch) * sizeof(int64_t) : 32, seeds));
  NPUKIT_TRY(stats_dev.Create(items * sizeof(float)));
  NPUKIT_TRY(results_dev.Create(items * kChunkWords * sizeof(int32_t)));
  NPUKIT_TRY(topk_index_dev.Create(ws_elems * sizeof(int32_t)));
  NPUKIT_TRY(topk_score_dev.Create(ws_elems * sizeof(float)));
  NPUKIT_TRY(UploadTiling(tiling_dev, t));
  const uint32_t block_dim = Device::BlockDim(static_cast<int64_t>(items));
  uint32_t status = ACLRT_LAUNCH_KERNEL(npukit_contrastive_max_kernel)(
      block_dim, Device::Stream(), Gm(a.expert.data), stats_dev.get(), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_contrastive_max_kernel"));
  status = ACLRT_LAUNCH_KERNEL(npukit_contrastive_kernel)(
      block_dim, Device::Stream(), Gm(a.expert.data), Gm(a.base.data), seeds_dev.get(), stats_dev.get(),
      results_dev.get(), topk_index_dev.get(), topk_score_dev.get(), tiling_dev.get());
  NPUKIT_TRY(FinishLaunch(status, "npukit_contrastive_kernel", true));

  std::vector<int32_t> results;
  NPUKIT_TRY(CopyToHost(results, results_dev.get(), static_cast<int64_t>(items * kChunkWords)));
  const auto word = [&](int b, int c, int w) { return results[(size_t(b) * t.chunks + c) * kChunkWords + w]; };
  const auto bits_float = [](int32_t w) {
    const uint32_t u = static_cast<uint32_t>(w);
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
  };
  for (int b = 0; b < batch; b++) {
    bool expert_nan = false, base_nan = false;
    for (int c = 0; c < t.chunks; c++) {
      expert_nan |= word(b, c, kChunkStatus) == kRowExpertNaN;
      base_nan |= word(b, c, kChunkStatus) == kRowBaseNaN;
    }
    NPUKIT_CHECK(!expert_nan, NPUKIT_ERR_DATA, "expert: row %d contains NaN", b);
    NPUKIT_CHECK(!base_nan, NPUKIT_ERR_DATA, "base: row %d contains NaN", b);
  }
  // A row's chunks in order, best by strictly greater cd (sampling: key), so ties keep the
  // lowest index; no valid cd above -inf: the lowest valid index, score -inf.
  std::vector<int32_t> tok(batch), count(batch);
  std::vector<float> sc(batch);
  for (int b = 0; b < batch; b++) {
    int32_t best = -1, first_valid = -1, valid = 0;
    float best_rank = -INFINITY, best_cd = -INFINITY;
    for (int c = 0; c < t.chunks; c++) {
      valid += word(b, c, kChunkValid);
      if (first_valid < 0) first_valid = word(b, c, kChunkFirstValid);
      if (word(b, c, kChunkBest) < 0) continue;
      const float rank = bits_float(word(b, c, t.sampling ? kChunkKey : kChunkScore));
      if (best < 0 || rank > best_rank) {
        best = word(b, c, kChunkBest);
        best_rank = rank;
        best_cd = bits_float(word(b, c, kChunkScore));
      }
    }
    tok[b] = best >= 0 ? best : first_valid;
    sc[b] = best >= 0 ? best_cd : -INFINITY;
    count[b] = valid;
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
    std::vector<int32_t> seg_index, index;
    std::vector<float> seg_score, best;
    NPUKIT_TRY(CopyToHost(seg_index, topk_index_dev.get(), static_cast<int64_t>(ws_elems)));
    NPUKIT_TRY(CopyToHost(seg_score, topk_score_dev.get(), static_cast<int64_t>(ws_elems)));
    MergeTopK(t, seg_index, seg_score, index, best);
    void* topk_index = a.topk_index.data;
    void* topk_score = a.topk_score.data;
    NPUKIT_ACL(aclrtMemcpy(topk_index, k_elems * sizeof(int32_t), index.data(), k_elems * sizeof(int32_t),
                           ACL_MEMCPY_HOST_TO_DEVICE));
    NPUKIT_ACL(aclrtMemcpy(topk_score, k_elems * sizeof(float), best.data(), k_elems * sizeof(float),
                           ACL_MEMCPY_HOST_TO_DEVICE));
  }
  return Ok();
}
