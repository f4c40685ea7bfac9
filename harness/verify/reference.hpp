#pragma once
// Reference convolutions in FP64: direct loops on the CPU for small problems, one thread per
// output on the GPU for large ones. Inputs are logical NCHW / KCRS floats; output is N x K x P x Q.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/spec/layer.hpp"

namespace scb {

std::vector<double> reference_conv_cpu(const Layer& layer, int batch, const std::vector<float>& input,
                                       const std::vector<float>& weights);
std::vector<double> reference_conv_gpu(const Layer& layer, int batch, const std::vector<float>& input,
                                       const std::vector<float>& weights);

// Multiply-adds above which the GPU reference is used.
constexpr std::int64_t kCpuReferenceMaxMacs = 50'000'000;

struct ReferenceOutput {
  std::vector<double> values;  // N x K x P x Q
  std::string kind;            // "cpu_fp64" or "gpu_fp64": where it was computed
};
ReferenceOutput reference_conv(const Layer& layer, int batch, const std::vector<float>& input,
                               const std::vector<float>& weights, bool gpu_available);

// ReLU, then the layer's max-pool (Caffe's windows: clipped to the map, padding never wins), of an
// N x K x P x Q convolution output; N x K x pooled_P x pooled_Q, in FP64.
std::vector<double> relu_max_pool(const std::vector<double>& conv, const Layer& layer, int batch);

}  // namespace scb
