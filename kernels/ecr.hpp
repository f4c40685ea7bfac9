#pragma once
// ECR (Xu et al., "Accelerating convolutional neural network by exploiting sparsity on GPUs"), kept as the
// authors built it: one thread per output element, one block per output row; each thread compacts the
// nonzero (input, weight) pairs of its window into its own slots of shared memory (values side by side,
// the "extended CSR" row) and then takes their dot product. The authors ran one channel and one filter;
// here a block is one output row of one output channel of one image, and the thread compacts and dots one
// input channel of its group at a time, adding into one FP32 sum that it writes once (the original added
// into an uncleared output). FP32, NCHW. A baseline: not tuned. Knows nothing of the harness.
#include <cuda_runtime.h>

#include "kernels/conv_shape.hpp"

namespace scb::kernels {

// Threads per block (one output column each, looping when Q is larger) such that their slots fit in
// shared memory: 2 floats for each of the R x S taps of a window.
int ecr_threads(const ConvShape& shape);
long long ecr_shared_bytes(const ConvShape& shape);

// input N x C x H x W, weights K x C/groups x R x S, output N x K x P x Q.
// Once per shape, outside any timed region: raises the kernel's shared-memory limit above the default 48 KiB
// where its slots need it.
cudaError_t ecr_prepare(const ConvShape& shape);

cudaError_t ecr_conv(const float* input, const float* weights, float* output, const ConvShape& shape,
                     cudaStream_t stream);

}  // namespace scb::kernels
