// The element-wise kernels' split of rows over the thread pool (row_chunks.h).
#include "row_chunks.h"

#include "thread_pool.h"

namespace npukit {

bool for_row_chunks(int rows, int64_t row_elements, const std::function<void(int, int)>& rows_fn) {
  constexpr int64_t kChunkElements = 16384;
  const int64_t per = row_elements >= kChunkElements ? 1 : kChunkElements / (row_elements > 0 ? row_elements : 1);
  const int64_t chunks = (rows + per - 1) / per;
  if (chunks <= 1) {
    rows_fn(0, rows);
    return true;
  }
  return parallel_for(chunks, [&](int64_t c) {
    const int64_t r0 = c * per;
    const int64_t r1 = r0 + per < rows ? r0 + per : rows;
    rows_fn(static_cast<int>(r0), static_cast<int>(r1));
  });
}

}  // namespace npukit
