#include "kernels/escort.hpp"

namespace scb::kernels {

namespace {

constexpr int kThreads = 256;
constexpr int kChunk = 1024;  // SHMEM_SIZE in Escoin

// Pitches of the padded buffer, computed on the host.
struct PaddedPitches {
  long long row, channel, image;
};

__global__ void pad_input_kernel(const float* __restrict__ input, float* __restrict__ padded, EscortShape s,
                                 PaddedPitches pitch, long long total) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total;
       i += (long long)gridDim.x * blockDim.x) {
    const int x = int(i % s.W);
    const int y = int((i / s.W) % s.H);
    const long long nc = i / ((long long)s.W * s.H);
    const int c = int(nc % s.C);
    const long long n = nc / s.C;
    padded[n * pitch.image + c * pitch.channel + (y + s.pad_h) * pitch.row + s.pad_w + x] = input[i];
  }
}

// TILE_W x TILE_H threads: 16x16, or 32x8 for 27-row inputs (AlexNet/CaffeNet conv2), as Escoin picks.
template <int TILE_W, int TILE_H>
__global__ void __launch_bounds__(kThreads)
    sconv_shm_kernel(const float* __restrict__ padded, const int* __restrict__ row_offsets,
                     const int* __restrict__ offsets, const float* __restrict__ values, float* __restrict__ output,
                     EscortShape s, PaddedPitches pitch) {
  __shared__ float values_s[kChunk];
  __shared__ int offsets_s[kChunk];
  const int tiles_x = (s.Q + TILE_W - 1) / TILE_W;
  const int k = blockIdx.y;
  const int n = blockIdx.z;
  const int group = k / (s.K / s.groups);
  const int x = (blockIdx.x % tiles_x) * TILE_W + threadIdx.x;
  const int y = (blockIdx.x / tiles_x) * TILE_H + threadIdx.y;
  const int tid = threadIdx.y * TILE_W + threadIdx.x;
  const bool inside = x < s.Q && y < s.P;
  const float* in_ptr = padded + n * pitch.image + (long long)group * (s.C / s.groups) * pitch.channel +
                        (long long)y * s.stride_h * pitch.row + (long long)x * s.stride_w;
  float sum = 0.0f;
  const int begin = row_offsets[k], end = row_offsets[k + 1];
  for (int chunk = begin; chunk < end; chunk += kChunk) {
    const int length = min(kChunk, end - chunk);
    for (int i = tid; i < length; i += kThreads) {
      values_s[i] = values[chunk + i];
      offsets_s[i] = offsets[chunk + i];
    }
    __syncthreads();
    if (inside)
      for (int j = 0; j < length; ++j) sum += values_s[j] * __ldg(in_ptr + offsets_s[j]);
    __syncthreads();
  }
  if (inside) output[(((long long)n * s.K + k) * s.P + y) * s.Q + x] = sum;
}

PaddedPitches pitches(const EscortShape& s) {
  return {escort_row_pitch(s), escort_channel_pitch(s), escort_image_length(s)};
}

}  // namespace

cudaError_t escort_pad_input(const float* input, float* padded, const EscortShape& s, cudaStream_t stream) {
  const long long total = (long long)s.N * s.C * s.H * s.W;
  const int threads = 256;
  const long long blocks = (total + threads - 1) / threads;
  pad_input_kernel<<<unsigned(blocks < 65535 * 16 ? blocks : 65535 * 16), threads, 0, stream>>>(input, padded, s,
                                                                                                pitches(s), total);
  return cudaGetLastError();
}

cudaError_t escort_sconv(const float* padded, const int* row_offsets, const int* offsets, const float* values,
                         float* output, const EscortShape& s, cudaStream_t stream) {
  if (s.K > 65535 || s.N > 65535) return cudaErrorInvalidConfiguration;  // grid y/z limits
  const auto launch = [&](auto kernel, int tile_w, int tile_h) {
    const dim3 block(tile_w, tile_h);
    const dim3 grid(unsigned(((s.Q + tile_w - 1) / tile_w) * ((s.P + tile_h - 1) / tile_h)), unsigned(s.K),
                    unsigned(s.N));
    kernel<<<grid, block, 0, stream>>>(padded, row_offsets, offsets, values, output, s, pitches(s));
  };
  if (escort_tile_width(s) == 32)
    launch(sconv_shm_kernel<32, 8>, 32, 8);
  else
    launch(sconv_shm_kernel<16, 16>, 16, 16);
  return cudaGetLastError();
}

}  // namespace scb::kernels
