// The cube (AIC) path of the AscendC emulator, Atlas A2 (dav_c220): GM -> L1 copies with the ND
// to NZ conversion, InitConstValue, LoadData L1 -> L0A/L0B, Mmad and Fixpipe L0C -> GM, with
// the documented layouts (the Mmad page of the AscendC API reference):
//   - a fractal is 16 rows of 32 bytes (512 bytes): 16 x 16 half/bfloat16, 16 x 8 float;
//   - A (left, L0A, "ZZ"): fractals row-major inside, fractal rows after fractal rows;
//   - B (right, L0B, "ZN"): a k0 x 16 fractal column-major inside (each of its 16 columns is
//     k0 contiguous values), fractals row-major ((k block, n block) at k block x N blocks + n block);
//   - C (L0C, "NZ"): 16 x 16 float fractals, row-major inside, fractals column-major.
// The NZ layout DataCopy builds in L1 (ND2NZ) is row-major 32-byte rows inside column blocks of
// C0 = 32 / sizeof(T) elements, so an [n, k] weight matrix in NZ is already B's ZN layout and an
// [m, k] activation matrix becomes ZZ by LoadData fractal by fractal (startIndex, srcStride).
//
// Included at the end of kernel_operator.h; not a header of its own.
#ifndef NPUKIT_ASCENDC_EMU_CUBE_H
#define NPUKIT_ASCENDC_EMU_CUBE_H

// Fixpipe's conversion modes: a plain enum outside namespace AscendC, as the CCE toolchain
// declares it.
enum QuantMode_t { NoQuant, F322F16, F322BF16, DEQF16, VDEQF16, QF322B8_PRE, VQF322B8_PRE, REQ8, VREQ8 };

