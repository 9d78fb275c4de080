// BGMV multi-LoRA shrink and expand (docs/kernels.md, BGMV) as AscendC vector kernels. The host
// checked every index and built the row tables.
//
// Shrink, y[b] = scale * A[idx[b]] . x[b] (idx -1: zeros), runs on the cube (bgmv_shrink.cpp)
// when x and A share a dtype; otherwise it is the tiled dot product of dot_rows.h: rows that
// share an adapter are grouped, so an A panel tile is read once for the group.
//
// Expand, y[b, off : off + h_out] += W[idx[b]] . v[b] (idx -1: unchanged), runs on the cube
// (bgmv_expand_cube.cpp) when the dtypes allow it and the host's estimate is lower; otherwise it is Axpy over output
// tiles: work item = (group of rows sharing an adapter, tile of n_tile outputs of h_out), dealt
// round-robin to the AI cores. The host groups the rows (the group table of tiling.h, as the
// vector shrink's, with a group size its tiler picks to balance the cores), so an adapter's W
// tile [n_tile, rank] crosses HBM, is widened and is split into columns once per group, not once
// per row. The W tile is contiguous in global memory and comes in with one DataCopyPad; Gather
// with a byte-offset table (offset j * rank * 4, base k * 4; built on the host, after the group
// table, and copied in once per core) takes column k of it. Then, row after row of the group,
// accumulator k % 4 gets v[b, k] * column k (Muls, then Axpy; four accumulators so a barrier
// separates groups of four columns, not every column): rank vector instructions of n_tile
// elements, where a dot product per output would be h_out instructions of rank elements. The sum
// is formed in F32 and added to y in F32, rounded once. Copies run one step ahead (2-buffer
// queues: double buffering): the next item's W tile is issued once the current one is widened,
// the next row's v and y tile (the next item's first row after a group's last) before the current
// row is computed.
#include "dot_rows.h"

namespace npukit {
namespace ascend {
namespace {

class BgmvExpand {
 public:
  // v [batch, rank]; w [num_mats, h_out, rank]; table I32: the group table (DotGroupWords), then
  // the n_tile Gather offsets; y [batch, y_row] of y_dtype.
  __aicore__ inline void Init(GM_ADDR v, GM_ADDR w, GM_ADDR table, GM_ADDR y, GM_ADDR tiling, AscendC::TPipe* pipe) {
    LoadTilingUb(tiling, t_, tiling_que_, pipe);
    v_.Init(v, t_.v_dtype, uint64_t(t_.batch) * t_.rank);
    w_.Init(w, t_.w_dtype, uint64_t(t_.num_mats) * t_.h_out * t_.rank);
    y_.Init(y, t_.y_dtype, uint64_t(t_.batch) * t_.y_row);
    groups_words_ = DotGroupWords(t_.num_groups, t_.batch);
    table_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(table), uint64_t(groups_words_) + t_.n_tile);
    np_ = AlignUp(t_.n_tile, 64);
    wt_ = AlignUp(t_.n_tile * t_.rank, 16);
    rp_ = AlignUp(t_.rank, 16);
    pipe->InitBuffer(w_que_, 2, wt_ * (t_.w_dtype == kF32 ? 4 : 2));  // staged in W's dtype
    pipe->InitBuffer(wf_buf_, wt_ * 4);
    pipe->InitBuffer(col_buf_, t_.rank * np_ * 4);
    pipe->InitBuffer(off_que_, 1, np_ * 4);
    pipe->InitBuffer(v_que_, 2, rp_ * 4);
    pipe->InitBuffer(vf_buf_, rp_ * 4);
    pipe->InitBuffer(y_in_que_, 2, np_ * 4);
    pipe->InitBuffer(yf_buf_, np_ * 4);
    pipe->InitBuffer(acc_buf_, kAccumulators * np_ * 4);
    pipe->InitBuffer(y_out_que_, 2, np_ * 4);
  }

  __aicore__ inline void Process() {
    const int32_t items = (t_.num_groups - t_.first_group) * t_.n_tiles;
    const int32_t step = static_cast<int32_t>(AscendC::GetBlockNum());
    int32_t i = static_cast<int32_t>(AscendC::GetBlockIdx());
    if (i >= items) return;
    // Gather offsets: output j of the tile is row j of the W tile, j * rank * 4 bytes in. Copied
    // in once, with the first item's inputs; they stay for the core's items.
    LocalTensor<int32_t> off = off_que_.AllocTensor<int32_t>();
    DataCopyPadExtParams<int32_t> pad;
    pad.isPad = false;
    const uint32_t n = static_cast<uint32_t>(t_.n_tile);
    AscendC::DataCopyPad(off, table_[uint64_t(groups_words_)], OneRowParams<int32_t>(n), pad);
    off_que_.EnQue(off);
    Item cur = ItemOf(i);
    StartW(cur);
    int32_t b = StartRow(cur, 0);
    off_ = off_que_.DeQue<int32_t>().ReinterpretCast<uint32_t>();
    LocalTensor<float> wf = wf_buf_.Get<float>();
    LocalTensor<float> col = col_buf_.Get<float>();
    for (; i < items; i += step) {
      const bool more = i + step < items;
      const Item next = more ? ItemOf(i + step) : Item{};
      FinishLoad(w_que_, t_.w_dtype, wf, AlignUp(cur.n * t_.rank, 16));
      if (more) StartW(next);
      for (int32_t k = 0; k < t_.rank; k++) {
        AscendC::Gather(col[k * np_], wf, off_, static_cast<uint32_t>(k * 4), cur.n);
      }
      VectorBarrier();
      for (int32_t r = 0; r < cur.rows; r++) {
        Sync<HardEvent::S_V>();  // the scalar unit is done reading vf
        LocalTensor<float> vf = vf_buf_.Get<float>();
        LocalTensor<float> yf = yf_buf_.Get<float>();
        Widen(v_que_, t_.v_dtype, vf, rp_);
        Widen(y_in_que_, t_.y_dtype, yf, AlignUp(cur.n, 16));
        VectorBarrier();
        int32_t b_next = 0;
        if (r + 1 < cur.rows) {
          b_next = StartRow(cur, r + 1);
        } else if (more) {
          b_next = StartRow(next, 0);
        }
        ComputeRow(cur, b, col, vf, yf);
        b = b_next;
      }
      cur = next;
    }
  }

