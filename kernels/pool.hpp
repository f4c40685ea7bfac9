#pragma once
// Pooling layers, ours (Li et al., SC16). Max, or Caffe's average (divided by the window clipped to the padded
// map); windows use Caffe's rounding (P and Q given). FP32, FP16, BF16 elements, FP32 arithmetic.
//  - NCHW: a block stages a contiguous run of the input in shared memory with coalesced loads (whole planes
//    of small maps, a band of rows of large ones), then each thread computes several outputs from it, so
//    overlapping windows (3x3/2) read DRAM once. Maps whose window rows do not fit take the next path.
//  - NHWC and CHWN: the innermost dimension (C, or the batch N) is contiguous, so a thread computes one
//    window for `vector` neighbouring elements of it with one 16-byte load a tap; a warp's loads are one run.
// Indices are 32-bit: tensors of at most 2^31 - 1 elements. Knows nothing of the harness.
#include <cuda_runtime.h>

#include "kernels/divisor.hpp"
#include "kernels/tensor_types.hpp"

namespace scb::kernels {

struct PoolProblem {
  int N, C, H, W;
  int P, Q;  // output
  int size, stride, pad;
  bool average;
};

// How a pooling runs: the NCHW staging, or the vector width along the innermost dimension.
struct PoolPlan {
  bool staged = false;  // NCHW through shared memory
  int vector = 1;       // elements of the innermost dimension a thread computes (1, 2, 4 or 8)
};

// NCHW staging: input elements a block stages (24 KB as FP32), and how the blocks divide the work. Block
// group * bands + band takes output rows [p0, p1) of planes [plane0, plane0 + planes): whole planes of small
// maps (bands == 1), or one band of a large map's rows. Host code; staged_block is the device's too.
inline constexpr int kPoolStageElements = 6144;
struct PoolStaging {
  int planes, planes_per_block, bands, rows_per_band;
  int blocks() const { return (planes + planes_per_block - 1) / planes_per_block * bands; }
};
PoolStaging pool_staging(const PoolProblem& problem);

// One block's share: its planes, output rows, and the input rows [y_lo, y_hi) of each plane it stages:
// `count` contiguous elements from (plane0 * H + y_lo) * W.
struct StagedBlock {
  int plane0, planes, p0, p1, y_lo, y_hi, count;
};
SCB_HOST_DEVICE inline StagedBlock staged_block(const PoolProblem& s, const PoolStaging& g, int group, int band) {
  StagedBlock b;
  b.plane0 = group * g.planes_per_block;
  b.planes = g.planes - b.plane0 < g.planes_per_block ? g.planes - b.plane0 : g.planes_per_block;
  b.p0 = band * g.rows_per_band;
  b.p1 = b.p0 + g.rows_per_band < s.P ? b.p0 + g.rows_per_band : s.P;
  const bool whole = g.bands == 1;
  const int first = b.p0 * s.stride - s.pad, last = (b.p1 - 1) * s.stride - s.pad + s.size;
  b.y_lo = whole || first < 0 ? 0 : first;
  b.y_hi = whole || last > s.H ? s.H : last;
  b.count = (b.planes - 1) * s.H * s.W + (b.y_hi - b.y_lo) * s.W;
  return b;
}

// max_vector: the widest vector asked for (1, 2, 4 or 8; 0: 16 bytes). The plan takes the widest power of
// two up to it that divides the innermost dimension and fits 16 bytes.
PoolPlan pool_plan(const PoolProblem& problem, TensorOrder order, ElementType element, int max_vector);

cudaError_t pool_forward(const void* input, void* output, const PoolProblem& problem, TensorOrder order,
                         const PoolPlan& plan, ElementType element, cudaStream_t stream);

}  // namespace scb::kernels
