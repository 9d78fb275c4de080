// The attention primitives (the Ops of attention_impl.h) for SIMD targets, written over a vector
// type V and instantiated on 8-lane vectors by attention_avx2.cpp (16 registers) and
// attention_avx512.cpp (AVX-512VL: the same 256-bit operations with 32 registers), and on 16-lane
// vectors by attention_avx512.cpp (full-width 512-bit units). Like attention_impl.h, everything
// here has internal linkage, so each translation unit keeps its own copy compiled with its own
// flags.
//
// V provides: Reg, kWidth, kScoreGroup (queries scored together), kScoreKeys (keys scored
// together: 1 or 4), kMaxAccRows and kAccVecs (accumulator rows, and vectors of each, kept in
// registers while the values are added), kTileRows and kTileVecs
// (the prefill micro-kernels' block: queries x vectors of keys or head-dim columns), zero, set1,
// loadu, storeu, bcast, mul, fmadd (a*b+c), fmsub (a*b-c), widen<DT>(base, offset) (kWidth cache
// elements to float), gptj(x, cos, sin) (GPT-J rotation of kWidth/2 pairs), hsum4(a, b, c, d,
// out) (four horizontal sums to out[0..3], unaligned), hsum4x4<NG>(a, out, ld) (the sixteen sums
// of a[4][4] as out[g * ld + t] = sum of a[t][g], g < NG), reduce(x) (one horizontal sum), sub, max,
// reduce_max(x) and exp(x) for x <= 0.
#ifndef NPUKIT_CPU_ATTENTION_SIMD_H
#define NPUKIT_CPU_ATTENTION_SIMD_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "attention_impl.h"
#include "convert.h"