namespace AscendC {

namespace emu {
constexpr size_t kFractalBytes = 512;  // 16 rows of 32 bytes

inline bool InL1(TPosition p) { return p == TPosition::A1 || p == TPosition::B1; }
inline bool InL0ab(TPosition p) { return p == TPosition::A2 || p == TPosition::B2; }

// Throws unless the local tensor starts `align` bytes into its memory (fractal rule).
template <typename T>
void CheckFractalAligned(const LocalTensor<T>& t, size_t align, const char* what, const char* role) {
  const size_t off = MemOffset(t.data(), MemoryOf(t.GetPosition()));
  if (off % align != 0) {
    Violation(kRuleFractal, "%s: %s at %s offset %zu is not %zu-byte aligned", what, role,
              PositionName(t.GetPosition()), off, align);
  }
}

// Pipe p reads / writes `bytes` at byte offset `byte` of local tensor t (checked against its end).
template <typename T>
void LocalRange(Pipe p, bool write, const char* what, const LocalTensor<T>& t, uint64_t byte, uint64_t bytes) {
  if (byte + bytes > uint64_t{t.GetSize()} * sizeof(T)) {
    Violation(kRuleLocalBounds, "%s: bytes [%llu, %llu) past a local tensor of %llu bytes", what,
              (unsigned long long)byte, (unsigned long long)(byte + bytes),
              (unsigned long long)(uint64_t{t.GetSize()} * sizeof(T)));
  }
  const size_t off = UbOffset(t.data()) + byte;
  if (write) {
    PipeWrite(p, what, off, bytes);
  } else {
    PipeRead(p, what, off, bytes);
  }
}
}  // namespace emu

// ---- GM -> L1 with the ND -> NZ conversion (MTE2) ----
// ndNum matrices of nValue rows x dValue elements, rows srcDValue elements apart in GM, matrices
// srcNdMatrixStride elements apart. Element (r, c) of matrix i lands at element
//   i x dstNzMatrixStride + (c / C0) x dstNzC0Stride x C0 + r x dstNzNStride x C0 + c % C0
// of dst (C0 = 32 / sizeof(T); the strides in 32-byte rows). A row's last 32-byte row is padded
// with zeros when dValue x sizeof(T) is not a multiple of 32 (the "GMToL1 ND2NZ DataCopy" page);
// the rows up to a fractal boundary are not written and keep what L1 held. ndNum, nValue or
// dValue 0: nothing moves.
struct Nd2NzParams {
  Nd2NzParams() = default;
  Nd2NzParams(uint16_t ndNumIn, uint16_t nValueIn, uint16_t dValueIn, uint16_t srcNdMatrixStrideIn,
              uint16_t srcDValueIn, uint16_t dstNzC0StrideIn, uint16_t dstNzNStrideIn, uint16_t dstNzMatrixStrideIn)
      : ndNum(ndNumIn), nValue(nValueIn), dValue(dValueIn), srcNdMatrixStride(srcNdMatrixStrideIn),
        srcDValue(srcDValueIn), dstNzC0Stride(dstNzC0StrideIn), dstNzNStride(dstNzNStrideIn),
        dstNzMatrixStride(dstNzMatrixStrideIn) {}
  uint16_t ndNum = 0;
  uint16_t nValue = 0;
  uint16_t dValue = 0;
  uint16_t srcNdMatrixStride = 0;
  uint16_t srcDValue = 0;
  uint16_t dstNzC0Stride = 0;
  uint16_t dstNzNStride = 0;
  uint16_t dstNzMatrixStride = 0;
};

template <typename T>
void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const Nd2NzParams& p) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4, "ND2NZ moves 8-, 16- or 32-bit elements");
  constexpr uint64_t c0 = 32 / sizeof(T);
  emu::CheckPath(emu::InL1(dst.GetPosition()), "DataCopy (ND2NZ)", TPosition::GM, dst.GetPosition());
  emu::CheckFractalAligned(dst, 32, "DataCopy (ND2NZ)", "dst");
  // Field ranges of the ND2NZ form (the same page's table; ndNum, nValue, dValue, srcDValue and
  // srcNdMatrixStride are 16-bit fields here, which bounds the rest).
  if (p.ndNum > 4095 || p.nValue > 16384 || p.srcDValue < 1 || p.dstNzC0Stride < 1 || p.dstNzC0Stride > 16384 ||
      p.dstNzNStride < 1 || p.dstNzNStride > 16384 || p.dstNzMatrixStride > 16384) {
    emu::Violation(emu::kRuleApiLimit, "DataCopy (ND2NZ): ndNum %u, nValue %u, srcDValue %u, dstNzC0Stride %u, "
                   "dstNzNStride %u, dstNzMatrixStride %u outside their ranges", p.ndNum, p.nValue, p.srcDValue,
                   p.dstNzC0Stride, p.dstNzNStride, p.dstNzMatrixStride);
  }
  if (p.ndNum == 0 || p.nValue == 0 || p.dValue == 0) return;
  const uint64_t blocks = (uint64_t{p.dValue} + c0 - 1) / c0;
  for (uint32_t i = 0; i < p.ndNum; i++) {
    for (uint32_t r = 0; r < p.nValue; r++) {
      src.Check(uint64_t{i} * p.srcNdMatrixStride + uint64_t{r} * p.srcDValue, p.dValue, "DataCopy (ND2NZ)");
      for (uint64_t b = 0; b < blocks; b++) {
        const uint64_t e = uint64_t{i} * p.dstNzMatrixStride + (b * p.dstNzC0Stride + uint64_t{r} * p.dstNzNStride) * c0;
        emu::LocalRange(emu::kPipeMte2, true, "DataCopy (ND2NZ)", dst, e * sizeof(T), 32);
      }
    }
  }
  for (uint32_t i = 0; i < p.ndNum; i++) {
    for (uint32_t r = 0; r < p.nValue; r++) {
      const T* row = src.GetPhyAddr() + uint64_t{i} * p.srcNdMatrixStride + uint64_t{r} * p.srcDValue;
      emu::RecordGmAccess(row, uint64_t{p.dValue} * sizeof(T), false, "DataCopy (ND2NZ)");
      for (uint64_t c = 0; c < blocks * c0; c++) {
        const uint64_t e = uint64_t{i} * p.dstNzMatrixStride + ((c / c0) * p.dstNzC0Stride + uint64_t{r} * p.dstNzNStride) * c0 + c % c0;
        dst.data()[e] = c < p.dValue ? row[c] : T{};
      }
    }
  }
}

