#pragma once
// How our kernels are told a tensor's storage: the order of its dimensions and the type of its elements
// (arithmetic is FP32 whatever the element). Knows nothing of the harness.

namespace scb::kernels {

enum class TensorOrder { nchw, nhwc, chwn };  // chwn: the batch innermost (cuda-convnet)
enum class ElementType { f32, f16, bf16 };

inline int element_bytes(ElementType element) { return element == ElementType::f32 ? 4 : 2; }

}  // namespace scb::kernels
