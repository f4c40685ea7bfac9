#pragma once
// Zero-bordered copies of NCHW images: padded[plane][h + pad_h][w + pad_w] = input[plane][h][w], zero in
// the border. Kernels that read a padded copy need no bounds checks. Knows nothing of the harness.
#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/divisor.hpp"

namespace scb::kernels {

struct PadShape {
  long long planes;  // N x C
  int H, W;          // input plane
  int pad_h, pad_w;  // added on each side
  int padded_height() const { return H + 2 * pad_h; }
  int padded_width() const { return W + 2 * pad_w; }
};

// Padded element o (of planes x padded height x padded width, below 2^31) as the copy kernel writes it:
// the input's element or the border's zero, and nothing where live marks its plane dead (live == nullptr:
// every plane; planes = images x channels). Host and device: the kernel calls it, a CPU test too.
template <class T>
SCB_HOST_DEVICE inline void pad_element(const T* __restrict__ input, T* __restrict__ padded, const PadShape& s,
                                        const Divisor& width_d, const Divisor& height_d,
                                        const unsigned* __restrict__ live, const Divisor& channels_d, int words,
                                        std::uint32_t o) {
  const std::uint32_t row = width_d.quotient(o);
  const int x = int(width_d.remainder(o, row)) - s.pad_w;
  const std::uint32_t plane = height_d.quotient(row);
  const int y = int(height_d.remainder(row, plane)) - s.pad_h;
  if (live != nullptr) {
    const std::uint32_t n = channels_d.quotient(plane), c = channels_d.remainder(plane, n);
    if (!((live[n * std::uint32_t(words) + c / 32] >> (c % 32)) & 1u)) return;
  }
  padded[o] = unsigned(y) < unsigned(s.H) && unsigned(x) < unsigned(s.W)
                  ? input[(plane * std::uint32_t(s.H) + std::uint32_t(y)) * std::uint32_t(s.W) + std::uint32_t(x)]
                  : T(0);
}

// element_bytes 4 or 2 (the bits are copied, whatever the type); padded holds planes x (H + 2 pad_h) x
// (W + 2 pad_w) elements.
// live (kernels/channel_liveness.hpp; planes = images x channels): planes it marks dead are not copied and
// their part of padded is left as it was, for kernels that skip dead channels and never read them.
cudaError_t pad_planes(const void* input, void* padded, const PadShape& shape, int element_bytes, cudaStream_t stream,
                       const unsigned* live = nullptr, int channels = 0);

}  // namespace scb::kernels
