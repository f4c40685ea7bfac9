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

}  // namespace

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

}  // namespace scb::kernels
