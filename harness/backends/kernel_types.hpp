#pragma once
// A case's layout and precision as our kernels take them (kernels/tensor_types.hpp).
#include "harness/spec/types.hpp"
#include "kernels/tensor_types.hpp"

namespace scb {

inline kernels::TensorOrder tensor_order(Layout layout) {
  return layout == Layout::nhwc   ? kernels::TensorOrder::nhwc
         : layout == Layout::chwn ? kernels::TensorOrder::chwn
                                  : kernels::TensorOrder::nchw;
}

// tf32 stores FP32.
inline kernels::ElementType element_type(Precision precision) {
  return precision == Precision::fp16   ? kernels::ElementType::f16
         : precision == Precision::bf16 ? kernels::ElementType::bf16
                                        : kernels::ElementType::f32;
}

}  // namespace scb
