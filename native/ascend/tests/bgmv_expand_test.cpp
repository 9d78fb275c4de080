// Native test of BGMV expand on the Ascend path through the C API, run by CTest in an emulator
// build: y[b, off : off + h_out] += W[idx[b]] . v[b] against a double-precision loop on
// randomized cases: the cube launch (v and W of one dtype, or a BF16 W with an F32 or F16 v as
// two parts) with outputs and ranks that are not multiples of 16, groups of one row, an adapter
// with more rows than a cube group (64), rows without an adapter (left untouched, bit for bit),
// F32, F16 and BF16; and the 7B shape of the bench, which takes the cube: every weight byte read
// once, the launch a mixed one (the modelled time is the bench's: npukit bench ascend --family bgmv).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "acl/acl.h"
#include "convert.h"
#include "npukit/ascend.h"
#include "npukit/kernels.h"
#include "test_support.h"

namespace {

using namespace npukit_test;

// idx: the adapter of each row (-1: none). Returns the cost of the call's launches.
void RunCase(const std::vector<int32_t>& idx, int loras, int rank, int h_out, int extra, int v_dtype, int w_dtype,
             int y_dtype, std::mt19937& rng, double* cost = nullptr) {
  const int batch = static_cast<int>(idx.size());
  const int y_row = h_out + extra, off = extra / 2;
  std::normal_distribution<float> normal;
  std::vector<float> v(size_t(batch) * rank), w(size_t(loras) * h_out * rank), y(size_t(batch) * y_row);
  for (float& f : v) f = normal(rng);
  for (float& f : w) f = normal(rng);
  for (float& f : y) f = normal(rng);
  const std::vector<uint8_t> vb = Encode(v, v_dtype), wb = Encode(w, w_dtype), yb = Encode(y, y_dtype);
  const int64_t vd = Upload(vb.data(), vb.size()), wd = Upload(wb.data(), wb.size());
  const int64_t id = Upload(idx.data(), idx.size() * 4), yd = Upload(yb.data(), yb.size());
  const npukit_bgmv_expand_args args{Tensor(vd, v_dtype, 2, batch, rank, 0, int64_t{batch} * rank),
                                     Tensor(wd, w_dtype, 3, loras, h_out, rank, int64_t{loras} * h_out * rank),
                                     Tensor(id, NPUKIT_I32, 1, batch, 0, 0, batch),
                                     Tensor(yd, y_dtype, 2, batch, y_row, 0, int64_t{batch} * y_row), off};
  Expect(npukit_ascend_bgmv_expand(&args) == NPUKIT_OK, "bgmv_expand runs");
  if (cost != nullptr) npukit_ascend_last_launch_cost(cost);
  std::vector<uint8_t> got(yb.size());
  npukit_ascend_copy_to_host(got.data(), yd, int64_t(got.size()));
  double max_diff = 0, max_ref = 0;
  bool untouched = true;
  const double ulp = y_dtype == NPUKIT_BF16 ? 0x1p-8 : y_dtype == NPUKIT_F16 ? 0x1p-11 : 0;
  for (int b = 0; b < batch; b++) {
    for (int j = 0; j < y_row; j++) {
      const size_t e = size_t(b) * y_row + j;
      const size_t es = npukit::dtype_size(y_dtype);
      if (idx[b] < 0 || j < off || j >= off + h_out) {
        untouched = untouched && std::memcmp(got.data() + e * es, yb.data() + e * es, es) == 0;
        continue;
      }
      double ref = y[e];
      const float* w_row = &w[(size_t(idx[b]) * h_out + j - off) * rank];
      for (int k = 0; k < rank; k++) ref += double(w_row[k]) * v[size_t(b) * rank + k];
      const double g = npukit::load_float(got.data(), y_dtype, static_cast<int64_t>(e));
      // One unit in the last place of y's dtype is allowed before the bound (docs/kernels.md).
      max_diff = std::fmax(max_diff, std::fmax(0.0, std::fabs(g - ref) - ulp * std::fabs(ref)));
      max_ref = std::fmax(max_ref, std::fabs(ref));
    }
  }
  const double err = max_ref == 0 ? max_diff : max_diff / max_ref;
  const bool all_f32 = v_dtype == NPUKIT_F32 && w_dtype == NPUKIT_F32 && y_dtype == NPUKIT_F32;
  std::printf("bgmv_expand B=%d loras=%d rank=%d h_out=%d v=%d w=%d y=%d: relative error %.3g\n", batch, loras, rank,
              h_out, v_dtype, w_dtype, y_dtype, err);
  Expect(err <= (all_f32 ? 1e-5 : 2e-3), "expand within the bound of the double-precision product", err);
  Expect(untouched, "rows without an adapter and y outside the slice are untouched");
  npukit_ascend_free(vd);
  npukit_ascend_free(wd);
  npukit_ascend_free(id);
  npukit_ascend_free(yd);
}

int64_t CubeCores() {
  int64_t n = 0;
  Expect(aclGetDeviceCapability(0, ACL_DEVICE_INFO_AI_CORE_NUM, &n) == ACL_SUCCESS, "AI core query");
  return n;
}

// An F32 v with +inf, -inf, a value past BF16's largest finite one and NaN, against a BF16 W (two
// parts on the cube): y = inf x W's sign, the large value's products finite, NaN, as in F32.
void NonFiniteV(std::mt19937& rng) {
  const int batch = 4, rank = 3, h_out = 3000;  // long enough for the cube
  std::normal_distribution<float> normal;
  std::vector<float> w(size_t(h_out) * rank), y(size_t(batch) * h_out, 0.0f);
  for (float& f : w) f = normal(rng) * 1e-3f;
  const float big = 3.4e38f, inf = INFINITY;
  std::vector<float> v = {inf, 0, 0, -inf, 0, 0, big, 1, 0, NAN, 0, 0};
  const std::vector<uint8_t> wb = Encode(w, NPUKIT_BF16), yb = Encode(y, NPUKIT_BF16);
  const std::vector<int32_t> idx(batch, 0);
  const int64_t vd = Upload(v.data(), v.size() * 4), wd = Upload(wb.data(), wb.size());
  const int64_t id = Upload(idx.data(), idx.size() * 4), yd = Upload(yb.data(), yb.size());
  const npukit_bgmv_expand_args args{Tensor(vd, NPUKIT_F32, 2, batch, rank, 0, int64_t{batch} * rank),
                                     Tensor(wd, NPUKIT_BF16, 3, 1, h_out, rank, int64_t{h_out} * rank),
                                     Tensor(id, NPUKIT_I32, 1, batch, 0, 0, batch),
                                     Tensor(yd, NPUKIT_BF16, 2, batch, h_out, 0, int64_t{batch} * h_out), 0};
  Expect(npukit_ascend_bgmv_expand(&args) == NPUKIT_OK, "bgmv_expand runs (non-finite v)");
  double c[NPUKIT_ASCEND_COST_FIELDS] = {};
  npukit_ascend_last_launch_cost(c);
  if (CubeCores() == 24) Expect(c[11] > 0, "the cube launch ran (its workspaces in the L2 bytes)", c[11]);
  std::vector<uint8_t> got(yb.size());
  npukit_ascend_copy_to_host(got.data(), yd, int64_t(got.size()));
  bool ok = true;
  for (int j = 0; j < h_out; j++) {
    const float w0 = w[size_t(j) * rank], w1 = w[size_t(j) * rank + 1];
    const float g0 = npukit::load_float(got.data(), NPUKIT_BF16, j);
    const float g1 = npukit::load_float(got.data(), NPUKIT_BF16, h_out + j);
    const float g2 = npukit::load_float(got.data(), NPUKIT_BF16, 2 * h_out + j);
    const float g3 = npukit::load_float(got.data(), NPUKIT_BF16, 3 * h_out + j);
    if (w0 != 0) ok = ok && std::isinf(g0) && (g0 > 0) == (w0 > 0) && std::isinf(g1) && (g1 > 0) == (w0 < 0);
    const double ref2 = double(big) * w0 + w1;
    ok = ok && std::isfinite(g2) && std::fabs(g2 - ref2) <= 0x1p-7 * std::fabs(ref2);
    ok = ok && std::isnan(g3);
  }
  std::printf("bgmv_expand non-finite v: %s\n", ok ? "ok" : "wrong");
  Expect(ok, "an infinite v gives infinities of W's sign, a large finite v finite products, NaN stays NaN");
  npukit_ascend_free(vd);
  npukit_ascend_free(wd);
  npukit_ascend_free(id);
  npukit_ascend_free(yd);
}

std::vector<int32_t> RandomIdx(int batch, int loras, std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(-1, loras - 1);
  std::vector<int32_t> idx(batch);
  for (int32_t& i : idx) i = pick(rng);
  idx[0] = loras - 1;  // at least one row with an adapter
  return idx;
}

}  // namespace

