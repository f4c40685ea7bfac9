#pragma once
// PECR (Xu et al., "Accelerating convolutional neural network by exploiting sparsity on GPUs"): the fused
// convolution + max-pool as its authors built it: one block per pooled output, one thread per convolution
// output in the pooling window. Each thread compacts its window's nonzero inputs and their kernel indices
// in shared memory (zero weights are not checked, as in the original), dots them with the weights from
// global memory, and the block takes the maximum. Here with the layer's pool size and stride (the authors'
// kernel pooled with stride 1, their baseline with 2), every channel of the group, ReLU before the max,
// and a synchronised reduction (the original relied on warp-synchronous execution). FP32, NCHW. A
// baseline: not tuned. Knows nothing of the harness.
#include <cuda_runtime.h>

#include "kernels/conv_shape.hpp"

namespace scb::kernels {

// input N x C x H x W, weights K x C/groups x R x S, output N x K x pool.P x pool.Q. Needs N x K <= 65535
// and pool.size^2 <= 1024.
// Shared memory per block, and, once per shape outside any timed region, the kernel's limit raised to it where
// it is above the default 48 KiB.
size_t pecr_shared_bytes(const ConvShape& shape, const PoolGeometry& pool);
cudaError_t pecr_prepare(const ConvShape& shape, const PoolGeometry& pool);

cudaError_t pecr_conv_pool(const float* input, const float* weights, float* output, const ConvShape& shape,
                           const PoolGeometry& pool, cudaStream_t stream);

}  // namespace scb::kernels
