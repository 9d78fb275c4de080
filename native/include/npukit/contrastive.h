// Argument struct of batched expert/base contrastive scoring, CoLD's decoding rule (docs/kernels.md, contrastive scoring).
//
// Logits are given as row views: row b of the expert is row (expert_first_row + b *
// expert_row_stride) of the tensor expert [rows, vocab], and likewise for the base
// (first_row >= 0, row_stride >= 1, every row of the view inside the tensor). One interleaved
// [2B, vocab] batch (expert, base, expert, base, ...) is scored without a copy by passing the
// same tensor twice with first rows 0 and 1 and stride 2. Both share one dtype (F32, F16 or
// BF16) and vocab. batch B is the length of token.
//
// For every row b:
//   m      = max_i e_i
//   valid  = { i : e_i >= m + ln_alpha }            (ln_alpha <= 0, computed once by the caller)
//   cd_i   = (1 + beta) * e_i - beta * a_i           on the valid set, -inf elsewhere
// evaluated in float exactly in this order without fused multiply-add (the library is built with
// -ffp-contract=off), so every backend gets the same bits. A cd that is NaN (possible only with
// infinite logits, e.g. inf - inf) ranks as -inf. Outputs, all per row:
//   token[b]       argmax cd, ties to the lowest index; the lowest valid index if every valid
//                  cd is -inf. With sampling (seeds != NULL), argmax over the valid set of
//                  cd_i / temperature + g_i instead (Gumbel-max), same tie rule.
//   score[b]       cd of token[b] (greedy: the maximum; NaN reported as -inf).
//   valid_count[b] size of the valid set.
//   topk_index/topk_score [b, top_k] (optional, top_k = 0 and absent to skip): the top_k valid
//                  tokens by cd, descending, ties to the lower index; slots beyond the valid
//                  set hold index -1 and score -inf. Never perturbed by sampling.
//
// Gumbel noise (bit-identical to dev.npukit.backend.GumbelNoise in Java):
//   key_b  = mix64(seed_b ^ mix64(b + 0x9E3779B97F4A7C15))        mix64 = splitmix64 finalizer
//   h      = mix64(key_b + (i + 1) * 0x9E3779B97F4A7C15)           (uint64 wrap-around)
//   u      = (2 * (h >> 41) + 1) * 2^-24                           odd multiples of 2^-24 in (0, 1),
//                                                                  exact in float (24 bits)
//   g_i    = -ln(-ln(u))                                           ln = npukit's own float log
// The log is not the C library's or Java's (those differ in the last bit between platforms):
// it is a fixed range reduction x = 2^k * m, m in [sqrt(1/2), sqrt(2)), s = (m-1)/(m+1),
// ln m = 2s + 2s*z*(1/3 + z(1/5 + z(1/7 + z/9))), z = s^2, in float with a fixed operation
// order that the Java reference repeats exactly. Its error (a few ulp) does not matter for
// sampling; being identical everywhere does.
//
// A NaN anywhere in an expert or base row fails the call with NPUKIT_ERR_DATA naming the lowest
// such row ("expert: row 3 contains NaN"). Nothing is written on any error. One pass over each
// expert row (maximum and candidate indices) and one over each base row, then the candidates;
// a second pass over both rows only when the valid set is too large for the per-thread
// candidate buffer. No [B, vocab] temporaries.
#ifndef NPUKIT_CONTRASTIVE_H
#define NPUKIT_CONTRASTIVE_H

#include "npukit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct npukit_contrastive_args {
  npukit_tensor expert;        // [rows, vocab]
  int64_t expert_first_row;
  int64_t expert_row_stride;
  npukit_tensor base;          // [rows, vocab], expert's dtype
  int64_t base_first_row;
  int64_t base_row_stride;
  npukit_tensor token;         // I32 [batch]
  npukit_tensor score;         // F32 [batch]
  npukit_tensor valid_count;   // I32 [batch]
  npukit_tensor topk_index;    // I32 [batch, top_k]; absent when top_k = 0
  npukit_tensor topk_score;    // F32 [batch, top_k]; absent when top_k = 0
  int32_t top_k;               // 0 .. vocab
  float ln_alpha;              // finite, <= 0
  float beta;                  // finite, >= 0
  float temperature;           // finite, > 0 when sampling; ignored otherwise
  const int64_t* seeds;        // host array of num_seeds = batch seeds, or NULL for greedy
  int64_t num_seeds;
} npukit_contrastive_args;

#ifdef __cplusplus
}
#endif

#endif
