#pragma once
// The geometry of one convolution, as the kernels see it. Knows nothing of the harness.

namespace scb::kernels {

struct ConvShape {
  int N, C, H, W;  // input
  int K, R, S, P, Q;
  int groups;
  int stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
};

// A max-pool fused after the convolution (Caffe's windows: clipped to the convolution output).
struct PoolGeometry {
  int size, stride, pad;
  int P, Q;  // pooled output
};

}  // namespace scb::kernels
