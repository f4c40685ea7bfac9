#include "kernels/ecr.hpp"

#include <algorithm>

namespace scb::kernels {

namespace {

constexpr long long kSharedLimit = 227 * 1024;  // Hopper's per-block maximum (opt-in above 48 KiB)

// grid (P, K, N), block (threads); dynamic shared memory: threads x R x S x 2 floats.
__global__ void ecr_kernel(const float* __restrict__ input, const float* __restrict__ weights,
                           float* __restrict__ output, ConvShape s) {
  extern __shared__ float slots[];
  const int p = blockIdx.x, k = blockIdx.y, n = blockIdx.z;
  const int taps = s.R * s.S;
  const int channels = s.C / s.groups, outputs = s.K / s.groups;
  const int group = k / outputs;
  float* values = slots + size_t(threadIdx.x) * taps * 2;  // this thread's ECR row: value, weight, ...
  for (int q = threadIdx.x; q < s.Q; q += blockDim.x) {
    const int h0 = p * s.stride_h - s.pad_h, w0 = q * s.stride_w - s.pad_w;
    float sum = 0.0f;
    for (int c = 0; c < channels; ++c) {
      const float* plane = input + ((size_t(n) * s.C + size_t(group) * channels + c) * s.H) * s.W;
      const float* filter = weights + (size_t(k) * channels + c) * taps;
      int count = 0;  // compaction: the nonzero pairs of this window and channel
      for (int r = 0; r < s.R; ++r) {
        const int h = h0 + r * s.dilation_h;
        if (h < 0 || h >= s.H) continue;
        for (int t = 0; t < s.S; ++t) {
          const int w = w0 + t * s.dilation_w;
          if (w < 0 || w >= s.W) continue;
          const float x = plane[size_t(h) * s.W + w], f = filter[r * s.S + t];
          if (x != 0.0f && f != 0.0f) {
            values[2 * count] = x;
            values[2 * count + 1] = f;
            ++count;
          }
        }
      }
      for (int i = 0; i < count; ++i) sum += values[2 * i] * values[2 * i + 1];  // the dot product
    }
    output[((size_t(n) * s.K + k) * s.P + p) * s.Q + q] = sum;
  }
}

}  // namespace

long long ecr_shared_bytes(const ConvShape& s) { return (long long)ecr_threads(s) * s.R * s.S * 2 * sizeof(float); }

int ecr_threads(const ConvShape& s) {
  const long long per_thread = (long long)s.R * s.S * 2 * sizeof(float);
  const long long fit = std::max(1LL, kSharedLimit / per_thread);
  // A warp at least where it fits, at most 1024 threads: the authors' one thread per output column.
  return int(std::min<long long>({(long long)s.Q, 1024, fit}));
}

cudaError_t ecr_prepare(const ConvShape& s) {
  const long long shared = ecr_shared_bytes(s);
  if (shared <= 48 * 1024) return cudaSuccess;  // the default limit
  return cudaFuncSetAttribute(ecr_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared));
}

cudaError_t ecr_conv(const float* input, const float* weights, float* output, const ConvShape& s, cudaStream_t stream) {
  if (s.K > 65535 || s.N > 65535 || s.P > 2147483647) return cudaErrorInvalidConfiguration;
  const int threads = ecr_threads(s);
  const long long shared = ecr_shared_bytes(s);
  ecr_kernel<<<dim3(unsigned(s.P), unsigned(s.K), unsigned(s.N)), threads, size_t(shared), stream>>>(input, weights,
                                                                                                     output, s);
  return cudaGetLastError();
}

}  // namespace scb::kernels
