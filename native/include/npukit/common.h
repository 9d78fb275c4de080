// npukit native ABI: the types every backend shares (element types, rotary styles, status codes,
// the tensor descriptor), error reporting and library facts.
//
// Every kernel entry point (npukit/kernels.h) takes one argument struct of tensor descriptors
// and scalars and returns NPUKIT_OK or an error code; the message of the last error on the
// calling thread is the backend's last-error function (npukit_last_error for cpu,
// npukit_ascend_last_error for ascend). Entry points re-check everything that could make them
// read or write outside the tensors they are given (the Java layer validated already; the native
// layer trusts nothing but the descriptors themselves), and they check all of it before writing
// anything, so a failed call leaves its outputs untouched.
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

// KV cache layouts; the codes match dev.npukit.kernels.KvLayout.code(). NHD = [num_blocks, block_size,
// num_kv_heads, head_dim], HND = [num_blocks, num_kv_heads, block_size, head_dim].
enum npukit_kv_layout { NPUKIT_KV_NHD = 0, NPUKIT_KV_HND = 1 };

enum npukit_status {
  NPUKIT_OK = 0,
  NPUKIT_ERR_ARGUMENT = 1,    // a size, dtype or index is invalid
  NPUKIT_ERR_BOUNDS = 2,      // an index would read or write outside a buffer
  NPUKIT_ERR_DATA = 3,        // the data itself is invalid (e.g. NaN where forbidden)
  NPUKIT_ERR_INTERNAL = 4,    // an unexpected failure (e.g. out of memory)
  NPUKIT_ERR_DEVICE = 5,      // the device runtime (ACL) failed; the message names the call and its code
  NPUKIT_ERR_IO = 6           // a file could not be opened or read; the message names it and the reason
};

// Where a tensor's memory is: host memory (the cpu backend, from npukit_alloc) or device memory
// (the ascend backend, from npukit_ascend_malloc). A backend refuses tensors of the other kind.
enum npukit_location { NPUKIT_HOST = 0, NPUKIT_DEVICE = 1 };

#define NPUKIT_MAX_RANK 4

// A row-major contiguous tensor: numel elements of dtype at data, shape[0..rank) (the entries
// from rank on are 0), numel = the product of the shape. An absent optional tensor is all zero
// (data NULL, rank 0).
//
// host: optional, for index tensors (I32) in device memory: a host-readable copy of the same
// values. A launcher that must check index values reads them there instead of copying them from
// the device; the caller guarantees that both hold the same values for the whole call (Java:
// AttentionMetadata, which uploads its validated indices once and keeps them). Indices that
// select where a kernel writes are always taken from the checked copy; indices a kernel reads on
// the device that differ from their copy can only make it read other device memory (a
// global-memory bounds violation in the emulator). NULL otherwise (host tensors are read in place).
typedef struct npukit_tensor {
  void* data;
  int32_t dtype;      // enum npukit_dtype
  int32_t rank;       // 0 .. NPUKIT_MAX_RANK
  int64_t shape[NPUKIT_MAX_RANK];
  int64_t numel;
  int32_t location;   // enum npukit_location
  const void* host;
} npukit_tensor;

// Sets every field of *t; the shape entries from rank on must be 0. Bindings use it to describe a
// tensor in one call.
static inline void npukit_tensor_set(npukit_tensor* t, void* data, int32_t dtype, int32_t rank, int64_t d0,
                                     int64_t d1, int64_t d2, int64_t d3, int64_t numel, int32_t location,
                                     const void* host) {
  t->data = data;
  t->dtype = dtype;
  t->rank = rank;
  t->shape[0] = d0;
  t->shape[1] = d1;
  t->shape[2] = d2;
  t->shape[3] = d3;
  t->numel = numel;
  t->location = location;
  t->host = host;
}

// Message of the cpu backend's last error on this thread ("" if none). Valid until the next call
// on this thread.
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
