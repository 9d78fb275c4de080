// Native test of BGMV shrink on the Ascend path (cube launch + merge launch through the C API),
// run by CTest in an emulator build: y = scale * A[idx] . x against a double-precision loop on
// randomized cases (reduction lengths and ranks that are not multiples of 16, rows without an
// adapter, many adapters, groups longer than the cube's 64 rows, F32/F16/BF16 and mixed dtypes,
// which take the vector path), and the bytes of the 7B shape's launches: every weight byte read
// once (the modelled time is the bench's: npukit bench ascend --family bgmv).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "acl/acl.h"
#include "ascendc_emu/core.h"
#include "convert.h"
#include "npukit/ascend.h"
#include "npukit/kernels.h"
#include "test_support.h"

namespace {

using namespace npukit_test;

void RunCase(int batch, int loras, int rank, int h_in, int x_dtype, int a_dtype, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<int> pick(-1, loras - 1);
  std::vector<float> x(size_t(batch) * h_in), a(size_t(loras) * rank * h_in);
  for (float& f : x) f = normal(rng);
  for (float& f : a) f = normal(rng);
  std::vector<int32_t> idx(batch);
  for (int32_t& i : idx) i = pick(rng);
  idx[0] = loras - 1;  // at least one row with an adapter
  const float scale = 0.75f;
  const std::vector<uint8_t> xb = Encode(x, x_dtype), ab = Encode(a, a_dtype);
  const int64_t xd = Upload(xb.data(), xb.size());
  const int64_t ad = Upload(ab.data(), ab.size());
  const int64_t id = Upload(idx.data(), idx.size() * 4);
  std::vector<float> y(size_t(batch) * rank, 99.0f);
  const int64_t yd = Upload(y.data(), y.size() * 4);
  const npukit_bgmv_shrink_args args{Tensor(xd, x_dtype, 2, batch, h_in, 0, int64_t{batch} * h_in),
                                     Tensor(ad, a_dtype, 3, loras, rank, h_in, int64_t{loras} * rank * h_in),
                                     Tensor(id, NPUKIT_I32, 1, batch, 0, 0, batch),
                                     Tensor(yd, NPUKIT_F32, 2, batch, rank, 0, int64_t{batch} * rank), scale};
  Expect(npukit_ascend_bgmv_shrink(&args) == NPUKIT_OK, "bgmv_shrink runs");
  npukit_ascend_copy_to_host(y.data(), yd, int64_t(y.size()) * 4);
  double max_diff = 0, max_ref = 0;
  bool zeros = true;
  for (int b = 0; b < batch; b++) {
    for (int j = 0; j < rank; j++) {
      const float got = y[size_t(b) * rank + j];
      if (idx[b] < 0) {
        uint32_t bits;
        std::memcpy(&bits, &got, 4);
        zeros = zeros && bits == 0;
        continue;
      }
      double ref = 0;
      for (int k = 0; k < h_in; k++) {
        ref += double(a[(size_t(idx[b]) * rank + j) * h_in + k]) * x[size_t(b) * h_in + k];
      }
      ref *= scale;
      max_diff = std::fmax(max_diff, std::fabs(got - ref));
      max_ref = std::fmax(max_ref, std::fabs(ref));
    }
  }
  const double err = max_ref == 0 ? max_diff : max_diff / max_ref;
  std::printf("bgmv_shrink B=%d loras=%d rank=%d h_in=%d x=%d a=%d: relative error %.3g\n", batch, loras, rank, h_in,
              x_dtype, a_dtype, err);
  Expect(err <= 1e-5, "shrink within 1e-5 of the double-precision product", err);
  Expect(zeros, "rows without an adapter are +0");
  npukit_ascend_free(xd);
  npukit_ascend_free(ad);
  npukit_ascend_free(id);
  npukit_ascend_free(yd);
}

}  // namespace

