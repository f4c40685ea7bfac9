#pragma once
// Softmax over each row of a rows x classes tensor (an image's classes), the row's max subtracted first:
//  - fused, ours: one kernel that reads each row once and writes it once. Up to 1024 classes a warp holds a
//    row in its registers (4 rows a block); up to 24576 a block of 256 to 1024 threads does (16 or 24 values
//    a thread, all loads in flight at once); above, a block of 256 threads holds it in shared memory.
//  - Caffe's: five kernels (the row's max; subtract; exp; the row's sum; divide), each a pass over memory,
//    with one thread per row for the max and the sum, as Caffe's softmax layer does; FP32, as Caffe.
// Fused: elements FP32, FP16 or BF16, arithmetic in FP32. Knows nothing of the harness.
#include <cuda_runtime.h>

#include "kernels/tensor_types.hpp"

namespace scb::kernels {

// How the fused kernel holds a row: the threads that share it, the values each holds, and where.
struct SoftmaxFusedShape {
  int threads_per_row;
  int values_per_thread;
  const char* row_held_in;  // "registers" or "shared memory"
};
SoftmaxFusedShape softmax_fused_shape(int classes);
// The most classes the fused kernel keeps in one block's shared memory (FP32 values).
int softmax_fused_max_classes();
// Outside any timed region: raises the block kernel's shared-memory limit to its largest row (a no-op for
// rows a warp holds).
cudaError_t softmax_fused_prepare(int classes);
cudaError_t softmax_fused(const void* input, void* output, int rows, int classes, ElementType element,
                          cudaStream_t stream);

// row_scratch: 2 x rows floats (each row's max, then its sum).
cudaError_t softmax_caffe(const float* input, float* output, float* row_scratch, int rows, int classes,
                          cudaStream_t stream);

}  // namespace scb::kernels