namespace npukit {
namespace {

// Scores of NG (<= V::kScoreGroup) queries against KJ consecutive key rows read straight from
// the cache: each key chunk is loaded, widened and rotated once in registers and used by all NG
// queries, and with KJ = 4 each query chunk is loaded once for four keys (it takes the 32 vector
// registers of AVX-512 to hold the 16 accumulators and the rotated keys). Layout requirements:
// see SimdOps::direct_ok. Always inlined into the key loop of scores_direct: GCC kept the large
// NEOX instantiation out of line, and each call then set up its row pointers again and passed the
// 16 accumulators through the stack (in cache NEOX took 1.30x the NONE time that way, 1.18-1.23x
// inlined; NONE unchanged).
template <class V, int DT, int STYLE, int NG, int KJ>
__attribute__((always_inline)) inline void scores_keys(const float* Q, int D, const KvRows& k, int j,
                                                       const float* cos_sin, int rot, float* S, int ldS,
                                                       PrefetchCursor& pf) {
  constexpr int W = V::kWidth;
  static_assert(KJ == 1 || KJ == 4, "keys are scored one or four at a time");
  static_assert(V::kScoreGroup == 4, "scores are reduced four at a time");
  const int half = rot / 2;
  // Four keys a pass: the pass's lines of the next block are asked for a line or two per chunk
  // iteration (pf.step below), not all at its start, so that they leave evenly spaced (see
  // PrefetchCursor, and docs/attention-cpu.md, Prefetch). One key a pass: scores_direct asks
  // before each key.
  const int chunks = (STYLE == NPUKIT_ROPE_NEOX ? half : STYLE == NPUKIT_ROPE_GPTJ ? rot : 0) / W +
                     (D - (STYLE == NPUKIT_ROPE_NONE ? 0 : rot)) / W;
  const int lines = KJ == 4 ? (KJ * kPrefetchLinesPerKey + chunks - 1) / chunks : 0;
  int64_t row[KJ];
  const float* cs[KJ];
  for (int t = 0; t < KJ; t++) {
    row[t] = k.first + (j + t) * k.stride;
    cs[t] = cos_sin + static_cast<int64_t>(j + t) * rot;
  }
  typename V::Reg acc[KJ][V::kScoreGroup];  // all zero, so that fewer than 4 queries reduce as 4
  for (int t = 0; t < KJ; t++) {
    for (int g = 0; g < V::kScoreGroup; g++) acc[t][g] = V::zero();
  }
  if (STYLE == NPUKIT_ROPE_NEOX) {
    for (int c = 0; c < half; c += W) {
      if (KJ == 4) pf.step(lines);
      typename V::Reg rlo[KJ], rhi[KJ];
      for (int t = 0; t < KJ; t++) {
        const auto lo = V::template widen<DT>(k.cache, row[t] + c);
        const auto hi = V::template widen<DT>(k.cache, row[t] + half + c);
        const auto co = V::loadu(cs[t] + c);
        const auto si = V::loadu(cs[t] + half + c);
        rlo[t] = V::fmsub(lo, co, V::mul(hi, si));
        rhi[t] = V::fmadd(hi, co, V::mul(lo, si));
      }
      for (int g = 0; g < NG; g++) {
        const auto qlo = V::loadu(Q + g * D + c);
        const auto qhi = V::loadu(Q + g * D + half + c);
        for (int t = 0; t < KJ; t++) acc[t][g] = V::fmadd(qhi, rhi[t], V::fmadd(qlo, rlo[t], acc[t][g]));
      }
    }
  } else if (STYLE == NPUKIT_ROPE_GPTJ) {
    for (int c = 0; c < rot; c += W) {
      if (KJ == 4) pf.step(lines);
      typename V::Reg r[KJ];
      for (int t = 0; t < KJ; t++) {
        r[t] = V::gptj(V::template widen<DT>(k.cache, row[t] + c), cs[t] + c / 2, cs[t] + half + c / 2);
      }
      for (int g = 0; g < NG; g++) {
        const auto qc = V::loadu(Q + g * D + c);
        for (int t = 0; t < KJ; t++) acc[t][g] = V::fmadd(qc, r[t], acc[t][g]);
      }
    }
  }
  int c = STYLE == NPUKIT_ROPE_NONE ? 0 : rot;
  if (KJ == 1 && c + 2 * W <= D) {
    // Unrotated columns of one key, two chunks at a time into two accumulators per query: with
    // one, the NG dependent FMA chains left the FMA units half idle.
    typename V::Reg acc2[NG];
    for (int g = 0; g < NG; g++) acc2[g] = V::zero();
    for (; c + 2 * W <= D; c += 2 * W) {
      const auto x0 = V::template widen<DT>(k.cache, row[0] + c);
      const auto x1 = V::template widen<DT>(k.cache, row[0] + c + W);
      for (int g = 0; g < NG; g++) {
        acc[0][g] = V::fmadd(V::loadu(Q + g * D + c), x0, acc[0][g]);
        acc2[g] = V::fmadd(V::loadu(Q + g * D + c + W), x1, acc2[g]);
      }
    }
    for (int g = 0; g < NG; g++) acc[0][g] = V::add(acc[0][g], acc2[g]);
  }
  for (; c < D; c += W) {
    if (KJ == 4) pf.step(lines);
    typename V::Reg x[KJ];
    for (int t = 0; t < KJ; t++) x[t] = V::template widen<DT>(k.cache, row[t] + c);
    for (int g = 0; g < NG; g++) {
      const auto qc = V::loadu(Q + g * D + c);
      for (int t = 0; t < KJ; t++) acc[t][g] = V::fmadd(qc, x[t], acc[t][g]);
    }
  }
  if constexpr (KJ == 4) {
    V::template hsum4x4<NG>(acc, S + j, ldS);  // query g's scores of the four keys, contiguous in S
  } else {
    float sums[4];
    V::hsum4(acc[0][0], acc[0][1], acc[0][2], acc[0][3], sums);
    for (int g = 0; g < NG; g++) S[g * ldS + j] = sums[g];
  }
}

// Scores of NG queries against n key rows: V::kScoreKeys keys at a time, the rest one by one.
template <class V, int DT, int STYLE, int NG>
inline void scores_direct(const float* Q, int D, const KvRows& k, int n, const float* cos_sin, int rot, float* S,
                          int ldS, PrefetchCursor& pf) {
  constexpr int KJ = V::kScoreKeys;
  int j = 0;
  for (; KJ > 1 && j + KJ <= n; j += KJ) scores_keys<V, DT, STYLE, NG, KJ>(Q, D, k, j, cos_sin, rot, S, ldS, pf);
  for (; j < n; j++) {
    pf.step(kPrefetchLinesPerKey);
    scores_keys<V, DT, STYLE, NG, 1>(Q, D, k, j, cos_sin, rot, S, ldS, pf);
  }
}

// Key rows j < n widened to float and rotated to their slots, into R (row stride D). For more
// than V::kScoreGroup queries per key: the queries are scored in groups, and rotating each key
// once here, instead of once per group in registers, saves the repeated widening and rotation.
template <class V, int DT, int STYLE>
inline void rotate_keys(const KvRows& k, int n, int D, const float* cos_sin, int rot, float* R) {
  constexpr int W = V::kWidth;
  const int half = rot / 2;
  for (int j = 0; j < n; j++) {
    const int64_t row = k.first + j * k.stride;
    const float* cs = cos_sin + static_cast<int64_t>(j) * rot;
    float* r = R + static_cast<int64_t>(j) * D;
    if (STYLE == NPUKIT_ROPE_NEOX) {
      for (int c = 0; c < half; c += W) {
        const auto lo = V::template widen<DT>(k.cache, row + c);
        const auto hi = V::template widen<DT>(k.cache, row + half + c);
        const auto co = V::loadu(cs + c);
        const auto si = V::loadu(cs + half + c);
        V::storeu(r + c, V::fmsub(lo, co, V::mul(hi, si)));
        V::storeu(r + half + c, V::fmadd(hi, co, V::mul(lo, si)));
      }
    } else {
      for (int c = 0; c < rot; c += W) {
        V::storeu(r + c, V::gptj(V::template widen<DT>(k.cache, row + c), cs + c / 2, cs + half + c / 2));
      }
    }
    for (int c = rot; c < D; c += W) V::storeu(r + c, V::template widen<DT>(k.cache, row + c));
  }
}

// acc[g][c, c + CH * kWidth) += sum_j P[g][j] * V[j][c, ...) for NG accumulator rows, with the
// value rows read straight from the cache: the NG x CH accumulators stay in registers across all
// j, and each value chunk is widened once for all NG rows, its weights broadcast from P. Always
// inlined into accumulate_direct: out of line, GCC copied the accumulators through the stack
// around the key loop, and decode in cache took about 1.1x the time.
template <class V, int DT, int NG, int CH>
__attribute__((always_inline)) inline void accumulate_columns(float* acc, const float* P, int ldP, const KvRows& v,
                                                              int n, int D, int c) {
  constexpr int W = V::kWidth;
  typename V::Reg r[NG][CH];
  for (int g = 0; g < NG; g++) {
    for (int h = 0; h < CH; h++) r[g][h] = V::loadu(acc + g * D + c + W * h);
  }
  for (int j = 0; j < n; j++) {
    const int64_t row = v.first + j * v.stride + c;
    typename V::Reg x[CH];
    for (int h = 0; h < CH; h++) x[h] = V::template widen<DT>(v.cache, row + W * h);
    for (int g = 0; g < NG; g++) {
      const auto pg = V::bcast(P + g * ldP + j);
      for (int h = 0; h < CH; h++) r[g][h] = V::fmadd(pg, x[h], r[g][h]);
    }
  }
  for (int g = 0; g < NG; g++) {
    for (int h = 0; h < CH; h++) V::storeu(acc + g * D + c + W * h, r[g][h]);
  }
}

// All D columns of NG accumulator rows: V::kAccVecs vectors per row at a time, the rest one by one.
template <class V, int DT, int NG>
inline void accumulate_direct(float* acc, const float* P, int ldP, const KvRows& v, int n, int D) {
  constexpr int W = V::kWidth;
  constexpr int CH = V::kAccVecs;
  int c = 0;
  for (; c + W * CH <= D; c += W * CH) accumulate_columns<V, DT, NG, CH>(acc, P, ldP, v, n, D, c);
  for (; c < D; c += W) accumulate_columns<V, DT, NG, 1>(acc, P, ldP, v, n, D, c);
}

// The prefill micro-kernels (attention_prefill.h). MR queries x NV vectors of keys (V::kTileRows
// x V::kTileVecs accumulators in registers): per head-dim element, NV loads of the packed key
// strip (contiguous) and MR broadcasts of the queries feed MR * NV independent FMAs.
template <class V, int MR, int NV>
__attribute__((always_inline)) inline void tile_scores(const float* Q, int D, const float* Ks, float* S, int ldS) {
  constexpr int W = V::kWidth;
  typename V::Reg acc[MR][NV];
  for (int i = 0; i < MR; i++) {
    for (int h = 0; h < NV; h++) acc[i][h] = V::zero();
  }
  for (int d = 0; d < D; d++) {
    typename V::Reg k[NV];
    for (int h = 0; h < NV; h++) k[h] = V::loadu(Ks + d * (W * NV) + h * W);
    for (int i = 0; i < MR; i++) {
      const auto q = V::bcast(Q + i * D + d);
      for (int h = 0; h < NV; h++) acc[i][h] = V::fmadd(q, k[h], acc[i][h]);
    }
  }
  for (int i = 0; i < MR; i++) {
    for (int h = 0; h < NV; h++) V::storeu(S + i * ldS + h * W, acc[i][h]);
  }
}

// acc[i][c .. c + NV * W) += sum_{j < n} P[i][j] * Vr[j][c ..] for MR accumulator rows (row
// stride D; acc, Vr already offset by the column c): the accumulators stay in registers over all
// n keys; per key, NV loads of the value row and MR broadcasts of P feed MR * NV FMAs.
template <class V, int MR, int NV>
__attribute__((always_inline)) inline void tile_accumulate(float* acc, int D, const float* P, int ldP,
                                                           const float* Vr, int n) {
  constexpr int W = V::kWidth;
  typename V::Reg a[MR][NV];
  for (int i = 0; i < MR; i++) {
    for (int h = 0; h < NV; h++) a[i][h] = V::loadu(acc + i * D + h * W);
  }
  for (int j = 0; j < n; j++) {
    typename V::Reg v[NV];
    for (int h = 0; h < NV; h++) v[h] = V::loadu(Vr + static_cast<int64_t>(j) * D + h * W);
    for (int i = 0; i < MR; i++) {
      const auto pj = V::bcast(P + i * ldP + j);
      for (int h = 0; h < NV; h++) a[i][h] = V::fmadd(pj, v[h], a[i][h]);
    }
  }
  for (int i = 0; i < MR; i++) {
    for (int h = 0; h < NV; h++) V::storeu(acc + i * D + h * W, a[i][h]);
  }
}

template <class V>
struct SimdOps {
  static constexpr int W = V::kWidth;

