// npukit native API: shared types, error reporting and library facts.
//
// Every kernel entry point returns NPUKIT_OK or an error code; the message of the last error on
// the calling thread is npukit_last_error(). Entry points re-check everything that could make
// them read or write outside the buffers they are given (the Java layer validated already; the
// native layer trusts nothing), and they check all of it before writing anything, so a failed
// call leaves its outputs untouched.
#ifndef NPUKIT_COMMON_H
#define NPUKIT_COMMON_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Element types; the codes match dev.npukit.tensor.DType.code().
enum npukit_dtype { NPUKIT_F32 = 0, NPUKIT_F16 = 1, NPUKIT_BF16 = 2, NPUKIT_I32 = 3 };

// Rotary styles; the codes match dev.npukit.kernels.RopeStyle.code().
enum npukit_rope_style { NPUKIT_ROPE_NONE = 0, NPUKIT_ROPE_NEOX = 1, NPUKIT_ROPE_GPTJ = 2 };

enum npukit_status {
  NPUKIT_OK = 0,
  NPUKIT_ERR_ARGUMENT = 1,    // a size, dtype or index is invalid
  NPUKIT_ERR_BOUNDS = 2,      // an index would read or write outside a buffer
  NPUKIT_ERR_DATA = 3,        // the data itself is invalid (e.g. NaN where forbidden)
  NPUKIT_ERR_INTERNAL = 4,    // an unexpected failure (e.g. out of memory)
  NPUKIT_ERR_DEVICE = 5       // the device runtime (ACL) failed; the message names the call and its code
};

// Message of the last error on this thread ("" if none). Valid until the next call on this thread.
const char* npukit_last_error(void);

// Library version, e.g. "0.1.0".
const char* npukit_version(void);

// CPU features the kernels detected and use, e.g. "avx2 fma f16c" or "baseline".
const char* npukit_cpu_features(void);

// Number of worker threads the CPU kernels use (NPUKIT_NUM_THREADS, else the hardware count).
int npukit_num_threads(void);

// Zero-filled host memory for tensors of the cpu backend, 64-byte aligned; NULL if it cannot be
// had. Buffers of 2 MiB and more are 2 MiB aligned and advised for transparent huge pages: a
// paged KV cache is large and read in scattered blocks, and 4 KiB pages would make every block
// a TLB miss. Free with npukit_free.
void* npukit_alloc(int64_t bytes);
void npukit_free(void* memory);

#ifdef __cplusplus
}
#endif

#endif
