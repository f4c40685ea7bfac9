#include "kernels/softmax.hpp"

#include <algorithm>
#include <cfloat>

#include "kernels/element.cuh"

namespace scb::kernels {

namespace {

constexpr int kWarpRowClasses = 1024;        // 32 values a lane
constexpr int kRegisterRowClasses = 24576;   // 24 values a thread of a 1024-thread block
constexpr int kBlockThreads = 256;           // the shared-memory kernel's
constexpr int kMaxSharedBytes = 226 * 1024;  // of an H100/H200 block's 227 KiB, beside the static partials

__device__ __forceinline__ float warp_max(float value) {
  for (int distance = 16; distance > 0; distance /= 2)
    value = fmaxf(value, __shfl_xor_sync(0xffffffffu, value, distance));
  return value;
}

__device__ __forceinline__ float warp_sum(float value) {
  for (int distance = 16; distance > 0; distance /= 2) value += __shfl_xor_sync(0xffffffffu, value, distance);
  return value;
}

// A warp per row, PER_LANE values a lane in registers (lane + 32 i): one read, one write.
template <class T, int PER_LANE>
__global__ void softmax_warp_rows(const T* __restrict__ input, T* __restrict__ output, int rows, int classes) {
  const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= rows) return;  // whole warps leave together: the shuffles below see full warps
  const T* in = input + (long long)row * classes;
  float values[PER_LANE];
  float largest = -FLT_MAX;
#pragma unroll
  for (int i = 0; i < PER_LANE; ++i) {
    const int c = lane + 32 * i;
    values[i] = c < classes ? to_float(in[c]) : -FLT_MAX;
    largest = fmaxf(largest, values[i]);
  }
  largest = warp_max(largest);
  float sum = 0.0f;
#pragma unroll
  for (int i = 0; i < PER_LANE; ++i) {
    const int c = lane + 32 * i;
    values[i] = c < classes ? __expf(values[i] - largest) : 0.0f;
    sum += values[i];
  }
  const float scale = 1.0f / warp_sum(sum);
  T* out = output + (long long)row * classes;
#pragma unroll
  for (int i = 0; i < PER_LANE; ++i) {
    const int c = lane + 32 * i;
    if (c < classes) out[c] = from_float<T>(values[i] * scale);
  }
}

// The block's max or sum of one value a thread; every thread gets it.
template <bool MAX>
__device__ float block_reduce(float value, float* partial) {
  value = MAX ? warp_max(value) : warp_sum(value);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, warps = blockDim.x / 32;
  __syncthreads();  // partial may still be read from the last reduction
  if (lane == 0) partial[warp] = value;
  __syncthreads();
  value = lane < warps ? partial[lane] : (MAX ? -FLT_MAX : 0.0f);
  return MAX ? warp_max(value) : warp_sum(value);
}

// A block per row, PER_THREAD values a thread in registers (thread + THREADS i): one read, one write, every
// load of a thread issued before the first is used. MIN_BLOCKS 2 for 1024 threads: two rows an SM at once, so
// that one row's loads overlap the other's reductions and stores (32 registers: ptxas spills 16-24 bytes).
template <class T, int THREADS, int PER_THREAD, int MIN_BLOCKS>
__global__ void __launch_bounds__(THREADS, MIN_BLOCKS)
    softmax_block_registers(const T* __restrict__ input, T* __restrict__ output, int classes) {
  __shared__ float partial[32];
  const T* in = input + (long long)blockIdx.x * classes;
  float values[PER_THREAD];
  float largest = -FLT_MAX;
#pragma unroll
  for (int i = 0; i < PER_THREAD; ++i) {
    const int c = threadIdx.x + THREADS * i;
    values[i] = c < classes ? to_float(in[c]) : -FLT_MAX;
    largest = fmaxf(largest, values[i]);
  }
  largest = block_reduce<true>(largest, partial);
  float sum = 0.0f;
#pragma unroll
  for (int i = 0; i < PER_THREAD; ++i) {
    const int c = threadIdx.x + THREADS * i;
    values[i] = c < classes ? __expf(values[i] - largest) : 0.0f;
    sum += values[i];
  }
  const float scale = 1.0f / block_reduce<false>(sum, partial);
  T* out = output + (long long)blockIdx.x * classes;
#pragma unroll
  for (int i = 0; i < PER_THREAD; ++i) {
    const int c = threadIdx.x + THREADS * i;
    if (c < classes) out[c] = from_float<T>(values[i] * scale);
  }
}

// A block per row, the row in shared memory as FP32: rows too long for registers.
template <class T>
__global__ void softmax_block_shared(const T* __restrict__ input, T* __restrict__ output, int classes) {
  extern __shared__ float row_values[];
  __shared__ float partial[32];
  const T* in = input + (long long)blockIdx.x * classes;
  float largest = -FLT_MAX;
  for (int c = threadIdx.x; c < classes; c += blockDim.x) {
    row_values[c] = to_float(in[c]);
    largest = fmaxf(largest, row_values[c]);
  }
  largest = block_reduce<true>(largest, partial);
  float sum = 0.0f;
  for (int c = threadIdx.x; c < classes; c += blockDim.x) {  // each thread its own elements: no sync needed
    row_values[c] = __expf(row_values[c] - largest);
    sum += row_values[c];
  }
  const float scale = 1.0f / block_reduce<false>(sum, partial);
  T* out = output + (long long)blockIdx.x * classes;
  for (int c = threadIdx.x; c < classes; c += blockDim.x) out[c] = from_float<T>(row_values[c] * scale);
}

template <class T, int PER_LANE>
cudaError_t launch_warp_rows(const void* input, void* output, int rows, int classes, cudaStream_t stream) {
  // Four rows a block where there are rows enough to fill the GPU; else a row a block, so that a few hundred
  // rows spread over every SM instead of a quarter as many (1000 classes x 256 rows ran at cuDNN's speed).
  const int rows_per_block = rows >= 2048 ? 4 : 1;
  softmax_warp_rows<T, PER_LANE><<<(rows + rows_per_block - 1) / rows_per_block, 32 * rows_per_block, 0, stream>>>(
      static_cast<const T*>(input), static_cast<T*>(output), rows, classes);
  return cudaGetLastError();
}

template <class T, int THREADS, int PER_THREAD>
cudaError_t launch_block_registers(const void* input, void* output, int rows, int classes, cudaStream_t stream) {
  softmax_block_registers<T, THREADS, PER_THREAD, THREADS == 1024 ? 2 : 1>
      <<<rows, THREADS, 0, stream>>>(static_cast<const T*>(input), static_cast<T*>(output), classes);
  return cudaGetLastError();
}

template <class T>
cudaError_t fused(const void* input, void* output, int rows, int classes, cudaStream_t stream) {
  if (classes <= 32) return launch_warp_rows<T, 1>(input, output, rows, classes, stream);
  if (classes <= 64) return launch_warp_rows<T, 2>(input, output, rows, classes, stream);
  if (classes <= 128) return launch_warp_rows<T, 4>(input, output, rows, classes, stream);
  if (classes <= 256) return launch_warp_rows<T, 8>(input, output, rows, classes, stream);
  if (classes <= 512) return launch_warp_rows<T, 16>(input, output, rows, classes, stream);
  if (classes <= kWarpRowClasses) return launch_warp_rows<T, 32>(input, output, rows, classes, stream);
  if (classes <= 4096) return launch_block_registers<T, 256, 16>(input, output, rows, classes, stream);
  if (classes <= 8192) return launch_block_registers<T, 512, 16>(input, output, rows, classes, stream);
  if (classes <= 16384) return launch_block_registers<T, 1024, 16>(input, output, rows, classes, stream);
  if (classes <= kRegisterRowClasses) return launch_block_registers<T, 1024, 24>(input, output, rows, classes, stream);
  softmax_block_shared<T><<<rows, kBlockThreads, std::size_t(classes) * sizeof(float), stream>>>(
      static_cast<const T*>(input), static_cast<T*>(output), classes);
  return cudaGetLastError();
}

// Caffe's softmax layer, its five kernels (spatial size 1, FP32 as Caffe): a thread per row for the max and the
// sum, a thread per element for the rest. The exp and the divide work in place on the output.
__global__ void caffe_row_max(const float* __restrict__ input, float* __restrict__ row_max, int rows, int classes) {
  const int row = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= rows) return;
  float largest = -FLT_MAX;
  for (int c = 0; c < classes; ++c) largest = fmaxf(largest, input[(long long)row * classes + c]);
  row_max[row] = largest;
}