int main() {
  Expect(npukit_ascend_init(0) == NPUKIT_OK, "init");
  std::mt19937 rng(11);
  const int dtypes[] = {NPUKIT_F32, NPUKIT_F16, NPUKIT_BF16};
  std::uniform_int_distribution<int> batch(1, 40), loras(1, 9), rank(1, 70), h_in(1, 3000);
  for (int trial = 0; trial < 18; trial++) {
    const int dt = dtypes[trial % 3];
    const int other = trial % 6 == 5 ? dtypes[(trial + 1) % 3] : dt;  // mixed dtypes: the vector path
    RunCase(batch(rng), loras(rng), rank(rng), h_in(rng), dt, other, rng);
  }
  RunCase(150, 2, 16, 100, NPUKIT_BF16, NPUKIT_BF16, rng);   // groups of more than 64 rows
  RunCase(3, 1, 300, 33, NPUKIT_F16, NPUKIT_F16, rng);       // two rank tiles (256 + 44)
  RunCase(5, 3, 8, 70000, NPUKIT_BF16, NPUKIT_BF16, rng);    // a reduction longer than ND2NZ's 16-bit stride
  RunCase(4, 2, 4, 0, NPUKIT_F32, NPUKIT_F32, rng);          // an empty reduction: zeros

  // The 7B shape of the bench: B = 64 (every other row without an adapter), 8 adapters,
  // hidden 4096, rank 16, BF16: the cube launch fills the 24 cube cores with (group, piece)
  // items and reads each adapter's weights once.
  {
    const int batch_n = 64, loras_n = 8, rank_n = 16, h = 4096;
    std::vector<int32_t> idx(batch_n);
    for (int b = 0; b < batch_n; b++) idx[b] = b % 2 == 1 ? -1 : (b / 2) % loras_n;
    std::vector<uint8_t> xb(size_t(batch_n) * h * 2, 0), ab(size_t(loras_n) * rank_n * h * 2, 0);
    const int64_t xd = Upload(xb.data(), xb.size()), ad = Upload(ab.data(), ab.size());
    const int64_t id = Upload(idx.data(), idx.size() * 4);
    int64_t yd = 0;
    npukit_ascend_malloc(int64_t{batch_n} * rank_n * 4, &yd);
    const npukit_bgmv_shrink_args args{Tensor(xd, NPUKIT_BF16, 2, batch_n, h, 0, int64_t{batch_n} * h),
                                       Tensor(ad, NPUKIT_BF16, 3, loras_n, rank_n, h, int64_t{loras_n} * rank_n * h),
                                       Tensor(id, NPUKIT_I32, 1, batch_n, 0, 0, batch_n),
                                       Tensor(yd, NPUKIT_F32, 2, batch_n, rank_n, 0, int64_t{batch_n} * rank_n), 0.5f};
    Expect(npukit_ascend_bgmv_shrink(&args) == NPUKIT_OK, "7B shrink runs");
    double c[NPUKIT_ASCEND_COST_FIELDS] = {};
    Expect(npukit_ascend_last_launch_cost(c) == NPUKIT_OK, "cost");
    // Weights 8 x 16 x 4096 x 2 = 1 MiB and the 32 rows with an adapter, 32 x 4096 x 2 = 256 KiB,
    // are read once; the workspace (pieces x 32 rows x 16 F32: 3 pieces on 24 cube cores) is
    // written and read once; y is written (64 x 16 F32). Each of the merge launch's 32 blocks
    // (below) copies its 24-byte tiling (ShrinkMergeTiling: 6 words) into the UB.
    const double ws = c[3] - 64.0 * 16 * 4;
    std::printf("7B shrink: blocks %.0f gm %.0f (read %.0f, written %.0f) modelled %.3f us, hbm %.3f us, ratio %.2f\n",
                c[0], c[1], c[2], c[3], c[9], c[10], c[9] / c[10]);
    Expect(ws > 0 && std::fmod(ws, 32.0 * 16 * 4) == 0 && c[2] == 8.0 * 16 * 4096 * 2 + 32.0 * 4096 * 2 + ws + 32.0 * 24,
           "every weight and activation byte read once, the workspace written and read once", c[2]);
    // The cube launch's blocks are at most the cube cores the device reports (24, or
    // NPUKIT_EMU_CUBE_CORES) and at least one per group up to that; the merge launch takes 32
    // blocks of 2 rows (64 rows over 48 vector cores).
    int64_t cube_cores = 0;
    Expect(aclGetDeviceCapability(0, ACL_DEVICE_INFO_AI_CORE_NUM, &cube_cores) == ACL_SUCCESS, "AI core query");
    const double cube_blocks = c[0] - 32;
    std::printf("cube cores %lld, cube blocks %.0f\n", static_cast<long long>(cube_cores), cube_blocks);
    Expect(cube_blocks <= double(cube_cores) && cube_blocks >= double(cube_cores < 8 ? cube_cores : 8),
           "cube blockDim = min(items, cube cores)", cube_blocks);
    npukit_ascend_free(xd);
    npukit_ascend_free(ad);
    npukit_ascend_free(id);
    npukit_ascend_free(yd);
  }
  std::printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
