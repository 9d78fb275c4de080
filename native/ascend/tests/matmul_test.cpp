// Native test of the Ascend matmul path (kernel + launcher through the C API), run by CTest in
// an emulator build: out = x . weight^T against a double-precision loop for F32/F16/BF16 inputs
// and shapes that are and are not multiples of the tile sizes, plus argument errors.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "acl/acl.h"
#include "ascendc_emu/core.h"
#include "convert.h"
#include "cost_model.h"
#include "npukit/ascend.h"
#include "npukit/kernels.h"
#include "test_support.h"

namespace {

using namespace npukit_test;

npukit_tensor Device2d(int64_t address, int dtype, int64_t rows, int64_t cols) {
  return Tensor(address, dtype, 2, rows, cols, 0, rows * cols);
}

void RunCase(int m, int n, int k, int x_dtype, int w_dtype, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  std::vector<float> x(size_t(m) * k), w(size_t(n) * k);
  for (float& f : x) f = normal(rng);
  for (float& f : w) f = normal(rng);
  const int64_t xd = Upload(Encode(x, x_dtype));
  const int64_t wd = Upload(Encode(w, w_dtype));
  int64_t od = 0;
  Expect(npukit_ascend_malloc(int64_t{m} * n * 4, &od) == NPUKIT_OK, "malloc out");
  const npukit_matmul_args args{Device2d(xd, x_dtype, m, k), Device2d(wd, w_dtype, n, k), npukit_tensor{},
                                Device2d(od, NPUKIT_F32, m, n)};
  const int st = npukit_ascend_matmul(&args);
  Expect(st == NPUKIT_OK, "matmul runs");
  std::vector<float> out(size_t(m) * n);
  npukit_ascend_copy_to_host(out.data(), od, int64_t{m} * n * 4);
  double max_diff = 0, max_ref = 0;
  for (int i = 0; i < m; i++) {
    for (int j = 0; j < n; j++) {
      double ref = 0;
      for (int p = 0; p < k; p++) ref += double(x[size_t(i) * k + p]) * w[size_t(j) * k + p];
      max_diff = std::fmax(max_diff, std::fabs(out[size_t(i) * n + j] - ref));
      max_ref = std::fmax(max_ref, std::fabs(ref));
    }
  }
  const double err = max_ref == 0 ? max_diff : max_diff / max_ref;
  std::printf("matmul m=%d n=%d k=%d x=%d w=%d: relative error %.3g\n", m, n, k, x_dtype, w_dtype, err);
  Expect(err <= 1e-5, "matmul within 1e-5 of the double-precision product", err);
  npukit_ascend_free(xd);
  npukit_ascend_free(wd);
  npukit_ascend_free(od);
}

}  // namespace

