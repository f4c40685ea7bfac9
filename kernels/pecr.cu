#include "kernels/pecr.hpp"

#include <cfloat>

namespace scb::kernels {

namespace {

// grid (pooled Q, pooled P, N x K), block (pool size, pool size). Dynamic shared memory: per thread R x S
// values and R x S kernel indices, then one float per thread for the reduction.
__global__ void pecr_kernel(const float* __restrict__ input, const float* __restrict__ weights,
                            float* __restrict__ output, ConvShape s, PoolGeometry pool) {
  extern __shared__ float shared[];
  const int taps = s.R * s.S;
  const int threads = blockDim.x * blockDim.y, tid = threadIdx.y * blockDim.x + threadIdx.x;
  float* data = shared + size_t(tid) * taps;
  int* index = reinterpret_cast<int*>(shared + size_t(threads) * taps) + size_t(tid) * taps;
  float* partial = shared + size_t(threads) * taps * 2;
  const int n = blockIdx.z / s.K, k = blockIdx.z % s.K;
  const int channels = s.C / s.groups, group = k / (s.K / s.groups);
  // This thread's convolution output inside the pooling window; windows clipped to the map, padding never wins.
  const int p = blockIdx.y * pool.stride - pool.pad + threadIdx.y,
            q = blockIdx.x * pool.stride - pool.pad + threadIdx.x;
  float value = -FLT_MAX;
  if (p >= 0 && p < s.P && q >= 0 && q < s.Q) {
    const int h0 = p * s.stride_h - s.pad_h, w0 = q * s.stride_w - s.pad_w;
    float sum = 0.0f;
    for (int c = 0; c < channels; ++c) {
      const float* plane = input + ((size_t(n) * s.C + size_t(group) * channels + c) * s.H) * s.W;
      const float* filter = weights + (size_t(k) * channels + c) * taps;
      int count = 0;  // compaction: this window's nonzero inputs and where their weights are
      for (int r = 0; r < s.R; ++r) {
        const int h = h0 + r * s.dilation_h;
        if (h < 0 || h >= s.H) continue;
        for (int t = 0; t < s.S; ++t) {
          const int w = w0 + t * s.dilation_w;
          if (w < 0 || w >= s.W) continue;
          const float x = plane[size_t(h) * s.W + w];
          if (x != 0.0f) {
            data[count] = x;
            index[count] = r * s.S + t;
            ++count;
          }
        }
      }
      for (int i = 0; i < count; ++i) sum += data[i] * filter[index[i]];
    }
    value = sum;
  }
  partial[tid] = value;
  __syncthreads();
  // The max over the window, with a barrier between steps.
  for (int stride = 1; stride < threads; stride *= 2) {
    const float other = (tid % (2 * stride) == 0 && tid + stride < threads) ? partial[tid + stride] : -FLT_MAX;
    __syncthreads();
    if (tid % (2 * stride) == 0 && other > partial[tid]) partial[tid] = other;
    __syncthreads();
  }
  if (tid == 0) output[((size_t(n) * s.K + k) * pool.P + blockIdx.y) * pool.Q + blockIdx.x] = fmaxf(partial[0], 0.0f);
}

}  // namespace

size_t pecr_shared_bytes(const ConvShape& s, const PoolGeometry& pool) {
  const int threads = pool.size * pool.size;
  return size_t(threads) * s.R * s.S * 2 * sizeof(float) + size_t(threads) * sizeof(float);
}

cudaError_t pecr_prepare(const ConvShape& s, const PoolGeometry& pool) {
  const size_t shared = pecr_shared_bytes(s, pool);
  if (shared <= 48 * 1024) return cudaSuccess;  // the default limit
  return cudaFuncSetAttribute(pecr_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared));
}

cudaError_t pecr_conv_pool(const float* input, const float* weights, float* output, const ConvShape& s,
                           const PoolGeometry& pool, cudaStream_t stream) {
  if ((long long)s.N * s.K > 65535 || pool.size * pool.size > 1024 || pool.P > 65535)
    return cudaErrorInvalidConfiguration;
  const size_t shared = pecr_shared_bytes(s, pool);
  pecr_kernel<<<dim3(unsigned(pool.Q), unsigned(pool.P), unsigned(s.N * s.K)), dim3(pool.size, pool.size), shared,
                stream>>>(input, weights, output, s, pool);
  return cudaGetLastError();
}

}  // namespace scb::kernels
