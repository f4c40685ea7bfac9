#include "kernels/direct_dense.hpp"

#include <algorithm>

namespace scb::kernels {

namespace {

constexpr int kLanes = 32;                   // threads along N (CHWN) or Q (NCHW)
constexpr int kRows = 4;                     // rows of output channels per block
constexpr int kPerThread = 8;                // output channels per thread
constexpr int kBlockK = kRows * kPerThread;  // 32 output channels per block
constexpr int kStagedFloats = 3072;          // weights staged at a time, 12 KiB (at least one channel's)

template <DenseLayout kLayout>
__global__ void __launch_bounds__(kLanes* kRows)
    direct_dense_kernel(const float* __restrict__ input, const float* __restrict__ weights, float* __restrict__ output,
                        ConvShape s, int chunk) {
  extern __shared__ float4 staged4[];
  float* staged = reinterpret_cast<float*>(staged4);  // [chunk][R * S][32]
  const int lane = threadIdx.x, row = threadIdx.y, tid = row * kLanes + lane;
  const int rs = s.R * s.S, k0 = blockIdx.y * kBlockK;
  int n, p, q;
  if constexpr (kLayout == DenseLayout::chwn) {
    p = blockIdx.x / s.Q;
    q = blockIdx.x % s.Q;
    n = blockIdx.z * kLanes + lane;
  } else {
    const int column_blocks = (s.Q + kLanes - 1) / kLanes;
    p = blockIdx.x / column_blocks;
    q = (blockIdx.x % column_blocks) * kLanes + lane;
    n = blockIdx.z;
  }
  const bool active = n < s.N && q < s.Q;
  const int h0 = p * s.stride_h - s.pad_h, w0 = q * s.stride_w - s.pad_w;
  float acc[kPerThread] = {};
  for (int c0 = 0; c0 < s.C; c0 += chunk) {
    const int channels = min(chunk, s.C - c0);
    __syncthreads();  // the previous chunk's weights are no longer read
    for (int i = tid; i < channels * rs * kBlockK; i += kLanes * kRows) {
      const int kk = i % kBlockK, t = i / kBlockK % rs, c = c0 + i / (kBlockK * rs), k = k0 + kk;
      float v = 0.0f;
      if (k < s.K)
        v = kLayout == DenseLayout::chwn ? weights[(size_t(c) * rs + t) * s.K + k]
                                         : weights[(size_t(k) * s.C + c) * rs + t];
      staged[i] = v;
    }
    __syncthreads();
    if (!active) continue;
    for (int ci = 0; ci < channels; ++ci) {
      const int c = c0 + ci;
      for (int r = 0; r < s.R; ++r) {
        const int h = h0 + r * s.dilation_h;
        if (unsigned(h) >= unsigned(s.H)) continue;
        for (int t = 0; t < s.S; ++t) {
          const int w = w0 + t * s.dilation_w;
          if (unsigned(w) >= unsigned(s.W)) continue;
          const float x = kLayout == DenseLayout::chwn ? input[((size_t(c) * s.H + h) * s.W + w) * s.N + n]
                                                       : input[((size_t(n) * s.C + c) * s.H + h) * s.W + w];
          const float4* f =
              reinterpret_cast<const float4*>(staged + ((ci * rs + r * s.S + t) * kBlockK + row * kPerThread));
          const float4 a = f[0], b = f[1];  // the same address across the warp: broadcasts
          acc[0] += x * a.x;
          acc[1] += x * a.y;
          acc[2] += x * a.z;
          acc[3] += x * a.w;
          acc[4] += x * b.x;
          acc[5] += x * b.y;
          acc[6] += x * b.z;
          acc[7] += x * b.w;
        }
      }
    }
  }
  if (!active) return;
  for (int j = 0; j < kPerThread; ++j) {
    const int k = k0 + row * kPerThread + j;
    if (k >= s.K) break;
    if constexpr (kLayout == DenseLayout::chwn)
      output[((size_t(k) * s.P + p) * s.Q + q) * s.N + n] = acc[j];
    else
      output[((size_t(n) * s.K + k) * s.P + p) * s.Q + q] = acc[j];
  }
}

}  // namespace

int direct_dense_chunk(const ConvShape& s) { return std::max(1, kStagedFloats / (s.R * s.S * kBlockK)); }

long long direct_dense_shared_bytes(const ConvShape& s) {
  return (long long)std::min(direct_dense_chunk(s), s.C) * s.R * s.S * kBlockK * sizeof(float);
}

cudaError_t direct_dense_prepare(const ConvShape& s, DenseLayout layout) {
  const long long shared = direct_dense_shared_bytes(s);
  if (shared <= 48 * 1024) return cudaSuccess;  // the default limit
  const void* kernel = layout == DenseLayout::chwn
                           ? reinterpret_cast<const void*>(direct_dense_kernel<DenseLayout::chwn>)
                           : reinterpret_cast<const void*>(direct_dense_kernel<DenseLayout::nchw>);
  return cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared));
}

cudaError_t direct_dense_conv(const float* input, const float* weights, float* output, const ConvShape& s,
                              DenseLayout layout, cudaStream_t stream) {
  if (s.groups != 1) return cudaErrorInvalidValue;
  const size_t shared = size_t(direct_dense_shared_bytes(s));
  const dim3 block(kLanes, kRows);
  const unsigned k_blocks = unsigned((s.K + kBlockK - 1) / kBlockK);
  const int chunk = direct_dense_chunk(s);
  if (layout == DenseLayout::chwn) {  // a block per output pixel and 32 images
    const dim3 grid(unsigned(s.P) * unsigned(s.Q), k_blocks, unsigned((s.N + kLanes - 1) / kLanes));
    direct_dense_kernel<DenseLayout::chwn><<<grid, block, shared, stream>>>(input, weights, output, s, chunk);
  } else {  // a block per 32 output columns of a row and one image
    const dim3 grid(unsigned(s.P) * unsigned((s.Q + kLanes - 1) / kLanes), k_blocks, unsigned(s.N));
    direct_dense_kernel<DenseLayout::nchw><<<grid, block, shared, stream>>>(input, weights, output, s, chunk);
  }
  return cudaGetLastError();
}

}  // namespace scb::kernels