  static void load(const void* src, int dtype, int64_t offset, float* dst, int n) {
    int i = 0;
    switch (dtype) {
      case NPUKIT_F16:
        for (; i + W <= n; i += W) V::storeu(dst + i, V::template widen<NPUKIT_F16>(src, offset + i));
        break;
      case NPUKIT_BF16:
        for (; i + W <= n; i += W) V::storeu(dst + i, V::template widen<NPUKIT_BF16>(src, offset + i));
        break;
      default:
        for (; i + W <= n; i += W) V::storeu(dst + i, V::template widen<NPUKIT_F32>(src, offset + i));
        break;
    }
    for (; i < n; i++) dst[i] = load_float(src, dtype, offset + i);
  }

  static void store(void* dst, int dtype, int64_t offset, const float* src, int n) {
    for (int i = 0; i < n; i++) store_float(dst, dtype, offset + i, src[i]);
  }

  static float dot(const float* a, const float* b, int n) {
    auto s0 = V::zero();
    auto s1 = V::zero();
    int i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      s0 = V::fmadd(V::loadu(a + i), V::loadu(b + i), s0);
      s1 = V::fmadd(V::loadu(a + i + W), V::loadu(b + i + W), s1);
    }
    for (; i + W <= n; i += W) s0 = V::fmadd(V::loadu(a + i), V::loadu(b + i), s0);
    float sum = V::reduce(V::add(s0, s1));
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
  }

