#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"
#include "harness/verify/reference.hpp"

namespace scb {

namespace {

struct ConvDims {
  int N, C, H, W, K, R, S, P, Q, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, Cg, Kg;
};

__global__ void reference_conv_kernel(ConvDims d, const float* __restrict__ input, const float* __restrict__ weights,
                                      double* __restrict__ output, long long total) {
  const long long index = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (index >= total) return;
  const int q = index % d.Q;
  const int p = (index / d.Q) % d.P;
  const int k = (index / ((long long)d.Q * d.P)) % d.K;
  const int n = index / ((long long)d.Q * d.P * d.K);
  const int group = k / d.Kg;
  double sum = 0.0;
  for (int c = 0; c < d.Cg; ++c) {
    const int channel = group * d.Cg + c;
    for (int r = 0; r < d.R; ++r) {
      const int h = p * d.stride_h - d.pad_h + r * d.dilation_h;
      if (h < 0 || h >= d.H) continue;
      for (int s = 0; s < d.S; ++s) {
        const int w = q * d.stride_w - d.pad_w + s * d.dilation_w;
        // A pruned weight adds exactly zero to the sum (inputs are finite): skipping it makes the reference
        // cost scale with density. The branch is uniform across a warp, whose threads share k.
        const float weight = weights[((size_t(k) * d.Cg + c) * d.R + r) * d.S + s];
        if (weight == 0.0f || w < 0 || w >= d.W) continue;
        sum += double(input[((size_t(n) * d.C + channel) * d.H + h) * d.W + w]) * double(weight);
      }
    }
  }
  output[index] = sum;
}

}  // namespace

std::vector<double> reference_conv_gpu(const Layer& l, int batch, const std::vector<float>& input,
                                       const std::vector<float>& weights) {
  const ConvDims dims{batch, l.C, l.H, l.W, l.K, l.R, l.S, l.P(), l.Q(), l.stride_h, l.stride_w, l.pad_h, l.pad_w,
                      l.dilation_h, l.dilation_w, l.channels_per_group(), l.outputs_per_group()};
  const long long total = l.output_count(batch);
  DeviceBuffer d_input(input.size() * sizeof(float)), d_weights(weights.size() * sizeof(float)),
      d_output(std::size_t(total) * sizeof(double));
  SCB_CUDA(cudaMemcpy(d_input.get(), input.data(), d_input.bytes(), cudaMemcpyHostToDevice));
  SCB_CUDA(cudaMemcpy(d_weights.get(), weights.data(), d_weights.bytes(), cudaMemcpyHostToDevice));
  constexpr int kThreads = 256;
  const long long blocks = (total + kThreads - 1) / kThreads;
  reference_conv_kernel<<<static_cast<unsigned>(blocks), kThreads>>>(dims, d_input.as<float>(), d_weights.as<float>(),
                                                                     d_output.as<double>(), total);
  SCB_CUDA_LAUNCHED("reference convolution kernel");
  std::vector<double> output(static_cast<std::size_t>(total));
  SCB_CUDA(cudaMemcpy(output.data(), d_output.get(), d_output.bytes(), cudaMemcpyDeviceToHost));
  return output;
}

}  // namespace scb