int main() {
  Expect(npukit_ascend_init(0) == NPUKIT_OK, "init");
  std::mt19937 rng(17);

  const int dtypes[] = {NPUKIT_F32, NPUKIT_F16, NPUKIT_BF16};
  std::uniform_int_distribution<int> batch(1, 40), loras(1, 9), rank(1, 70), h_out(1, 3000), extra(0, 9);
  for (int trial = 0; trial < 18; trial++) {
    const int dt = dtypes[trial % 3];
    const int y_dt = dtypes[(trial / 3) % 3];
    const int b = batch(rng);
    RunCase(RandomIdx(b, loras(rng), rng), 9, rank(rng), h_out(rng), extra(rng), dt, dt, y_dt, rng);
  }
  // BF16 W with an F32 or F16 v: two parts on the cube.
  for (int trial = 0; trial < 6; trial++) {
    const int b = batch(rng);
    RunCase(RandomIdx(b, 9, rng), 9, rank(rng), h_out(rng), extra(rng), trial % 2 ? NPUKIT_F16 : NPUKIT_F32,
            NPUKIT_BF16, dtypes[trial % 3], rng);
  }
  // An F16 W with an F32 v: the vector kernel.
  RunCase(RandomIdx(12, 3, rng), 3, 24, 1000, 3, NPUKIT_F32, NPUKIT_F16, NPUKIT_F16, rng);
  // Groups of one row each, h_out and rank not multiples of 16.
  RunCase({0, 1, 2, 3, -1, 4}, 5, 13, 1001, 2, NPUKIT_F32, NPUKIT_BF16, NPUKIT_BF16, rng);
  // One adapter on 150 rows: more than a cube group.
  RunCase(std::vector<int32_t>(150, 0), 1, 16, 700, 0, NPUKIT_BF16, NPUKIT_BF16, NPUKIT_BF16, rng);
  NonFiniteV(rng);
  // A long h_out and a large rank.
  RunCase(RandomIdx(9, 2, rng), 2, 200, 5000, 1, NPUKIT_F16, NPUKIT_F16, NPUKIT_F32, rng);

  // The 7B shape of the bench: B = 64 (every other row without an adapter), 8 adapters,
  // h_out 4096, rank 16, F32 v, BF16 W and y: the cube's mixed launch, each weight read once.
  {
    std::vector<int32_t> idx(64);
    for (int b = 0; b < 64; b++) idx[b] = b % 2 == 1 ? -1 : (b / 2) % 8;
    double c[NPUKIT_ASCEND_COST_FIELDS] = {};
    RunCase(idx, 8, 16, 4096, 0, NPUKIT_F32, NPUKIT_BF16, NPUKIT_BF16, rng, c);
    std::printf("7B expand: blocks %.0f gm %.0f (read %.0f, written %.0f) modelled %.3f us, hbm %.3f us, ratio %.2f\n",
                c[0], c[1], c[2], c[3], c[9], c[10], c[9] / c[10]);
    // Read: W 8 x 4096 x 16 x 2 = 1 MiB, the rows' y slices 32 x 4096 x 2 and v 32 x 16 x 4 once,
    // plus the workspaces (v's parts, the sums) and the tilings and group tables.
    const double essential_read = 8.0 * 4096 * 16 * 2 + 32.0 * 4096 * 2 + 32.0 * 16 * 4;
    Expect(c[2] >= essential_read && c[2] < essential_read + 32.0 * 4096 * 4 + 64 * 1024, "weights read once", c[2]);
    // With the 910B1's 24 cube cores (fewer: the tiler may keep the vector kernel).
    if (CubeCores() == 24) Expect(c[9] / c[10] <= 1.5, "modelled within 1.5x of the HBM bound", c[9] / c[10]);
  }
  std::printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
