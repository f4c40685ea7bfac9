#include "kernels/pad.hpp"

#include <cstdint>

namespace scb::kernels {

namespace {

// One thread per padded element, consecutive threads along a padded row (coalesced writes and reads).
template <class T>
__global__ void pad_kernel(const T* __restrict__ input, T* __restrict__ padded, PadShape s, long long total) {
  const int hp = s.H + 2 * s.pad_h, wp = s.W + 2 * s.pad_w;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total;
       i += (long long)gridDim.x * blockDim.x) {
    const int w = int(i % wp) - s.pad_w;
    const long long row = i / wp;
    const int h = int(row % hp) - s.pad_h;
    const long long plane = row / hp;
    padded[i] = unsigned(h) < unsigned(s.H) && unsigned(w) < unsigned(s.W) ? input[(plane * s.H + h) * s.W + w] : T(0);
  }
}

template <class T>
cudaError_t launch(const void* input, void* padded, const PadShape& s, cudaStream_t stream) {
  const long long total = s.planes * s.padded_height() * s.padded_width();
  if (total == 0) return cudaSuccess;
  constexpr int threads = 256;
  const long long blocks = (total + threads - 1) / threads;
  const unsigned grid = unsigned(blocks < 65536 * 8 ? blocks : 65536 * 8);  // the loop takes the rest
  pad_kernel<T><<<grid, threads, 0, stream>>>(static_cast<const T*>(input), static_cast<T*>(padded), s, total);
  return cudaGetLastError();
}

}  // namespace

cudaError_t pad_planes(const void* input, void* padded, const PadShape& shape, int element_bytes, cudaStream_t stream) {
  if (element_bytes == 4) return launch<std::uint32_t>(input, padded, shape, stream);
  if (element_bytes == 2) return launch<std::uint16_t>(input, padded, shape, stream);
  return cudaErrorInvalidValue;
}

}  // namespace scb::kernels