  // Vector max and sum: a scalar loop would be one dependent instruction per score.
  static float max_of(const float* x, int n) {
    int i = 0;
    float m = x[0];
    if (n >= W) {
      auto vm = V::loadu(x);
      for (i = W; i + W <= n; i += W) vm = V::max(vm, V::loadu(x + i));
      m = V::reduce_max(vm);
    }
    for (; i < n; i++) m = std::max(m, x[i]);
    return m;
  }

  // x[i] = exp((x[i] - shift) * scale); returns the sum.
  static float exp_shifted_sum(float* x, int n, float shift, float scale) {
    const auto vs = V::set1(shift);
    const auto vc = V::set1(scale);
    auto acc = V::zero();
    int i = 0;
    for (; i + W <= n; i += W) {
      const auto e = V::exp(V::mul(V::sub(V::loadu(x + i), vs), vc));
      V::storeu(x + i, e);
      acc = V::add(acc, e);
    }
    float sum = V::reduce(acc);
    for (; i < n; i++) {
      x[i] = std::exp((x[i] - shift) * scale);
      sum += x[i];
    }
    return sum;
  }

  static void scale(float* x, float c, int n) {
    const auto vc = V::set1(c);
    int i = 0;
    for (; i + W <= n; i += W) V::storeu(x + i, V::mul(V::loadu(x + i), vc));
    for (; i < n; i++) x[i] *= c;
  }