 private:
  struct Item {
    int32_t first = 0, rows = 0, mat = 0, n0 = 0, n = 0;  // first: the group's start in the row list
  };

  __aicore__ inline Item ItemOf(int32_t i) const {
    Item it;
    const int32_t g = t_.first_group + i / t_.n_tiles;
    it.first = table_.GetValue(g);
    it.rows = table_.GetValue(g + 1) - it.first;
    it.mat = table_.GetValue(GroupMatWord(t_.num_groups, g));
    it.n0 = (i % t_.n_tiles) * t_.n_tile;
    it.n = MinI(t_.n_tile, t_.h_out - it.n0);
    return it;
  }

  __aicore__ inline uint64_t YFirst(const Item& it, int32_t b) const {
    return uint64_t(b) * t_.y_row + t_.y_offset + it.n0;
  }

  __aicore__ inline void StartW(const Item& it) {
    const uint32_t len = static_cast<uint32_t>(it.n * t_.rank);
    StartLoad(w_que_, w_, (uint64_t(it.mat) * t_.h_out + it.n0) * t_.rank, 1, len, len, wt_);
  }

  // Starts the copies of row r of the item's group (v and its y tile); returns the batch row.
  __aicore__ inline int32_t StartRow(const Item& it, int32_t r) {
    const int32_t b = table_.GetValue(GroupRowWord(t_.num_groups, it.first + r));
    StartLoad(v_que_, v_, uint64_t(b) * t_.rank, 1, t_.rank, t_.rank, rp_);
    StartLoad(y_in_que_, y_, YFirst(it, b), 1, it.n, it.n, np_);
    return b;
  }

  __aicore__ inline void ComputeRow(const Item& it, int32_t b, const LocalTensor<float>& col,
                                    const LocalTensor<float>& vf, const LocalTensor<float>& yf) {
    LocalTensor<float> acc = acc_buf_.Get<float>();
    Sync<HardEvent::V_S>();  // vf, converted by the vector unit, is read by the scalar unit
    // Column k goes to accumulator k % 4: four independent Axpy chains, one barrier per four
    // columns, then the accumulators are added pairwise.
    const int32_t lanes = MinI(t_.rank, kAccumulators);
    for (int32_t k = 0; k < t_.rank; k++) {
      const float vk = vf.GetValue(k);
      const LocalTensor<float> a = acc[(k % kAccumulators) * np_];
      if (k < kAccumulators) {
        AscendC::Muls(a, col[k * np_], vk, it.n);
      } else {
        AscendC::Axpy(a, col[k * np_], vk, it.n);
      }
      if (k % kAccumulators == kAccumulators - 1 || k == t_.rank - 1) VectorBarrier();
    }
    if (lanes > 1) {
      AscendC::Add(acc, acc, acc[np_], it.n);
      if (lanes == 4) AscendC::Add(acc[2 * np_], acc[2 * np_], acc[3 * np_], it.n);
      VectorBarrier();
    }
    if (lanes > 2) {
      AscendC::Add(acc, acc, acc[2 * np_], it.n);
      VectorBarrier();
    }
    AscendC::Add(yf, yf, acc, it.n);
    StoreRows(y_out_que_, yf, y_, YFirst(it, b), 1, it.n, it.n, np_);
  }

  static constexpr int32_t kAccumulators = 4;
  ExpandTiling t_;
  int64_t groups_words_ = 0;
  int32_t np_ = 64, wt_ = 16, rp_ = 16;
  FloatGm v_, w_, y_;
  GlobalTensor<int32_t> table_;
  InQue tiling_que_, off_que_, w_que_, v_que_, y_in_que_;
  OutQue y_out_que_;
  CalcBuf wf_buf_, col_buf_, vf_buf_, yf_buf_, acc_buf_;
  LocalTensor<uint32_t> off_;  // the Gather offsets, held in off_que_'s buffer
};

}  // namespace
}  // namespace ascend
}  // namespace npukit

extern "C" __global__ __aicore__ void npukit_bgmv_shrink_kernel(GM_ADDR x, GM_ADDR a, GM_ADDR groups, GM_ADDR y,
                                                                GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::DotRows op;
  op.Init(npukit::ascend::DotMode::kShrink, x, a, groups, y, tiling, &pipe);
  op.Process();
}

extern "C" __global__ __aicore__ void npukit_bgmv_expand_kernel(GM_ADDR v, GM_ADDR w, GM_ADDR table, GM_ADDR y,
                                                                GM_ADDR tiling) {
  AscendC::TPipe pipe;
  npukit::ascend::BgmvExpand op;
  op.Init(v, w, table, y, tiling, &pipe);
  op.Process();
}
