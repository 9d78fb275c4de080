// A view of the key or value rows of one KV head in one cache block.
#ifndef NPUKIT_CPU_KV_ROWS_H
#define NPUKIT_CPU_KV_ROWS_H

#include <cstdint>

namespace npukit {

struct KvRows {
  const void* cache;  // the whole cache
  int dtype;          // NPUKIT_F32, NPUKIT_F16 or NPUKIT_BF16
  int64_t first;      // element offset of slot 0's row
  int64_t stride;     // elements from one slot's row to the next
};

}  // namespace npukit

#endif
