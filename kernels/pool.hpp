#pragma once
// Pooling layers, ours (Li et al., SC16: pooling prefers CHWN, with several outputs per thread). Each thread
// computes `outputs` neighbouring outputs along a row, so overlapping windows (3x3/2) share their loads in
// L1 and the index arithmetic is done once. NCHW: consecutive threads take consecutive groups of a row.
// CHWN (C x H x W x N): consecutive threads take consecutive images, so every load of a warp is one
// contiguous run. Max, or Caffe's average (divided by the window clipped to the padded map). Windows use
// Caffe's rounding (P and Q given). FP32, FP16, BF16 elements. Knows nothing of the harness.
#include <cuda_runtime.h>

namespace scb::kernels {

enum class PoolElement { f32, f16, bf16 };
enum class PoolOrder { nchw, chwn };

struct PoolProblem {
  int N, C, H, W;
  int P, Q;  // output
  int size, stride, pad;
  bool average;
};

// outputs: 1, 2, 4 or 8 per thread.
cudaError_t pool_forward(const void* input, void* output, const PoolProblem& problem, PoolOrder order, int outputs,
                         PoolElement element, cudaStream_t stream);

}  // namespace scb::kernels