__global__ void caffe_subtract(const float* __restrict__ input, float* __restrict__ output,
                               const float* __restrict__ row_max, long long count, int classes) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count;
       i += (long long)gridDim.x * blockDim.x)
    output[i] = input[i] - row_max[i / classes];
}

__global__ void caffe_exp(float* __restrict__ values, long long count) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count;
       i += (long long)gridDim.x * blockDim.x)
    values[i] = expf(values[i]);
}

__global__ void caffe_row_sum(const float* __restrict__ values, float* __restrict__ row_sum, int rows, int classes) {
  const int row = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= rows) return;
  float sum = 0.0f;
  for (int c = 0; c < classes; ++c) sum += values[(long long)row * classes + c];
  row_sum[row] = sum;
}

__global__ void caffe_divide(float* __restrict__ values, const float* __restrict__ row_sum, long long count,
                             int classes) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count;
       i += (long long)gridDim.x * blockDim.x)
    values[i] /= row_sum[i / classes];
}

}  // namespace

SoftmaxFusedShape softmax_fused_shape(int classes) {
  if (classes <= kWarpRowClasses) {  // the kernel's PER_LANE: 1, 2, 4, ... 32
    int per_lane = 1;
    while (32 * per_lane < classes) per_lane *= 2;
    return {32, per_lane, "registers"};
  }
  const int threads = classes <= 4096 ? 256 : classes <= 8192 ? 512 : 1024;
  if (classes <= kRegisterRowClasses) return {threads, classes <= 16384 ? 16 : 24, "registers"};
  return {kBlockThreads, (classes + kBlockThreads - 1) / kBlockThreads, "shared memory"};
}

