#pragma once
// Dense direct convolution, ours, one kernel family in two layouts (Li et al., SC16: the layout decides which
// dimension the 32 lanes of a warp run over):
//  - CHWN, as cuda-convnet: the lanes are 32 images of the batch. Input C x H x W x N, weights C x R x S x K,
//    output K x P x Q x N. Full warps from N = 32 up, whatever the map size.
//  - NCHW: the lanes are 32 output columns of one row. Input N x C x H x W, weights K x C x R x S, output
//    N x K x P x Q. Full warps only where Q fills them.
// Otherwise the same: a block is 32 lanes x 4 rows of 8 output channels; the block's weights for a chunk of
// input channels are staged in shared memory (C x R x S x 32 order in both) and read as broadcasts, so each
// loaded input feeds 8 FMAs. `outputs` (1 or 4) per thread along the lane dimension: 4 images in CHWN
// (cuda-convnet's reuse of each staged weight across the batch), 4 neighbouring columns in NCHW; each staged
// weight then feeds 4 FMAs. FP32, groups = 1. Knows nothing of the harness.
#include <cuda_runtime.h>

#include "kernels/conv_shape.hpp"

namespace scb::kernels {

enum class DenseLayout { nchw, chwn };

// Shared memory bytes per block (dynamic), and the input channels staged at a time.
int direct_dense_chunk(const ConvShape& shape);
long long direct_dense_shared_bytes(const ConvShape& shape);

// Once per shape and layout, outside any timed region: raises the kernel's shared-memory limit where the
// staged weights need more than the default 48 KiB (filters above about 19x19).
cudaError_t direct_dense_prepare(const ConvShape& shape, DenseLayout layout, int outputs);

cudaError_t direct_dense_conv(const float* input, const float* weights, float* output, const ConvShape& shape,
                              DenseLayout layout, int outputs, cudaStream_t stream);

}  // namespace scb::kernels