// ---- InitConstValue: fill L1 (MTE2, 32-byte blocks) or L0A/L0B (MTE1, 512-byte blocks) ----
// repeatTimes repeats of blockNum blocks, dstGap blocks between repeats (the InitConstValue page,
// Atlas A2: every field configurable).
template <typename T>
struct InitConstValueParams {
  InitConstValueParams() = default;
  InitConstValueParams(uint16_t repeatTimesIn, uint16_t blockNumIn, uint16_t dstGapIn, T initValueIn)
      : repeatTimes(repeatTimesIn), blockNum(blockNumIn), dstGap(dstGapIn), initValue(initValueIn) {}
  uint16_t repeatTimes = 0;
  uint16_t blockNum = 0;
  uint16_t dstGap = 0;
  T initValue{};
};

template <typename T, typename U>
void InitConstValue(const LocalTensor<T>& dst, const InitConstValueParams<U>& p) {
  static_assert(std::is_same<T, U>::value, "the init value has the tensor's type");
  const TPosition pos = dst.GetPosition();
  emu::CheckPath(emu::InL1(pos) || emu::InL0ab(pos), "InitConstValue", pos, pos);
  const bool l1 = emu::InL1(pos);
  const size_t block = l1 ? 32 : emu::kFractalBytes;
  emu::CheckFractalAligned(dst, block, "InitConstValue", "dst");
  if (p.repeatTimes > 32767 || p.blockNum > 32767 || p.dstGap > 32767) {
    emu::Violation(emu::kRuleApiLimit, "InitConstValue: repeatTimes %u, blockNum %u, dstGap %u above 32767",
                   p.repeatTimes, p.blockNum, p.dstGap);
  }
  const emu::Pipe pipe = l1 ? emu::kPipeMte2 : emu::kPipeMte1;
  for (uint32_t r = 0; r < p.repeatTimes; r++) {
    emu::LocalRange(pipe, true, "InitConstValue", dst, uint64_t{r} * (p.blockNum + p.dstGap) * block,
                    uint64_t{p.blockNum} * block);
  }
  const uint64_t bytes = uint64_t{p.repeatTimes} * p.blockNum * block;
  if (pos == TPosition::A2) emu::Counters().mte1_l0a_bytes += bytes;
  if (pos == TPosition::B2) emu::Counters().mte1_l0b_bytes += bytes;
  for (uint32_t r = 0; r < p.repeatTimes; r++) {
    T* out = reinterpret_cast<T*>(reinterpret_cast<uint8_t*>(dst.data()) + uint64_t{r} * (p.blockNum + p.dstGap) * block);
    for (uint64_t i = 0; i < uint64_t{p.blockNum} * block / sizeof(T); i++) out[i] = p.initValue;
  }
}

// ---- LoadData 2D: L1 (A1/B1) -> L0A/L0B (A2/B2), whole fractals (MTE1) ----
// Fractal i (i < repeatTimes) is source fractal startIndex + i x srcStride (512-byte units from
// src's start) and lands dstGap fractals after the previous one; ifTranspose transposes each
// 16 x 16 fractal of a 16-bit type (other types need LoadDataWithTranspose, not emulated).
struct LoadData2DParams {
  LoadData2DParams() = default;
  LoadData2DParams(uint16_t startIndexIn, uint8_t repeatTimesIn, uint16_t srcStrideIn, uint8_t sidIn,
                   uint16_t dstGapIn, bool ifTransposeIn, uint8_t addrModeIn)
      : startIndex(startIndexIn), dstGap(dstGapIn), srcStride(srcStrideIn), ifTranspose(ifTransposeIn),
        repeatTimes(repeatTimesIn), sid(sidIn), addrMode(addrModeIn) {}
  uint16_t startIndex = 0;
  uint16_t dstGap = 0;
  uint16_t srcStride = 0;
  bool ifTranspose = false;
  uint8_t repeatTimes = 0;
  uint8_t sid = 0;
  uint8_t addrMode = 0;
};

