#pragma once
// Layout changes of an N x C x H x W tensor between NCHW, NHWC and CHWN (Li et al., SC16: switching layouts
// between layers pays only when the transforms are counted). Each of the six is one batched transpose of a
// matrix whose rows are contiguous in the source and whose columns are contiguous in the destination,
// through 32 x 32 tiles in shared memory, so that reads and writes are both coalesced. The bits are moved,
// whatever the element type (4 or 2 bytes). Knows nothing of the harness.
#include <cuda_runtime.h>

#include "kernels/tensor_types.hpp"

namespace scb::kernels {

// out[b * dst_b + k * dst_k + r] = in[b * src_b + r * src_r + k], for r < rows, k < cols, b < batches.
struct TransposePlan {
  long long batches, rows, cols;
  long long src_b, src_r, dst_b, dst_k;
};
// The transpose that takes `from` to `to` (from != to), in elements.
TransposePlan transpose_plan(long long n, long long c, long long h, long long w, TensorOrder from, TensorOrder to);

cudaError_t transform_layout(const void* input, void* output, int n, int c, int h, int w, TensorOrder from,
                             TensorOrder to, int element_bytes, cudaStream_t stream);

}  // namespace scb::kernels
