#pragma once
// Reference outputs in FP64. Convolutions: direct loops on the CPU for small problems, one thread per
// output on the GPU for large ones; pooling and softmax on the CPU. Inputs are logical NCHW / KCRS floats;
// output is N x K x P x Q.
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

// A pooling layer (Caffe's windows, clipped to the map): max never takes the padding, avg divides by the
// window clipped to the padded map (the padding counted, as Caffe does). N x C x P x Q.
std::vector<double> reference_pool_cpu(const Layer& layer, int batch, const std::vector<float>& input);
// A softmax over each image's C classes, the row's max subtracted first (large logits do not overflow).
std::vector<double> reference_softmax_cpu(const Layer& layer, int batch, const std::vector<float>& input);
// The layer's own op: the convolution (weights), a pool or a softmax (no weights), or a transform (the input).
ReferenceOutput reference_layer(const Layer& layer, int batch, const std::vector<float>& input,
                                const std::vector<float>& weights, bool gpu_available);

// ReLU, then the layer's max-pool (Caffe's windows: clipped to the map, padding never wins), of an
// N x K x P x Q convolution output; N x K x pooled_P x pooled_Q, in FP64.
std::vector<double> relu_max_pool(const std::vector<double>& conv, const Layer& layer, int batch);

}  // namespace scb
