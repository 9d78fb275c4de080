// Paged attention for any x86-64 (baseline ISA) or other processor: plain loops the compiler
// vectorizes for the target's baseline vector unit.
#include <algorithm>
#include <cmath>

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

  static float max_of(const float* x, int n) {
    float m = x[0];
    for (int i = 1; i < n; i++) m = std::max(m, x[i]);
    return m;
  }

  // x[i] = exp((x[i] - shift) * scale); returns the sum.
  static float exp_shifted_sum(float* x, int n, float shift, float scale) {
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
      x[i] = std::exp((x[i] - shift) * scale);
      sum += x[i];
    }
    return sum;
  }

  static void scale(float* x, float c, int n) {
    for (int i = 0; i < n; i++) x[i] *= c;
  }

  static void axpy(float* y, float a, const float* x, int n) {
    for (int i = 0; i < n; i++) y[i] += a * x[i];
  }

  static void scores(const float* Q, int nq, const KvRows& k, int n, int D, const float* cos_sin, int rot,
                     int style, float* S, int ldS, PrefetchCursor& pf) {
    scores_by_row<GenericOps>(Q, nq, k, n, D, cos_sin, rot, style, S, ldS, pf);
  }

  static void accumulate(float* acc, int nq, const float* P, int ldP, const KvRows& v, int n, int D) {
    accumulate_by_row<GenericOps>(acc, nq, P, ldP, v, n, D);
  }

  // The prefill tile path (attention_prefill.h) with plain loops.
  static constexpr int kStrip = 16;

  static void widen_rotate(const KvRows& k, int n, int D, const float* cos_sin, int rot, int style, float* R) {
    widen_rotate_rows<GenericOps>(k, n, D, cos_sin, rot, style, R);
  }

  static void panel_scores(const float* Q, int nq, int D, const float* Kp, int keys, float* S, int ldS) {
    panel_scores_scalar<kStrip>(Q, nq, D, Kp, keys, S, ldS);
  }

  static void panel_accumulate(float* acc, int nq, int D, const float* P, int ldP, const float* Vr, int n) {
    panel_accumulate_scalar(acc, nq, D, P, ldP, Vr, n);
  }
};

}  // namespace

bool paged_attention_generic(const AttentionProblem& p) { return run_paged_attention<GenericOps>(p); }

}  // namespace npukit
