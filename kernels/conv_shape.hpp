#pragma once
// The geometry of one convolution, as the kernels see it. Knows nothing of the harness.

namespace scb::kernels {

struct ConvShape {
  int N, C, H, W;  // input
  int K, R, S, P, Q;
  int groups;
  int stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
};

}  // namespace scb::kernels