template <typename T>
void LoadData(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LoadData2DParams& p) {
  emu::CheckPath(emu::InL1(src.GetPosition()) && emu::InL0ab(dst.GetPosition()), "LoadData", src.GetPosition(),
                 dst.GetPosition());
  emu::CheckFractalAligned(src, 32, "LoadData", "src");
  emu::CheckFractalAligned(dst, emu::kFractalBytes, "LoadData", "dst");
  if (p.addrMode != 0) emu::Violation(emu::kRuleApiLimit, "LoadData: addrMode %u is not emulated", p.addrMode);
  if (p.ifTranspose && sizeof(T) != 2) {
    emu::Violation(emu::kRuleApiLimit, "LoadData with ifTranspose takes 16-bit types (LoadDataWithTranspose, not "
                   "emulated, does the others)");
  }
  constexpr size_t f = emu::kFractalBytes;
  for (uint32_t i = 0; i < p.repeatTimes; i++) {
    emu::LocalRange(emu::kPipeMte1, false, "LoadData", src, (uint64_t{p.startIndex} + uint64_t{i} * p.srcStride) * f, f);
    emu::LocalRange(emu::kPipeMte1, true, "LoadData", dst, uint64_t{i} * (1 + p.dstGap) * f, f);
  }
  const uint64_t bytes = uint64_t{p.repeatTimes} * f;
  (dst.GetPosition() == TPosition::A2 ? emu::Counters().mte1_l0a_bytes : emu::Counters().mte1_l0b_bytes) += bytes;
  for (uint32_t i = 0; i < p.repeatTimes; i++) {
    const uint8_t* in = reinterpret_cast<const uint8_t*>(src.data()) + (uint64_t{p.startIndex} + uint64_t{i} * p.srcStride) * f;
    uint8_t* out = reinterpret_cast<uint8_t*>(dst.data()) + uint64_t{i} * (1 + p.dstGap) * f;
    if (!p.ifTranspose) {
      std::memmove(out, in, f);
      continue;
    }
    uint8_t tmp[f];
    for (int r = 0; r < 16; r++) {
      for (int c = 0; c < 16; c++) std::memcpy(tmp + (c * 16 + r) * 2, in + (r * 16 + c) * 2, 2);
    }
    std::memcpy(out, tmp, f);
  }
}

// ---- Mmad: C (CO1, float) = / += A (A2) x B (B2), on the cube (pipe M) ----
// m x k times k x n in the layouts above, over whole fractals: the k of a partial fractal is
// taken whole (k rounded up to k0 = 32 / sizeof(input)), so the padding of a partial k fractal
// must hold zeros, as ND2NZ leaves it (the device may mask it; the emulator does not rely on that). cmatrixInitVal:
// C starts at 0; otherwise (cmatrixSource false) C accumulates onto L0C. Products are exact for
// 16-bit inputs and rounded once for float; sums are float, in k order.
struct MmadParams {
  MmadParams() = default;
  MmadParams(uint16_t mIn, uint16_t nIn, uint16_t kIn, uint8_t unitFlagIn, bool cmatrixSourceIn, bool cmatrixInitValIn)
      : m(mIn), n(nIn), k(kIn), unitFlag(unitFlagIn), cmatrixSource(cmatrixSourceIn), cmatrixInitVal(cmatrixInitValIn) {}
  uint16_t m = 0;
  uint16_t n = 0;
  uint16_t k = 0;
  bool isBias = false;
  int32_t fmOffset = 0;
  bool enSsparse = false;
  bool enWinogradA = false;
  bool enWinogradB = false;
  uint8_t unitFlag = 0;
  bool kDirectionAlign = false;
  bool cmatrixSource = false;
  bool cmatrixInitVal = true;
};

namespace emu {
// The input dtypes Mmad takes on Atlas A2 with a float result (the Mmad page's table; int8 and
// int4 into int32 are not emulated).
template <typename C, typename A, typename B>
constexpr bool kCubeTypes = std::is_same<C, float>::value && std::is_same<A, B>::value &&
                            (std::is_same<A, half>::value || std::is_same<A, bfloat16_t>::value ||
                             std::is_same<A, float>::value);
}  // namespace emu

