#include <algorithm>
#include <vector>

#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"
#include "harness/verify/reference.hpp"

namespace scb {

namespace {

struct ConvDims {
  int N, C, H, W, K, R, S, P, Q, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, Cg, Kg;
};

// One nonzero weight of an output channel: its input channel within the group, its tap, its value.
struct Tap {
  int c, r, s;
  float weight;
};

// One thread per output, summing in FP64 over the nonzero weights of its channel only: the cost scales
// with density. Taps are in (c, r, s) order, the order of a dense loop, and pruned weights add exactly
// zero there, so the sum is the dense sum. A warp's threads share k: tap loads are broadcasts.
__global__ void reference_conv_kernel(ConvDims d, const float* __restrict__ input, const Tap* __restrict__ taps,
                                      const int* __restrict__ tap_start, double* __restrict__ output, long long total) {
  const long long index = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (index >= total) return;
  const int q = index % d.Q;
  const int p = (index / d.Q) % d.P;
  const int k = (index / ((long long)d.Q * d.P)) % d.K;
  const int n = index / ((long long)d.Q * d.P * d.K);
  const int first_channel = (k / d.Kg) * d.Cg;
  double sum = 0.0;
  for (int t = tap_start[k]; t < tap_start[k + 1]; ++t) {
    const Tap tap = taps[t];
    const int h = p * d.stride_h - d.pad_h + tap.r * d.dilation_h;
    const int w = q * d.stride_w - d.pad_w + tap.s * d.dilation_w;
    if (h < 0 || h >= d.H || w < 0 || w >= d.W) continue;
    sum += double(input[((size_t(n) * d.C + first_channel + tap.c) * d.H + h) * d.W + w]) * double(tap.weight);
  }
  output[index] = sum;
}

}  // namespace

std::vector<double> reference_conv_gpu(const Layer& l, int batch, const std::vector<float>& input,
                                       const std::vector<float>& weights) {
  const ConvDims dims{batch,
                      l.C,
                      l.H,
                      l.W,
                      l.K,
                      l.R,
                      l.S,
                      l.P(),
                      l.Q(),
                      l.stride_h,
                      l.stride_w,
                      l.pad_h,
                      l.pad_w,
                      l.dilation_h,
                      l.dilation_w,
                      l.channels_per_group(),
                      l.outputs_per_group()};
  const long long total = l.output_count(batch);
  std::vector<Tap> taps;
  std::vector<int> tap_start{0};
  for (int k = 0; k < l.K; ++k) {
    for (int c = 0; c < dims.Cg; ++c)
      for (int r = 0; r < l.R; ++r)
        for (int s = 0; s < l.S; ++s)
          if (const float w = weights[((std::size_t(k) * dims.Cg + c) * l.R + r) * l.S + s]; w != 0.0f)
            taps.push_back({c, r, s, w});
    tap_start.push_back(int(taps.size()));
  }
  DeviceBuffer d_input(input.size() * sizeof(float)), d_taps(std::max<std::size_t>(1, taps.size()) * sizeof(Tap)),
      d_tap_start(tap_start.size() * sizeof(int)), d_output(std::size_t(total) * sizeof(double));
  SCB_CUDA(cudaMemcpy(d_input.get(), input.data(), d_input.bytes(), cudaMemcpyHostToDevice));
  SCB_CUDA(cudaMemcpy(d_taps.get(), taps.data(), taps.size() * sizeof(Tap), cudaMemcpyHostToDevice));
  SCB_CUDA(cudaMemcpy(d_tap_start.get(), tap_start.data(), d_tap_start.bytes(), cudaMemcpyHostToDevice));
  constexpr int kThreads = 256;
  const long long blocks = (total + kThreads - 1) / kThreads;
  reference_conv_kernel<<<static_cast<unsigned>(blocks), kThreads>>>(
      dims, d_input.as<float>(), d_taps.as<Tap>(), d_tap_start.as<int>(), d_output.as<double>(), total);
  SCB_CUDA_LAUNCHED("reference convolution kernel");
  std::vector<double> output(static_cast<std::size_t>(total));
  SCB_CUDA(cudaMemcpy(output.data(), d_output.get(), d_output.bytes(), cudaMemcpyDeviceToHost));
  return output;
}

}  // namespace scb
