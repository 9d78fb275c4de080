// Paged KV cache write (docs/kernels.md, cache write) as an AscendC vector kernel: each token's key and value rows
// [num_kv_heads * head_dim] go to their slot, converted to the cache dtype (via F32, rounding to
// nearest even: bit-identical to the reference's element-wise conversion). No rotation.
//
// Tiling: tokens are dealt round-robin to the AI cores (token t on core t % GetBlockNum()); a
// token's row goes to the cache as one piece in the NHD layout (its KV heads are contiguous
// there) and as one piece per KV head in HND (each lands in its head's part of the block); a
// piece is moved in chunks of `chunk` elements (the whole piece when it fits). The host has already
// replaced every slot that a later token overwrites by -1, so no two tokens write the same slot
// and the cores need no ordering among themselves ("later token wins" stays deterministic).
// Chunks go through 2-buffer queues, so the key chunk's copy-out overlaps the value's copy-in.
#include "kernel_common.h"

namespace npukit {
namespace ascend {
namespace {

class WriteKv {
 public:
  __aicore__ inline void Init(GM_ADDR key, GM_ADDR value, GM_ADDR k_cache, GM_ADDR v_cache, GM_ADDR slots,
                              GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTiling(tiling, t_);
    const uint64_t kv_numel = uint64_t(t_.num_tokens) * t_.row;
    const uint64_t cache_numel = uint64_t(t_.num_slots) * t_.row;
    key_.Init(key, t_.key_dtype, kv_numel);
    value_.Init(value, t_.value_dtype, kv_numel);
    k_cache_.Init(k_cache, t_.cache_dtype, cache_numel);
    v_cache_.Init(v_cache, t_.cache_dtype, cache_numel);
    slots_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(slots), t_.num_tokens);
    const int32_t pad = AlignUp(t_.chunk, 16);
    pipe->InitBuffer(in_que_, 2, pad * 4);
    pipe->InitBuffer(out_que_, 2, pad * 4);
    pipe->InitBuffer(f_buf_, pad * 4);
  }

  __aicore__ inline void Process() {
    for (int32_t t = static_cast<int32_t>(AscendC::GetBlockIdx()); t < t_.num_tokens;
         t += static_cast<int32_t>(AscendC::GetBlockNum())) {
      const int32_t slot = slots_.GetValue(t);
      if (slot < 0) continue;
      if (t_.kv_layout == kKvHnd) {
        const uint64_t block = uint64_t(slot / t_.block_size);
        const uint64_t row = uint64_t(slot % t_.block_size);
        for (int32_t h = 0; h < t_.num_kv_heads; h++) {
          const uint64_t to = ((block * t_.num_kv_heads + h) * t_.block_size + row) * t_.head_dim;
          MovePiece(uint64_t(t) * t_.row + uint64_t(h) * t_.head_dim, to, t_.head_dim);
        }
      } else {
        MovePiece(uint64_t(t) * t_.row, uint64_t(slot) * t_.row, t_.row);
      }
    }
  }

 private:
  // `len` contiguous elements of key and value from `from` to the caches at `to`, chunk by chunk.
  __aicore__ inline void MovePiece(uint64_t from, uint64_t to, int32_t len) {
    for (int32_t c = 0; c < len; c += t_.chunk) {
      const int32_t n = MinI(t_.chunk, len - c);
      Move(key_, k_cache_, from + c, to + c, n);
      Move(value_, v_cache_, from + c, to + c, n);
    }
  }

  __aicore__ inline void Move(const FloatGm& src, const FloatGm& dst, uint64_t from, uint64_t to, int32_t len) {
    LocalTensor<float> f = f_buf_.Get<float>();
    const int32_t pad = AlignUp(len, 16);
    LoadRows(in_que_, f, src, from, 1, len, len, pad);
    StoreRows(out_que_, f, dst, to, 1, len, len, pad);
  }

  WriteKvTiling t_;
  FloatGm key_, value_, k_cache_, v_cache_;
  GlobalTensor<int32_t> slots_;
  InQue in_que_;
  OutQue out_que_;
  CalcBuf f_buf_;
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_write_kv_kernel(GM_ADDR key, GM_ADDR value, GM_ADDR k_cache,
                                                             GM_ADDR v_cache, GM_ADDR slots, GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::WriteKv op;
  op.Init(key, value, k_cache, v_cache, slots, tiling, &pipe);
  op.Process();
}
