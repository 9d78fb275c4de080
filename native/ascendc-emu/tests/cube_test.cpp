// The emulator's cube path: a matrix product through ND2NZ, LoadData, Mmad and Fixpipe against a
// plain double-precision product on randomized shapes (partial fractals included), the counters
// of one small launch and the cost model over them by hand, and the cube rules: each wrong
// kernel of cube_kernels.h must fail naming its rule, and its twin must pass. CTest runs it.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "cost_model.h"
#include "cube_kernels.h"
#include "expect.h"

namespace {

using namespace npukit_emu_cube;

size_t Size(int64_t dtype) { return dtype == kF32 ? 4 : 2; }

// Rounds v to dtype and stores it at element i of bytes.
float Store(std::vector<uint8_t>& bytes, int64_t dtype, size_t i, float v) {
  if (dtype == kF32) {
    std::memcpy(bytes.data() + 4 * i, &v, 4);
    return v;
  }
  const uint16_t b = dtype == kF16 ? npukit::float_to_f16(v) : npukit::float_to_bf16(v);
  std::memcpy(bytes.data() + 2 * i, &b, 2);
  return dtype == kF16 ? npukit::f16_to_float(b) : npukit::bf16_to_float(b);
}

float Load(const std::vector<uint8_t>& bytes, int64_t dtype, size_t i) {
  if (dtype == kF32) {
    float v;
    std::memcpy(&v, bytes.data() + 4 * i, 4);
    return v;
  }
  uint16_t b;
  std::memcpy(&b, bytes.data() + 2 * i, 2);
  return dtype == kF16 ? npukit::f16_to_float(b) : npukit::bf16_to_float(b);
}

void* Device(const std::vector<uint8_t>& host) {
  void* p = nullptr;
  aclrtMalloc(&p, host.size(), ACL_MEM_MALLOC_HUGE_FIRST);
  aclrtMemcpy(p, host.size(), host.data(), host.size(), ACL_MEMCPY_HOST_TO_DEVICE);
  return p;
}

// Runs product_kernel on random inputs; returns the largest error relative to the largest
// |reference| (or -1 when the launch failed).
double Product(int m, int n, int k, int64_t in, int64_t out_dtype, int64_t flags, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  std::vector<uint8_t> xb(size_t(m) * k * Size(in)), wb(size_t(n) * k * Size(in));
  std::vector<float> x(size_t(m) * k), w(size_t(n) * k);
  for (size_t i = 0; i < x.size(); i++) x[i] = Store(xb, in, i, normal(rng));
  for (size_t i = 0; i < w.size(); i++) w[i] = Store(wb, in, i, normal(rng));
  void* xd = Device(xb);
  void* wd = Device(wb);
  std::vector<uint8_t> ob(size_t(m) * n * Size(out_dtype));
  void* od = Device(ob);
  const int st = ACLRT_LAUNCH_KERNEL(product_kernel)(1, nullptr, static_cast<uint8_t*>(xd), static_cast<uint8_t*>(wd),
                                                     static_cast<uint8_t*>(od), int64_t{m}, int64_t{n}, int64_t{k}, in,
                                                     out_dtype, flags);
  double err = -1;
  if (st == ACL_SUCCESS) {
    aclrtMemcpy(ob.data(), ob.size(), od, ob.size(), ACL_MEMCPY_DEVICE_TO_HOST);
    double max_diff = 0, max_ref = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double ref = 0;
        for (int p = 0; p < k; p++) {
          const double wv = (flags & kWeightKxN) ? w[size_t(p) * n + j] : w[size_t(j) * k + p];
          ref += double(x[size_t(i) * k + p]) * wv;
        }
        max_diff = std::fmax(max_diff, std::fabs(Load(ob, out_dtype, size_t(i) * n + j) - ref));
        max_ref = std::fmax(max_ref, std::fabs(ref));
      }
    }
    err = max_ref == 0 ? max_diff : max_diff / max_ref;
  } else {
    std::fprintf(stderr, "launch failed: %s\n", aclGetRecentErrMsg());
  }
  aclrtFree(xd);
  aclrtFree(wd);
  aclrtFree(od);
  return err;
}

}  // namespace