  static void axpy(float* y, float a, const float* x, int n) {
    const auto va = V::set1(a);
    int i = 0;
    for (; i + W <= n; i += W) V::storeu(y + i, V::fmadd(va, V::loadu(x + i), V::loadu(y + i)));
    for (; i < n; i++) y[i] += a * x[i];
  }

  // The register paths need whole vectors: D, the rotated part and (NEOX) its halves in multiples
  // of the width. Other layouts go through a converted row buffer (attention_impl.h).
  static bool direct_ok(int D, int rot, int style) {
    if (D % W != 0) return false;
    if (style == NPUKIT_ROPE_NEOX) return (rot / 2) % W == 0;
    if (style == NPUKIT_ROPE_GPTJ) return rot % W == 0;
    return true;
  }

  template <int DT, int STYLE>
  static void scores_groups(const float* Q, int nq, int D, const KvRows& k, int n, const float* cs, int rot, float* S,
                            int ldS, PrefetchCursor& pf) {
    constexpr int NG = V::kScoreGroup;
    int g = 0;
    for (; g + NG <= nq; g += NG) scores_direct<V, DT, STYLE, NG>(Q + g * D, D, k, n, cs, rot, S + g * ldS, ldS, pf);
    if (NG > 4 && g + 4 <= nq) {
      scores_direct<V, DT, STYLE, 4>(Q + g * D, D, k, n, cs, rot, S + g * ldS, ldS, pf);
      g += 4;
    }
    switch (nq - g) {
      case 3: scores_direct<V, DT, STYLE, 3>(Q + g * D, D, k, n, cs, rot, S + g * ldS, ldS, pf); break;
      case 2: scores_direct<V, DT, STYLE, 2>(Q + g * D, D, k, n, cs, rot, S + g * ldS, ldS, pf); break;
      case 1: scores_direct<V, DT, STYLE, 1>(Q + g * D, D, k, n, cs, rot, S + g * ldS, ldS, pf); break;
      default: break;
    }
  }

