#pragma once
// What every cuDNN backend shares: the data type of a precision, the tensor format of a layout, descriptors that
// destroy themselves, and cuDNN's pooled size (it rounds down; Caffe, whose rounding the layer files use, rounds up).
#include <cudnn.h>

#include "harness/spec/layer.hpp"
#include "harness/spec/types.hpp"

namespace scb {

inline cudnnDataType_t cudnn_data_type(Precision p) {
  switch (p) {
    case Precision::fp16:
      return CUDNN_DATA_HALF;
    case Precision::bf16:
      return CUDNN_DATA_BFLOAT16;
    default:
      return CUDNN_DATA_FLOAT;
  }
}

// cuDNN has NCHW and NHWC only: its backends refuse CHWN before they get here.
inline cudnnTensorFormat_t cudnn_tensor_format(Layout layout) {
  return layout == Layout::nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
}

template <class Handle, cudnnStatus_t (*Destroy)(Handle)>
struct CudnnDescriptor {
  Handle handle = nullptr;
  CudnnDescriptor() = default;
  CudnnDescriptor(const CudnnDescriptor&) = delete;
  CudnnDescriptor& operator=(const CudnnDescriptor&) = delete;
  ~CudnnDescriptor() {
    if (handle) Destroy(handle);
  }
};

using TensorDescriptor = CudnnDescriptor<cudnnTensorDescriptor_t, cudnnDestroyTensorDescriptor>;
using FilterDescriptor = CudnnDescriptor<cudnnFilterDescriptor_t, cudnnDestroyFilterDescriptor>;
using ConvolutionDescriptor = CudnnDescriptor<cudnnConvolutionDescriptor_t, cudnnDestroyConvolutionDescriptor>;
using ActivationDescriptor = CudnnDescriptor<cudnnActivationDescriptor_t, cudnnDestroyActivationDescriptor>;
using PoolingDescriptor = CudnnDescriptor<cudnnPoolingDescriptor_t, cudnnDestroyPoolingDescriptor>;

inline int cudnn_pooled_size(int input, const PoolShape& pool) {
  return (input + 2 * pool.pad - pool.size) / pool.stride + 1;
}

}  // namespace scb
