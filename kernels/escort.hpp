#pragma once
// Escort/Escoin direct sparse convolution (X. Chen, arXiv 1802.10280), kept as the paper built it:
// the input is copied into a padded buffer whose rows and channels share one pad, weights are CSR per
// output channel with column indices "stretched" into offsets in that buffer, one thread block per
// output channel and 16x16 output tile (32x8 when the input has 27 rows), one thread per output pixel, the channel's
// nonzeros staged in shared memory in 1024-entry chunks. FP32. Knows nothing of the harness.
#include <cuda_runtime.h>

namespace scb::kernels {

struct EscortShape {
  int N, C, H, W;  // input
  int K, P, Q;     // output
  int groups;
  int stride_h, stride_w, pad_h, pad_w;
};

// Padded geometry of one image: row pitch W + pad_w, channel pitch (H + pad_h) rows, plus a tail so
// the last channel's bottom pad exists. Pixel (c, y, x) lives at (c*(H+pad_h) + y + pad_h)*(W+pad_w) + pad_w + x.
inline long long escort_row_pitch(const EscortShape& s) { return s.W + s.pad_w; }
inline long long escort_channel_pitch(const EscortShape& s) { return (long long)(s.H + s.pad_h) * (s.W + s.pad_w); }
inline long long escort_image_length(const EscortShape& s) {
  return s.C * escort_channel_pitch(s) + (long long)s.pad_h * (s.W + 2 * s.pad_w);
}

// Escoin's tile choice: 32 x 8 threads for 27-row inputs (AlexNet/CaffeNet conv2), else 16 x 16.
inline int escort_tile_width(const EscortShape& s) { return s.H == 27 ? 32 : 16; }

// Copies the NCHW input into the padded buffer (N images of escort_image_length). Pad positions are
// never written: zero the buffer once before the first call.
cudaError_t escort_pad_input(const float* input, float* padded, const EscortShape& shape, cudaStream_t stream);

// row_offsets: K + 1 entries; offsets: stretched column index of each nonzero relative to the first
// channel of the output channel's group; values: the nonzeros.
cudaError_t escort_sconv(const float* padded, const int* row_offsets, const int* offsets, const float* values,
                         float* output, const EscortShape& shape, cudaStream_t stream);

}  // namespace scb::kernels
