// BENCHMARK BASELINE ONLY: contrastive decoding the unfused way, for `npukit bench contrastive`
// to compare the fused kernel against on the same backend. Each step is its own pass over
// [batch, vocab] data, with log-softmax results in temporaries, as a framework composing
// separate operators would do it:
//   1. log-softmax of the expert rows into ws_e   (max, sum of exp, subtract: three passes)
//   2. log-softmax of the base rows into ws_a     (three passes)
//   3. mask: ws_e[i] = -inf where ws_e[i] < max(ws_e) + ln_alpha   (two passes)
//   4. combine: ws_e[i] = (1 + beta) ws_e[i] - beta ws_a[i]        (one pass)
//   5. argmax over ws_e                                             (one pass)
// Rows run in parallel on the same thread pool as the fused kernel.
#include <cmath>
#include <limits>

#include "convert.h"
#include "npukit/contrastive.h"
#include "status.h"
#include "thread_pool.h"

namespace {

void log_softmax(const void* row, int dtype, int n, float* out) {
  float m = -std::numeric_limits<float>::infinity();
  for (int i = 0; i < n; i++) m = std::fmax(m, npukit::load_float(row, dtype, i));
  float sum = 0.0f;
  for (int i = 0; i < n; i++) sum += std::exp(npukit::load_float(row, dtype, i) - m);
  const float lse = m + std::log(sum);
  for (int i = 0; i < n; i++) out[i] = npukit::load_float(row, dtype, i) - lse;
}

}  // namespace

extern "C" int npukit_contrastive_naive(
    const void* expert_logits, int64_t expert_numel, int64_t expert_first_row, int64_t expert_row_stride,
    const void* base_logits, int64_t base_numel, int64_t base_first_row, int64_t base_row_stride,
    int dtype, int batch, int vocab, float ln_alpha, float beta,
    int32_t* token, int64_t token_numel, float* workspace, int64_t workspace_numel) {
  using npukit::fail;
  NPUKIT_REQUIRE(expert_logits && base_logits && token && workspace, NPUKIT_ERR_ARGUMENT,
                 "contrastive_naive: a required buffer is null");
  NPUKIT_REQUIRE(npukit::is_float_dtype(dtype) && batch >= 0 && vocab >= 1, NPUKIT_ERR_ARGUMENT,
                 "contrastive_naive: bad dtype or sizes");
  NPUKIT_REQUIRE(token_numel == batch && workspace_numel == 2 * int64_t{batch} * vocab, NPUKIT_ERR_BOUNDS,
                 "contrastive_naive: token or workspace has the wrong size");
  NPUKIT_REQUIRE(expert_first_row >= 0 && expert_row_stride >= 1 && base_first_row >= 0 && base_row_stride >= 1,
                 NPUKIT_ERR_BOUNDS, "contrastive_naive: bad row views");
  if (batch == 0) return npukit::ok();
  const int64_t last_e = expert_first_row + int64_t{batch - 1} * expert_row_stride;
  const int64_t last_a = base_first_row + int64_t{batch - 1} * base_row_stride;
  NPUKIT_REQUIRE((last_e + 1) * vocab <= expert_numel && (last_a + 1) * vocab <= base_numel, NPUKIT_ERR_BOUNDS,
                 "contrastive_naive: rows do not fit the buffers");
  const int size = npukit::dtype_size(dtype);
  float* ws_e = workspace;
  float* ws_a = workspace + int64_t{batch} * vocab;
  const auto row = [&](int64_t b, float* ws) { return ws + b * vocab; };

  bool done = npukit::parallel_for(batch, [&](int64_t b) {
    const char* e = static_cast<const char*>(expert_logits) + (expert_first_row + b * expert_row_stride) * vocab * size;
    log_softmax(e, dtype, vocab, row(b, ws_e));
  });
  done &= npukit::parallel_for(batch, [&](int64_t b) {
    const char* a = static_cast<const char*>(base_logits) + (base_first_row + b * base_row_stride) * vocab * size;
    log_softmax(a, dtype, vocab, row(b, ws_a));
  });
  done &= npukit::parallel_for(batch, [&](int64_t b) {
    float* x = row(b, ws_e);
    float m = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < vocab; i++) m = std::fmax(m, x[i]);
    const float threshold = m + ln_alpha;
    for (int i = 0; i < vocab; i++) {
      if (x[i] < threshold) x[i] = -std::numeric_limits<float>::infinity();
    }
  });
  done &= npukit::parallel_for(batch, [&](int64_t b) {
    float* x = row(b, ws_e);
    const float* y = row(b, ws_a);
    for (int i = 0; i < vocab; i++) x[i] = (1.0f + beta) * x[i] - beta * y[i];
  });
  done &= npukit::parallel_for(batch, [&](int64_t b) {
    const float* x = row(b, ws_e);
    int best = 0;
    for (int i = 1; i < vocab; i++) {
      if (x[i] > x[best]) best = i;
    }
    token[b] = best;
  });
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "contrastive_naive: a worker failed");
  return npukit::ok();
}
