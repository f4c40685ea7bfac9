#include "harness/gpu/timing_probes.hpp"

namespace scb::probes {

namespace {

__device__ unsigned long long global_timer_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

__global__ void empty_kernel() {}

__global__ void l2_flush_kernel(const uint4* __restrict__ data, size_t count, unsigned* sink) {
  unsigned acc = 0;
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < count; i += size_t(gridDim.x) * blockDim.x) {
    const uint4 v = data[i];
    acc ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  if (acc == 0x9E3779B9u && sink) *sink = acc;
}

__global__ void spin_kernel(long long cycles, long long* elapsed) {
  const long long start = clock64();
  long long now = start;
  while (now - start < cycles) now = clock64();
  if (elapsed) *elapsed = now - start;
}

__global__ void fma_kernel(int iterations, float* out) {
  const int id = blockIdx.x * blockDim.x + threadIdx.x;
  // The start value is loaded, not computed: `1 + k * id` would add one FFMA per thread to the count.
  float a = out[id];
  const float b = 0.999f, c = 1e-3f;
  for (int i = 0; i < iterations; ++i) {
#pragma unroll
    for (int k = 0; k < 8; ++k) a = fmaf(a, b, c);
  }
  out[id] = a;
}

__global__ void copy_kernel(const uint4* __restrict__ src, uint4* __restrict__ dst, size_t count) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < count; i += size_t(gridDim.x) * blockDim.x)
    dst[i] = src[i];
}

__global__ void blocking_kernel(const volatile int* release, int* timed_out, unsigned long long timeout_ns) {
  const unsigned long long start = global_timer_ns();
  while (*release == 0) {
    if (global_timer_ns() - start > timeout_ns) {
      *timed_out = 1;
      return;
    }
  }
}

}  // namespace

cudaError_t launch_empty_kernel(cudaStream_t stream) {
  empty_kernel<<<1, 1, 0, stream>>>();
  return cudaGetLastError();
}

cudaError_t launch_l2_flush(const void* buffer, size_t bytes, unsigned* sink, cudaStream_t stream) {
  l2_flush_kernel<<<1024, 512, 0, stream>>>(static_cast<const uint4*>(buffer), bytes / sizeof(uint4), sink);
  return cudaGetLastError();
}

cudaError_t launch_fma_kernel(int blocks, int threads, int iterations, float* out, cudaStream_t stream) {
  fma_kernel<<<blocks, threads, 0, stream>>>(iterations, out);
  return cudaGetLastError();
}

cudaError_t launch_copy_kernel(const void* src, void* dst, size_t bytes, cudaStream_t stream) {
  copy_kernel<<<132 * 8, 512, 0, stream>>>(static_cast<const uint4*>(src), static_cast<uint4*>(dst),
                                           bytes / sizeof(uint4));
  return cudaGetLastError();
}

cudaError_t launch_spin_kernel(long long cycles, long long* elapsed, cudaStream_t stream) {
  spin_kernel<<<1, 1, 0, stream>>>(cycles, elapsed);
  return cudaGetLastError();
}

cudaError_t launch_blocking_kernel(const volatile int* release, int* timed_out, unsigned long long timeout_ns,
                                   cudaStream_t stream) {
  blocking_kernel<<<1, 1, 0, stream>>>(release, timed_out, timeout_ns);
  return cudaGetLastError();
}

}  // namespace scb::probes