int main() {
  std::mt19937 rng(7);
  // Randomized shapes, partial fractals in every dimension among them; float out keeps F32 sums
  // (1e-5 of the largest |result|), half/bfloat16 out adds one rounding of the result.
  std::uniform_int_distribution<int> dim(1, 70);
  for (int trial = 0; trial < 24; trial++) {
    const int m = dim(rng), n = dim(rng), k = dim(rng) * (trial % 3 + 1);
    const int64_t in = trial % 3;  // F32, F16, BF16
    const int64_t out = (trial / 3) % 3;
    int64_t flags = trial % 2 == 0 ? kSplitK : 0;
    if (in != kF32 && trial % 4 == 1) flags |= kWeightKxN;
    const double err = Product(m, n, k, in, out, flags, rng);
    const double bound = out == kF32 ? 1e-5 : out == kF16 ? 1e-3 : 8e-3;
    char what[160];
    std::snprintf(what, sizeof what, "product m=%d n=%d k=%d in=%lld out=%lld flags=%lld: error %.3g <= %g", m, n, k,
                  static_cast<long long>(in), static_cast<long long>(out), static_cast<long long>(flags), err, bound);
    Expect(err >= 0 && err <= bound, what);
  }
  // Mmad takes whole k fractals. x's k padding is the rest of each row's last 32-byte row, which
  // ND2NZ zeroes, so ones left in L1 around the copies do not change the sums, with w as [n, k]
  // (its padding zeroed the same way) or as [k, n] (its padding rows hold ones; x's zeros cancel
  // them).
  Expect(Product(16, 16, 20, kF16, kF32, kFillOnes, rng) <= 1e-5, "ND2NZ zeroes a partial 32-byte row");
  Expect(Product(16, 16, 20, kF16, kF32, kFillOnes | kWeightKxN, rng) <= 1e-5, "one zeroed side suffices");
  // Counters of one 16 x 16 x 32 half product (no split), by hand: ND2NZ reads 2 x 16 x 32 x 2
  // = 2048 GM bytes; LoadData moves 2 fractals into L0A and 2 into L0B (1024 bytes each); Mmad
  // does 1 x 1 x 2 fractal steps; Fixpipe writes 16 x 16 floats (1024 bytes); waits: the five
  // AllocTensors (MTE2 twice, MTE1 twice, M) and the five DeQues (MTE1 twice, M twice, FIX).
  // The model: max(2048 / 32, 1024 / 512 + 1024 / 256, 2, 1024 / 32) = 64 cycles + 10 x 16 =
  // 224 cycles.
  Expect(Product(16, 16, 32, kF16, kF32, 0, rng) >= 0, "16 x 16 x 32 product runs");
  const auto& blocks = AscendC::emu::LastLaunchCounters();
  const AscendC::emu::BlockCounters& c = blocks[0];
  uint64_t waits = 0;
  for (uint64_t w : c.waits) waits += w;
  Expect(blocks.size() == 1 && c.cube_core && c.mte2_bytes == 2048 && c.mte1_l0a_bytes == 1024 &&
             c.mte1_l0b_bytes == 1024 && c.cube_steps == 2 && c.fix_bytes == 1024 && c.mte3_bytes == 0 &&
             c.vector_repeats == 0 && waits == 10 && c.waits[AscendC::emu::kPipeMte2] == 2 &&
             c.waits[AscendC::emu::kPipeMte1] == 4 && c.waits[AscendC::emu::kPipeM] == 3 &&
             c.waits[AscendC::emu::kPipeFix] == 1,
         "cube counters by hand: mte2 " + std::to_string(c.mte2_bytes) + ", l0a " + std::to_string(c.mte1_l0a_bytes) +
             ", l0b " + std::to_string(c.mte1_l0b_bytes) + ", steps " + std::to_string(c.cube_steps) + ", fix " +
             std::to_string(c.fix_bytes) + ", waits " + std::to_string(waits));
  namespace cost = npukit::ascend::cost;
  const double cycles = cost::BlockCycles({c.mte2_bytes, c.mte3_bytes, c.vector_repeats, c.scalar_gm, c.scalar_ub,
                                           c.barriers, waits, c.mte1_l0a_bytes, c.mte1_l0b_bytes, c.cube_steps,
                                           c.fix_bytes});
  Expect(cycles == 224, "cube block cycles by hand: " + std::to_string(cycles));
  // Each pipe can be the bound: MTE1 (L0B at 256 bytes a cycle), the cube, FIX.
  Expect(cost::BlockCycles({0, 0, 0, 0, 0, 0, 0, 512, 2560}) == 11, "MTE1: 512 / 512 + 2560 / 256 = 11 cycles");
  Expect(cost::BlockCycles({32, 0, 0, 0, 0, 0, 0, 0, 0, 300}) == 300, "cube: 300 fractal steps, 300 cycles");
  Expect(cost::BlockCycles({32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3200}) == 100, "FIX: 3200 / 32 = 100 cycles");
  // 25 blocks on the 24 cube cores take two waves; on the vector cores one.
  Expect(std::fabs(cost::ModelledUs(185, 25, 0, true) - 2 * 0.1) < 1e-12, "25 cube blocks run in 2 waves");
  Expect(std::fabs(cost::ModelledUs(185, 25, 0, false) - 0.1) < 1e-12, "25 vector blocks run in 1 wave");

  // Rules.
  std::vector<uint8_t> host(1024, 0);
  void* xd = Device(host);
  void* od = Device(host);
  uint8_t* x = static_cast<uint8_t*>(xd);
  uint8_t* o = static_cast<uint8_t*>(od);
  auto run = [&](int64_t wrong) { return ACLRT_LAUNCH_KERNEL(wrong_cube_kernel)(1, nullptr, x, o, wrong); };
  ExpectPass("the corrected cube kernel", run(kOk));
  ExpectRule("Mmad from A1", run(kMmadFromL1), "tensor position", "Mmad from A1 to CO1");
  ExpectRule("LoadData from A2", run(kLoadFromL0), "tensor position", "LoadData from A2 to B2");
  ExpectRule("Fixpipe from B1", run(kFixpipeFromL1), "tensor position", "Fixpipe from B1 to GM");
  ExpectRule("64.5 KB of L0A", run(kL0aOverflow), "cube-buffer capacity", "in L0A");
  ExpectRule("A2 operand 32 bytes into a fractal", run(kMisalignedA2), "fractal alignment", "not 512-byte aligned");
  ExpectRule("Mmad of half x bfloat16", run(kMixedDtypes), "cube dtype");
  ExpectRule("Fixpipe into half without F322F16", run(kFixpipeQuant), "cube dtype");
  ExpectRule("LoadData without MTE2_MTE1", run(kNoMte2ToMte1), "pipe synchronisation", "HardEvent::MTE2_MTE1");
  ExpectRule("Mmad without MTE1_M", run(kNoMte1ToM), "pipe synchronisation", "HardEvent::MTE1_M");
  ExpectRule("Fixpipe without M_FIX", run(kNoMToFix), "pipe synchronisation", "HardEvent::M_FIX");
  ExpectRule("VECIN and A1 in one kernel", run(kMixedCore), "core type");
  ExpectRule("a SetFlag never waited for", run(kUnwaitedFlag), "pipe synchronisation",
             "SetFlag<HardEvent::M_FIX>(1) never waited for");
  aclrtFree(xd);
  aclrtFree(od);
  std::printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
