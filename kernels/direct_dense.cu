#include "kernels/direct_dense.hpp"

#include <algorithm>

namespace scb::kernels {

namespace {

constexpr int kLanes = 32;                   // threads along N (CHWN) or Q (NCHW)
constexpr int kRows = 4;                     // rows of output channels per block
constexpr int kPerThread = 8;                // output channels per thread
constexpr int kBlockK = kRows * kPerThread;  // 32 output channels per block
constexpr int kStagedFloats = 3072;          // weights staged at a time, 12 KiB (at least one channel's)

// Each thread: 8 output channels x kOut outputs along its lane dimension (kOut images in CHWN, cuda-convnet's
// reuse of each staged weight across the batch; kOut neighbouring columns in NCHW).
template <DenseLayout kLayout, int kOut>
__global__ void __launch_bounds__(kLanes* kRows)
    direct_dense_kernel(const float* __restrict__ input, const float* __restrict__ weights, float* __restrict__ output,
                        ConvShape s, int chunk) {
  extern __shared__ float4 staged4[];
  float* staged = reinterpret_cast<float*>(staged4);  // [chunk][R * S][32]
  const int lane = threadIdx.x, row = threadIdx.y, tid = row * kLanes + lane;
  const int rs = s.R * s.S, k0 = blockIdx.y * kBlockK;
  int n, p, q;  // the thread's first output: images n.. (CHWN) or columns q.. (NCHW), kOut of them
  if constexpr (kLayout == DenseLayout::chwn) {
    p = blockIdx.x / s.Q;
    q = blockIdx.x % s.Q;
    n = (blockIdx.z * kLanes + lane) * kOut;
  } else {
    const int column_blocks = (s.Q + kLanes * kOut - 1) / (kLanes * kOut);
    p = blockIdx.x / column_blocks;
    q = ((blockIdx.x % column_blocks) * kLanes + lane) * kOut;
    n = blockIdx.z;
  }
  const bool active = n < s.N && q < s.Q;
  const int h0 = p * s.stride_h - s.pad_h, w0 = q * s.stride_w - s.pad_w;
  float acc[kPerThread][kOut] = {};
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
          float x[kOut];
          if constexpr (kLayout == DenseLayout::chwn) {
            const int w = w0 + t * s.dilation_w;
            if (unsigned(w) >= unsigned(s.W)) continue;
            const float* at = input + ((size_t(c) * s.H + h) * s.W + w) * s.N + n;
            bool vector = false;
            if constexpr (kOut == 4) {
              if (s.N % 4 == 0) {  // n is a multiple of 4: the thread's four images are one 16-byte load
                const float4 images = *reinterpret_cast<const float4*>(at);
                x[0] = images.x, x[1] = images.y, x[2] = images.z, x[3] = images.w;
                vector = true;
              }
            }
            if (!vector) {
#pragma unroll
              for (int j = 0; j < kOut; ++j) x[j] = n + j < s.N ? at[j] : 0.0f;
            }
          } else {
            const float* at = input + ((size_t(n) * s.C + c) * s.H + h) * s.W;
#pragma unroll
            for (int j = 0; j < kOut; ++j) {
              const int w = w0 + j * s.stride_w + t * s.dilation_w;
              x[j] = unsigned(w) < unsigned(s.W) && q + j < s.Q ? at[w] : 0.0f;
            }
          }
          const float4* f =
              reinterpret_cast<const float4*>(staged + ((ci * rs + r * s.S + t) * kBlockK + row * kPerThread));
          const float4 a = f[0], b = f[1];  // the same address across the warp: broadcasts
          const float weight[kPerThread] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w};
#pragma unroll
          for (int k = 0; k < kPerThread; ++k)
#pragma unroll
            for (int j = 0; j < kOut; ++j) acc[k][j] += x[j] * weight[k];
        }
      }
    }
  }
  if (!active) return;
  for (int k_index = 0; k_index < kPerThread; ++k_index) {
    const int k = k0 + row * kPerThread + k_index;
    if (k >= s.K) break;
#pragma unroll
    for (int j = 0; j < kOut; ++j) {
      if constexpr (kLayout == DenseLayout::chwn) {
        if (n + j < s.N) output[((size_t(k) * s.P + p) * s.Q + q) * s.N + n + j] = acc[k_index][j];
      } else {
        if (q + j < s.Q) output[((size_t(n) * s.K + k) * s.P + p) * s.Q + q + j] = acc[k_index][j];
      }
    }
  }
}

}  // namespace

int direct_dense_chunk(const ConvShape& s) { return std::max(1, kStagedFloats / (s.R * s.S * kBlockK)); }

long long direct_dense_shared_bytes(const ConvShape& s) {
  return (long long)std::min(direct_dense_chunk(s), s.C) * s.R * s.S * kBlockK * sizeof(float);
}

cudaError_t direct_dense_prepare(const ConvShape& s, DenseLayout layout, int outputs) {
  const long long shared = direct_dense_shared_bytes(s);
  if (shared <= 48 * 1024) return cudaSuccess;  // the default limit
  const void* kernel = nullptr;
  if (layout == DenseLayout::chwn)
    kernel = outputs == 4 ? reinterpret_cast<const void*>(direct_dense_kernel<DenseLayout::chwn, 4>)
                          : reinterpret_cast<const void*>(direct_dense_kernel<DenseLayout::chwn, 1>);
  else
    kernel = outputs == 4 ? reinterpret_cast<const void*>(direct_dense_kernel<DenseLayout::nchw, 4>)
                          : reinterpret_cast<const void*>(direct_dense_kernel<DenseLayout::nchw, 1>);
  return cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared));
}

namespace {

template <int kOut>
cudaError_t launch(const float* input, const float* weights, float* output, const ConvShape& s, DenseLayout layout,
                   cudaStream_t stream) {
  const size_t shared = size_t(direct_dense_shared_bytes(s));
  const dim3 block(kLanes, kRows);
  const unsigned k_blocks = unsigned((s.K + kBlockK - 1) / kBlockK);
  const int chunk = direct_dense_chunk(s);
  constexpr int kSpan = kLanes * kOut;  // images (CHWN) or columns (NCHW) of a block
  if (layout == DenseLayout::chwn) {    // a block per output pixel and 32 x kOut images
    const dim3 grid(unsigned(s.P) * unsigned(s.Q), k_blocks, unsigned((s.N + kSpan - 1) / kSpan));
    direct_dense_kernel<DenseLayout::chwn, kOut><<<grid, block, shared, stream>>>(input, weights, output, s, chunk);
  } else {  // a block per 32 x kOut output columns of a row and one image
    const dim3 grid(unsigned(s.P) * unsigned((s.Q + kSpan - 1) / kSpan), k_blocks, unsigned(s.N));
    direct_dense_kernel<DenseLayout::nchw, kOut><<<grid, block, shared, stream>>>(input, weights, output, s, chunk);
  }
  return cudaGetLastError();
}

}  // namespace

cudaError_t direct_dense_conv(const float* input, const float* weights, float* output, const ConvShape& s,
                              DenseLayout layout, int outputs, cudaStream_t stream) {
  if (s.groups != 1) return cudaErrorInvalidValue;
  if (outputs == 4) return launch<4>(input, weights, output, s, layout, stream);
  if (outputs == 1) return launch<1>(input, weights, output, s, layout, stream);
  return cudaErrorInvalidValue;
}

}  // namespace scb::kernels
