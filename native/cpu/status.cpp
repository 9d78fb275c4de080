#include "status.h"

#include <cstdarg>
#include <cstdio>

namespace npukit {
namespace {
thread_local char last_error[512] = "";
}

int fail(int code, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(last_error, sizeof(last_error), fmt, args);
  va_end(args);
  return code;
}

int ok() {
  last_error[0] = '\0';
  return NPUKIT_OK;
}

}  // namespace npukit

extern "C" const char* npukit_last_error(void) { return npukit::last_error; }
