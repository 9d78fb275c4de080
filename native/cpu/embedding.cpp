// C entry point of the embedding lookup / row gather (docs/kernels.md, embedding): re-check the
// call and every id before writing anything, then copy (F32) or widen (F16/BF16) each row.
#include <cstring>

#include "contract_checks.h"
#include "convert.h"
#include "npukit/kernels.h"
#include "row_chunks.h"
#include "status.h"

extern "C" int npukit_cpu_embedding(const npukit_embedding_args* args) {
  const auto fail = [](int code, const char* fmt, auto... a) { return npukit::fail(code, fmt, a...); };
  if (args == nullptr) return fail(NPUKIT_ERR_ARGUMENT, "embedding: args is null");
  const npukit_embedding_args& a = *args;
  npukit::contract::EmbeddingDims d{};
  if (const int status = npukit::contract::embedding_sizes(a, NPUKIT_HOST, d, fail)) return status;
  const auto* ids = static_cast<const int32_t*>(a.ids.data);
  if (const int status = npukit::contract::embedding_ids(d, ids, fail)) return status;
  auto* out = static_cast<float*>(a.out.data);
  const int hidden = d.hidden;
  const bool done = npukit::for_row_chunks(d.rows, hidden, [&](int r0, int r1) {
    for (int r = r0; r < r1; r++) {
      const int64_t src = int64_t{ids[r]} * hidden;
      float* o = out + int64_t{r} * hidden;
      if (a.table.dtype == NPUKIT_F32) {
        std::memcpy(o, static_cast<const float*>(a.table.data) + src, sizeof(float) * hidden);
      } else {
        for (int i = 0; i < hidden; i++) o[i] = npukit::load_float(a.table.data, a.table.dtype, src + i);
      }
    }
  });
  if (!done) return fail(NPUKIT_ERR_INTERNAL, "embedding: a worker failed");
  return npukit::ok();
}
