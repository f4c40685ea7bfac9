#pragma once
// One layer (batch excluded) and the arithmetic on its shape. Most layers are convolutions. A pooling layer
// keeps its shape in the same fields (K = C, R = S = window size, stride, pad; its P and Q use Caffe's
// rounding); a softmax is C = K = classes over a 1 x 1 map; a transform is a C x H x W tensor (K = C, R = S =
// 1) stored in another layout. None of them has weights.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/spec/types.hpp"

namespace scb {

// A max pool fused after the convolution; output size uses Caffe's ceil rule.
struct PoolShape {
  int size = 2;
  int stride = 2;
  int pad = 0;
};

struct Layer {
  std::string network;
  std::string name;
  LayerOp op = LayerOp::conv;
  PoolMode pool_mode = PoolMode::max;  // op pool only
  int C = 0, H = 0, W = 0;             // input channels and size
  int K = 0, R = 0, S = 0;             // output channels and filter size
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;
  int dilation_h = 1, dilation_w = 1;
  int groups = 1;
  std::optional<PoolShape> pool;
  std::vector<std::string> tags;
  double default_weight_sparsity = 0.0;
  double default_activation_sparsity = 0.0;

  std::string id() const { return network + "/" + name; }
  int P() const;  // output height
  int Q() const;  // output width
  int pooled_P() const;
  int pooled_Q() const;
  int channels_per_group() const { return C / groups; }
  int outputs_per_group() const { return K / groups; }
  // Inputs per output: (C/groups) * R * S for a conv's dot product, R * S for a pool's window, C for a
  // softmax's row.
  std::int64_t reduction_length() const;
  std::int64_t weight_count() const;
  std::int64_t input_count(int batch) const;
  std::int64_t output_count(int batch) const;
  // 2 FLOPs per multiply-add, counting zero weights; a pool's window elements per output (compares or adds);
  // 0 for a softmax (bound by its bytes).
  std::int64_t dense_flops(int batch) const;
  bool has_tag(const std::string& tag) const;
  // The change of layout of this layer's input tensor, as a layer of its own: "<name>/input".
  Layer input_transform() const;
  // Why this shape cannot be computed, or nothing when it is valid.
  std::optional<std::string> shape_problem() const;
};

int conv_output_size(int input, int filter, int stride, int pad, int dilation);
int pool_output_size(int input, const PoolShape& pool);

}  // namespace scb
