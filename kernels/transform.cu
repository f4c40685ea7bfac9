#include "kernels/transform.hpp"

#include <cstdint>

namespace scb::kernels {

namespace {

constexpr int kTile = 32, kRowsPerPass = 8;

template <class T>
__global__ void transpose_tiles(const T* __restrict__ input, T* __restrict__ output, TransposePlan t) {
  __shared__ T tile[kTile][kTile + 1];  // +1: the column reads below hit 32 different banks
  // blockIdx.x numbers the tiles of one matrix (cols fastest), which may be more than a grid's y allows.
  const long long col_tiles = (t.cols + kTile - 1) / kTile;
  const long long b = blockIdx.z, r0 = blockIdx.x / col_tiles * kTile, k0 = blockIdx.x % col_tiles * kTile;
  const T* in = input + b * t.src_b;
  T* out = output + b * t.dst_b;
  for (int i = threadIdx.y; i < kTile; i += kRowsPerPass) {  // read along k: contiguous in the source
    const long long r = r0 + i, k = k0 + threadIdx.x;
    if (r < t.rows && k < t.cols) tile[i][threadIdx.x] = in[r * t.src_r + k];
  }
  __syncthreads();
  for (int i = threadIdx.y; i < kTile; i += kRowsPerPass) {  // write along r: contiguous in the destination
    const long long k = k0 + i, r = r0 + threadIdx.x;
    if (r < t.rows && k < t.cols) out[k * t.dst_k + r] = tile[threadIdx.x][i];
  }
}

template <class T>
cudaError_t launch(const void* input, void* output, const TransposePlan& t, cudaStream_t stream) {
  if (t.batches == 0 || t.rows == 0 || t.cols == 0) return cudaSuccess;
  const long long tiles = (t.cols + kTile - 1) / kTile * ((t.rows + kTile - 1) / kTile);
  if (t.batches > 65535 || tiles > 0x7fffffffLL) return cudaErrorInvalidConfiguration;
  const dim3 grid(unsigned(tiles), 1, unsigned(t.batches));
  transpose_tiles<T>
      <<<grid, dim3(kTile, kRowsPerPass), 0, stream>>>(static_cast<const T*>(input), static_cast<T*>(output), t);
  return cudaGetLastError();
}

}  // namespace

TransposePlan transpose_plan(long long n, long long c, long long h, long long w, TensorOrder from, TensorOrder to) {
  const long long hw = h * w, chw = c * hw;
  if (from == TensorOrder::nchw && to == TensorOrder::nhwc) return {n, c, hw, chw, hw, chw, c};
  if (from == TensorOrder::nhwc && to == TensorOrder::nchw) return {n, hw, c, chw, c, chw, hw};
  if (from == TensorOrder::nchw && to == TensorOrder::chwn) return {1, n, chw, 0, chw, 0, n};
  if (from == TensorOrder::chwn && to == TensorOrder::nchw) return {1, chw, n, 0, n, 0, chw};
  if (from == TensorOrder::nhwc && to == TensorOrder::chwn) return {hw, n, c, c, hw * c, n, hw * n};
  return {hw, c, n, n, hw * n, c, hw * c};  // chwn -> nhwc
}

cudaError_t transform_layout(const void* input, void* output, int n, int c, int h, int w, TensorOrder from,
                             TensorOrder to, int element_bytes, cudaStream_t stream) {
  if (from == to) return cudaErrorInvalidValue;
  const TransposePlan t = transpose_plan(n, c, h, w, from, to);
  if (element_bytes == 4) return launch<std::uint32_t>(input, output, t, stream);
  if (element_bytes == 2) return launch<std::uint16_t>(input, output, t, stream);
  return cudaErrorInvalidValue;
}

}  // namespace scb::kernels
