// Benchmark helpers of the cpu backend, kept out of the public C ABI (native/include/npukit):
// the machine's memory read bandwidth, its FMA peak, and the unfused baseline that `npukit bench contrastive`
// compares the fused contrastive kernel with. Compiled into npukit_cpu; bound for Java by
// dev.npukit.bridge.CpuBenchKernels.
#ifndef NPUKIT_BENCH_H
#define NPUKIT_BENCH_H

#include "npukit/common.h"
#include "npukit/contrastive.h"

#ifdef __cplusplus
extern "C" {
#endif

// Reads bytes bytes at buf with every worker thread and returns a checksum (so the reads cannot
// be optimized away). Time it from the caller. Returns 0 for a null buffer.
double npukit_read_bandwidth_probe(const void* buf, int64_t bytes);

// The instruction set of npukit_fma_peak_probe, the one the attention kernel dispatches to on
// this processor for head dims that are a multiple of 16: 3 = AVX-512 on full-width 512-bit units
// (512-bit FMAs, 32 registers), 2 = AVX-512VL (256-bit FMAs, 32 registers), 1 = AVX2 + FMA
// (256-bit FMAs, 16 registers), 0 = baseline ISA (multiply and add, no FMA instruction).
int npukit_fma_peak_isa(void);

// Runs independent FMA chains on every worker thread, `iterations` rounds per thread in all
// (split into small items claimed dynamically), with npukit_fma_peak_isa's instructions. Writes
// the floating-point operations done (2 per lane per FMA) to *flops and returns a checksum (so
// the work cannot be optimized away). Time it from the caller. Writes 0 for iterations <= 0;
// returns 0 for a null flops.
double npukit_fma_peak_probe(int64_t iterations, int64_t* flops);

// The greedy contrastive rule computed the way an unfused framework would, in separate passes
// with [B, vocab] temporaries: log-softmax of the expert rows and of the base rows into
// workspace (F32 [2 * batch * vocab], host), then the mask, then the combination, then the
// argmax. Reads the expert and base views, ln_alpha and beta of args and writes args->token only
// (score, valid_count, top-k and seeds are ignored). Not bit-exact with npukit_cpu_contrastive
// (log-softmax rounds differently); not for production use.
int npukit_cpu_contrastive_naive(const npukit_contrastive_args* args, const npukit_tensor* workspace);

#ifdef __cplusplus
}
#endif

#endif
