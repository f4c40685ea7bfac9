#include "kernels/im2col.hpp"

namespace scb::kernels {

namespace {

// The column element of row (c, r, s) at output pixel (p, q) of image n: the input under that filter tap,
// zero in the padding.
template <class T>
__device__ __forceinline__ T column_value(const T* __restrict__ input, const Im2colShape& d, int n, int row, int p,
                                          int q) {
  const int s = row % d.S, r = (row / d.S) % d.R, c = row / (d.S * d.R);
  const int h = p * d.stride_h - d.pad_h + r * d.dilation_h;
  const int w = q * d.stride_w - d.pad_w + s * d.dilation_w;
  if (h < 0 || h >= d.H || w < 0 || w >= d.W) return T(0.0f);
  return input[((long long)(n * d.C + c) * d.H + h) * d.W + w];
}

// Grid: x = image x pixel tile, y = column row (c, r, s), strided when there are more rows than grid rows.
// The row's (c, r, s) and the image are fixed per block, so a thread does one 32-bit division per pixel.
// The first version decomposed a 64-bit flat index per element (six emulated 64-bit divisions): by
// instruction count ~1 ms for VGG-19 conv3_1 at N = 32, where im2col + cuBLAS fp16 measured 1.27 ms.
template <class T>
__global__ void im2col_nchw_kernel(const T* __restrict__ input, T* __restrict__ columns, Im2colShape d,
                                   int tiles_per_image) {
  const int PQ = d.P * d.Q, rows = d.C * d.R * d.S;
  const int n = blockIdx.x / tiles_per_image;
  const int pq = (blockIdx.x - n * tiles_per_image) * blockDim.x + threadIdx.x;
  if (pq >= PQ) return;
  const int p = pq / d.Q, q = pq - p * d.Q;
  for (int row = blockIdx.y; row < rows; row += gridDim.y) {
    columns[((long long)n * rows + row) * PQ + pq] = column_value(input, d, n, row, p, q);
  }
}

// One warp per output pixel (grid-strided), its lanes along the column's rows so writes are coalesced.
template <class T>
__global__ void im2col_pixel_major_kernel(const T* __restrict__ input, T* __restrict__ columns, Im2colShape d,
                                          long long column_stride) {
  const int PQ = d.P * d.Q, rows = d.C * d.R * d.S;
  const long long pixels = (long long)d.N * PQ;
  const int warps_per_block = blockDim.x / 32, lane = threadIdx.x % 32;
  for (long long pixel = (long long)blockIdx.x * warps_per_block + threadIdx.x / 32; pixel < pixels;
       pixel += (long long)gridDim.x * warps_per_block) {
    const int n = int(pixel / PQ), pq = int(pixel - (long long)n * PQ);
    const int p = pq / d.Q, q = pq - p * d.Q;
    T* column = columns + pixel * column_stride;
    for (int row = lane; row < rows; row += 32) {
      column[row] = column_value(input, d, n, row, p, q);
    }
  }
}

constexpr int kTile = 32;

// Per image, transposes a PQ x K row-major block into K x PQ through a padded shared tile.
template <class T>
__global__ void pixel_major_to_nchw_kernel(const T* __restrict__ in, T* __restrict__ out, int K, int PQ,
                                           int row_stride) {
  __shared__ T tile[kTile][kTile + 1];
  const int n = blockIdx.z;
  const int pq0 = blockIdx.x * kTile, k0 = blockIdx.y * kTile;
  const T* image_in = in + (long long)n * PQ * row_stride;
  T* image_out = out + (long long)n * K * PQ;
  for (int i = threadIdx.y; i < kTile; i += blockDim.y) {
    const int pq = pq0 + i, k = k0 + threadIdx.x;
    if (pq < PQ && k < K) tile[i][threadIdx.x] = image_in[(long long)pq * row_stride + k];
  }
  __syncthreads();
  for (int i = threadIdx.y; i < kTile; i += blockDim.y) {
    const int k = k0 + i, pq = pq0 + threadIdx.x;
    if (pq < PQ && k < K) image_out[(long long)k * PQ + pq] = tile[threadIdx.x][i];
  }
}

}  // namespace

template <class T>
cudaError_t im2col_nchw_pixel_major(const T* input, T* columns, const Im2colShape& d, long long column_stride,
                                    cudaStream_t stream) {
  constexpr int kThreads = 256;
  const long long warps = (long long)d.N * d.P * d.Q;
  const long long wanted = (warps + kThreads / 32 - 1) / (kThreads / 32);
  const unsigned blocks = unsigned(wanted < (1ll << 20) ? wanted : (1ll << 20));
  if (blocks == 0) return cudaSuccess;
  im2col_pixel_major_kernel<T><<<blocks, kThreads, 0, stream>>>(input, columns, d, column_stride);
  return cudaGetLastError();
}

template <class T>
cudaError_t pixel_major_to_nchw(const T* in, T* out, int N, int K, int PQ, int row_stride, cudaStream_t stream) {
  const dim3 grid((PQ + kTile - 1) / kTile, (K + kTile - 1) / kTile, N);
  pixel_major_to_nchw_kernel<T><<<grid, dim3(kTile, 8), 0, stream>>>(in, out, K, PQ, row_stride);
  return cudaGetLastError();
}

template <class T>
cudaError_t im2col_nchw(const T* input, T* columns, const Im2colShape& d, cudaStream_t stream) {
  const int PQ = d.P * d.Q, rows = d.C * d.R * d.S;
  if (d.N == 0 || PQ == 0 || rows == 0) return cudaSuccess;
  const int threads = PQ >= 256 ? 256 : (PQ + 31) / 32 * 32;  // small maps (7x7) leave no idle warps
  const int tiles_per_image = (PQ + threads - 1) / threads;
  const dim3 grid(unsigned(d.N * tiles_per_image), unsigned(rows < 65535 ? rows : 65535));
  im2col_nchw_kernel<T><<<grid, threads, 0, stream>>>(input, columns, d, tiles_per_image);
  return cudaGetLastError();
}

template cudaError_t im2col_nchw<float>(const float*, float*, const Im2colShape&, cudaStream_t);
template cudaError_t im2col_nchw<__half>(const __half*, __half*, const Im2colShape&, cudaStream_t);
template cudaError_t im2col_nchw<__nv_bfloat16>(const __nv_bfloat16*, __nv_bfloat16*, const Im2colShape&, cudaStream_t);
template cudaError_t im2col_nchw_pixel_major<float>(const float*, float*, const Im2colShape&, long long, cudaStream_t);
template cudaError_t im2col_nchw_pixel_major<__half>(const __half*, __half*, const Im2colShape&, long long,
                                                     cudaStream_t);
template cudaError_t im2col_nchw_pixel_major<__nv_bfloat16>(const __nv_bfloat16*, __nv_bfloat16*, const Im2colShape&,
                                                            long long, cudaStream_t);
template cudaError_t pixel_major_to_nchw<float>(const float*, float*, int, int, int, int, cudaStream_t);
template cudaError_t pixel_major_to_nchw<__half>(const __half*, __half*, int, int, int, int, cudaStream_t);
template cudaError_t pixel_major_to_nchw<__nv_bfloat16>(const __nv_bfloat16*, __nv_bfloat16*, int, int, int, int,
                                                        cudaStream_t);

}  // namespace scb::kernels
