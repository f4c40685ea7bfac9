#pragma once
// Zero-bordered copies of NCHW images: padded[plane][h + pad_h][w + pad_w] = input[plane][h][w], zero in
// the border. Kernels that read a padded copy need no bounds checks. Knows nothing of the harness.
#include <cuda_runtime.h>

namespace scb::kernels {

struct PadShape {
  long long planes;  // N x C
  int H, W;          // input plane
  int pad_h, pad_w;  // added on each side
  int padded_height() const { return H + 2 * pad_h; }
  int padded_width() const { return W + 2 * pad_w; }
};

// element_bytes 4 or 2 (the bits are copied, whatever the type); padded holds planes x (H + 2 pad_h) x
// (W + 2 pad_w) elements.
// live (kernels/channel_liveness.hpp; planes = images x channels): planes it marks dead are not copied and
// their part of padded is left as it was, for kernels that skip dead channels and never read them.
cudaError_t pad_planes(const void* input, void* padded, const PadShape& shape, int element_bytes, cudaStream_t stream,
                       const unsigned* live = nullptr, int channels = 0);

}  // namespace scb::kernels