template <typename C, typename A, typename B>
void Mmad(const LocalTensor<C>& dst, const LocalTensor<A>& fm, const LocalTensor<B>& filter, const MmadParams& p) {
  emu::CheckPath(fm.GetPosition() == TPosition::A2 && filter.GetPosition() == TPosition::B2 &&
                     dst.GetPosition() == TPosition::CO1,
                 "Mmad", fm.GetPosition(), dst.GetPosition());
  if (!emu::kCubeTypes<C, A, B>) {
    emu::Violation(emu::kRuleCubeDtype, "Mmad: inputs of %zu and %zu bytes into %zu bytes; Atlas A2 multiplies half x "
                   "half, bfloat16 x bfloat16 and float x float into float", sizeof(A), sizeof(B), sizeof(C));
  }
  emu::CheckFractalAligned(fm, 512, "Mmad", "fm (A2)");
  emu::CheckFractalAligned(filter, 512, "Mmad", "filter (B2)");
  emu::CheckFractalAligned(dst, 256 * sizeof(C), "Mmad", "dst (CO1)");
  if (p.m > 4095 || p.n > 4095 || p.k > 4095) {
    emu::Violation(emu::kRuleApiLimit, "Mmad: m %u, n %u, k %u above 4095", p.m, p.n, p.k);
  }
  if (p.cmatrixSource || p.unitFlag != 0 || p.enSsparse || p.enWinogradA || p.enWinogradB || p.fmOffset != 0) {
    emu::Violation(emu::kRuleApiLimit, "Mmad: the bias table (cmatrixSource), unitFlag, sparsity and Winograd are not "
                   "emulated");
  }
  constexpr uint64_t k0 = 32 / sizeof(A);
  const uint64_t mb = (p.m + 15) / 16, nb = (p.n + 15) / 16, kb = (p.k + k0 - 1) / k0;
  const bool accumulate = !p.cmatrixInitVal || p.isBias;
  emu::LocalRange(emu::kPipeM, false, "Mmad", fm, 0, mb * kb * 512);
  emu::LocalRange(emu::kPipeM, false, "Mmad", filter, 0, kb * nb * 512);
  if (accumulate) emu::LocalRange(emu::kPipeM, false, "Mmad", dst, 0, mb * nb * 256 * sizeof(C));
  emu::LocalRange(emu::kPipeM, true, "Mmad", dst, 0, mb * nb * 256 * sizeof(C));
  emu::Counters().cube_steps += mb * nb * kb;
  const A* a = fm.data();
  const B* b = filter.data();
  C* c = dst.data();
  for (uint64_t i = 0; i < mb * 16; i++) {
    for (uint64_t j = 0; j < nb * 16; j++) {
      C* out = c + ((j / 16) * mb + i / 16) * 256 + (i % 16) * 16 + j % 16;
      float acc = accumulate ? *out : 0.0f;
      for (uint64_t q = 0; q < kb * k0; q++) {
        const float x = emu::ToFloat(a[((i / 16) * kb + q / k0) * 16 * k0 + (i % 16) * k0 + q % k0]);
        const float y = emu::ToFloat(b[((q / k0) * nb + j / 16) * 16 * k0 + (j % 16) * k0 + q % k0]);
        acc += x * y;
      }
      *out = acc;
    }
  }
}

// ---- Fixpipe: L0C (CO1, float NZ) -> GM (pipe FIX), NZ -> ND, float -> float/half/bfloat16 ----
// Element (r, col) of the mSize x nSize result is L0C float ((col / 16) x srcStride + r) x 16 +
// col % 16 (srcStride in 16-float rows) and lands at dst[r x dstStride + col]. The conversion is
// quantPre: NoQuant into float, F322F16 into half, F322BF16 into bfloat16 (round to nearest even,
// Inf/NaN or saturation as the device's overflow mode says). Only CFG_ROW_MAJOR (NZ2ND), one ND
// matrix (ndNum 1), no ReLU and no unitFlag are emulated (the Fixpipe page, FixpipeParamsV220).
enum class CO2Layout : uint8_t { NZ = 0, ROW_MAJOR, COLUMN_MAJOR };
struct FixpipeConfig {
  CO2Layout format;
};
constexpr FixpipeConfig CFG_NZ = {CO2Layout::NZ};
constexpr FixpipeConfig CFG_ROW_MAJOR = {CO2Layout::ROW_MAJOR};

