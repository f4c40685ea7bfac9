#pragma once
// Builds a layer by its numbers, for tests that need shapes no network file has.
#include <string>

#include "harness/spec/layer.hpp"

namespace scb::testing_support {

inline Layer make_layer(const std::string& name, int C, int H, int W, int K, int R, int S, int stride = 1, int pad = 0,
                        int groups = 1, int dilation = 1) {
  Layer l;
  l.network = "test";
  l.name = name;
  l.C = C, l.H = H, l.W = W, l.K = K, l.R = R, l.S = S;
  l.stride_h = l.stride_w = stride;
  l.pad_h = l.pad_w = pad;
  l.groups = groups;
  l.dilation_h = l.dilation_w = dilation;
  return l;
}

// A pooling layer (square window) and a softmax, as the network files declare them.
inline Layer make_pool_layer(const std::string& name, int C, int H, int W, int size, int stride, int pad = 0,
                             PoolMode mode = PoolMode::max) {
  Layer l = make_layer(name, C, H, W, C, size, size, stride, pad);
  l.op = LayerOp::pool;
  l.pool_mode = mode;
  return l;
}

inline Layer make_softmax_layer(int classes) {
  Layer l = make_layer("softmax" + std::to_string(classes), classes, 1, 1, classes, 1, 1);
  l.op = LayerOp::softmax;
  return l;
}

}  // namespace scb::testing_support
