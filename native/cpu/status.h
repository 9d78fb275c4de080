// Error reporting for the C API: a per-thread message plus a status code.
#ifndef NPUKIT_CPU_STATUS_H
#define NPUKIT_CPU_STATUS_H

#include "npukit/common.h"

namespace npukit {

// Records a printf-style message for npukit_last_error() and returns code.
int fail(int code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Clears the last error and returns NPUKIT_OK.
int ok();

}  // namespace npukit

// Returns from the enclosing function with NPUKIT_ERR_* unless cond holds.
#define NPUKIT_REQUIRE(cond, code, ...)            \
  do {                                             \
    if (!(cond)) return ::npukit::fail(code, __VA_ARGS__); \
  } while (0)

#endif
