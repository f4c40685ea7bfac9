#include "kernels/channel_liveness.hpp"

#include <cstdint>

namespace scb::kernels {

namespace {

constexpr int kThreads = 256;

// One block per plane: does any element have a nonzero magnitude?
template <class T, T kMagnitude>
__global__ void liveness_kernel(const T* __restrict__ input, unsigned* __restrict__ bits, int channels, int words,
                                long long plane) {
  const long long index = blockIdx.x;  // n * channels + c
  const T* values = input + index * plane;
  int live = 0;
  for (long long i = threadIdx.x; i < plane && !live; i += kThreads) live = (values[i] & kMagnitude) != 0;
  if (__syncthreads_or(live) && threadIdx.x == 0) {
    const int n = int(index / channels), c = int(index % channels);
    atomicOr(bits + (long long)n * words + c / 32, 1u << (c % 32));
  }
}

}  // namespace

cudaError_t find_live_channels(const void* input, unsigned* bits, int images, int channels, long long plane,
                               int element_bytes, cudaStream_t stream) {
  const int words = liveness_words(channels);
  if (const cudaError_t status = cudaMemsetAsync(bits, 0, sizeof(unsigned) * std::size_t(images) * words, stream);
      status != cudaSuccess)
    return status;
  const long long planes = (long long)images * channels;
  if (planes == 0 || plane == 0) return cudaSuccess;
  if (planes > 0x7fffffffLL) return cudaErrorInvalidConfiguration;
  if (element_bytes == 4)
    liveness_kernel<std::uint32_t, 0x7fffffffu><<<unsigned(planes), kThreads, 0, stream>>>(
        static_cast<const std::uint32_t*>(input), bits, channels, words, plane);
  else if (element_bytes == 2)
    liveness_kernel<std::uint16_t, std::uint16_t(0x7fff)><<<unsigned(planes), kThreads, 0, stream>>>(
        static_cast<const std::uint16_t*>(input), bits, channels, words, plane);
  else
    return cudaErrorInvalidValue;
  return cudaGetLastError();
}

}  // namespace scb::kernels
