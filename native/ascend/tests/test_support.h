// What the Ascend native tests share: a failure count that Expect adds to (each test's main
// returns nonzero if it is not zero), device tensors and uploads through the C API, and inputs
// rounded to a dtype.
#ifndef NPUKIT_ASCEND_TESTS_TEST_SUPPORT_H
#define NPUKIT_ASCEND_TESTS_TEST_SUPPORT_H

#include <cstdint>
#include <cstdio>
#include <vector>

#include "convert.h"
#include "npukit/ascend.h"
#include "npukit/kernels.h"

namespace npukit_test {

inline int failures = 0;

// Records a failure (with the Ascend layer's last error) unless ok.
inline void Expect(bool ok, const char* what, double detail = 0) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s (%g) %s\n", what, detail, npukit_ascend_last_error());
    failures++;
  }
}

// A device tensor of up to three dimensions at address.
inline npukit_tensor Tensor(int64_t address, int dtype, int rank, int64_t d0, int64_t d1, int64_t d2,
                            int64_t numel) {
  npukit_tensor t{};
  npukit_tensor_set(&t, reinterpret_cast<void*>(address), dtype, rank, d0, d1, d2, 0, numel, NPUKIT_DEVICE, nullptr);
  return t;
}

// Device memory holding a copy of n bytes.
inline int64_t Upload(const void* bytes, size_t n) {
  int64_t addr = 0;
  Expect(npukit_ascend_malloc(static_cast<int64_t>(n), &addr) == NPUKIT_OK, "malloc");
  Expect(npukit_ascend_copy_to_device(addr, bytes, static_cast<int64_t>(n)) == NPUKIT_OK, "copy");
  return addr;
}

inline int64_t Upload(const std::vector<uint8_t>& bytes) { return Upload(bytes.data(), bytes.size()); }

// Values rounded to dtype (in place), and their bytes in that dtype.
inline std::vector<uint8_t> Encode(std::vector<float>& v, int dtype) {
  std::vector<uint8_t> out(v.size() * npukit::dtype_size(dtype));
  for (size_t i = 0; i < v.size(); i++) {
    npukit::store_float(out.data(), dtype, static_cast<int64_t>(i), v[i]);
    v[i] = npukit::load_float(out.data(), dtype, static_cast<int64_t>(i));
  }
  return out;
}

}  // namespace npukit_test

#endif