  template <int DT>
  static void scores_styles(const float* Q, int nq, int D, const KvRows& k, int n, const float* cs, int rot, int style,
                            float* S, int ldS, PrefetchCursor& pf) {
    if (style != NPUKIT_ROPE_NONE && nq > V::kScoreGroup) {
      thread_local std::vector<float> rotated;
      rotated.resize(static_cast<size_t>(n) * D);
      if (style == NPUKIT_ROPE_NEOX) {
        rotate_keys<V, DT, NPUKIT_ROPE_NEOX>(k, n, D, cs, rot, rotated.data());
      } else {
        rotate_keys<V, DT, NPUKIT_ROPE_GPTJ>(k, n, D, cs, rot, rotated.data());
      }
      const KvRows r{rotated.data(), NPUKIT_F32, 0, D};
      scores_groups<NPUKIT_F32, NPUKIT_ROPE_NONE>(Q, nq, D, r, n, nullptr, 0, S, ldS, pf);
      return;
    }
    switch (style) {
      case NPUKIT_ROPE_NEOX: scores_groups<DT, NPUKIT_ROPE_NEOX>(Q, nq, D, k, n, cs, rot, S, ldS, pf); break;
      case NPUKIT_ROPE_GPTJ: scores_groups<DT, NPUKIT_ROPE_GPTJ>(Q, nq, D, k, n, cs, rot, S, ldS, pf); break;
      default: scores_groups<DT, NPUKIT_ROPE_NONE>(Q, nq, D, k, n, cs, rot, S, ldS, pf); break;
    }
  }

  static void scores(const float* Q, int nq, const KvRows& k, int n, int D, const float* cos_sin, int rot, int style,
                     float* S, int ldS, PrefetchCursor& pf) {
    if (!direct_ok(D, rot, style)) {
      scores_by_row<SimdOps>(Q, nq, k, n, D, cos_sin, rot, style, S, ldS, pf);
      return;
    }
    switch (k.dtype) {
      case NPUKIT_F16: scores_styles<NPUKIT_F16>(Q, nq, D, k, n, cos_sin, rot, style, S, ldS, pf); break;
      case NPUKIT_BF16: scores_styles<NPUKIT_BF16>(Q, nq, D, k, n, cos_sin, rot, style, S, ldS, pf); break;
      default: scores_styles<NPUKIT_F32>(Q, nq, D, k, n, cos_sin, rot, style, S, ldS, pf); break;
    }
  }

  template <int DT>
  static void accumulate_groups(float* acc, int nq, const float* P, int ldP, const KvRows& v, int n, int D) {
    constexpr int NG = V::kMaxAccRows;
    int g = 0;
    for (; g + NG <= nq; g += NG) accumulate_direct<V, DT, NG>(acc + g * D, P + g * ldP, ldP, v, n, D);
    if (NG > 4 && g + 4 <= nq) {
      accumulate_direct<V, DT, 4>(acc + g * D, P + g * ldP, ldP, v, n, D);
      g += 4;
    }
    for (; g + 2 <= nq; g += 2) accumulate_direct<V, DT, 2>(acc + g * D, P + g * ldP, ldP, v, n, D);
    for (; g < nq; g++) accumulate_direct<V, DT, 1>(acc + g * D, P + g * ldP, ldP, v, n, D);
  }

  static void accumulate(float* acc, int nq, const float* P, int ldP, const KvRows& v, int n, int D) {
    if (D % W != 0) {
      accumulate_by_row<SimdOps>(acc, nq, P, ldP, v, n, D);
      return;
    }
    switch (v.dtype) {
      case NPUKIT_F16: accumulate_groups<NPUKIT_F16>(acc, nq, P, ldP, v, n, D); break;
      case NPUKIT_BF16: accumulate_groups<NPUKIT_BF16>(acc, nq, P, ldP, v, n, D); break;
      default: accumulate_groups<NPUKIT_F32>(acc, nq, P, ldP, v, n, D); break;
    }
  }

