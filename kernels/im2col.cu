#include "kernels/im2col.hpp"

namespace scb::kernels {

namespace {

// One thread per column element; q is the fastest index so writes are coalesced.
template <class T>
__global__ void im2col_nchw_kernel(const T* __restrict__ input, T* __restrict__ columns, Im2colShape d,
                                   long long total) {
  const long long PQ = (long long)d.P * d.Q;
  const long long rows = (long long)d.C * d.R * d.S;
  for (long long index = blockIdx.x * (long long)blockDim.x + threadIdx.x; index < total;
       index += (long long)gridDim.x * blockDim.x) {
    const long long pq = index % PQ;
    const long long row = (index / PQ) % rows;
    const long long n = index / (PQ * rows);
    const int q = int(pq % d.Q), p = int(pq / d.Q);
    const int s = int(row % d.S), r = int((row / d.S) % d.R), c = int(row / ((long long)d.S * d.R));
    const int h = p * d.stride_h - d.pad_h + r * d.dilation_h;
    const int w = q * d.stride_w - d.pad_w + s * d.dilation_w;
    T value = T(0.0f);
    if (h >= 0 && h < d.H && w >= 0 && w < d.W) value = input[((n * d.C + c) * d.H + h) * d.W + w];
    columns[index] = value;
  }
}

// One thread per column element; the filter-tap index is fastest so writes are coalesced.
template <class T>
__global__ void im2col_pixel_major_kernel(const T* __restrict__ input, T* __restrict__ columns, Im2colShape d,
                                          long long column_stride, long long total) {
  const long long rows = (long long)d.C * d.R * d.S;
  const long long PQ = (long long)d.P * d.Q;
  for (long long index = blockIdx.x * (long long)blockDim.x + threadIdx.x; index < total;
       index += (long long)gridDim.x * blockDim.x) {
    const long long row = index % rows;
    const long long pixel = index / rows;
    const long long n = pixel / PQ, pq = pixel % PQ;
    const int q = int(pq % d.Q), p = int(pq / d.Q);
    const int s = int(row % d.S), r = int((row / d.S) % d.R), c = int(row / ((long long)d.S * d.R));
    const int h = p * d.stride_h - d.pad_h + r * d.dilation_h;
    const int w = q * d.stride_w - d.pad_w + s * d.dilation_w;
    T value = T(0.0f);
    if (h >= 0 && h < d.H && w >= 0 && w < d.W) value = input[((n * d.C + c) * d.H + h) * d.W + w];
    columns[pixel * column_stride + row] = value;
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
  const long long total = (long long)d.N * d.C * d.R * d.S * d.P * d.Q;
  constexpr int kThreads = 256;
  const long long wanted = (total + kThreads - 1) / kThreads;
  const unsigned blocks = unsigned(wanted < (1ll << 20) ? wanted : (1ll << 20));
  im2col_pixel_major_kernel<T><<<blocks, kThreads, 0, stream>>>(input, columns, d, column_stride, total);
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
  const long long total = (long long)d.N * d.C * d.R * d.S * d.P * d.Q;
  constexpr int kThreads = 256;
  const long long wanted = (total + kThreads - 1) / kThreads;
  const unsigned blocks = unsigned(wanted < (1ll << 20) ? wanted : (1ll << 20));
  im2col_nchw_kernel<T><<<blocks, kThreads, 0, stream>>>(input, columns, d, total);
  return cudaGetLastError();
}

template cudaError_t im2col_nchw<float>(const float*, float*, const Im2colShape&, cudaStream_t);
template cudaError_t im2col_nchw<__half>(const __half*, __half*, const Im2colShape&, cudaStream_t);
template cudaError_t im2col_nchw<__nv_bfloat16>(const __nv_bfloat16*, __nv_bfloat16*, const Im2colShape&, cudaStream_t);
template cudaError_t im2col_nchw_pixel_major<float>(const float*, float*, const Im2colShape&, long long, cudaStream_t);
template cudaError_t im2col_nchw_pixel_major<__half>(const __half*, __half*, const Im2colShape&, long long, cudaStream_t);
template cudaError_t im2col_nchw_pixel_major<__nv_bfloat16>(const __nv_bfloat16*, __nv_bfloat16*, const Im2colShape&,
                                                            long long, cudaStream_t);
template cudaError_t pixel_major_to_nchw<float>(const float*, float*, int, int, int, int, cudaStream_t);
template cudaError_t pixel_major_to_nchw<__half>(const __half*, __half*, int, int, int, int, cudaStream_t);
template cudaError_t pixel_major_to_nchw<__nv_bfloat16>(const __nv_bfloat16*, __nv_bfloat16*, int, int, int, int,
                                                        cudaStream_t);

}  // namespace scb::kernels