int softmax_fused_max_classes() { return kMaxSharedBytes / int(sizeof(float)); }

cudaError_t softmax_fused_prepare(int classes) {
  if (classes <= kRegisterRowClasses) return cudaSuccess;
  // The largest limit, not this row's: an op prepared later for fewer classes must not lower it under one
  // prepared earlier.
  const int bytes = kMaxSharedBytes;
  cudaError_t status =
      cudaFuncSetAttribute(softmax_block_shared<float>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
  if (status == cudaSuccess)
    status = cudaFuncSetAttribute(softmax_block_shared<__half>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
  if (status == cudaSuccess)
    status =
        cudaFuncSetAttribute(softmax_block_shared<__nv_bfloat16>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
  return status;
}

cudaError_t softmax_fused(const void* input, void* output, int rows, int classes, ElementType element,
                          cudaStream_t stream) {
  if (rows == 0 || classes == 0) return cudaSuccess;
  if (classes > softmax_fused_max_classes()) return cudaErrorInvalidValue;
  switch (element) {
    case ElementType::f16:
      return fused<__half>(input, output, rows, classes, stream);
    case ElementType::bf16:
      return fused<__nv_bfloat16>(input, output, rows, classes, stream);
    default:
      return fused<float>(input, output, rows, classes, stream);
  }
}

cudaError_t softmax_caffe(const float* input, float* output, float* row_scratch, int rows, int classes,
                          cudaStream_t stream) {
  if (rows == 0 || classes == 0) return cudaSuccess;
  constexpr int kThreads = 256;
  const long long count = (long long)rows * classes;
  const unsigned row_blocks = unsigned((rows + kThreads - 1) / kThreads);
  const unsigned element_blocks = unsigned(std::min((count + kThreads - 1) / kThreads, 65536LL * 8));
  float *row_max = row_scratch, *row_sum = row_scratch + rows;
  caffe_row_max<<<row_blocks, kThreads, 0, stream>>>(input, row_max, rows, classes);
  caffe_subtract<<<element_blocks, kThreads, 0, stream>>>(input, output, row_max, count, classes);
  caffe_exp<<<element_blocks, kThreads, 0, stream>>>(output, count);
  caffe_row_sum<<<row_blocks, kThreads, 0, stream>>>(output, row_sum, rows, classes);
  caffe_divide<<<element_blocks, kThreads, 0, stream>>>(output, row_sum, count, classes);
  return cudaGetLastError();
}

}  // namespace scb::kernels
