// Paged attention for any x86-64 (baseline ISA) or other processor: plain loops the compiler
// vectorizes for the target's baseline vector unit.
#include <cmath>
#include <vector>

#include "attention_impl.h"
#include "convert.h"

namespace npukit {
namespace {

struct GenericOps {
  static void load(const void* src, int dtype, int64_t offset, float* dst, int n) {
    for (int i = 0; i < n; i++) dst[i] = load_float(src, dtype, offset + i);
  }

  static void store(void* dst, int dtype, int64_t offset, const float* src, int n) {
    for (int i = 0; i < n; i++) store_float(dst, dtype, offset + i, src[i]);
  }

  // Eight independent partial sums: the compiler maps them to vector lanes without reassociating.
  static float dot(const float* a, const float* b, int n) {
    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int k = 0; k < 8; k++) part[k] += a[i + k] * b[i + k];
    }
    float sum = ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
  }

  static void exp_inplace(float* x, int n) {
    for (int i = 0; i < n; i++) x[i] = std::exp(x[i]);
  }

  static void scale(float* x, float c, int n) {
    for (int i = 0; i < n; i++) x[i] *= c;
  }

  static void axpy(float* y, float a, const float* x, int n) {
    for (int i = 0; i < n; i++) y[i] += a * x[i];
  }

  // S[g * ldS + j] = <Q[g], K[j] rotated to slot j> for nq query rows and n key rows of length D.
  static void scores(const float* Q, int nq, const KvRows& k, int n, int D, const float* cos_sin, int rot,
                     int style, float* S, int ldS, PrefetchCursor& pf) {
    thread_local std::vector<float> row;
    row.resize(static_cast<size_t>(D));
    for (int j = 0; j < n; j++) {
      pf.step(kPrefetchLinesPerKey);
      load(k.cache, k.dtype, k.first + j * k.stride, row.data(), D);
      if (style != NPUKIT_ROPE_NONE) rotate_row(row.data(), cos_sin + static_cast<int64_t>(j) * rot, rot, style);
      for (int g = 0; g < nq; g++) S[g * ldS + j] = dot(Q + g * D, row.data(), D);
    }
  }

  // acc[g] += sum_j P[g * ldP + j] * V[j] for nq accumulator rows.
  static void accumulate(float* acc, int nq, const float* P, int ldP, const KvRows& v, int n, int D) {
    thread_local std::vector<float> row;
    row.resize(static_cast<size_t>(D));
    for (int j = 0; j < n; j++) {
      load(v.cache, v.dtype, v.first + j * v.stride, row.data(), D);
      for (int g = 0; g < nq; g++) axpy(acc + g * D, P[g * ldP + j], row.data(), D);
    }
  }
};

}  // namespace

bool paged_attention_generic(const AttentionProblem& p) { return run_paged_attention<GenericOps>(p); }

}  // namespace npukit
