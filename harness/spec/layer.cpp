#include "harness/spec/layer.hpp"

#include <algorithm>

namespace scb {

int conv_output_size(int input, int filter, int stride, int pad, int dilation) {
  // 64-bit: a large dilation times a large filter must not overflow into a "fitting" shape.
  const std::int64_t effective_filter = std::int64_t(dilation) * (filter - 1) + 1;
  const std::int64_t span = input + 2 * std::int64_t(pad) - effective_filter;
  if (span < 0 || stride <= 0) return 0;
  return static_cast<int>(span / stride + 1);
}

int pool_output_size(int input, const PoolShape& pool) {
  // Caffe: ceil, then drop a last window that would start inside the padding only.
  const std::int64_t span = input + 2 * std::int64_t(pool.pad) - pool.size;
  if (span < 0 || pool.stride <= 0) return 0;
  std::int64_t out = (span + pool.stride - 1) / pool.stride + 1;
  if (pool.pad > 0 && (out - 1) * pool.stride >= input + std::int64_t(pool.pad)) --out;
  return static_cast<int>(out);
}

int Layer::P() const {
  return op == LayerOp::pool ? pool_output_size(H, {R, stride_h, pad_h})
                             : conv_output_size(H, R, stride_h, pad_h, dilation_h);
}
int Layer::Q() const {
  return op == LayerOp::pool ? pool_output_size(W, {S, stride_w, pad_w})
                             : conv_output_size(W, S, stride_w, pad_w, dilation_w);
}
int Layer::pooled_P() const { return pool ? pool_output_size(P(), *pool) : P(); }
int Layer::pooled_Q() const { return pool ? pool_output_size(Q(), *pool) : Q(); }

Layer Layer::input_transform() const {
  Layer t;
  t.network = network;
  t.name = name + "/input";
  t.op = LayerOp::transform;
  t.C = t.K = C;
  t.H = H;
  t.W = W;
  t.R = t.S = 1;
  t.tags = {"transform"};
  t.default_activation_sparsity = default_activation_sparsity;
  return t;
}

std::int64_t Layer::reduction_length() const {
  if (op == LayerOp::transform) return 1;
  if (op == LayerOp::pool) return std::int64_t(R) * S;
  if (op == LayerOp::softmax) return C;
  return std::int64_t(channels_per_group()) * R * S;
}
std::int64_t Layer::weight_count() const { return op == LayerOp::conv ? std::int64_t(K) * reduction_length() : 0; }
std::int64_t Layer::input_count(int batch) const { return std::int64_t(batch) * C * H * W; }
std::int64_t Layer::output_count(int batch) const { return std::int64_t(batch) * K * P() * Q(); }
std::int64_t Layer::dense_flops(int batch) const {
  if (op == LayerOp::softmax || op == LayerOp::transform) return 0;
  return (op == LayerOp::conv ? 2 : 1) * output_count(batch) * reduction_length();
}

bool Layer::has_tag(const std::string& tag) const { return std::find(tags.begin(), tags.end(), tag) != tags.end(); }

std::optional<std::string> Layer::shape_problem() const {
  if (op != LayerOp::conv) {
    if (K != C || groups != 1 || dilation_h != 1 || dilation_w != 1 || pool)
      return "a " + to_string(op) + " layer keeps its channels (K = C) and has no groups, dilation or fused pool";
    if (op == LayerOp::softmax && (H != 1 || W != 1 || R != 1 || S != 1))
      return "a softmax layer is C classes over a 1 x 1 map";
    if (op == LayerOp::transform && (R != 1 || S != 1 || stride_h != 1 || stride_w != 1 || pad_h != 0 || pad_w != 0))
      return "a transform keeps its tensor's shape";
    if (op == LayerOp::pool && (R != S || stride_h != stride_w || pad_h != pad_w))
      return "a pooling window is square, with one stride and one pad";
    if (op == LayerOp::pool && (pad_h < 0 || pad_h >= R)) return "pool pad must be at least 0 and smaller than size";
  }
  if (C <= 0 || H <= 0 || W <= 0 || K <= 0 || R <= 0 || S <= 0) return "C, H, W, K, R and S must all be positive";
  if (stride_h <= 0 || stride_w <= 0 || dilation_h <= 0 || dilation_w <= 0 || groups <= 0)
    return "stride, dilation and groups must be positive";
  if (pad_h < 0 || pad_w < 0) return "pad must not be negative";
  if (C % groups != 0 || K % groups != 0)
    return "C (" + std::to_string(C) + ") and K (" + std::to_string(K) + ") must both be divisible by groups (" +
           std::to_string(groups) + ")";
  if (P() <= 0 || Q() <= 0)
    return "the filter (" + std::to_string(R) + "x" + std::to_string(S) + ", dilation " + std::to_string(dilation_h) +
           ") does not fit the padded input (" + std::to_string(H + 2 * pad_h) + "x" + std::to_string(W + 2 * pad_w) +
           ")";
  // Per image and per filter bank: larger tensors do not fit the harness's 32-bit kernel indexing.
  constexpr std::int64_t kMaxElements = std::int64_t(1) << 31;
  if (std::int64_t(C) * H * W >= kMaxElements || std::int64_t(K) * P() * Q() >= kMaxElements ||
      weight_count() >= kMaxElements)
    return "the layer is too large: input, output and weights must each have fewer than 2^31 elements per image";
  if (pool && (pool->size <= 0 || pool->stride <= 0 || pool->pad < 0 || pool->pad >= pool->size))
    return "pool size and stride must be positive and pad smaller than size";
  if (pool && (pooled_P() <= 0 || pooled_Q() <= 0)) return "the pool window is larger than the convolution output";
  if (default_weight_sparsity < 0 || default_weight_sparsity >= 1 || default_activation_sparsity < 0 ||
      default_activation_sparsity >= 1)
    return "default sparsities must be in [0, 1)";
  return std::nullopt;
}

}  // namespace scb
