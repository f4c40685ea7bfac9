#pragma once
// im2col lowering for NCHW input: columns[n][(c*R + r)*S + s][p*Q + q] = input[n][c][h][w],
// zero where the filter tap falls into padding. Knows nothing of the harness.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace scb::kernels {

struct Im2colShape {
  int N, C, H, W;  // input
  int R, S;        // filter
  int P, Q;        // output
  int stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
};

template <class T>
cudaError_t im2col_nchw(const T* input, T* columns, const Im2colShape& shape, cudaStream_t stream);

// Pixel-major lowering: columns[(n*P*Q + p*Q + q) * column_stride + (c*R + r)*S + s], i.e. one column
// of a column-major (C*R*S) x (N*P*Q) matrix (leading dimension column_stride >= C*R*S) per output
// pixel of the whole batch. Rows past C*R*S are not written.
template <class T>
cudaError_t im2col_nchw_pixel_major(const T* input, T* columns, const Im2colShape& shape, long long column_stride,
                                    cudaStream_t stream);

// out[n][k][pq] = in[(n*PQ + pq) * row_stride + k] for k < K: a pixel-major GEMM result back to
// NCHW (tiled transpose).
template <class T>
cudaError_t pixel_major_to_nchw(const T* in, T* out, int N, int K, int PQ, int row_stride, cudaStream_t stream);

}  // namespace scb::kernels
