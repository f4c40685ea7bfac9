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

namespace scb::kernels {

enum class PoolElement { f16, bf16, f32 };
enum class PoolOrder { nchw, nhwc, chwn };

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

// max_vector: the widest vector asked for (1, 2, 4 or 8; 0: 16 bytes). The plan takes the widest power of
// two up to it that divides the innermost dimension and fits 16 bytes.
PoolPlan pool_plan(const PoolProblem& problem, PoolOrder order, PoolElement element, int max_vector);

cudaError_t pool_forward(const void* input, void* output, const PoolProblem& problem, PoolOrder order,
                         const PoolPlan& plan, PoolElement element, cudaStream_t stream);

}  // namespace scb::kernels
