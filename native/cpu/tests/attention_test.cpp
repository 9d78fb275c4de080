// Native test of the cpu paged-attention kernel through its C API, run by CTest: random batches
// of decode and prefill rows over shuffled blocks, F32 and F16 caches in the NHD and HND layouts,
// NONE, NEOX and GPT-J rotation, against a double-precision loop written from docs/kernels.md, paged attention. The Java suites test the
// same kernel far more widely; this one runs wherever the native library is built, including
// under qemu for an aarch64 cross build (scripts/cross-check-aarch64.sh), where no JVM runs.
#include <algorithm>
#include <cfloat>
#include <initializer_list>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <vector>

#include "convert.h"
#include "npukit/kernels.h"

namespace {

int failures = 0;

npukit_tensor Host(const void* data, int dtype, std::initializer_list<int64_t> shape) {
  npukit_tensor t{};
  t.data = const_cast<void*>(data);
  t.dtype = dtype;
  t.numel = 1;
  for (int64_t d : shape) t.shape[t.rank++] = d, t.numel *= d;
  t.location = NPUKIT_HOST;
  return t;
}

// x rotated to position pos in double precision (pairs per docs/kernels.md, paged attention).
void Rotate(std::vector<double>& x, const float* cs, int rot, int style) {
  const int half = rot / 2;
  for (int i = 0; i < half; i++) {
    const int a = style == NPUKIT_ROPE_NEOX ? i : 2 * i;
    const int b = style == NPUKIT_ROPE_NEOX ? i + half : 2 * i + 1;
    const double c = cs[i], s = cs[half + i];
    const double xa = x[a], xb = x[b];
    x[a] = xa * c - xb * s;
    x[b] = xb * c + xa * s;
  }
}

struct Case {
  int seqs, heads, kv_heads, dim, block, rot, style, dtype;
  int min_len;  // KV slots every sequence has at least
  float scale;  // the softmax scale: 1/sqrt(dim), or an edge (docs/kernels.md, paged attention)
  int layout = NPUKIT_KV_NHD;
  int max_q = 7;  // query rows of a prefill sequence, at most
};

void Run(const Case& c, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<int> q_len(c.seqs), seq_len(c.seqs);
  std::vector<int32_t> starts(c.seqs + 1, 0);
  for (int s = 0; s < c.seqs; s++) {
    q_len[s] = s % 3 == 2 ? 1 + static_cast<int>(rng() % c.max_q) : 1;  // decode rows and prefills
    seq_len[s] = q_len[s] + c.min_len + static_cast<int>(rng() % 300);
    starts[s + 1] = starts[s] + q_len[s];
  }
  const int tokens = starts[c.seqs];
  const int max_len = *std::max_element(seq_len.begin(), seq_len.end());
  const int max_blocks = (max_len + c.block - 1) / c.block;
  const int num_blocks = c.seqs * max_blocks;
  std::vector<int32_t> ids(num_blocks);
  std::iota(ids.begin(), ids.end(), 0);
  std::shuffle(ids.begin(), ids.end(), rng);
  std::vector<int32_t> table(ids.begin(), ids.end());  // seq s owns blocks table[s * max_blocks ...]

  const int64_t cache_numel = static_cast<int64_t>(num_blocks) * c.block * c.kv_heads * c.dim;
  std::vector<float> kf(cache_numel), vf(cache_numel);
  for (auto& x : kf) x = u(rng);
  for (auto& x : vf) x = u(rng);
  std::vector<uint16_t> kh(cache_numel), vh(cache_numel);
  if (c.dtype == NPUKIT_F16) {
    for (int64_t i = 0; i < cache_numel; i++) {
      kh[i] = npukit::float_to_f16(kf[i]);
      vh[i] = npukit::float_to_f16(vf[i]);
      kf[i] = npukit::f16_to_float(kh[i]);  // the reference sees the values the kernel reads
      vf[i] = npukit::f16_to_float(vh[i]);
    }
  }
  std::vector<float> q(static_cast<size_t>(tokens) * c.heads * c.dim);
  for (auto& x : q) x = u(rng);
  std::vector<float> cos_sin(static_cast<size_t>(max_len) * std::max(c.rot, 2));
  for (int p = 0; p < max_len; p++) {
    for (int i = 0; i < c.rot / 2; i++) {
      const double angle = p * std::pow(10000.0, -2.0 * i / c.rot);
      cos_sin[static_cast<size_t>(p) * c.rot + i] = static_cast<float>(std::cos(angle));
      cos_sin[static_cast<size_t>(p) * c.rot + c.rot / 2 + i] = static_cast<float>(std::sin(angle));
    }
  }
  const float scale = c.scale;
  std::vector<float> out(q.size(), NAN);
  const void* k = c.dtype == NPUKIT_F16 ? static_cast<const void*>(kh.data()) : kf.data();
  const void* v = c.dtype == NPUKIT_F16 ? static_cast<const void*>(vh.data()) : vf.data();
  npukit_attention_args args{};
  args.q = Host(q.data(), NPUKIT_F32, {tokens, c.heads, c.dim});
  const bool hnd = c.layout == NPUKIT_KV_HND;
  args.k_cache = Host(k, c.dtype, {num_blocks, hnd ? c.kv_heads : c.block, hnd ? c.block : c.kv_heads, c.dim});
  args.v_cache = Host(v, c.dtype, {num_blocks, hnd ? c.kv_heads : c.block, hnd ? c.block : c.kv_heads, c.dim});
  args.kv_layout = c.layout;
  args.block_tables = Host(table.data(), NPUKIT_I32, {c.seqs, max_blocks});
  args.seq_lens = Host(seq_len.data(), NPUKIT_I32, {c.seqs});
  args.query_start_loc = Host(starts.data(), NPUKIT_I32, {c.seqs + 1});
  if (c.style != NPUKIT_ROPE_NONE) args.cos_sin = Host(cos_sin.data(), NPUKIT_F32, {max_len, c.rot});
  args.out = Host(out.data(), NPUKIT_F32, {tokens, c.heads, c.dim});
  args.rope_style = c.style;
  args.rotary_dim = c.style == NPUKIT_ROPE_NONE ? 0 : c.rot;
  args.scale = scale;
  const int rc = npukit_cpu_paged_attention(&args);
  if (rc != NPUKIT_OK) {
    std::fprintf(stderr, "FAIL: status %d: %s\n", rc, npukit_last_error());
    failures++;
    return;
  }

  const int G = c.heads / c.kv_heads;
  double max_err = 0, max_ref = 0;
  for (int s = 0; s < c.seqs; s++) {
    for (int r = 0; r < q_len[s]; r++) {
      const int t = starts[s] + r;
      const int pos = seq_len[s] - q_len[s] + r;
      for (int h = 0; h < c.heads; h++) {
        std::vector<double> qv(q.begin() + (static_cast<int64_t>(t) * c.heads + h) * c.dim,
                               q.begin() + (static_cast<int64_t>(t) * c.heads + h + 1) * c.dim);
        if (c.style != NPUKIT_ROPE_NONE) Rotate(qv, &cos_sin[static_cast<size_t>(pos) * c.rot], c.rot, c.style);
        // The contract's definition: weights exp((sign * dot - max) * |scale|), never scale * dot.
        const double sign = scale < 0 ? -1.0 : 1.0;
        const double magnitude = std::fabs(static_cast<double>(scale));
        std::vector<double> score(pos + 1);
        std::vector<const float*> vrow(pos + 1);
        for (int j = 0; j <= pos; j++) {
          const int64_t block = table[s * max_blocks + j / c.block];
          const int64_t row = j % c.block;
          const int64_t in_block = hnd ? int64_t{h / G} * c.block + row : row * c.kv_heads + h / G;
          const int64_t at = (block * c.block * c.kv_heads + in_block) * c.dim;
          std::vector<double> kv(kf.begin() + at, kf.begin() + at + c.dim);
          if (c.style != NPUKIT_ROPE_NONE) Rotate(kv, &cos_sin[static_cast<size_t>(j) * c.rot], c.rot, c.style);
          score[j] = sign * std::inner_product(qv.begin(), qv.end(), kv.begin(), 0.0);
          vrow[j] = &vf[at];
        }
        const double m = *std::max_element(score.begin(), score.end());
        double sum = 0;
        for (double& x : score) sum += (x = std::exp((x - m) * magnitude));
        for (int d = 0; d < c.dim; d++) {
          double ref = 0;
          for (int j = 0; j <= pos; j++) ref += score[j] * vrow[j][d];
          ref /= sum;
          const float got = out[(static_cast<int64_t>(t) * c.heads + h) * c.dim + d];
          max_err = std::max(max_err, std::isfinite(got) ? std::fabs(got - ref) : INFINITY);
          max_ref = std::max(max_ref, std::fabs(ref));
        }
      }
    }
  }
  // the F32 bound of docs/kernels.md (equality between backends) for F32 caches; the F16 reference reads the same rounded values.
  const double rel = max_err / max_ref;
  if (!(rel <= 1e-5)) {
    std::fprintf(stderr,
                 "FAIL: seqs %d heads %d/%d dim %d block %d rot %d style %d dtype %d scale %g layout %d: error %g\n",
                 c.seqs, c.heads, c.kv_heads, c.dim, c.block, c.rot, c.style, c.dtype, c.scale, c.layout, rel);
    failures++;
  } else {
    std::printf("ok: seqs %d heads %d/%d dim %d block %d rot %d style %d dtype %d scale %g layout %d: error %.2g\n",
                c.seqs, c.heads, c.kv_heads, c.dim, c.block, c.rot, c.style, c.dtype, c.scale, c.layout, rel);
  }
}

}  // namespace

