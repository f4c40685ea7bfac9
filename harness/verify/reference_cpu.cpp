#include "harness/verify/reference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace scb {

std::vector<double> reference_conv_cpu(const Layer& l, int batch, const std::vector<float>& input,
                                       const std::vector<float>& weights) {
  const int P = l.P(), Q = l.Q(), Cg = l.channels_per_group(), Kg = l.outputs_per_group();
  std::vector<double> output(std::size_t(l.output_count(batch)), 0.0);
  std::size_t o = 0;
  for (int n = 0; n < batch; ++n)
    for (int k = 0; k < l.K; ++k) {
      const int group = k / Kg;
      for (int p = 0; p < P; ++p)
        for (int q = 0; q < Q; ++q, ++o) {
          double sum = 0.0;
          for (int c = 0; c < Cg; ++c) {
            const int channel = group * Cg + c;
            for (int r = 0; r < l.R; ++r) {
              const int h = p * l.stride_h - l.pad_h + r * l.dilation_h;
              if (h < 0 || h >= l.H) continue;
              for (int s = 0; s < l.S; ++s) {
                const int w = q * l.stride_w - l.pad_w + s * l.dilation_w;
                if (w < 0 || w >= l.W) continue;
                sum += double(input[((std::size_t(n) * l.C + channel) * l.H + h) * l.W + w]) *
                       double(weights[((std::size_t(k) * Cg + c) * l.R + r) * l.S + s]);
              }
            }
          }
          output[o] = sum;
        }
    }
  return output;
}

ReferenceOutput reference_conv(const Layer& layer, int batch, const std::vector<float>& input,
                               const std::vector<float>& weights, bool gpu_available) {
  const std::int64_t macs = layer.dense_flops(batch) / 2;
  if (gpu_available && macs > kCpuReferenceMaxMacs)
    return {reference_conv_gpu(layer, batch, input, weights), "gpu_fp64"};
  return {reference_conv_cpu(layer, batch, input, weights), "cpu_fp64"};
}

std::vector<double> reference_pool_cpu(const Layer& l, int batch, const std::vector<float>& input) {
  const int P = l.P(), Q = l.Q(), size = l.R, stride = l.stride_h, pad = l.pad_h;
  std::vector<double> out(std::size_t(batch) * l.C * P * Q);
  std::size_t o = 0;
  for (int n = 0; n < batch; ++n)
    for (int c = 0; c < l.C; ++c) {
      const float* map = input.data() + (std::size_t(n) * l.C + c) * l.H * l.W;
      for (int y = 0; y < P; ++y)
        for (int x = 0; x < Q; ++x, ++o) {
          const int y_start = y * stride - pad, x_start = x * stride - pad;
          // Caffe's average divides by the window clipped to the padded map, before clipping to the map.
          const int divisor =
              (std::min(y_start + size, l.H + pad) - y_start) * (std::min(x_start + size, l.W + pad) - x_start);
          const int y0 = std::max(0, y_start), y1 = std::min(l.H, y_start + size);
          const int x0 = std::max(0, x_start), x1 = std::min(l.W, x_start + size);
          double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
          for (int yy = y0; yy < y1; ++yy)
            for (int xx = x0; xx < x1; ++xx) {
              const double v = map[std::size_t(yy) * l.W + xx];
              best = std::max(best, v);
              sum += v;
            }
          out[o] = l.pool_mode == PoolMode::max ? best : sum / divisor;
        }
    }
  return out;
}

std::vector<double> reference_softmax_cpu(const Layer& l, int batch, const std::vector<float>& input) {
  std::vector<double> out(std::size_t(batch) * l.C);
  for (int n = 0; n < batch; ++n) {
    const float* row = input.data() + std::size_t(n) * l.C;
    double* result = out.data() + std::size_t(n) * l.C;
    const double largest = *std::max_element(row, row + l.C);
    double sum = 0.0;
    for (int c = 0; c < l.C; ++c) sum += result[c] = std::exp(double(row[c]) - largest);
    for (int c = 0; c < l.C; ++c) result[c] /= sum;
  }
  return out;
}

ReferenceOutput reference_layer(const Layer& layer, int batch, const std::vector<float>& input,
                                const std::vector<float>& weights, bool gpu_available) {
  switch (layer.op) {
    case LayerOp::pool:
      return {reference_pool_cpu(layer, batch, input), "cpu_fp64"};
    case LayerOp::softmax:
      return {reference_softmax_cpu(layer, batch, input), "cpu_fp64"};
    case LayerOp::transform:  // the same values, in the case's layout
      return {std::vector<double>(input.begin(), input.end()), "cpu_fp64"};
    default:
      return reference_conv(layer, batch, input, weights, gpu_available);
  }
}

std::vector<double> relu_max_pool(const std::vector<double>& conv, const Layer& l, int batch) {
  if (!l.pool) throw std::invalid_argument("relu_max_pool: layer " + l.id() + " has no pool");
  const PoolShape& pool = *l.pool;
  const int P = l.P(), Q = l.Q(), PP = l.pooled_P(), PQ = l.pooled_Q();
  std::vector<double> out(std::size_t(batch) * l.K * PP * PQ);
  std::size_t o = 0;
  for (int n = 0; n < batch; ++n)
    for (int k = 0; k < l.K; ++k) {
      const double* map = conv.data() + (std::size_t(n) * l.K + k) * P * Q;
      for (int y = 0; y < PP; ++y)
        for (int x = 0; x < PQ; ++x, ++o) {
          const int y0 = std::max(0, y * pool.stride - pool.pad),
                    y1 = std::min(P, y * pool.stride - pool.pad + pool.size);
          const int x0 = std::max(0, x * pool.stride - pool.pad),
                    x1 = std::min(Q, x * pool.stride - pool.pad + pool.size);
          double best = 0.0;  // ReLU: nothing below zero
          for (int yy = y0; yy < y1; ++yy)
            for (int xx = x0; xx < x1; ++xx) best = std::max(best, map[std::size_t(yy) * Q + xx]);
          out[o] = best;
        }
    }
  return out;
}

}  // namespace scb
