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
#include "contract_checks.h"
#include "bench.h"
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

extern "C" int npukit_cpu_contrastive_naive(const npukit_contrastive_args* args, const npukit_tensor* workspace_t) {
  using npukit::fail;
  const auto fail_here = [](int code, const char* fmt, auto... v) { return npukit::fail(code, fmt, v...); };
  NPUKIT_REQUIRE(args && workspace_t, NPUKIT_ERR_ARGUMENT, "contrastive_naive: args or workspace is null");
  const npukit_contrastive_args& a = *args;
  const char* fn = "contrastive_naive";
  using npukit::contract::check_tensor;
  using npukit::contract::kAnyFloat;
  if (int s = check_tensor(fn, "expert", a.expert, NPUKIT_HOST, 2, kAnyFloat, fail_here)) return s;
  if (int s = check_tensor(fn, "base", a.base, NPUKIT_HOST, 2, a.expert.dtype, fail_here)) return s;
  if (int s = check_tensor(fn, "token", a.token, NPUKIT_HOST, 1, NPUKIT_I32, fail_here)) return s;
  if (int s = check_tensor(fn, "workspace", *workspace_t, NPUKIT_HOST, 1, NPUKIT_F32, fail_here)) return s;
  const int batch = npukit::contract::dim(a.token, 0);
  const int vocab = npukit::contract::dim(a.expert, 1);
  NPUKIT_REQUIRE(vocab >= 1 && a.base.shape[1] == vocab, NPUKIT_ERR_ARGUMENT, "contrastive_naive: bad vocab");
  NPUKIT_REQUIRE(workspace_t->numel == 2 * int64_t{batch} * vocab, NPUKIT_ERR_BOUNDS,
                 "contrastive_naive: workspace has the wrong size");
  NPUKIT_REQUIRE(npukit::contract::rows_fit(a.expert.shape[0], batch, a.expert_first_row, a.expert_row_stride) &&
                     npukit::contract::rows_fit(a.base.shape[0], batch, a.base_first_row, a.base_row_stride),
                 NPUKIT_ERR_BOUNDS, "contrastive_naive: rows do not fit the tensors");
  if (batch == 0) return npukit::ok();
  const int dtype = a.expert.dtype;
  const void* expert_logits = a.expert.data;
  const void* base_logits = a.base.data;
  const int64_t expert_first_row = a.expert_first_row, expert_row_stride = a.expert_row_stride;
  const int64_t base_first_row = a.base_first_row, base_row_stride = a.base_row_stride;
  const float ln_alpha = a.ln_alpha, beta = a.beta;
  auto* token = static_cast<int32_t*>(a.token.data);
  auto* workspace = static_cast<float*>(workspace_t->data);
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