struct FixpipeParamsV220 {
  FixpipeParamsV220() = default;
  FixpipeParamsV220(uint16_t nSizeIn, uint16_t mSizeIn, uint16_t srcStrideIn, uint32_t dstStrideIn, bool reluEnIn)
      : nSize(nSizeIn), mSize(mSizeIn), srcStride(srcStrideIn), dstStride(dstStrideIn), reluEn(reluEnIn) {}
  uint16_t nSize = 0;
  uint16_t mSize = 0;
  uint16_t srcStride = 0;
  uint32_t dstStride = 0;
  QuantMode_t quantPre = QuantMode_t::NoQuant;
  uint64_t deqScalar = 0;
  uint16_t ndNum = 1;
  uint16_t srcNdStride = 0;
  uint16_t dstNdStride = 0;
  bool reluEn = false;
  uint8_t unitFlag = 0;
  bool isChannelSplit = false;
};

template <typename T, typename U, const FixpipeConfig& config = CFG_ROW_MAJOR>
void Fixpipe(const GlobalTensor<T>& dst, const LocalTensor<U>& src, const FixpipeParamsV220& p) {
  emu::CheckPath(src.GetPosition() == TPosition::CO1, "Fixpipe", src.GetPosition(), TPosition::GM);
  const bool types = std::is_same<U, float>::value &&
                     ((std::is_same<T, float>::value && p.quantPre == QuantMode_t::NoQuant) ||
                      (std::is_same<T, half>::value && p.quantPre == QuantMode_t::F322F16) ||
                      (std::is_same<T, bfloat16_t>::value && p.quantPre == QuantMode_t::F322BF16));
  if (!types) {
    emu::Violation(emu::kRuleCubeDtype, "Fixpipe: float L0C converts to float (NoQuant), half (F322F16) or bfloat16 "
                   "(F322BF16); got %zu-byte source, %zu-byte destination, quantPre %d", sizeof(U), sizeof(T),
                   static_cast<int>(p.quantPre));
  }
  if (config.format != CO2Layout::ROW_MAJOR || p.ndNum != 1 || p.reluEn || p.unitFlag != 0 || p.isChannelSplit) {
    emu::Violation(emu::kRuleApiLimit, "Fixpipe: only CFG_ROW_MAJOR with ndNum 1, no ReLU, unitFlag or channel split "
                   "is emulated");
  }
  const size_t off = emu::MemOffset(src.data(), emu::kMemL0c);
  if (off % 64 != 0) emu::Violation(emu::kRuleFractal, "Fixpipe: src at L0C offset %zu is not 64-byte aligned", off);
  if (p.nSize < 1 || p.nSize > 4095 || p.mSize < 1 || p.mSize > 8192 || p.dstStride < 1) {
    emu::Violation(emu::kRuleApiLimit, "Fixpipe: nSize %u (1..4095), mSize %u (1..8192), dstStride %u (not 0)", p.nSize,
                   p.mSize, p.dstStride);
  }
  const uint64_t nb = (p.nSize + 15) / 16;
  for (uint64_t b = 0; b < nb; b++) {
    emu::LocalRange(emu::kPipeFix, false, "Fixpipe", src, b * p.srcStride * 64, uint64_t{p.mSize} * 64);
  }
  for (uint32_t r = 0; r < p.mSize; r++) dst.Check(uint64_t{r} * p.dstStride, p.nSize, "Fixpipe");
  for (uint32_t r = 0; r < p.mSize; r++) {
    T* row = dst.GetPhyAddr() + uint64_t{r} * p.dstStride;
    emu::RecordFixpipeWrite(row, uint64_t{p.nSize} * sizeof(T));
    for (uint32_t col = 0; col < p.nSize; col++) {
      const float v = src.data()[((col / 16) * uint64_t{p.srcStride} + r) * 16 + col % 16];
      row[col] = emu::Saturate(emu::FromFloat<T>(v));
    }
  }
}

}  // namespace AscendC

#endif