int main() {
  std::mt19937 rng(7);
  const Case cases[] = {
      {6, 32, 8, 128, 16, 128, NPUKIT_ROPE_NEOX, NPUKIT_F16, 0, 0.088388347f},  // the benchmark's heads, G = 4
      {5, 32, 8, 128, 16, 128, NPUKIT_ROPE_NONE, NPUKIT_F16, 0, 0.088388347f},
      {4, 16, 2, 64, 32, 64, NPUKIT_ROPE_GPTJ, NPUKIT_F32, 0, 0.125f},    // G = 8
      {4, 16, 2, 64, 16, 64, NPUKIT_ROPE_NEOX, NPUKIT_F16, 0, 0.125f},    // G = 8, keys rotated once per block
      {3, 8, 8, 72, 7, 32, NPUKIT_ROPE_NEOX, NPUKIT_F32, 0, 0.11785113f},  // partial rotary, odd block
      {7, 12, 4, 48, 16, 48, NPUKIT_ROPE_NEOX, NPUKIT_F16, 0, 0.14433757f},
      {2, 8, 2, 64, 16, 64, NPUKIT_ROPE_NEOX, NPUKIT_F32, 2500, 0.125f},  // long decode rows: split and merged
      // Huge finite scales are hard attention, not inf - inf = NaN; scale 0 averages the rows.
      {3, 8, 2, 64, 16, 64, NPUKIT_ROPE_NEOX, NPUKIT_F32, 0, FLT_MAX},
      {3, 8, 2, 64, 16, 64, NPUKIT_ROPE_GPTJ, NPUKIT_F16, 0, -FLT_MAX},
      {2, 8, 2, 64, 16, 64, NPUKIT_ROPE_NEOX, NPUKIT_F32, 2500, FLT_MAX},  // split rows merged at a huge scale
      {3, 8, 2, 64, 16, 64, NPUKIT_ROPE_NONE, NPUKIT_F32, 0, 0.0f},
      // The HND layout: a block's KV head is contiguous.
      {6, 32, 8, 128, 16, 128, NPUKIT_ROPE_NEOX, NPUKIT_F16, 0, 0.088388347f, NPUKIT_KV_HND},
      {4, 16, 2, 64, 16, 64, NPUKIT_ROPE_NEOX, NPUKIT_F16, 0, 0.125f, NPUKIT_KV_HND},  // G = 8
      {3, 8, 8, 72, 7, 32, NPUKIT_ROPE_GPTJ, NPUKIT_F32, 0, 0.11785113f, NPUKIT_KV_HND},
      {2, 8, 4, 64, 16, 64, NPUKIT_ROPE_NONE, NPUKIT_F32, 2500, 0.125f, NPUKIT_KV_HND},  // split and merged
      // Prompts of up to 130 rows: several prefill tiles and key panels, micro-kernel tails.
      {3, 32, 8, 128, 16, 128, NPUKIT_ROPE_NEOX, NPUKIT_F16, 0, 0.088388347f, NPUKIT_KV_NHD, 130},
      {3, 8, 1, 80, 7, 64, NPUKIT_ROPE_GPTJ, NPUKIT_F32, 0, 0.11180340f, NPUKIT_KV_HND, 100},
      {3, 16, 2, 64, 1, 64, NPUKIT_ROPE_NONE, NPUKIT_F16, 0, -0.125f, NPUKIT_KV_NHD, 90},  // negative scale
      {3, 12, 4, 36, 32, 20, NPUKIT_ROPE_NEOX, NPUKIT_F32, 0, 0.16666667f, NPUKIT_KV_HND, 70},  // dim off the width
  };
  for (const Case& c : cases) Run(c, rng);
  std::printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