  // The prefill tile path (attention_prefill.h): strips of kStrip keys, one register row each.
  static constexpr int kStrip = W * V::kTileVecs;

  static void widen_rotate(const KvRows& k, int n, int D, const float* cs, int rot, int style, float* R) {
    if (style == NPUKIT_ROPE_NONE || !direct_ok(D, rot, style)) {
      widen_rotate_rows<SimdOps>(k, n, D, cs, rot, style, R);
      return;
    }
    const bool neox = style == NPUKIT_ROPE_NEOX;
    switch (k.dtype) {
      case NPUKIT_F16:
        neox ? rotate_keys<V, NPUKIT_F16, NPUKIT_ROPE_NEOX>(k, n, D, cs, rot, R)
             : rotate_keys<V, NPUKIT_F16, NPUKIT_ROPE_GPTJ>(k, n, D, cs, rot, R);
        break;
      case NPUKIT_BF16:
        neox ? rotate_keys<V, NPUKIT_BF16, NPUKIT_ROPE_NEOX>(k, n, D, cs, rot, R)
             : rotate_keys<V, NPUKIT_BF16, NPUKIT_ROPE_GPTJ>(k, n, D, cs, rot, R);
        break;
      default:
        neox ? rotate_keys<V, NPUKIT_F32, NPUKIT_ROPE_NEOX>(k, n, D, cs, rot, R)
             : rotate_keys<V, NPUKIT_F32, NPUKIT_ROPE_GPTJ>(k, n, D, cs, rot, R);
        break;
    }
  }

  static void panel_scores(const float* Q, int nq, int D, const float* Kp, int keys, float* S, int ldS) {
    constexpr int MR = V::kTileRows;
    constexpr int NV = V::kTileVecs;
    if (D % W != 0) {
      panel_scores_scalar<kStrip>(Q, nq, D, Kp, keys, S, ldS);
      return;
    }
    for (int j0 = 0; j0 < keys; j0 += kStrip) {
      const float* ks = Kp + static_cast<int64_t>(j0) * D;
      int q = 0;
      for (; q + MR <= nq; q += MR) {
        tile_scores<V, MR, NV>(Q + static_cast<int64_t>(q) * D, D, ks, S + static_cast<int64_t>(q) * ldS + j0, ldS);
      }
      with_rows<MR - 1>(nq - q, [&](auto rows) {
        tile_scores<V, decltype(rows)::value, NV>(Q + static_cast<int64_t>(q) * D, D, ks,
                                                  S + static_cast<int64_t>(q) * ldS + j0, ldS);
      });
    }
  }

  // Columns of NV vectors at a time, then single vectors for the rest of the head.
  template <int MR>
  static void accumulate_rows(float* acc, int D, const float* P, int ldP, const float* Vr, int n) {
    constexpr int NV = V::kTileVecs;
    int c = 0;
    for (; c + NV * W <= D; c += NV * W) tile_accumulate<V, MR, NV>(acc + c, D, P, ldP, Vr + c, n);
    for (; c < D; c += W) tile_accumulate<V, MR, 1>(acc + c, D, P, ldP, Vr + c, n);
  }

  static void panel_accumulate(float* acc, int nq, int D, const float* P, int ldP, const float* Vr, int n) {
    constexpr int MR = V::kTileRows;
    if (D % W != 0) {
      panel_accumulate_scalar(acc, nq, D, P, ldP, Vr, n);
      return;
    }
    int q = 0;
    for (; q + MR <= nq; q += MR) {
      accumulate_rows<MR>(acc + static_cast<int64_t>(q) * D, D, P + static_cast<int64_t>(q) * ldP, ldP, Vr, n);
    }
    with_rows<MR - 1>(nq - q, [&](auto rows) {
      accumulate_rows<decltype(rows)::value>(acc + static_cast<int64_t>(q) * D, D, P + static_cast<int64_t>(q) * ldP,
                                             ldP, Vr, n);
    });
  }
};

}  // namespace
}  // namespace npukit

#endif