int main() {
  Expect(std::strcmp(npukit_ascend_mode(), "emu") == 0, "emulator build");
  Expect(npukit_ascend_init(0) == NPUKIT_OK, "init");
  std::mt19937 rng(42);
  RunCase(1, 1, 1, NPUKIT_F32, NPUKIT_F32, rng);
  RunCase(3, 17, 33, NPUKIT_F32, NPUKIT_F32, rng);
  RunCase(5, 40, 4100, NPUKIT_F16, NPUKIT_F32, rng);    // several reduction tiles
  RunCase(7, 33, 100, NPUKIT_BF16, NPUKIT_F16, rng);
  RunCase(2, 300, 64, NPUKIT_F32, NPUKIT_BF16, rng);    // many output tiles
  // The launch spread its work items, (pair of rows, tile of at most 16 of the 300 outputs): at
  // least ceil(300/16) = 19, over min(items, vector cores) blocks: the count the device reports
  // (NPUKIT_EMU_VECTOR_CORES in the emulator), not a constant.
  int64_t cores = 0;
  Expect(aclGetDeviceCapability(0, ACL_DEVICE_INFO_VECTOR_CORE_NUM, &cores) == ACL_SUCCESS, "vector core query");
  const size_t blocks = AscendC::emu::LastLaunchCounters().size();
  std::printf("vector cores %lld, blocks of the last launch %zu\n", static_cast<long long>(cores), blocks);
  Expect(blocks <= static_cast<size_t>(cores) && blocks >= static_cast<size_t>(cores < 19 ? cores : 19),
         "blockDim = min(items, vector cores)", static_cast<double>(blocks));

  // The cost of that launch: every byte of x (2x64 F32), weight (300x64 BF16) and out (2x300 F32)
  // crosses global memory at least once; the HBM bound is those bytes over 1.6 TB/s.
  double c[NPUKIT_ASCEND_COST_FIELDS] = {};
  Expect(npukit_ascend_last_launch_cost(c) == NPUKIT_OK, "last launch cost");
  std::printf("cost: blocks %.0f gm %.0f B (mte2 %.0f, mte3 %.0f) vector %.0f/%.0f scalar %.0f barriers %.0f "
              "waits %.0f modelled %.4f us hbm %.4f us\n", c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8],
              c[9], c[10]);
  Expect(c[0] == static_cast<double>(blocks), "cost counts the launch's blocks", c[0]);
  Expect(c[2] >= 2 * 64 * 4 + 300 * 64 * 2 && c[3] >= 2 * 300 * 4, "every input and output byte counted", c[1]);
  Expect(c[1] == c[2] + c[3], "gm bytes = mte2 + mte3", c[1]);
  Expect(std::fabs(c[10] - c[1] / 1.6e6) <= 1e-12 * c[1], "hbm bound = bytes / 1.6 TB/s", c[10]);
  Expect(c[9] >= c[10] && c[5] > 0, "modelled time at least the HBM bound, vector work counted", c[9]);
  // The model by hand: pipes max(3200/32, 640/32, 100 x 256/128) = 200 cycles, + 2 x 10 scalar
  // GM + 5 UB + (3 + 4) x 16 sync = 337 cycles at 1850 MHz; 1.6 MB is 1 us of HBM.
  namespace cost = npukit::ascend::cost;
  const double cycles = cost::BlockCycles({3200, 640, 100, 2, 5, 3, 4});
  Expect(cycles == 337, "block cycles by hand", cycles);
  Expect(std::fabs(cost::ModelledUs(337, 1, 0) - 337 / 1850.0) < 1e-12, "core-bound launch", 0);
  Expect(std::fabs(cost::ModelledUs(337, 49, 0) - 2 * 337 / 1850.0) < 1e-12, "49 blocks run in 2 waves", 0);
  Expect(std::fabs(cost::ModelledUs(0, 1, 1600000) - 1.0) < 1e-12, "HBM-bound launch", 0);
  RunCase(4, 8, 0, NPUKIT_F32, NPUKIT_F32, rng);        // empty reduction: zeros

  // Wrong element counts are refused before anything runs.
  int64_t buf = 0;
  npukit_ascend_malloc(64, &buf);
  npukit_matmul_args args{Device2d(buf, NPUKIT_F32, 2, 2), Device2d(buf, NPUKIT_F32, 2, 2), npukit_tensor{},
                          Device2d(buf, NPUKIT_F32, 2, 2)};
  args.out.numel = 5;
  Expect(npukit_ascend_matmul(&args) == NPUKIT_ERR_BOUNDS, "an element count unlike the shape is a bounds error");
  Expect(std::strncmp(npukit_ascend_last_error(), "matmul:", 7) == 0, "message names matmul");
  args.out.shape[1] = 3;
  args.out.numel = 6;
  Expect(npukit_ascend_matmul(&args) == NPUKIT_ERR_BOUNDS, "out of the wrong shape is a bounds error");
  args.out = Device2d(buf, NPUKIT_F32, 2, 2);
  args.x.dtype = NPUKIT_I32;
  Expect(npukit_ascend_matmul(&args) == NPUKIT_ERR_ARGUMENT, "I32 input is refused");
  args.x = Device2d(buf, NPUKIT_F32, 2, 2);
  args.x.location = NPUKIT_HOST;
  Expect(npukit_ascend_matmul(&args) == NPUKIT_ERR_ARGUMENT, "a host tensor is refused");
  npukit_ascend_free(buf);
  std::printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
