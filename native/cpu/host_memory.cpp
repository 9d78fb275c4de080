// Host memory for cpu-backend tensors (see npukit_alloc in npukit/common.h).
#include <cstdlib>
#include <cstring>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "npukit/common.h"

namespace {
constexpr int64_t kHugePage = int64_t{2} << 20;
}

extern "C" void* npukit_alloc(int64_t bytes) {
  if (bytes < 0) return nullptr;
  const int64_t size = bytes == 0 ? 64 : bytes;
  const int64_t align = size >= kHugePage ? kHugePage : 64;
  const int64_t rounded = (size + align - 1) / align * align;
  void* memory = nullptr;
  if (posix_memalign(&memory, static_cast<size_t>(align), static_cast<size_t>(rounded)) != 0) return nullptr;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Advice only: where transparent huge pages are off the call fails harmlessly.
  if (align == kHugePage) madvise(memory, static_cast<size_t>(rounded), MADV_HUGEPAGE);
#endif
  std::memset(memory, 0, static_cast<size_t>(rounded));
  return memory;
}

extern "C" void npukit_free(void* memory) { std::free(memory); }
