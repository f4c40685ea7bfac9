#include "kernels/pad.hpp"

#include <cstdint>

namespace scb::kernels {

namespace {

// A warp per padded row, its lanes along the row (coalesced reads and writes): one division per row, not
// two 64-bit divisions per element (which made the copy instruction-bound at a third of DRAM bandwidth).
constexpr int kRowsPerBlock = 8;

template <class T>
__global__ void pad_kernel(const T* __restrict__ input, T* __restrict__ padded, PadShape s, long long rows) {
  const int hp = s.H + 2 * s.pad_h, wp = s.W + 2 * s.pad_w;
  for (long long row = blockIdx.x * (long long)kRowsPerBlock + threadIdx.y; row < rows;
       row += (long long)gridDim.x * kRowsPerBlock) {
    const long long plane = row / hp;
    const int h = int(row - plane * hp) - s.pad_h;
    T* out = padded + row * wp;
    if (unsigned(h) >= unsigned(s.H)) {
      for (int w = threadIdx.x; w < wp; w += 32) out[w] = T(0);
      continue;
    }
    const T* in = input + (plane * s.H + h) * s.W;
    for (int w = threadIdx.x; w < wp; w += 32) out[w] = unsigned(w - s.pad_w) < unsigned(s.W) ? in[w - s.pad_w] : T(0);
  }
}

template <class T>
cudaError_t launch(const void* input, void* padded, const PadShape& s, cudaStream_t stream) {
  const long long rows = s.planes * s.padded_height();
  if (rows == 0 || s.padded_width() == 0) return cudaSuccess;
  const long long blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  const unsigned grid = unsigned(blocks < 65536 * 8 ? blocks : 65536 * 8);  // the loop takes the rest
  pad_kernel<T>
      <<<grid, dim3(32, kRowsPerBlock), 0, stream>>>(static_cast<const T*>(input), static_cast<T*>(padded), s, rows);
  return cudaGetLastError();
}

}  // namespace

cudaError_t pad_planes(const void* input, void* padded, const PadShape& shape, int element_bytes, cudaStream_t stream) {
  if (element_bytes == 4) return launch<std::uint32_t>(input, padded, shape, stream);
  if (element_bytes == 2) return launch<std::uint16_t>(input, padded, shape, stream);
  return cudaErrorInvalidValue;
}

}  // namespace scb::kernels
